"""Pick the loader for a file and apply the checks every format shares.

LOADERS maps a file suffix to the function that reads that format
(`load(path, data: bytes) -> LoadedDocument`); the suffixes the project accepts
(ingest, uploads) are derived from it. A new format is one new module in this
folder and one line in LOADERS (docs/extending.md shows an example). This module
owns what must hold for all formats: a known type, not empty, not too large, a
stable content-hash id, and a title.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ingest.document import IngestError, LoadedDocument

LOADERS: dict[str, str] = {
    ".md": "ingest.loaders.text:load_markdown",
    ".markdown": "ingest.loaders.text:load_markdown",
    ".txt": "ingest.loaders.text:load_plain_text",
    ".pdf": "ingest.loaders.pdf:load_pdf",
    ".docx": "ingest.loaders.docx:load_docx",
    ".html": "ingest.loaders.html:load_html",
    ".htm": "ingest.loaders.html:load_html",
}
# A loader whose reading of a file changed: files of its type already stored are read and embedded again
# ('pdf2': a bulleted list right under its heading was read as one paragraph; 'pdf3': the lines of two
# columns side by side were read across both; 'pdf4': words set closer than 3 pt were read as one; 'pdf5': a
# diagram's labels were read into the sentences of the prose beside it; 'pdf6': the entries of a table of
# contents or an index were read as passages, a chapter's own running header stood in its text, a ranked
# table or code listing in small print became footnotes no text referred to, a pull quote became a heading;
# 'pdf7': a browser's PDF: bullets drawn as shapes, a gutter the left column's long lines reach into or no row
# holds both sides of, a ruled table read across the page, a shaded box read into the paragraph beside it, a
# bold lead-in read as a heading, the line-end hyphens of an unhyphenated document or a web address dropped).
LOADER_REVISIONS: dict[str, str] = {".pdf": "pdf7"}
SUPPORTED_SUFFIXES = LOADERS.keys()  # a live view: a loader registered at run time counts too


def loader_for(suffix: str):
    """The load function registered for a suffix (imported on first use: PDF and DOCX parsers are heavy)."""
    module, _, name = LOADERS[suffix.lower()].partition(":")
    return getattr(importlib.import_module(module), name)


def _megabytes(size: float) -> str:
    return f"{size / 1e6:.3g} MB"


def read_checked(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes, after the checks that need no parsing: known type, readable, not empty, not too large.

    The size is checked before anything is read, so an oversized file costs one stat.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            path, f"unsupported file type '{suffix or '(none)'}'; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    try:
        size = path.stat().st_size
        if size == 0:
            raise IngestError(path, "file is empty (0 bytes)")
        if max_bytes is not None and size > max_bytes:
            raise IngestError(
                path, f"file is {_megabytes(size)}, above the limit of {_megabytes(max_bytes)} (setting max_file_mb)"
            )
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from exc


def load_file(path: Path, max_bytes: int | None = None, data: bytes | None = None) -> LoadedDocument:
    """Load one file; `data` passes bytes already read by `read_checked`, so the file is read once."""
    path = Path(path)
    suffix = path.suffix.lower()
    if data is None:
        data = read_checked(path, max_bytes)
    doc = loader_for(suffix)(path, data)
    if not any(b.text.strip() for b in doc.blocks):
        if doc.warnings:
            raise IngestError(path, "; ".join(doc.warnings))
        raise IngestError(path, "no text found in the document")
    doc.metadata.setdefault("title", doc.title)
    doc.metadata.setdefault("source", str(path))
    return doc
