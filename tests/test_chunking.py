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
