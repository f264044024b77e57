"""What the PDF, DOCX and HTML loaders share: clean inline text, section paths, titles.

Each format finds its structure differently, but the result must look the same to
the chunker and to a reader checking a quote: one space between words, no
invisible characters, and a section path that names every enclosing heading.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Block

# Typographic ligatures as single code points (PDF text layers are full of them).
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
)
# Soft hyphen and zero-width characters: invisible in print, but they break words for search.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


_SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def footnote_mark(marker: str) -> str:
    """A footnote reference as print shows it, raised: "3" -> "⁽³⁾"; "*" stays "*".

    Not "[3]": answers cite their sources as [n], so a quoted "18%[3]" read as a citation of
    source 3. Superscript parentheses rather than bare superscript digits: search folds
    "eenzaamheid⁴" into one word "eenzaamheid4", while "⁽" keeps the word apart from its mark.
    """
    marker = marker.strip()
    return f"\u207d{marker.translate(_SUPERSCRIPT)}\u207e" if marker.isdigit() else marker


def clean_inline(text: str) -> str:
    """One line of prose: ligatures spelled out, invisible characters gone, whitespace collapsed."""
    return " ".join(text.translate(_LIGATURES).translate(_INVISIBLE).split())


CAPTION_TEXT = re.compile(r"^(?:tabel|table)\s*\d", re.IGNORECASE)  # a paragraph right above a table that names it


def table_text(rows: list[list[str]]) -> str:
    """A table as every loader writes it: a row per line, "| cell | cell |"."""
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows)


def stem_title(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip()


class Sections:
    """The heading stack: a new heading closes every open heading at its level or deeper."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = []

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self._open)

    def heading(self, text: str, level: int) -> Block:
        self._open = [(lvl, title) for lvl, title in self._open if lvl < level] + [(level, text)]
        return Block(text=text, kind="heading", section_path=self.path, level=level)

    def block(self, text: str, kind: str = "paragraph", page: int | None = None) -> Block:
        return Block(text=text, kind=kind, section_path=self.path, page=page)


def first_heading(blocks: list[Block]) -> str:
    return next((b.text for b in blocks if b.kind == "heading"), "")


def put(metadata: dict, key: str, value) -> None:
    """Store a metadata value only when the file actually gives one (dates as ISO text)."""
    if value is None:
        return
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    value = clean_inline(str(value)) if isinstance(value, str) else value
    if value not in ("", None):
        metadata[key] = value
