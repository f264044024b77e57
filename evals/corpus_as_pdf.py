"""The shipped corpus printed as PDF by a browser: the same documents, read by the PDF loader.

A user brings the report as a PDF, not as the digest's Markdown. Printed with headless Chromium,
the Markdown documents become PDFs whose text is known, so every gold question can be asked of
them: a store of these PDFs, scored with the gold sets' document names renamed, measures what
reading a PDF costs, and the PDF loader's faults show as gold quotes found in no chunk (they were
how a browser's drawn bullets, two columns and unhyphenated line ends were found). Two layouts:
`plain`, one justified column with the browser's own header and footer (date, title, address,
page numbers); `columns`, two columns of a smaller sans-serif, tables across both.

    python -m evals.corpus_as_pdf /tmp/as-pdf --layout columns --gold evals/gold/test.jsonl
    DATALESSEN_HOME=/tmp/as-pdf/home datalessen ingest /tmp/as-pdf/pdf
    DATALESSEN_HOME=/tmp/as-pdf/home datalessen eval --questions /tmp/as-pdf/gold/test.jsonl --no-gate
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import click
from markdown_it import MarkdownIt

from ingest.loaders.markdown import split_front_matter

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documenten"
LAYOUTS = {
    "plain": (
        "@page { size: A4; margin: 22mm 20mm; }"
        " body { font-family: 'DejaVu Serif', serif; font-size: 11pt; line-height: 1.4; text-align: justify; }"
        " h1, h2, h3 { font-family: 'DejaVu Sans'; } h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.2em; }"
        " h3 { font-size: 12pt; } blockquote { font-style: italic; margin-left: 2em; }"
        " table { border-collapse: collapse; font-size: 9.5pt; }"
        " td, th { border: 1px solid #888; padding: 3px 6px; vertical-align: top; }"
    ),
    "columns": (
        "@page { size: A4; margin: 18mm 16mm; }"
        " body { font-family: 'DejaVu Sans', sans-serif; font-size: 9.5pt; line-height: 1.35; }"
        " main { column-count: 2; column-gap: 9mm; } h1 { font-size: 18pt; } h2 { font-size: 12pt; color: #135; }"
        " h3 { font-size: 10.5pt; } blockquote { margin-left: 1em; color: #333; }"
        " table { border-collapse: collapse; font-size: 8.5pt; column-span: all; }"
        " td, th { border: 1px solid #888; padding: 2px 4px; vertical-align: top; }"
    ),
}
HEADER_FOOTER = {"plain": True, "columns": False}  # the browser's date, title, address and page numbers


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def page_html(markdown: str, layout: str, source: Path) -> str:
    """One document as a printable page: its text without the front matter (a PDF has none), its
    front matter's title as the page title."""
    meta, body, _ = split_front_matter(markdown, source)
    rendered = MarkdownIt("commonmark").enable("table").render(body)
    if layout == "columns":  # the first heading spans the page, the rest flows in two columns
        head, cut, rest = rendered.partition("</h1>")
        rendered = f"{head}{cut}<main>{rest}</main>" if cut else f"<main>{rendered}</main>"
    title = html.escape(str(meta.get("title") or source.stem))
    return (
        f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{LAYOUTS[layout]}</style></head><body>{rendered}</body></html>"
    )


def print_corpus(out: Path, layout: str, corpus: Path = CORPUS, timeout: float = 120) -> list[Path]:
    """Every Markdown document of `corpus` printed to `out/<name>.pdf`."""
    browser = chromium()
    if browser is None:
        raise click.ClickException("no chromium on the PATH (Debian: apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    pdfs = []
    with tempfile.TemporaryDirectory() as scratch:
        for source in sorted(corpus.glob("*.md")):
            page = Path(scratch) / f"{source.stem}.html"
            page.write_text(page_html(source.read_text(encoding="utf-8"), layout, source), encoding="utf-8")
            pdf = out / f"{source.stem}.pdf"
            command = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}"]
            if not HEADER_FOOTER[layout]:
                command.append("--no-pdf-header-footer")
            subprocess.run([*command, page.as_uri()], capture_output=True, timeout=timeout, check=True)
            if not pdf.is_file():
                raise click.ClickException(f"{browser} printed no {pdf.name}")
            pdfs.append(pdf)
    return pdfs


def gold_as_pdf(questions: Path, out: Path) -> Path:
    """A copy of a gold set whose evidence names the printed PDFs instead of the Markdown files."""
    lines = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        for evidence in item.get("evidence", []):
            if evidence["document"].endswith(".md"):
                evidence["document"] = evidence["document"][: -len(".md")] + ".pdf"
        lines.append(json.dumps(item, ensure_ascii=False))
    out.mkdir(parents=True, exist_ok=True)
    target = out / questions.name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="plain", show_default=True)
@click.option(
    "--gold",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Gold sets to copy, named for the PDFs.",
)
def main(out: Path, layout: str, gold: tuple[Path, ...]) -> None:
    """Print the shipped corpus to OUT/pdf and copy gold sets to OUT/gold."""
    pdfs = print_corpus(out / "pdf", layout)
    for questions in gold:
        gold_as_pdf(questions, out / "gold")
    click.echo(f"{len(pdfs)} PDFs in {out / 'pdf'}; {len(gold)} gold sets in {out / 'gold'}")


if __name__ == "__main__":
    main()
