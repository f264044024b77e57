"""Take-aways: a conversation as Markdown and JSON, a lessons table as a handout.

Quotes stay verbatim, each with its number and where it comes from (document,
section, page), so a printed page can be checked against the sources.

    md = conversation_markdown([(question, answer), ...])
    md_path, json_path = write_conversation(turns, folder)
    md_path, docx_path = write_handout(workshop(bot, ["Opschaling", "Samenwerking"]), folder)
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from assistant.schema import Answer, Citation
from ui.lessons import NOT_THE_REPORT
from ui.render import source_where

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

# the facilitator's prompt above a theme's own 'opties voor acties'; the options themselves are quoted
GROUP_QUESTION = "Welke van deze opties voor acties uit de bron zou uw gemeente inzetten, en wat is daarvoor nodig?"
NO_OPTIONS = "De bronnen geven voor {themes} geen 'opties voor acties'; daarom staan hier geen vragen (ze worden niet verzonnen)."
CLOSING = (
    "Elk citaat staat letterlijk in de genoemde bron. Een case zonder passage betekent: de beschikbare "
    "bronnen zeggen er niets over, niet dat het rapport er niets over zegt."
)


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell (whose lines are joined with <br>): no raw HTML, no pipes."""
    text = " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def handout_title(themes: list) -> str:
    return "Thema: " + themes[0].theme if len(themes) == 1 else "Thema's: " + ", ".join(t.theme for t in themes)


def handout_source_line(c: Citation) -> str:
    """'[n] Titel — sectie · p. 3 · bestand.pdf': each source once, with file and page."""
    where = source_where(c)
    return f"[{c.n}] {c.title}" + (f" — {where}" if where else "")


def _said(r) -> list[str]:
    """A row's cell as lines: its note first, then each quote with its number."""
    return ([r.note] if r.note else []) + [f"„{q}” [{n}]" for q, n in r.quotes]


def _without_options(themes: list) -> list[str]:
    return [t.theme for t in themes if not t.options]


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    return lines + ["| " + " | ".join(rows_cell) + " |" for rows_cell in rows]


def handout_markdown(themes: list, *, when: datetime | None = None) -> str:
    """A printable handout: per theme the report-level statements, the cases, then questions for the
    group from the themes' own 'opties voor acties', and every source once with file and page."""
    lines = [f"# {handout_title(themes)}", "", f"Lessen uit {REPORT}. Samengesteld: {_stamp(when)}.", ""]
    for t in themes:
        lines += [f"## {t.theme}", "", t.count_sentence() + ("" if t.report_ingested else f" {NOT_THE_REPORT}"), ""]
        if t.report_rows:
            lines += ["### Wat het rapport en het overzicht zeggen", ""]
            lines += _md_table(
                ["Document", "Wat de bron zegt"], [[_cell(r.title), "<br>".join(map(_cell, _said(r)))] for r in t.report_rows]
            )
            lines.append("")
        if t.case_rows:
            lines += ["### De cases", ""]
            lines += _md_table(
                ["Case", "Gemeente", "Wat de bronnen zeggen"],
                [[_cell(r.title), _cell(r.gemeente), "<br>".join(map(_cell, _said(r)))] for r in t.case_rows],
            )
            lines.append("")
    lines += ["## Vragen voor de groep", ""]
    for t in themes:
        for r in t.options:
            lines += [f"**{t.theme}** ({r.title}): {GROUP_QUESTION}", ""]
            lines += [f"- „{q}” [{n}]" for q, n in r.quotes] + [""]
    missing = _without_options(themes)
    if missing:
        lines += [NO_OPTIONS.format(themes=", ".join(missing)), ""]
    citations = [c for t in themes for c in t.citations]
    if citations:
        lines += ["## Bronnen", ""] + [f"- {handout_source_line(c)}" for c in citations] + [""]
    return "\n".join(lines + [CLOSING]) + "\n"


# a landscape A4 page less 1.5 cm margins: 26.7 cm for the tables, the quotes column widest
CASE_COLUMNS_CM = (5.5, 3.2, 18.0)
REPORT_COLUMNS_CM = (6.0, 20.7)


def handout_docx(themes: list, path: Path | str, *, when: datetime | None = None) -> Path:
    """The same handout as a Word document to print: landscape A4, the quotes column widest, each
    table's header row repeated on every page, page numbers in the footer."""
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
    _page_numbers(section.footer.paragraphs[0], f"{APP_NAME} — {handout_title(themes)} — pagina ")

    doc.add_heading(_xml_safe(handout_title(themes)), level=1)
    doc.add_paragraph(_xml_safe(f"Lessen uit {REPORT}. Samengesteld: {_stamp(when)}."))
    for t in themes:
        doc.add_heading(_xml_safe(t.theme), level=2)
        doc.add_paragraph(_xml_safe(t.count_sentence() + ("" if t.report_ingested else f" {NOT_THE_REPORT}")))
        if t.report_rows:
            doc.add_heading("Wat het rapport en het overzicht zeggen", level=3)
            table = _docx_table(doc, ("Document", "Wat de bron zegt"), REPORT_COLUMNS_CM)
            for r in t.report_rows:
                _docx_row(table, [r.title], r)
        if t.case_rows:
            doc.add_heading("De cases", level=3)
            table = _docx_table(doc, ("Case", "Gemeente", "Wat de bronnen zeggen"), CASE_COLUMNS_CM)
            for r in t.case_rows:
                _docx_row(table, [r.title, r.gemeente], r)

    doc.add_heading("Vragen voor de groep", level=2)
    for t in themes:
        for r in t.options:
            para = doc.add_paragraph()
            para.add_run(_xml_safe(f"{t.theme} ({r.title}): ")).bold = True
            para.add_run(GROUP_QUESTION)
            for q, n in r.quotes:
                doc.add_paragraph(_xml_safe(f"„{q}” [{n}]"), style="List Bullet")
    missing = _without_options(themes)
    if missing:
        doc.add_paragraph(_xml_safe(NO_OPTIONS.format(themes=", ".join(missing))))
    citations = [c for t in themes for c in t.citations]
    if citations:
        doc.add_heading("Bronnen", level=2)
        for c in citations:
            doc.add_paragraph(_xml_safe(handout_source_line(c)), style="List Bullet")
    doc.add_paragraph(CLOSING)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def _docx_table(doc, headers: tuple[str, ...], widths_cm: tuple[float, ...]):
    """A table with fixed column widths and a header row Word repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    header = table.rows[0]
    for cell, label, width in zip(header.cells, headers, widths_cm):
        cell.width = Cm(width)
        cell.paragraphs[0].add_run(label).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    table._widths_cm = widths_cm
    return table


def _docx_row(table, first_cells: list[str], r) -> None:
    from docx.shared import Cm

    cells = table.add_row().cells
    for cell, width in zip(cells, table._widths_cm):
        cell.width = Cm(width)
    for cell, text in zip(cells, first_cells):
        cell.text = _xml_safe(text)
    said = cells[len(first_cells)]
    para = said.paragraphs[0]
    if r.note:
        para.add_run(_xml_safe(r.note)).italic = True
        para = None
    for quote, n in r.quotes:
        para = para if para is not None else said.add_paragraph()
        para.add_run(_xml_safe(f"„{quote}” [{n}]"))
        para = None


def _page_numbers(paragraph, prefix: str) -> None:
    """'<prefix>3 van 7' in the footer: Word fills in the PAGE and NUMPAGES fields when it lays out."""
    paragraph.add_run(_xml_safe(prefix))
    _field(paragraph, "PAGE")
    paragraph.add_run(" van ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run("1")  # shown until the fields are updated
    char("end")


def write_handout(
    themes: list, folder: Path | str, stem: str | None = None, *, when: datetime | None = None
) -> tuple[Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = stem or "lessen-" + slug("-".join(t.theme for t in themes), most=60)
    md_path = folder / f"{stem}.md"
    md_path.write_text(handout_markdown(themes, when=when), encoding="utf-8")
    return md_path, handout_docx(themes, folder / f"{stem}.docx", when=when)


def slug(text: str, most: int = 40) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return value[:most].strip("-") or "thema"


_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """Word's XML refuses control characters; drop them."""
    return _XML_BAD.sub("", str(text))
