"""Text in a shaded box that the running text flows beside: an aside ("kader"), read apart from it.

A box floated into a paragraph shares its rows, and read across the page, box and paragraph interleave line
by line ("Medewerkers mogen afwijken van de brengt vooraf de risico's van een voorgestelde route ..."): no
gutter runs down the page, only beside the box. A filled, coloured rectangle narrower than the page that holds
a few lines of text while other text stands beside it is such a box. Its words are read as lines of their own,
marked, and the layout step puts them after the paragraph they stand in (`BlockBuilder`).
"""

from __future__ import annotations

from ingest.loaders.pdf_tables import centre_in

MIN_WORDS = 8  # in the box, and beside it: fewer is a label on a shape or a shaded word


def boxed_asides(page, words: list[dict]) -> tuple[list[list[dict]], list[dict]]:
    """The words of each shaded box that text runs beside, and the other words."""
    width, height = float(page.width), float(page.height)
    boxes = [
        shape
        for shape in (*page.rects, *page.curves)
        if shape.get("fill")
        and _coloured(shape.get("non_stroking_color"))
        and 0.15 * width <= shape["x1"] - shape["x0"] <= 0.75 * width
        and 18 <= shape["bottom"] - shape["top"] <= 0.8 * height
    ]
    asides: list[list[dict]] = []
    taken: set[int] = set()
    for box in sorted(boxes, key=lambda b: (b["top"], b["x0"])):
        inside = [w for w in words if id(w) not in taken and centre_in(w, (box["x0"], box["top"], box["x1"], box["bottom"]))]
        if len(inside) < MIN_WORDS:
            continue
        beside = [
            w
            for w in words
            if w["top"] < box["bottom"] and w["bottom"] > box["top"] and (w["x1"] <= box["x0"] or w["x0"] >= box["x1"])
        ]
        if len(beside) < MIN_WORDS:
            continue  # a box in a row of its own reads in its place
        asides.append(inside)
        taken.update(id(w) for w in inside)
    return asides, [w for w in words if id(w) not in taken]


def _coloured(colour) -> bool:
    """A fill that shows on white paper: given, and not white (grey, RGB or CMYK)."""
    if not isinstance(colour, (tuple, list)) or not colour or not all(isinstance(c, (int, float)) for c in colour):
        return False
    if len(colour) == 4:  # CMYK: white is no ink at all
        return max(colour) > 0.02
    return min(colour) < 0.98
