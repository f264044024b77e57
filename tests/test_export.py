"""Conversation export (Markdown, JSON) and the lessons handout (Markdown, DOCX)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from docx import Document
from docx.oxml.ns import qn

from assistant.schema import Answer, Citation
from ui.export import (
    GROUP_QUESTION,
    conversation_json,
    conversation_markdown,
    handout_markdown,
    slug,
    write_conversation,
    write_handout,
)
from ui.lessons import SAYS, LessonRow, ThemeLessons

WHEN = datetime(2026, 11, 27, 14, 30)
QUOTE = "Doel: voorspellen welke rijroutes voor de veegwagens het meest zinvol zijn."


def _turns():
    c = Citation(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="Case: Slim vegen – gemeente Utrecht",
        section="Aanpak en data",
        page="p. 4",
        quote=QUOTE,
        score=0.03,
        passage_text=f"- In het Algoritmeregister staat de toepassing.\n- {QUOTE}",
        quotes=[QUOTE],
    )
    found = Answer(
        question="Wat is het doel van slim vegen?",
        text=f"Volgens de bronnen:\n- „{QUOTE}” [1]",
        citations=[c],
        standalone_question="Wat is het doel van slim vegen?",
    )
    none = Answer(
        question="Wat kost het?", text="Dat staat niet in de beschikbare bronnen.", abstained=True, warnings=["geen bron"]
    )
    return [(found.question, found), (none.question, none)]


def test_conversation_markdown_has_quotes_and_sources():
    md = conversation_markdown(_turns(), when=WHEN)
    assert "## Vraag 1: Wat is het doel van slim vegen?" in md
    assert f"> „{QUOTE}”" in md
    assert "[1] Case: Slim vegen – gemeente Utrecht — Aanpak en data — p. 4" in md
    assert "## Vraag 2: Wat kost het?" in md and "Geen (volledig) antwoord" in md
    assert "Let op: geen bron" in md and "2026-11-27 14:30" in md


def test_conversation_json_round_trips(tmp_path):
    data = json.loads(conversation_json(_turns(), when=WHEN))
    first = data["turns"][0]
    assert first["citations"][0]["quotes"] == [QUOTE]
    assert QUOTE in first["citations"][0]["passage_text"]
    assert data["turns"][1]["abstained"] is True
    md_path, json_path = write_conversation(_turns(), tmp_path / "x", when=WHEN)
    assert QUOTE in md_path.read_text(encoding="utf-8")
    assert json.loads(json_path.read_text(encoding="utf-8"))["exported_at"] == "2026-11-27T14:30:00"


def _themes():
    c = Citation(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="Case: Slim vegen",
        section="Case: Slim vegen > Lessen",
        page="",
        quote="Medewerkers mogen afwijken | van de route.",
        score=0.1,
        source="/data/corpus/case-01.md",
        quotes=["Medewerkers mogen afwijken | van de route."],
    )
    hit = LessonRow(
        title="Case: Slim vegen",
        document="case-01.md",
        doc_id="d1",
        gemeente="Utrecht",
        domein="fysiek",
        kind="case",
        quotes=[("Medewerkers mogen afwijken | van de route.", 1)],
        citations=[c],
        status=SAYS,
    )
    miss = LessonRow(title="Case: <b>Audit</b>", document="case-03.md", doc_id="d3", gemeente="Utrecht", kind="case")
    report_citation = replace(
        c,
        n=2,
        chunk_id="r1",
        doc_id="r",
        title="Het rapport",
        section="Het rapport > 4 Opschaling > Opties voor acties",
        page="p. 12",
        source="/tmp/rapport.pdf",
        quote="Deel de broncode.",
        quotes=["Deel de broncode."],
    )
    report = LessonRow(
        title="Het rapport",
        document="rapport.pdf",
        doc_id="r",
        kind="report",
        quotes=[("Opschaling lukt als gemeenten willen.", 2)],
        citations=[
            replace(report_citation, section="Het rapport > 4 Opschaling", quotes=["Opschaling lukt als gemeenten willen."])
        ],
        status=SAYS,
    )
    options = replace(report, quotes=[("Deel de broncode.", 3)], citations=[replace(report_citation, n=3)])
    first = ThemeLessons("Menselijke tussenkomst", case_rows=[hit, miss])
    second = ThemeLessons("Opschaling", report_rows=[report], options=[options], report_ingested=True)
    return [first, second]


def test_handout_markdown_several_themes():
    md = handout_markdown(_themes(), when=WHEN)
    assert md.startswith("# Thema's: Menselijke tussenkomst, Opschaling")
    assert "## Menselijke tussenkomst" in md and "## Opschaling" in md
    assert "1 van de 2 cases zegt iets over dit thema; 0 zeggen alleen dat het onbekend is; 1 heeft er geen" in md
    assert "Het rapport zelf is niet ingelezen" in md.split("## Opschaling")[0]  # said for the first theme only
    assert "„Medewerkers mogen afwijken \\| van de route.” [1]" in md  # the pipe does not split the cell
    assert "Case: &lt;b&gt;Audit&lt;/b&gt;" in md and "Geen passage over dit thema in deze bron." in md
    # each source once, with section (not the title twice), page and file
    assert "- [1] Case: Slim vegen — Lessen · case-01.md" in md
    assert "- [2] Het rapport — 4 Opschaling · p. 12 · rapport.pdf" in md
    # questions for the group: the source's own options, and an honest line for the theme without them
    group = md.split("## Vragen voor de groep")[1].split("## Bronnen")[0]
    assert "**Opschaling** (Het rapport): " + GROUP_QUESTION in group and "- „Deel de broncode.” [3]" in group
    assert "De bronnen geven voor Menselijke tussenkomst geen 'opties voor acties'" in group


def test_handout_docx_for_printing(tmp_path):
    md_path, docx_path = write_handout(_themes(), tmp_path, when=WHEN)
    assert md_path.name == "lessen-menselijke-tussenkomst-opschaling.md" and docx_path.suffix == ".docx"
    doc = Document(str(docx_path))
    cases, report = doc.tables
    assert [c.text for c in cases.rows[0].cells] == ["Case", "Gemeente", "Wat de bronnen zeggen"]
    assert [c.text for c in report.rows[0].cells] == ["Document", "Wat de bron zegt"]
    for table in (cases, report):
        widths = [col.width for col in table.columns]
        assert widths[-1] == max(widths) and widths[-1] > sum(widths[:-1])  # the quotes column widest
        assert all(cell.width == col.width for row in table.rows for cell, col in zip(row.cells, table.columns))
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None  # repeated on every page
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    assert len(cases.rows) == 3 and "„Medewerkers mogen afwijken | van de route.” [1]" in cases.rows[1].cells[2].text
    assert "Geen passage over dit thema" in cases.rows[2].cells[2].text
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "fldChar" in footer
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Vragen voor de groep" in text and "„Deel de broncode.” [3]" in text
    assert "[2] Het rapport — 4 Opschaling · p. 12 · rapport.pdf" in text


def test_slug():
    assert slug("Ruimte, vertrouwen & budget!") == "ruimte-vertrouwen-budget"
    assert slug("???") == "thema"
