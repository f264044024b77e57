"""DOCX via python-docx: body order kept, headings by style or outline level, tables whole.

Paragraphs and tables are read in the order they appear in the body, so a table
stays where the text around it refers to it. Headings come from the style
("Heading 2", Dutch "Kop 2", "Title") or an explicit outline level; Word's
automatic heading numbers are not reproduced (they live in numbering.xml and are
often inconsistent in real files). The table of contents is dropped: it repeats
the headings with page numbers of a layout we do not have.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import docx
from docx.oxml.parser import parse_xml

from ingest.document import Block, IngestError, LoadedDocument, doc_id_for
from ingest.loaders.common import (
    CAPTION_TEXT,
    Sections,
    clean_inline,
    first_heading,
    footnote_mark,
    put,
    stem_title,
    table_text,
)
from ingest.loaders.docx_text import FieldState, NoteNumbers, W, paragraph_text

MAX_UNPACKED_BYTES = 200_000_000  # a real report with images stays far below this
MAX_RATIO = 200  # ... and no part of it is compressed this well, unless crafted
RATIO_MIN_BYTES = 20_000_000  # small parts may compress well (repetitive XML) without harm
_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*([1-9])$")
_TOC_STYLE = re.compile(r"^(?:toc|inhopg)\s*\d|^toc heading$|^kop van inhoudsopgave$")
_LIST_STYLE = re.compile(r"^(?:list|lijst|opsomming)")
_MANUAL_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25e6\u2013\u25cf\u25a0\u27a2\u2713*-]\s+")


@dataclass(frozen=True)
class _Style:
    name: str = ""
    level: int = 0  # heading level, 0 for body text
    numbered: bool = False
    toc: bool = False
    caption: bool = False


def load_docx(path: Path, data: bytes) -> LoadedDocument:
    _check_archive(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(path, f"not a valid DOCX ({type(exc).__name__}: {exc})") from exc
    walker = _Walker(document)
    walker.walk(document.element.body)
    warnings = []
    if walker.fields.in_toc:  # a TOC field that never ends would swallow the rest of the document
        walker = _Walker(document, skip_toc_fields=False)
        walker.walk(document.element.body)
        warnings.append("table-of-contents field is never closed; it is kept as text")
    core = document.core_properties
    metadata = {"kind": "document"}
    put(metadata, "author", core.author)
    put(metadata, "created", core.created)
    put(metadata, "modified", core.modified)
    put(metadata, "subject", core.subject)
    put(metadata, "keywords", core.keywords)
    put(metadata, "language", core.language)
    title = clean_inline(core.title or "") or first_heading(walker.blocks) or stem_title(path)
    return LoadedDocument(
        doc_id=doc_id_for(data), source=str(path), title=title, metadata=metadata, blocks=walker.blocks, warnings=warnings
    )


def _check_archive(path: Path, data: bytes) -> None:
    """Refuse what is not a DOCX, and zip bombs, before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise IngestError(path, "not a valid DOCX (not a zip archive)") from exc
    with archive:
        entries = archive.infolist()
        if "word/document.xml" not in {entry.filename for entry in entries}:
            raise IngestError(path, "not a valid DOCX (no word/document.xml)")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_UNPACKED_BYTES:
            raise IngestError(
                path, f"DOCX unpacks to {total / 1e6:.0f} MB, above the {MAX_UNPACKED_BYTES / 1e6:.0f} MB safety limit"
            )
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
                raise IngestError(
                    path,
                    f"DOCX part {entry.filename} unpacks {ratio:.0f} times its packed size "
                    f"({entry.file_size / 1e6:.0f} MB), above the safety ratio of {MAX_RATIO}",
                )


class _Walker:
    def __init__(self, document, skip_toc_fields: bool = True):
        self.styles = _styles(document)
        self.default_style = next(
            (s.style_id for s in document.styles if s.element.get(W + "default") == "1" and s.type == 1), None
        )
        self.footnotes = _footnotes(document)
        self.fields = FieldState(skip_toc=skip_toc_fields)
        self.notes = NoteNumbers()
        self.sections = Sections()
        self.blocks: list[Block] = []

    def walk(self, container) -> None:
        for child in container:
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag == W + "sdt" and not _is_toc_sdt(child):
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.walk(content)
            elif child.tag == W + "customXml":
                self.walk(child)

    def paragraph(self, p) -> None:
        style = self._style_of(p)
        text = clean_inline(paragraph_text(p, self.fields, self.notes))
        if text and not style.toc:
            level = _outline_level(p) or style.level
            if level:
                self.blocks.append(self.sections.heading(text, level))
            elif style.caption:
                self.blocks.append(self.sections.block(text, "caption"))
            elif style.numbered or _LIST_STYLE.match(style.name) or _MANUAL_BULLET.match(text):
                self.blocks.append(self.sections.block(_MANUAL_BULLET.sub("", text, count=1), "list_item"))
            else:
                self.blocks.append(self.sections.block(text))
        self._flush_notes()

    def table(self, tbl) -> None:
        cells = [tr.findall(W + "tc") for tr in tbl.findall(W + "tr")]
        if len(cells) == 1 and len(cells[0]) == 1:  # a one-cell table is a framed note, not data
            self.walk(cells[0][0])
            return
        rows = [
            [clean_inline(" ".join(paragraph_text(p, self.fields, self.notes) for p in tc.iter(W + "p"))) for tc in row]
            for row in cells
        ]
        rows = [row for row in rows if any(row)]
        if not rows:
            self.notes.pending.clear()
            return
        if self.blocks and self.blocks[-1].kind == "paragraph" and CAPTION_TEXT.match(self.blocks[-1].text):
            self.blocks[-1] = replace(self.blocks[-1], kind="caption")
        self.blocks.append(self.sections.block(table_text(rows), "table"))
        self._flush_notes()

    def _flush_notes(self) -> None:
        for number, note_id in self.notes.pending:
            note = self.footnotes.get(note_id)
            if note:
                self.blocks.append(self.sections.block(f"{footnote_mark(str(number))} {note}", "footnote"))
        self.notes.pending.clear()

    def _style_of(self, p) -> _Style:
        style_id = p.find(f"{W}pPr/{W}pStyle")
        style = self.styles.get(style_id.get(W + "val") if style_id is not None else self.default_style, _Style())
        if p.find(f"{W}pPr/{W}numPr") is not None and not style.numbered:
            style = replace(style, numbered=True)
        return style


def _styles(document) -> dict[str, _Style]:
    """Paragraph styles with what they inherit (a custom style based on "Heading 2" is a heading)."""
    out: dict[str, _Style] = {}
    for style in document.styles:
        if style.type != 1:  # paragraph styles only
            continue
        name = (style.name or "").lower()
        level, numbered, chain = 0, False, style
        while chain is not None:
            chain_name = (chain.name or "").lower()
            heading = _HEADING_STYLE.match(chain_name)
            if not level and heading:
                level = int(heading.group(1))
            elif not level and chain_name in ("title", "titel"):
                level = 1
            level = level or _outline_level(chain.element)
            numbered = numbered or chain.element.find(f"{W}pPr/{W}numPr") is not None
            chain = chain.base_style
        out[style.style_id] = _Style(
            name=name,
            level=level,
            numbered=numbered and not level,
            toc=bool(_TOC_STYLE.match(name)),
            caption=name in ("caption", "bijschrift"),
        )
    return out


def _outline_level(element) -> int:
    """Outline level 0-8 means heading 1-9; 9 (or none) is body text."""
    outline = element.find(f"{W}pPr/{W}outlineLvl")
    if outline is None:
        return 0
    value = outline.get(W + "val", "9")
    return int(value) + 1 if value.isdigit() and int(value) < 9 else 0


def _is_toc_sdt(sdt) -> bool:
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "table of contents" in (gallery.get(W + "val") or "").lower()


def _footnotes(document) -> dict[str, str]:
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            part = rel.target_part
            root = part.element if hasattr(part, "element") else parse_xml(part.blob)
            notes = {}
            for note in root.findall(W + "footnote"):
                if note.get(W + "type") in (None, "normal"):
                    text = " ".join(paragraph_text(p, FieldState()) for p in note.iter(W + "p"))
                    notes[note.get(W + "id")] = clean_inline(text)
            return notes
    return {}
