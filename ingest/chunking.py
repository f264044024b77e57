"""Blocks -> chunks: along structure first, then by length with a small overlap.

A chunk never spans two sections, so its section path is exact; a table stays
whole with its caption when it fits (a longer one is cut between rows, each part
repeating caption and header); a paragraph longer than a chunk is cut between sentences,
with the last sentence repeated at the start of the next piece as overlap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from assistant.settings import Settings
from assistant.text import SECTION_SEPARATOR, heading_line, split_sentences
from ingest.document import Block, LoadedDocument

__all__ = ["SECTION_SEPARATOR", "chunk_document"]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    position: int
    text: str
    section: str
    page_start: int | None
    page_end: int | None
    metadata: dict = field(default_factory=dict)

    def index_text(self) -> str:
        """What search sees: the title and section give a bare list item its context."""
        title = self.metadata.get("title", "")
        return "\n".join(part for part in (title, self.section, self.text) if part)


def chunk_document(
    doc: LoadedDocument,
    size: int = Settings.chunk_size,
    overlap: int = Settings.chunk_overlap,
    min_chars: int = Settings.min_chunk_chars,
) -> list[Chunk]:
    pieces: list[tuple[tuple[str, ...], str, int | None, int | None]] = []
    current: list[Block] = []

    def emit() -> None:
        if current:
            pieces.extend(_pack(current, size, overlap))
            current.clear()

    for block in doc.blocks:
        if block.kind == "heading":
            emit()
            continue
        if current and current[0].section_path != block.section_path:
            emit()
        current.append(block)
    emit()

    chunks = []
    for position, (section_path, text, first, last) in enumerate(_merge_small(pieces, size, min_chars)):
        section = SECTION_SEPARATOR.join(section_path)
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.doc_id, position, text, section, first, last, doc.metadata),
                doc_id=doc.doc_id,
                position=position,
                text=text,
                section=section,
                page_start=first,
                page_end=last,
                metadata=dict(doc.metadata),
            )
        )
    return chunks


def chunk_id(doc_id: str, position: int, text: str, section: str, first, last, metadata: dict) -> str:
    """The file (its content hash), the place in it, and a digest of what is stored for that place.

    The position alone kept its id when the same bytes were read anew (another loader revision, another
    chunk size), and whatever keeps passages by id (the passage index on disk, an app process) went on
    quoting the old text. With the digest an id means one text with one set of metadata; the position
    first keeps a file's ids in reading order."""
    stored = json.dumps([text, section, first, last, sorted((k, str(v)) for k, v in metadata.items())], ensure_ascii=False)
    return f"{doc_id}-{position:05d}-{hashlib.sha256(stored.encode('utf-8')).hexdigest()[:8]}"


def _merge_small(pieces: list[tuple], size: int, min_chars: int) -> list[tuple]:
    """Small neighbouring sections of one part of a document into one chunk, each under its own heading.

    A help page or a report with many short subsections ('Navigator > Volgende: Verplaatst één naar voren.')
    gave chunks of a few words; among thousands of documents such a chunk sits close to almost any question
    in vector space and wins BM25 by its shortness. Merged pieces keep their subsection titles as lines, and
    the chunk's section is the part of the path they share (never nothing: chapters stay apart).
    """
    if min_chars <= 0:
        return pieces
    merged: list[tuple] = []
    for path, text, first, last in pieces:
        if merged:
            prev_path, prev_text, prev_first, prev_last = merged[-1]
            common = _common_prefix(prev_path, path)
            small = len(prev_text) < min_chars or len(text) < min_chars
            if small and common and len(prev_text) + len(text) + 80 <= size and "|" not in (prev_text[:1] + text[:1]):
                merged[-1] = (
                    common,
                    _titled(prev_path, common, prev_text) + "\n" + _titled(path, common, text),
                    _first(prev_first, first),
                    _last(prev_last, last),
                )
                continue
        merged.append((path, text, first, last))
    return merged


def _common_prefix(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return tuple(a[:n])


def _titled(path: tuple, common: tuple, text: str) -> str:
    """The text under the headings its path has beyond the shared part (none when already titled), each
    a Markdown heading line: the answerer quotes statements, and a title is none (`assistant.text.heading_line`)."""
    own = [heading_line(title, level + 1) for level, title in enumerate(path) if level >= len(common) and title]
    own = [line for line in own if not text.startswith(line.lstrip("# "))]
    return "\n".join([*own, text]) if own else text


def _first(a, b):
    return min(p for p in (a, b) if p is not None) if a is not None or b is not None else None


def _last(a, b):
    return max(p for p in (a, b) if p is not None) if a is not None or b is not None else None


def _pack(blocks: list[Block], size: int, overlap: int):
    """Blocks of one section into pieces of at most `size` characters (tables excepted)."""
    section = blocks[0].section_path
    units: list[tuple[str, int | None, str]] = []  # (text, page, kind)
    for i, block in enumerate(blocks):
        if block.kind == "caption" and i + 1 < len(blocks) and blocks[i + 1].kind == "table":
            continue  # emitted with its table
        if block.kind == "table":
            caption = blocks[i - 1].text + "\n" if i and blocks[i - 1].kind == "caption" else ""
            units.extend((part, block.page, "table") for part in _split_table(caption, block.text, size))
        elif len(block.text) > size:
            units.extend((s, block.page, block.kind) for s in _split_long(block.text, size))
        else:
            units.append((block.text, block.page, block.kind))

    buffer: list[tuple[str, int | None, str]] = []
    length = 0
    for unit in units:
        text, page, kind = unit
        if buffer and (length + len(text) + 1 > size or kind == "table" or buffer[-1][2] == "table"):
            yield _piece(section, buffer)
            tail = buffer[-1]
            carry = _overlap_tail(tail[0], overlap) if tail[2] not in ("table", "list_item") else ""
            buffer = [(carry, tail[1], "overlap")] if carry and kind != "table" else []
            length = len(carry) if buffer else 0
        buffer.append(unit)
        length += len(text) + 1
    if buffer and any(kind != "overlap" for _, _, kind in buffer):
        yield _piece(section, buffer)


def _piece(section, units):
    text = "\n".join(t for t, _, _ in units)
    pages = [p for _, p, _ in units if p is not None]
    return section, text, (min(pages) if pages else None), (max(pages) if pages else None)


def _overlap_tail(text: str, overlap: int) -> str:
    """The last sentence of a unit, if short enough to repeat."""
    if overlap <= 0:
        return ""
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return ""
    last = sentences[-1]
    return last if len(last) <= overlap * 2 else ""


def _split_table(caption: str, table: str, size: int) -> list[str]:
    """A table whole when it fits; a longer one between rows, every part with the caption and header.

    An embedding model reads ~512 tokens: the rows of a long table past that would be invisible to
    dense search, and a row without its header is just cells.
    """
    if len(caption) + len(table) <= size:
        return [caption + table]
    lines = table.split("\n")
    head_rows = 2 if len(lines) > 1 and set(lines[1].replace("|", "").strip()) <= set("-: ") else 1
    head, rows = caption + "\n".join(lines[:head_rows]), lines[head_rows:]
    parts, current = [], []
    for row in rows:
        if current and len(head) + sum(len(r) + 1 for r in current) + len(row) + 1 > size:
            parts.append("\n".join([head, *current]))
            current = []
        current.append(row)
    if current or not parts:
        parts.append("\n".join([head, *current]))
    return parts


def _split_long(text: str, size: int) -> list[str]:
    sentences = split_sentences(text) or [text]
    out, buf = [], ""
    for sentence in sentences:
        while len(sentence) > size:  # a run-on without sentence ends: cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            if buf:
                out.append(buf)
                buf = ""
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if buf and len(buf) + len(sentence) + 1 > size:
            out.append(buf)
            buf = sentence
        else:
            buf = f"{buf} {sentence}".strip()
    if buf:
        out.append(buf)
    return out
