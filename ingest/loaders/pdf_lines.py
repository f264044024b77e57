"""A PDF page as text lines that remember their position and font.

Everything the layout step decides (header or footer, heading, footnote, new
paragraph) depends on where a line sits and how it is printed, so a line keeps
its box, its dominant font size and whether it is bold or italic. Raised small
numbers are footnote references and are written raised, "⁽¹⁾" (`footnote_mark`), which
keeps them from gluing onto the word before ("Burgerpeilingen1").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ingest.loaders.common import clean_inline, footnote_mark, table_text
from ingest.loaders.pdf_asides import boxed_asides
from ingest.loaders.pdf_order import ITALIC_FONT, in_reading_order, on_shapes
from ingest.loaders.pdf_tables import RuledTable, ruled_tables

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_CID = re.compile(r"\(cid:\d+\)")
_MARKER = re.compile(r"^(?:\d{1,3}|[*\u2020\u2021])$")
# Many PDFs print no space glyphs: a word ends where the next glyph starts further on. pdfplumber's fixed
# 3 pt tolerance takes any gap under 3 pt for the inside of a word, which glues whole lines of 10 pt text
# together ("Thisisversion0.21ofthe...") and the words of tightly set 12 pt text ("InformatiegestuurdArnhem").
# A word space is 0.2-0.3 em, letter spacing inside a word well under 0.1 em.
WORD_GAP_EM = 0.15


@dataclass
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    base: float  # baseline of the main text, not of a raised footnote number
    size: float
    bold: bool
    italic: bool
    starts_with_marker: bool  # begins with a raised number: the first line of a footnote
    cells: list[list[str]] | None = None  # a ruled table read cell by cell, standing where the table stands
    aside: bool = False  # a line of a box or a float the running text flows beside (`pdf_asides`, `pdf_order`)


def page_lines(page, page_number: int) -> tuple[list[Line], int]:
    """The page's lines top to bottom, and how many glyphs had no text mapping."""
    words = page.extract_words(extra_attrs=["size"], return_chars=True, keep_blank_chars=False, x_tolerance_ratio=WORD_GAP_EM)
    unmapped = 0
    clean_words = []
    seen = set()  # text printed twice on the same spot (fake bold) counts once
    for word in words:
        text, count = _CID.subn("", word["text"])
        unmapped += count
        spot = (text, round(word["x0"]), round(word["top"]))
        if text.strip() and spot not in seen:
            seen.add(spot)
            word["text"] = text
            clean_words.append(word)
    tables, clean_words = ruled_tables(page, clean_words)
    clean_words += drawn_markers(clean_words, page)
    asides, clean_words = boxed_asides(page, clean_words)
    rows = _group_lines(clean_words)
    for table in tables:  # the table as one row of one word the size of the table: read in its place
        stand_in = {"text": "", "x0": table.x0, "x1": table.x1, "top": table.top, "bottom": table.bottom, "size": table.size}
        rows.insert(sum(row[0]["top"] < table.top for row in rows), [stand_in | {"table": table}])
    ordered, floated = in_reading_order(rows, float(page.width), float(page.height), lambda: on_shapes(clean_words, page))
    lines = [_table_line(g[0]["table"], page_number) if "table" in g[0] else _make_line(g, page_number) for g in ordered]
    for aside in [_group_lines(words) for words in asides] + floated:
        # where the box starts: the layout step holds its lines until the paragraph they stand in ends
        at = next((i for i, line in enumerate(lines) if line.top >= aside[0][0]["top"]), len(lines))
        lines[at:at] = [replace(_make_line(row, page_number), aside=True) for row in aside]
    return lines, unmapped


def _table_line(table: RuledTable, page_number: int) -> Line:
    return Line(
        page=page_number,
        text=table_text(table.rows),
        x0=table.x0,
        x1=table.x1,
        top=table.top,
        base=table.bottom,
        size=table.size,
        bold=False,
        italic=False,
        starts_with_marker=False,
        cells=table.rows,
    )


def drawn_markers(words: list[dict], page) -> list[dict]:
    """A list's bullets that are drawn, not printed, as words "•" where they stand.

    A browser's PDF (and many a designer's) draws each item's disc or square as a shape left of its first
    word; the text alone runs all items of a list together into one paragraph. A small filled shape, about
    as wide as high and at most the height of the word's letters, just left of a word on its line is such
    a bullet; the word next to it opens the item."""
    marks = [
        s
        for s in (*page.curves, *page.rects)
        if s.get("fill")
        and 1.0 <= (w := s["x1"] - s["x0"]) <= 8.0
        and 1.0 <= (h := s["bottom"] - s["top"]) <= 8.0
        and abs(w - h) <= 0.3 * max(w, h)
    ]
    if not marks:
        return []
    bands: dict[int, list[dict]] = {}  # words by 4 pt bands of height: a chart's hundred dots meet few words each
    for w in words:
        for band in range(int(w["top"] // 4), int(w["bottom"] // 4) + 1):
            bands.setdefault(band, []).append(w)
    bullets = []
    for mark in marks:
        middle = (mark["top"] + mark["bottom"]) / 2
        on_line = [w for w in bands.get(int(middle // 4), []) if w["top"] <= middle <= w["bottom"]]
        beside = [
            w
            for w in on_line
            if mark["bottom"] - mark["top"] <= w["bottom"] - w["top"] and 0 <= w["x0"] - mark["x1"] <= 2.5 * w["size"]
        ]
        if not beside:
            continue
        word = min(beside, key=lambda w: w["x0"])
        if any(w["x1"] > mark["x1"] and w["x0"] < word["x0"] for w in on_line):
            continue  # a word between the shape and the next: no bullet of this line
        bullet = {"text": "\u2022", "x0": mark["x0"], "x1": mark["x1"], "top": word["top"], "bottom": word["bottom"]}
        bullets.append(bullet | {"size": word["size"], "chars": []})
    return bullets


def _group_lines(words: list[dict]) -> list[list[dict]]:
    """Words sharing a vertical band form a line; a raised number joins the line it sits on."""
    lines: list[dict] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        best, best_overlap = None, 0.0
        for line in lines[-4:]:
            overlap = min(line["bottom"], word["bottom"]) - max(line["top"], word["top"])
            height = min(line["bottom"] - line["top"], word["bottom"] - word["top"]) or 1.0
            if overlap / height >= 0.5 and overlap > best_overlap:
                best, best_overlap = line, overlap
        if best is None:
            lines.append({"top": word["top"], "bottom": word["bottom"], "words": [word]})
        else:
            best["words"].append(word)
            best["top"] = min(best["top"], word["top"])
            best["bottom"] = max(best["bottom"], word["bottom"])
    return [sorted(line["words"], key=lambda w: w["x0"]) for line in lines]


def _make_line(words: list[dict], page_number: int) -> Line:
    sizes: Counter = Counter()
    fonts: Counter = Counter()
    for word in words:
        for char in word["chars"]:
            if not char["text"].isspace():
                sizes[round(char["size"], 1)] += 1
                fonts[char["fontname"]] += 1
    size = sizes.most_common(1)[0][0]
    main = [w for w in words if round(w["size"], 1) >= size * 0.9] or words
    base = max(w["bottom"] for w in main)
    parts: list[str] = []
    starts_with_marker = False
    previous = None
    for i, word in enumerate(words):
        text = word["text"]
        raised = word["size"] < size * 0.8 and word["bottom"] < base - 0.15 * size
        if raised and _MARKER.match(text.strip()):
            text = footnote_mark(text)
            starts_with_marker = starts_with_marker or i == 0
        if previous is not None and word["x0"] - previous["x1"] > 0.12 * min(word["size"], previous["size"]):
            parts.append(" ")
        parts.append(text)
        previous = word
    if starts_with_marker and len(parts) > 1 and parts[1] != " ":
        parts.insert(1, " ")
    bold_chars = sum(n for font, n in fonts.items() if _BOLD.search(font))
    italic_chars = sum(n for font, n in fonts.items() if ITALIC_FONT.search(font))
    total = sum(fonts.values())
    raw = "".join(parts)
    soft_break = "\u00ad" if raw.rstrip().endswith("\u00ad") else ""  # kept for the line joiner
    return Line(
        page=page_number,
        text=clean_inline(raw) + soft_break,
        x0=min(w["x0"] for w in words),
        x1=max(w["x1"] for w in words),
        top=min(w["top"] for w in words),
        base=base,
        size=size,
        bold=bold_chars > total * 0.7,
        italic=italic_chars > total * 0.7,
        starts_with_marker=starts_with_marker,
    )
