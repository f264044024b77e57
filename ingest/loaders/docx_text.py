"""The visible text of WordprocessingML paragraphs, read from the XML.

python-docx's `paragraph.text` also returns field codes' results wholesale and
cannot tell a table of contents (a TOC field spanning many paragraphs) from real
text, and it skips footnote references. Walking the runs ourselves keeps what a
reader sees: field results but not field instructions, nothing from deleted
revisions or drawings, and a raised "⁽ⁿ⁾" where a footnote is referenced (`footnote_mark`).
"""

from __future__ import annotations

from ingest.loaders.common import footnote_mark

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIP = {
    W + "del",
    W + "moveFrom",
    W + "drawing",
    W + "pict",
    W + "object",
    W + "rPr",
    W + "pPr",
    W + "delText",
    W + "delInstrText",
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
}
_CONTAINERS = {
    W + "r",
    W + "hyperlink",
    W + "smartTag",
    W + "ins",
    W + "moveTo",
    W + "customXml",
    W + "sdt",
    W + "sdtContent",
    W + "fldSimple",
    W + "dir",
    W + "bdo",
}


class FieldState:
    """Open complex fields (begin ... separate ... end), which may span paragraphs."""

    def __init__(self, skip_toc: bool = True) -> None:
        self._stack: list[list[str]] = []  # per open field: its instruction text
        self.skip_toc = skip_toc

    @property
    def in_toc(self) -> bool:
        return self.skip_toc and any("".join(instr).strip().upper().startswith("TOC") for instr in self._stack)

    def char(self, kind: str | None) -> None:
        if kind == "begin":
            self._stack.append([])
        elif kind == "end" and self._stack:
            self._stack.pop()

    def instruction(self, text: str) -> None:
        if self._stack:
            self._stack[-1].append(text)


class NoteNumbers:
    """Footnotes are numbered in order of reference, as Word displays them."""

    def __init__(self) -> None:
        self.pending: list[tuple[int, str]] = []  # (display number, footnote id) not yet emitted
        self._count = 0

    def reference(self, note_id: str) -> str:
        self._count += 1
        self.pending.append((self._count, note_id))
        return footnote_mark(str(self._count))


def paragraph_text(p, fields: FieldState, notes: NoteNumbers | None = None) -> str:
    parts: list[str] = []
    _collect(p, fields, notes, parts)
    return "".join(parts)


def _collect(element, fields: FieldState, notes: NoteNumbers | None, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == W + "fldChar":
            fields.char(child.get(W + "fldCharType"))
        elif tag == W + "instrText":
            fields.instruction(child.text or "")
        elif tag == W + "fldSimple" and child.get(W + "instr", "").strip().upper().startswith("TOC"):
            continue
        elif tag in _CONTAINERS:  # entered even inside a TOC: the field's end is in there
            _collect(child, fields, notes, parts)
        elif fields.in_toc:
            continue
        elif tag == W + "t":
            parts.append(child.text or "")
        elif tag in (W + "tab", W + "ptab", W + "br", W + "cr"):
            parts.append(" ")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag == W + "footnoteReference" and notes is not None:
            parts.append(notes.reference(child.get(W + "id", "")))
