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
from collections.abc import Callable
from dataclasses import dataclass, replace

from ingest.loaders.common import clean_inline, footnote_mark, table_text
from ingest.loaders.pdf_asides import boxed_asides
from ingest.loaders.pdf_tables import RuledTable, ruled_tables

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_ITALIC = re.compile(r"italic|oblique", re.IGNORECASE)
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
    aside: bool = False  # a line of a shaded box the running text flows beside (`pdf_asides`)


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
    ordered = in_reading_order(rows, float(page.width), float(page.height), lambda: _on_shapes(clean_words, page))
    lines = [_table_line(g[0]["table"], page_number) if "table" in g[0] else _make_line(g, page_number) for g in ordered]
    for aside in asides:  # where the box starts: the layout step holds its lines until that paragraph ends
        at = next((i for i, line in enumerate(lines) if line.top >= aside[0]["top"]), len(lines))
        lines[at:at] = [replace(_make_line(g, page_number), aside=True) for g in _group_lines(aside)]
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


def in_reading_order(
    rows: list[list[dict]], width: float, height: float, figure: Callable[[], frozenset] | None = None
) -> list[list[dict]]:
    """Rows of a two-column page read column by column, where the columns run side by side.

    Grouped across the whole width, the lines of two columns that share a baseline become one line
    ("... van de wijk als De tweede ronde ..."). Where a gutter runs down the page, each stretch of rows that
    keeps clear of it is read left column first, then right; a row that crosses it (a title, a
    full-width paragraph) and the page's top and bottom margins stay whole and in place. So is a column
    of prose beside a figure whose labels (`figure()`: ids of the words drawn on its shapes) sit between
    the prose's lines; those are looked for (every word against every shape) only on a page without an
    ordinary gutter.
    """
    gutter = _gutter(rows, width, height)
    if gutter is None and figure is not None:
        labels = figure()
        if labels:
            gutter = _figure_gutter(rows, width, height, labels)
    if gutter is None:
        return rows
    ordered: list[list[dict]] = []
    left: list[list[dict]] = []
    right: list[list[dict]] = []
    for i, row in enumerate(rows):
        sides = _split_at(row, gutter, height)
        if sides is None and not _in_body(row, height) and _runs_into_columns(rows, i, gutter, height):
            sides = _split_at(row, gutter, height, in_margin=True)
        if sides is None:
            ordered += left + right + [row]
            left, right = [], []
            continue
        if sides[0]:
            left.append(sides[0])
        if sides[1]:
            right.append(sides[1])
    return ordered + left + right


def _gutter(rows: list[list[dict]], width: float, height: float) -> float | None:
    """The x of a gutter: clear in many rows that hold prose on both sides of it, crossed by few.

    Rows side by side are one sign of it; lines that stand on one side alone, on both sides, are the other:
    where the columns' baselines are half a line apart (a table or a heading above them shifts one), no row
    holds both columns. The most such rows are seen anywhere between the columns, but at the edge of the left
    column its longest lines still cross: of the x with the most, those the fewest rows cross, and of those
    the middle of the widest stretch (a ragged right edge reaches into the gutter unevenly)."""
    scores: dict[int, tuple[int, int]] = {}
    for x in range(int(width * 0.3), int(width * 0.7) + 1, 2):
        split = crossed = 0
        widths: list[float] = []  # of the narrower side of rows side by side, and of lines on one side
        alone: tuple[list, list] = ([], [])
        for row in rows:
            if not _in_body(row, height):
                continue
            sides = _split_at(row, x, height)
            if sides is None:
                crossed += 1
            elif len(sides[0]) >= 3 and len(sides[1]) >= 3:
                split += 1
                widths.append(min(_width(sides[0]), _width(sides[1])))
            elif len(sides[0]) >= 3 and not sides[1] or len(sides[1]) >= 3 and not sides[0]:
                side = 0 if sides[0] else 1
                alone[side].append(_width(sides[side]))
        evidence = split + min(len(alone[0]), len(alone[1]))
        widths += alone[0] + alone[1] if min(len(alone[0]), len(alone[1])) else []
        # prose columns, not a table's cells: both sides wide, and most rows side by side or on one side
        if evidence >= 3 and evidence > crossed and sorted(widths)[len(widths) // 2] >= 0.2 * width:
            scores[x] = (evidence, -crossed)
    if not scores:
        return None
    best = max(scores.values())
    stretches: list[list[int]] = []
    for x in sorted(x for x, score in scores.items() if score == best):
        if stretches and stretches[-1][-1] == x - 2:
            stretches[-1].append(x)
        else:
            stretches.append([x])
    widest = max(stretches, key=len)
    return float(widest[len(widest) // 2])


def _width(words: list[dict]) -> float:
    return words[-1]["x1"] - words[0]["x0"]


def _on_shapes(words: list[dict], page) -> frozenset:
    """Ids of the words drawn on a figure's shapes (curves, boxes, pictures smaller than half the page):
    a diagram's labels, which are no part of the prose around them."""
    width, height = float(page.width), float(page.height)
    shapes = [
        s
        for s in (*page.curves, *page.rects, *page.images)
        if s["x1"] - s["x0"] < 0.5 * width and s["bottom"] - s["top"] < 0.8 * height
    ]
    if not shapes:
        return frozenset()
    return frozenset(id(w) for w in words if any(_within(w, s) for s in shapes))


def _within(word: dict, shape: dict, pad: float = 2.0) -> bool:
    return (
        word["x0"] >= shape["x0"] - pad
        and word["x1"] <= shape["x1"] + pad
        and word["top"] >= shape["top"] - pad
        and word["bottom"] <= shape["bottom"] + pad
    )


def _figure_gutter(rows: list[list[dict]], width: float, height: float, figure: frozenset) -> float | None:
    """The x of a gutter between a column of prose and a figure beside it (a slide's diagram).

    Read top to bottom, the figure's labels cut the prose's sentences in two ("... de gegevens worden /
    Analist / Beheerder / eens per week bijgewerkt ..."). No row of the page's body crosses
    such a gutter; one side holds prose (three rows or more of five words and a fifth of the page wide)
    with hardly a word on a shape, the other side's words are mostly on the figure's shapes. A table is
    no figure (with borders the cells on both sides sit on shapes, without them none do) and is still
    read row by row. The middle of the widest stretch of such x."""
    body = [row for row in rows if _in_body(row, height)]
    stretches: list[list[int]] = []
    for x in range(int(width * 0.15), int(width * 0.85) + 1, 2):
        sides = [_split_at(row, x, height) for row in body]
        if not sides or any(s is None for s in sides):
            continue
        if _sides_fit(sides, 0, 1, figure, width) or _sides_fit(sides, 1, 0, figure, width):
            if stretches and stretches[-1][-1] == x - 2:
                stretches[-1].append(x)
            else:
                stretches.append([x])
    if not stretches:
        return None
    widest = max(stretches, key=len)
    return float(widest[len(widest) // 2])


def _sides_fit(sides, figure_side: int, prose_side: int, figure: frozenset, width: float) -> bool:
    """One side of the gutter is a figure (most of its words on shapes), the other prose."""
    figure_words = [w for s in sides for w in s[figure_side]]
    prose_words = [w for s in sides for w in s[prose_side]]
    if not figure_words or not prose_words:
        return False
    prose_rows = sum(1 for s in sides if len(row := s[prose_side]) >= 5 and row[-1]["x1"] - row[0]["x0"] >= 0.2 * width)
    on_figure = sum(id(w) in figure for w in figure_words) / len(figure_words)
    on_prose = sum(id(w) in figure for w in prose_words) / len(prose_words)
    return prose_rows >= 3 and on_figure >= 0.6 and on_prose <= 0.1


def _in_body(row: list[dict], height: float) -> bool:
    return 0.07 * height < row[0]["top"] < 0.93 * height


def _runs_into_columns(rows: list[list[dict]], i: int, x: float, height: float) -> bool:
    """Is a row in the page's top or bottom margin the first or last line of the columns, not a running header
    or footer? A page set with narrow margins starts its columns there; read whole, their first lines became
    one ("Selectie van de cases en werkwijze best; over de simulatie meldt ..."). One of its sides runs on
    into its column at the ordinary spacing of lines, in the same size; a header stands apart."""
    sides = _split_at(rows[i], x, height, in_margin=True)
    if sides is None or not sides[0] or not sides[1]:
        return False
    downwards = rows[i][0]["top"] < height / 2
    neighbours = rows[i + 1 : i + 4] if downwards else rows[max(0, i - 3) : i][::-1]
    for side in (0, 1):
        word = sides[side][0]
        for other in neighbours:
            other_sides = _split_at(other, x, height, in_margin=True)
            if other_sides is None or not other_sides[side]:
                continue
            near = other_sides[side][0]
            gap = near["top"] - word["bottom"] if downwards else word["top"] - near["bottom"]
            if 0 <= gap <= 0.6 * word["size"] and abs(near["size"] - word["size"]) < 0.6:
                return True
            break
    return False


def _split_at(row: list[dict], x: float, height: float, in_margin: bool = False) -> tuple[list[dict], list[dict]] | None:
    """The row's words left and right of `x`, or None when the row runs across it (or sits in a margin)."""
    if not in_margin and not _in_body(row, height):
        return None
    left = [w for w in row if w["x1"] <= x]
    right = [w for w in row if w["x0"] >= x]
    if len(left) + len(right) < len(row):
        return None  # a word covers x
    if left and right:
        size = max(left[-1]["size"], right[0]["size"])
        if right[0]["x0"] - left[-1]["x1"] < 1.5 * size:
            return None  # an ordinary space: the line runs on
    return left, right


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
    italic_chars = sum(n for font, n in fonts.items() if _ITALIC.search(font))
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
