"""The order a page's rows are read in: columns side by side, prose beside a diagram, a text floated beside
the running text.

`pdf_lines` groups a page's words into rows across its whole width; this module decides which rows (or which
sides of them) follow which, from where the words stand: a gutter that runs down the page, a figure's labels
beside the prose, a quote or box floated into a paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)  # a font name that slants
Row = list[dict]  # the words that share a line's height across the page, left to right


def in_reading_order(
    rows: list[Row], width: float, height: float, figure: Callable[[], frozenset] | None = None
) -> tuple[list[Row], list[list[Row]]]:
    """Rows of a two-column page read column by column, where the columns run side by side.

    Grouped across the whole width, the lines of two columns that share a baseline become one line
    ("... van de wijk als De tweede ronde ..."). Where a gutter runs down the page, each stretch of rows that
    keeps clear of it is read left column first, then right; a row that crosses it (a title, a
    full-width paragraph) and the page's top and bottom margins stay whole and in place. So is a column
    of prose beside a figure whose labels (`figure()`: ids of the words drawn on its shapes) sit between
    the prose's lines; those are looked for (every word against every shape) only on a page without an
    ordinary gutter. Without either, a text floated beside the running text is taken out (`floated_beside`)
    and returned apart: the rows, and the float's lines.
    """
    gutter = _gutter(rows, width, height)
    if gutter is None and figure is not None:
        labels = figure()
        if labels:
            gutter = _figure_gutter(rows, width, height, labels)
    if gutter is None:
        return floated_beside(rows, width, height)
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
    return ordered + left + right, []


def floated_beside(rows: list[Row], width: float, height: float) -> tuple[list[Row], list[list[Row]]]:
    """The rows without the lines of texts floated beside the running text, and each float's lines.

    A quote or a box without shading floated into a paragraph shares its rows, and read across the page they
    interleave line by line. On a page without a gutter, a stretch of rows that all keep clear of one x,
    at least three of them with text on both sides, between rows that cross it, is such a float when one
    side is set like the rows around it (the running text) and the other is not (smaller, larger, italic):
    a table without rules sets both its sides alike, in its own type. The float's side is read apart."""
    if sum(_has_gap(row, width) for row in rows) < 3:
        return rows, []  # most pages: no row stands apart in the middle, so no x to look for
    stretches = set()  # (rows with both sides, first row, end row, x)
    for x in range(int(width * 0.3), int(width * 0.7) + 1, 2):
        start, both = None, 0
        for i in range(len(rows) + 1):
            sides = _split_at(rows[i], x, height) if i < len(rows) and "table" not in rows[i][0] else None
            if sides is not None:
                start, both = (i, 0) if start is None else (start, both)
                both += bool(sides[0] and sides[1])
                continue
            if start is not None and both >= 3:
                stretches.add((both, start, i, x))
            start = None
    floats: dict[int, tuple[int, list, list]] = {}  # first row -> (end row, the running text's rows, the float's)
    for _, start, end, x in sorted(stretches, key=lambda s: (-s[0], s[1], s[3])):
        if any(start < e and s < end for s, (e, _, _) in floats.items()):
            continue
        side = _floated_side(rows, start, end, x, height)
        if side is not None:
            split = [_split_at(row, x, height) for row in rows[start:end]]
            floats[start] = (end, [s[1 - side] for s in split if s[1 - side]], [s[side] for s in split if s[side]])
    out, at = [], 0
    for start in sorted(floats):
        end, running, _ = floats[start]
        out += rows[at:start] + running
        at = end
    return out + rows[at:], [floats[start][2] for start in sorted(floats)]


def _has_gap(row: Row, width: float) -> bool:
    """Two neighbouring words of the row stand a gutter apart somewhere in the page's middle (`_split_at`'s
    1.5 em, between 30% and 70% of its width)."""
    return any(
        b["x0"] - a["x1"] >= 1.5 * max(a["size"], b["size"]) and a["x1"] <= 0.7 * width and b["x0"] >= 0.3 * width
        for a, b in zip(row, row[1:])
    )


def _floated_side(rows: list[list[dict]], start: int, end: int, x: float, height: float) -> int | None:
    """Which side of the stretch is the float: the one not set like the rows around it (None: neither or both)."""
    around = [rows[i] for i in (start - 1, end) if 0 <= i < len(rows) and "table" not in rows[i][0]]
    if not around:
        return None  # columns that fill the page are the gutter's to read
    split = [_split_at(row, x, height) for row in rows[start:end]]
    running = _type([w for row in around for w in row])
    left, right = (_type([w for s in split for w in s[side]]) for side in (0, 1))
    if left == running and right != running:
        return 1
    if right == running and left != running:
        return 0
    return None


def _type(words: list[dict]) -> tuple[float, bool]:
    """The size (to half a point) and slant most of the words are set in."""
    sizes: Counter = Counter()
    italic = total = 0
    for word in words:
        for char in word.get("chars", []):
            sizes[round(char["size"] * 2) / 2] += 1
            italic += bool(ITALIC_FONT.search(char["fontname"]))
            total += 1
    return (sizes.most_common(1)[0][0] if sizes else 0.0, italic > total / 2)


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


def on_shapes(words: list[dict], page) -> frozenset:
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
