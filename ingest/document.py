"""What every loader returns and the chunker consumes.

Loaders differ per format; everything after them sees only `LoadedDocument`, a
flat list of structural blocks that remember their section and page. That is what
lets a citation say "section X, page 12" whatever the source format was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

BLOCK_KINDS = ("heading", "paragraph", "list_item", "table", "caption", "footnote")


@dataclass(frozen=True)
class Block:
    text: str
    kind: str = "paragraph"
    section_path: tuple[str, ...] = ()
    page: int | None = None
    level: int = 0  # heading level (1 = top); 0 for non-headings


@dataclass
class LoadedDocument:
    doc_id: str
    source: str
    title: str
    metadata: dict = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_for(data: bytes) -> str:
    """Stable id from content: the same bytes give the same id wherever they live."""
    return content_hash(data)[:16]
