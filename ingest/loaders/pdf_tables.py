"""Tables drawn with rules: read cell by cell, not line by line across the page.

Read across, a table's rows interleave the lines of its cells: a cell of three lines beside one of two
("bevestigd (Parell, / Platform31, / Overheid360)" beside "fysiek (openbare / ruimte)") reads as neither
("fysiek bevestigd (openbare (Parell, ruimte) Platform31, ..."), and a quote from one cell is found in no
passage. Word's tables and a browser's have their cells drawn, and pdfplumber finds the cells from those
rules; each cell's words are read as its text, and the table becomes one block, a row per line
("| cell | cell |"), as the DOCX and Markdown loaders write tables. A frame of one row (a title page's
box, a framed note) stays text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.loaders.common import clean_inline
from ingest.loaders.hyphenation import LineJoiner

MIN_ROWS = 2  # rows with at least two filled cells: fewer is a frame around text, not a table


@dataclass
class RuledTable:
    x0: float
    x1: float
    top: float
    bottom: float
    rows: list[list[str]]
    size: float  # the type size of most of its words


def ruled_tables(page, words: list[dict]) -> tuple[list[RuledTable], list[dict]]:
    """The page's ruled tables, and the words that are not in one."""
    try:
        found = page.find_tables()
    except Exception:  # noqa: BLE001 - a page whose rules cannot be read is read as lines
        return [], words
    tables: list[RuledTable] = []
    taken: set[int] = set()
    for table in found:
        x0, top, x1, bottom = table.bbox
        inside = [w for w in words if id(w) not in taken and centre_in(w, table.bbox)]
        rows = [[_cell_text(inside, cell) if cell else "" for cell in row.cells] for row in table.rows]
        rows = [row for row in rows if any(row)]
        if sum(sum(bool(cell) for cell in row) >= 2 for row in rows) < MIN_ROWS:
            continue
        sizes = sorted(w["size"] for w in inside)
        tables.append(RuledTable(x0, x1, top, bottom, rows, sizes[len(sizes) // 2]))
        taken.update(id(w) for w in inside)
    return tables, [w for w in words if id(w) not in taken]


def centre_in(word: dict, box: tuple) -> bool:
    """The word's middle lies in the box (x0, top, x1, bottom): a word that pokes out of its cell still counts."""
    x0, top, x1, bottom = box
    return x0 <= (word["x0"] + word["x1"]) / 2 <= x1 and top <= (word["top"] + word["bottom"]) / 2 <= bottom


def _cell_text(words: list[dict], cell: tuple) -> str:
    """A cell's lines top to bottom, joined; a hyphen at a line's end stays: a table's narrow cells are not
    hyphenated, so the hyphen is the word's own ("Zuid-" + "Holland")."""
    lines: list[list[dict]] = []
    for word in sorted((w for w in words if centre_in(w, cell)), key=lambda w: (w["top"], w["x0"])):
        if lines and word["top"] < lines[-1][0]["bottom"] - 0.5 * (lines[-1][0]["bottom"] - lines[-1][0]["top"]):
            lines[-1].append(word)
        else:
            lines.append([word])
    joiner = LineJoiner(keeps_hyphens=True)
    text = ""
    for line in lines:
        text = joiner.join(text, " ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])))
    return clean_inline(text)
