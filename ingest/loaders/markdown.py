"""Markdown and plain text, with YAML front matter as document metadata."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ingest.document import Block, IngestError

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", text, re.S)
    if not match:
        raise IngestError(path, "front matter starts with '---' but is never closed")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(path, f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise IngestError(path, "front matter is not a mapping of keys to values")
    return meta, text[match.end() :]


def markdown_blocks(body: str) -> list[Block]:
    """Headings, paragraphs, list items and whole tables, each knowing its section path."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []
    buffer_kind = "paragraph"

    def section() -> tuple[str, ...]:
        return tuple(title for _, title in path)

    def flush() -> None:
        nonlocal buffer, buffer_kind
        if buffer:
            joiner = "\n" if buffer_kind == "table" else " "
            text = joiner.join(line.strip() for line in buffer).strip()
            if buffer_kind == "paragraph":
                text = text.lstrip("> ").strip()
            if text:
                blocks.append(
                    Block(text=inline_text(text) if buffer_kind != "table" else text, kind=buffer_kind, section_path=section())
                )
        buffer, buffer_kind = [], "paragraph"

    in_code = False
    for raw in body.splitlines():
        line = raw.rstrip()
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            buffer.append(line)
            continue
        heading = HEADING.match(line)
        if heading:
            flush()
            level, title = len(heading.group(1)), inline_text(heading.group(2))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            blocks.append(Block(text=title, kind="heading", section_path=section(), level=level))
            continue
        if not line.strip():
            flush()
            continue
        if _TABLE_ROW.match(line):
            if buffer_kind != "table":
                flush()
                buffer_kind = "table"
            buffer.append(line)
            continue
        if buffer_kind == "table":
            flush()
        if _LIST_ITEM.match(line):
            flush()
            buffer_kind = "list_item"
            buffer.append(_LIST_ITEM.sub("", line, count=1))
            continue
        if line.lstrip().startswith(">"):
            line = line.lstrip()[1:]
        buffer.append(line)
    flush()
    return blocks


def inline_text(text: str) -> str:
    """Drop emphasis and link syntax but keep the words: quotes must read as prose."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return text.strip()


def metadata_from_front_matter(meta: dict) -> dict:
    """Front matter as flat metadata; lists become '; '-joined text, which a vector store can hold."""
    out = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[str(key)] = value
    return out
