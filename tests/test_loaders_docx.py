"""DOCX loading: headings and their levels, tables whole, the table of contents gone."""

from __future__ import annotations

import datetime as dt

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ingest.loaders import load_file
from tests.loader_files import real_fixture


def block_with(doc, fragment: str):
    matches = [b for b in doc.blocks if fragment in b.text]
    assert matches, f"no block contains {fragment!r}"
    return matches[0]


def _run(paragraph, *children):
    run = OxmlElement("w:r")
    for child in children:
        run.append(child)
    paragraph._p.append(run)


def _el(tag, text=None, **attrs):
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    if text is not None:
        element.text = text
    return element


def _toc_field(document):
    """A Word TOC field whose result spans two paragraphs, as Word writes it."""
    first = document.add_paragraph()
    _run(first, _el("w:fldChar", fldCharType="begin"))
    _run(first, _el("w:instrText", ' TOC \\o "1-3" \\h \\z \\u '))
    _run(first, _el("w:fldChar", fldCharType="separate"))
    _run(first, _el("w:t", "Inleiding"), _el("w:tab"), _el("w:t", "3"))
    second = document.add_paragraph()
    _run(second, _el("w:t", "Aanpak"), _el("w:tab"), _el("w:t", "4"))
    _run(second, _el("w:fldChar", fldCharType="end"))


def _toc_sdt(document):
    """The content-control kind of TOC (docPartGallery "Table of Contents")."""
    sdt = _el("w:sdt")
    pr = _el("w:sdtPr")
    part = _el("w:docPartObj")
    part.append(_el("w:docPartGallery", val="Table of Contents"))
    pr.append(part)
    sdt.append(pr)
    content = _el("w:sdtContent")
    paragraph = _el("w:p")
    run = _el("w:r")
    run.append(_el("w:t", "Resultaten ........ 7"))
    paragraph.append(run)
    content.append(paragraph)
    sdt.append(content)
    document.element.body.insert(len(document.element.body) - 1, sdt)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    document = docx.Document()
    document.core_properties.title = "Datagedreven werken in de wijk"
    document.core_properties.author = "Team Data"
    document.core_properties.created = dt.datetime(2021, 3, 15, 9, 30, tzinfo=dt.UTC)
    document.add_paragraph("Datagedreven werken", style="Title")
    document.add_paragraph("Inhoudsopgave", style="TOC Heading")
    _toc_field(document)
    toc_style = document.styles.add_style("toc 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Werkwijze\t5", style=toc_style)
    _toc_sdt(document)
    document.add_heading("Inleiding", level=1)
    intro = document.add_paragraph("Zie de ")
    _run(intro, _el("w:fldChar", fldCharType="begin"))
    _run(intro, _el("w:instrText", ' HYPERLINK "https://vng.nl" '))
    _run(intro, _el("w:fldChar", fldCharType="separate"))
    _run(intro, _el("w:t", "VNG-website"))
    _run(intro, _el("w:fldChar", fldCharType="end"))
    deleted = _el("w:del")
    deleted_run = _el("w:r")
    deleted_run.append(_el("w:delText", " (verwijderd)"))
    deleted.append(deleted_run)
    intro._p.append(deleted)
    _run(intro, _el("w:t", " voor meer."))
    kop = document.styles.add_style("Kop 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Aanpak", style=kop)
    details = document.add_paragraph("Details van de meting")
    outline = _el("w:outlineLvl", val="2")
    details._p.get_or_add_pPr().append(outline)
    document.add_paragraph("Tabel 1: Respons per wijk")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("Wijk", "Aangeschreven", "Respons"), ("Noord", "1.200", "31%"), ("Zuid | Oost", "900", "27%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Na de tabel volgt tekst.")
    document.add_paragraph("Eerste punt", style="List Bullet")
    document.add_paragraph("Tweede punt", style="List Number")
    document.add_paragraph("\u2022 handmatig punt")
    path = tmp_path_factory.mktemp("docx") / "wijk.docx"
    document.save(path)
    return load_file(path)


@pytest.fixture(scope="module")
def protocol():
    return load_file(real_fixture("WSJG-Burgerpeiling-protocol-2020.docx"))


# --- generated document ----------------------------------------------------------------------------


def test_generated_headings_by_style_and_outline_level(generated):
    headings = [(b.text, b.level) for b in generated.blocks if b.kind == "heading"]
    assert headings == [("Datagedreven werken", 1), ("Inleiding", 1), ("Aanpak", 2), ("Details van de meting", 3)]
    assert block_with(generated, "Na de tabel").section_path == ("Inleiding", "Aanpak", "Details van de meting")


def test_generated_toc_is_not_text(generated):
    texts = [b.text for b in generated.blocks]
    assert "Inhoudsopgave" not in " ".join(texts)
    assert texts.count("Inleiding") == 1 and texts.count("Aanpak") == 1  # the headings, not TOC entries
    assert not any("Werkwijze" in t or "Resultaten" in t or "TOC" in t for t in texts)


def test_generated_fields_show_their_result_not_their_code(generated):
    intro = block_with(generated, "Zie de")
    assert intro.text == "Zie de VNG-website voor meer."  # no HYPERLINK code, no deleted revision


def test_generated_table_is_one_block_with_caption(generated):
    index = next(i for i, b in enumerate(generated.blocks) if b.kind == "table")
    table, caption = generated.blocks[index], generated.blocks[index - 1]
    assert caption.kind == "caption" and caption.text == "Tabel 1: Respons per wijk"
    assert table.text.splitlines() == [
        "| Wijk | Aangeschreven | Respons |",
        "| Noord | 1.200 | 31% |",
        "| Zuid \\| Oost | 900 | 27% |",
    ]
    assert table.section_path == caption.section_path == ("Inleiding", "Aanpak", "Details van de meting")
    assert generated.blocks[index + 1].text == "Na de tabel volgt tekst."  # body order kept


def test_generated_lists_metadata_no_pages(generated):
    assert [b.text for b in generated.blocks if b.kind == "list_item"] == ["Eerste punt", "Tweede punt", "handmatig punt"]
    assert generated.title == "Datagedreven werken in de wijk"
    assert generated.metadata["author"] == "Team Data"
    assert generated.metadata["created"].startswith("2021-03-15T09:30:00")
    assert all(b.page is None for b in generated.blocks)


# --- the real protocol (field-code TOC in a content control, numbered headings, framed notes) ------


def test_real_heading_levels(protocol):
    levels = {b.text: b.level for b in protocol.blocks if b.kind == "heading"}
    assert levels["Inleiding"] == 1 and levels["Opzet onderzoek"] == 1 and levels["Rapportage"] == 1
    assert levels["Doel van dit protocol"] == 2 and levels["Wegingsprocedure"] == 2
    assert block_with(protocol, "Alle records moeten voorzien zijn van een wegingsfactor").section_path == (
        "Dataregistratie en data- aanlevering",
        "Wegingsprocedure",
    )


def test_real_every_toc_entry_is_a_heading(protocol):
    headings = {b.text for b in protocol.blocks if b.kind == "heading"}
    toc_titles = [
        "Inleiding",
        "Doel van dit protocol",
        "VNG Realisatie",
        "Waarstaatjegemeente.nl",
        "Onderzoekspopulatie en steekproef",
        "Betrouwbaarheid van de onderzoeksresultaten",
        "Modelvragenlijst en aanvullende modules",
        "Dataset",
        "Respondent records",
        "Stappenplan",
        "Change-log",
        "Bijlage I Uitnodigingsbrief",
        "Bijlage II Prioriteitenmatrices",
    ]
    assert set(toc_titles) <= headings


def test_real_toc_not_in_text(protocol):
    texts = [b.text for b in protocol.blocks]
    assert not any("Inhoudsopgave" in t or "PAGEREF" in t or "_Toc" in t for t in texts)
    assert texts.count("Doel van dit protocol") == 1
    assert not any(t.startswith("Inleiding") and t[-1].isdigit() for t in texts)


def test_real_framed_note_is_text_not_a_table(protocol):
    note = block_with(protocol, "Let op: Indien uw gemeente minder dan 2.000")
    assert note.kind == "paragraph"
    assert note.section_path == ("Opzet onderzoek", "Betrouwbaarheid van de onderzoeksresultaten")
    assert not any(b.kind == "table" for b in protocol.blocks)  # its four tables are one-cell frames


def test_real_footnotes_and_lists(protocol):
    note = block_with(protocol, "Geen absolute vereiste.")
    assert note.kind == "footnote" and note.text == "⁽⁴⁾ Geen absolute vereiste."
    assert "2.000⁽⁴⁾ respondenten" in block_with(protocol, "Let op: Indien uw gemeente").text
    assert block_with(protocol, "Leefklimaat (incl. veiligheid)").kind == "list_item"


def test_real_metadata(protocol):
    assert protocol.title == "Burgerpeiling Waar staat je gemeente"
    assert protocol.metadata["author"] == "Mark Gremmen"
    assert protocol.metadata["created"] == "2019-03-04T09:46:00+00:00"
    assert all(b.page is None for b in protocol.blocks)


def test_unclosed_toc_field_does_not_swallow_the_document(tmp_path):
    document = docx.Document()
    entry = document.add_paragraph()
    _run(entry, _el("w:fldChar", fldCharType="begin"))
    _run(entry, _el("w:instrText", " TOC \\o "))
    _run(entry, _el("w:fldChar", fldCharType="separate"))
    _run(entry, _el("w:t", "Inleiding 3"))
    document.add_heading("Inleiding", level=1)
    document.add_paragraph("De tekst na een kapotte inhoudsopgave.")
    path = tmp_path / "kapot.docx"
    document.save(path)
    doc = load_file(path)
    assert block_with(doc, "De tekst na een kapotte inhoudsopgave.").section_path == ("Inleiding",)
    assert doc.warnings == ["table-of-contents field is never closed; it is kept as text"]
