"""Chunks follow the document's structure; a table longer than a chunk keeps its header in every part."""

from __future__ import annotations

from ingest.chunking import chunk_document
from ingest.document import Block, LoadedDocument


def _document(*blocks: Block) -> LoadedDocument:
    return LoadedDocument(doc_id="d1", source="cases.md", title="Cases", blocks=list(blocks))


def test_a_table_that_fits_stays_whole_with_its_caption():
    table = "| Case | Gemeente |\n|---|---|\n| Slim vegen | Utrecht |"
    chunks = chunk_document(
        _document(Block("Tabel 1: cases", "caption", ("Cases",)), Block(table, "table", ("Cases",))), size=500
    )
    assert [c.text for c in chunks] == ["Tabel 1: cases\n" + table]


def test_a_long_table_is_cut_between_rows_and_every_part_keeps_caption_and_header():
    header = "| Case | Gemeente | Status |\n|---|---|---|"
    rows = [f"| Case nummer {i} | Gemeente {i} | bevestigd door bron {i} |" for i in range(40)]
    chunks = chunk_document(
        _document(Block("Tabel 2: alle cases", "caption", ("Cases",)), Block("\n".join([header, *rows]), "table", ("Cases",))),
        size=400,
    )
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("Tabel 2: alle cases\n" + header)
        assert len(chunk.text) <= 400
    kept = [line for c in chunks for line in c.text.split("\n")[3:]]
    assert kept == rows  # every row once, in order


def _help_page() -> LoadedDocument:
    """A help page of many short subsections, as LibreOffice's help or a report's 'opties voor acties'."""
    blocks = []
    for name in ("Volgende", "Vorige", "Eerste"):
        path = ("Navigator", name)
        blocks += [
            Block(name, "heading", path, level=2),
            Block(f"Verplaatst de cursor naar het {name.lower()} object.", "paragraph", path),
        ]
    blocks += [
        Block("Stijlen", "heading", ("Stijlen",), level=1),
        Block("Een lange alinea over stijlen. " * 20, "paragraph", ("Stijlen",)),
    ]
    return _document(*blocks)


def test_small_sections_merge_under_their_titles_and_chapters_stay_apart():
    chunks = chunk_document(_help_page(), size=1300, min_chars=300)
    assert len(chunks) == 2  # the three tiny subsections are one chunk; the other chapter is its own
    navigator, stijlen = chunks
    assert navigator.section == "Navigator" and stijlen.section == "Stijlen"
    lines = navigator.text.split("\n")
    # each keeps its title beyond the shared section, marked as a heading line
    assert lines == [
        "## Volgende",
        "Verplaatst de cursor naar het volgende object.",
        "## Vorige",
        "Verplaatst de cursor naar het vorige object.",
        "## Eerste",
        "Verplaatst de cursor naar het eerste object.",
    ]
    assert len(chunk_document(_help_page(), size=1300, min_chars=0)) == 4  # 0: no merging


def test_a_merged_title_is_never_quoted_as_an_answer():
    from assistant.profile import CorpusProfile
    from assistant.schema import Passage
    from assistant.sentence_features import candidates

    chunk = chunk_document(_help_page(), size=1300, min_chars=300)[0]
    passage = Passage(chunk.chunk_id, chunk.doc_id, chunk.text, section=chunk.section)
    quotable = [c.sentence for c in candidates([passage], CorpusProfile())]
    assert "Vorige" not in quotable and "## Vorige" not in quotable
    assert "Verplaatst de cursor naar het vorige object." in quotable


def test_a_merged_chunk_reads_back_as_its_subsections():
    from assistant.text import section_parts

    doc = _document(
        Block("Het rapport", "heading", ("Het rapport",), level=1),
        Block("4 Opschaling", "heading", ("Het rapport", "4 Opschaling"), level=2),
        Block("Opschaling lukt als anderen willen.", "paragraph", ("Het rapport", "4 Opschaling")),
        Block("Opties voor acties", "heading", ("Het rapport", "4 Opschaling", "Opties voor acties"), level=3),
        Block("- Deel de broncode.", "paragraph", ("Het rapport", "4 Opschaling", "Opties voor acties")),
        Block("5 Tussenkomst", "heading", ("Het rapport", "5 Tussenkomst"), level=2),
        Block("Een medewerker beslist.", "paragraph", ("Het rapport", "5 Tussenkomst")),
    )
    [chunk] = chunk_document(doc, size=1300, min_chars=300)
    assert chunk.section == "Het rapport"
    assert section_parts(chunk.section, chunk.text) == [
        ("Het rapport > 4 Opschaling", ["Opschaling lukt als anderen willen."]),
        ("Het rapport > 4 Opschaling > Opties voor acties", ["- Deel de broncode."]),
        ("Het rapport > 5 Tussenkomst", ["Een medewerker beslist."]),
    ]


def test_a_citation_names_the_subsection_its_quote_stands_in():
    from assistant.abstention import citation_for
    from assistant.schema import Passage

    chunk = chunk_document(_help_page(), size=1300, min_chars=300)[0]
    passage = Passage(chunk.chunk_id, chunk.doc_id, chunk.text, section=chunk.section)
    assert citation_for(1, passage, "Verplaatst de cursor naar het vorige object.").section == "Navigator > Vorige"
