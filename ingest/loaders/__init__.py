"""Pick the loader for a file and apply the checks every format shares.

Each format module exposes `load(path, data) -> LoadedDocument`-like pieces; this
module owns what must hold for all of them: a known type, not empty, not too
large, a stable content-hash id, and a title.
"""

from __future__ import annotations

from pathlib import Path

from ingest.document import IngestError, LoadedDocument, doc_id_for
from ingest.loaders.markdown import markdown_blocks, metadata_from_front_matter, split_front_matter

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx", ".html", ".htm"}


def decode_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 first (with or without BOM); then the encodings Dutch office files actually use."""
    warnings: list[str] = []
    try:
        return data.decode("utf-8-sig"), warnings
    except UnicodeDecodeError as exc:
        first_error = exc
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        warnings.append(f"not valid UTF-8 ({first_error.reason} at byte {first_error.start}); read as {encoding}")
        return text, warnings
    raise IngestError(path, "text is not valid UTF-8 and no fallback encoding fits")


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
    if suffix in TEXT_SUFFIXES:
        doc = load_text(path, data)
    elif suffix == ".pdf":
        from ingest.loaders.pdf import load_pdf

        doc = load_pdf(path, data)
    elif suffix == ".docx":
        from ingest.loaders.docx import load_docx

        doc = load_docx(path, data)
    else:
        from ingest.loaders.html import load_html

        doc = load_html(path, data)
    if not any(b.text.strip() for b in doc.blocks):
        if doc.warnings:
            raise IngestError(path, "; ".join(doc.warnings))
        raise IngestError(path, "no text found in the document")
    doc.metadata.setdefault("title", doc.title)
    doc.metadata.setdefault("source", str(path))
    return doc


def load_text(path: Path, data: bytes) -> LoadedDocument:
    text, warnings = decode_text(data, path)
    if "\x00" in text:
        raise IngestError(path, "file contains NUL bytes: binary, not text")
    meta, body = split_front_matter(text, path) if path.suffix.lower() != ".txt" else ({}, text)
    blocks = markdown_blocks(body) if path.suffix.lower() != ".txt" else _text_blocks(body)
    metadata = metadata_from_front_matter(meta)
    first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
    title = str(metadata.get("title") or first_heading or path.stem.replace("-", " ").replace("_", " "))
    metadata.setdefault("kind", "document")
    return LoadedDocument(
        doc_id=doc_id_for(data), source=str(path), title=title, metadata=metadata, blocks=blocks, warnings=warnings
    )


def _text_blocks(body: str):
    from ingest.document import Block

    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n")]
    return [Block(text=" ".join(p.split()), kind="paragraph") for p in paragraphs if p]
