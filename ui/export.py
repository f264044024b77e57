"""Take-aways: a conversation as Markdown and JSON, a lessons table as a handout.

Quotes stay verbatim, each with its number and where it comes from (document,
section, page), so a printed page can be checked against the sources.

    md = conversation_markdown([(question, answer), ...])
    md_path, json_path = write_conversation(turns, folder)
    md_path, docx_path = write_handout("Opschaling", rows, folder)
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from assistant.schema import Answer, Citation

APP_NAME = "datalessen"
REPORT = "Datagedreven innovatie in gemeenten (2021): de lessen van 18 dataprojecten (A&O fonds Gemeenten)"


def _where(c: Citation) -> str:
    return " — ".join(part for part in (c.section, c.page) if part)


def _source_line(c: Citation) -> str:
    where = _where(c)
    return f"[{c.n}] {c.title}" + (f" — {where}" if where else "")


def _stamp(when: datetime | None) -> str:
    return (when or datetime.now()).strftime("%Y-%m-%d %H:%M")


# -- conversation ---------------------------------------------------------------------------


def conversation_markdown(turns: list[tuple[str, Answer]], *, when: datetime | None = None) -> str:
    lines = [f"# Gesprek met {APP_NAME}", "", f"Over: {REPORT}.  ", f"Geëxporteerd: {_stamp(when)}", ""]
    for i, (question, answer) in enumerate(turns, 1):
        lines += [f"## Vraag {i}: {question}", ""]
        if answer.abstained:
            lines += ["*Geen (volledig) antwoord in de bronnen.*", ""]
        lines += [answer.text, ""]
        if answer.citations:
            lines += ["### Bronnen" if not answer.abstained else "### Dichtstbijzijnde passages", ""]
            for c in answer.citations:
                lines.append(f"- {_source_line(c)}")
                for quote in c.quotes or [c.quote]:
                    lines.append(f"  > „{quote}”")
            lines.append("")
        for warning in answer.warnings:
            lines += [f"> Let op: {warning}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _citation_dict(c: Citation) -> dict:
    return {
        "n": c.n,
        "title": c.title,
        "section": c.section,
        "page": c.page,
        "quote": c.quote,
        "quotes": list(c.quotes or [c.quote]),
        "passage_text": c.passage_text,
        "doc_id": c.doc_id,
        "chunk_id": c.chunk_id,
        "source": c.source,
        "score": c.score,
    }


def conversation_dict(turns: list[tuple[str, Answer]], *, when: datetime | None = None) -> dict:
    return {
        "app": APP_NAME,
        "report": REPORT,
        "exported_at": (when or datetime.now()).isoformat(timespec="seconds"),
        "turns": [
            {
                "question": question,
                "standalone_question": answer.standalone_question,
                "answer": answer.text,
                "abstained": answer.abstained,
                "backend": answer.backend,
                "language": answer.language,
                "warnings": list(answer.warnings),
                "citations": [_citation_dict(c) for c in answer.citations],
            }
            for question, answer in turns
        ],
    }


def conversation_json(turns: list[tuple[str, Answer]], *, when: datetime | None = None) -> str:
    return json.dumps(conversation_dict(turns, when=when), ensure_ascii=False, indent=2)


def write_conversation(
    turns: list[tuple[str, Answer]], folder: Path | str, stem: str = "gesprek", *, when: datetime | None = None
) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    md_path, json_path = folder / f"{stem}.md", folder / f"{stem}.json"
    md_path.write_text(conversation_markdown(turns, when=when), encoding="utf-8")
    json_path.write_text(conversation_json(turns, when=when), encoding="utf-8")
    return md_path, json_path


# -- lessons handout -------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell (whose lines are joined with <br>): no raw HTML, no pipes."""
    text = " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def handout_markdown(theme: str, rows: list, *, when: datetime | None = None) -> str:
    """A printable page: one table row per case, quotes with [n], the sources below."""
    found = sum(1 for r in rows if r.found)
    lines = [
        f"# Thema: {theme}",
        "",
        f"Lessen uit {REPORT}.  ",
        f"{found} van {len(rows)} cases hebben een passage over dit thema. Samengesteld: {_stamp(when)}.",
        "",
        "| Case | Gemeente | Wat de bronnen zeggen |",
        "| --- | --- | --- |",
    ]
    for r in rows:
        said = "<br>".join(_cell(f"„{q}” [{n}]") for q, n in r.quotes) if r.quotes else ""
        if r.note:
            said = f"{said}<br>*{_cell(r.note)}*" if said else f"*{_cell(r.note)}*"
        lines.append(f"| {_cell(r.case)} | {_cell(r.gemeente)} | {said} |")
    citations = [c for r in rows for c in r.citations]
    if citations:
        lines += ["", "## Bronnen", ""]
        lines += [f"- {_source_line(c)}" for c in citations]
    lines += [
        "",
        (
            "Elk citaat staat letterlijk in de genoemde bron. Een case zonder passage betekent: de "
            "beschikbare bronnen zeggen er niets over, niet dat het rapport er niets over zegt."
        ),
    ]
    return "\n".join(lines) + "\n"


def handout_docx(theme: str, rows: list, path: Path | str, *, when: datetime | None = None) -> Path:
    """The same handout as a Word document (landscape A4), for printing."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(10)

    found = sum(1 for r in rows if r.found)
    doc.add_heading(_xml_safe(f"Thema: {theme}"), level=1)
    doc.add_paragraph(
        _xml_safe(
            f"Lessen uit {REPORT}. {found} van {len(rows)} cases hebben een passage over dit thema. Samengesteld: {_stamp(when)}."
        )
    )
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ("Case", "Gemeente", "Wat de bronnen zeggen")):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    for r in rows:
        cells = table.add_row().cells
        cells[0].text = _xml_safe(r.case)
        cells[1].text = _xml_safe(r.gemeente)
        cells[2].text = ""
        first = True
        for quote, n in r.quotes:
            para = cells[2].paragraphs[0] if first else cells[2].add_paragraph()
            para.add_run(_xml_safe(f"„{quote}” [{n}]"))
            first = False
        if r.note:
            para = cells[2].paragraphs[0] if first else cells[2].add_paragraph()
            para.add_run(_xml_safe(r.note)).italic = True
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(6), Cm(4), Cm(16.7))):
            cell.width = width
    citations = [c for r in rows for c in r.citations]
    if citations:
        doc.add_heading("Bronnen", level=2)
        for c in citations:
            doc.add_paragraph(_xml_safe(_source_line(c)), style="List Bullet")
    doc.add_paragraph(
        _xml_safe(
            "Elk citaat staat letterlijk in de genoemde bron. Een case zonder passage betekent: "
            "de beschikbare bronnen zeggen er niets over, niet dat het rapport er niets over zegt."
        )
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def write_handout(
    theme: str, rows: list, folder: Path | str, stem: str | None = None, *, when: datetime | None = None
) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or f"lessen-{slug(theme)}"
    md_path = folder / f"{stem}.md"
    md_path.write_text(handout_markdown(theme, rows, when=when), encoding="utf-8")
    return md_path, handout_docx(theme, rows, folder / f"{stem}.docx", when=when)


def slug(text: str, most: int = 40) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return value[:most].strip("-") or "thema"


_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """Word's XML refuses control characters; drop them."""
    return _XML_BAD.sub("", str(text))
