"""Conversation export (Markdown, JSON) and the lessons handout (Markdown, DOCX)."""

from __future__ import annotations

import json
from datetime import datetime

from docx import Document

from assistant.schema import Answer, Citation
from ui.export import (
    conversation_json,
    conversation_markdown,
    handout_markdown,
    slug,
    write_conversation,
    write_handout,
)
from ui.lessons import LessonRow

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


def _rows():
    c = Citation(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="Case: Slim vegen",
        section="Lessen",
        page="",
        quote="Medewerkers mogen afwijken | van de route.",
        score=0.1,
        quotes=["Medewerkers mogen afwijken | van de route."],
    )
    hit = LessonRow(
        case="Case: Slim vegen",
        document="case-01.md",
        doc_id="d1",
        gemeente="Utrecht",
        domein="fysiek",
        quotes=[("Medewerkers mogen afwijken | van de route.", 1)],
        citations=[c],
    )
    miss = LessonRow(
        case="Case: <b>Audit</b>",
        document="case-03.md",
        doc_id="d3",
        gemeente="Utrecht",
        domein="bedrijfsvoering",
        abstained=True,
        note="geen passage over dit thema — niets",
    )
    return [hit, miss]


def test_handout_markdown_table():
    md = handout_markdown("Menselijke tussenkomst", _rows(), when=WHEN)
    assert md.startswith("# Thema: Menselijke tussenkomst")
    assert "1 van 2 cases" in md
    assert "„Medewerkers mogen afwijken \\| van de route.” [1]" in md  # the pipe does not split the cell
    assert "Case: &lt;b&gt;Audit&lt;/b&gt;" in md and "*geen passage over dit thema — niets*" in md
    assert "- [1] Case: Slim vegen — Lessen" in md


def test_handout_docx(tmp_path):
    md_path, docx_path = write_handout("Menselijke tussenkomst", _rows(), tmp_path, when=WHEN)
    assert md_path.name == "lessen-menselijke-tussenkomst.md" and docx_path.suffix == ".docx"
    doc = Document(str(docx_path))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Case", "Gemeente", "Wat de bronnen zeggen"]
    assert len(table.rows) == 3
    assert "„Medewerkers mogen afwijken | van de route.” [1]" in table.rows[1].cells[2].text
    assert "geen passage over dit thema" in table.rows[2].cells[2].text
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Thema: Menselijke tussenkomst" in text and "[1] Case: Slim vegen — Lessen" in text


def test_slug():
    assert slug("Ruimte, vertrouwen & budget!") == "ruimte-vertrouwen-budget"
    assert slug("???") == "thema"
