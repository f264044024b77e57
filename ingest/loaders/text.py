"""Markdown (with YAML front matter) and plain text, in UTF-8 or the encodings Dutch office files use."""

from __future__ import annotations

from pathlib import Path

from ingest.document import Block, IngestError, LoadedDocument, doc_id_for
from ingest.loaders.markdown import markdown_blocks, metadata_from_front_matter, split_front_matter


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


def load_markdown(path: Path, data: bytes) -> LoadedDocument:
    text, warnings = _decoded(path, data)
    meta, body, front_matter_warnings = split_front_matter(text, path)
    warnings += front_matter_warnings
    return _document(path, data, markdown_blocks(body), metadata_from_front_matter(meta), warnings)


def load_plain_text(path: Path, data: bytes) -> LoadedDocument:
    text, warnings = _decoded(path, data)
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    blocks = [Block(text=" ".join(p.split()), kind="paragraph") for p in paragraphs if p]
    return _document(path, data, blocks, {}, warnings)


def _decoded(path: Path, data: bytes) -> tuple[str, list[str]]:
    text, warnings = decode_text(data, path)
    if "\x00" in text:
        raise IngestError(path, "file contains NUL bytes: binary, not text")
    return text, warnings


def _document(path: Path, data: bytes, blocks: list[Block], metadata: dict, warnings: list[str]) -> LoadedDocument:
    first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
    title = str(metadata.get("title") or first_heading or path.stem.replace("-", " ").replace("_", " "))
    metadata.setdefault("kind", "document")
    return LoadedDocument(
        doc_id=doc_id_for(data), source=str(path), title=title, metadata=metadata, blocks=blocks, warnings=warnings
    )
