"""Markdown and plain text, with YAML front matter as document metadata."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml

from ingest.document import Block

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# [text](url "title") and ![alt](src): the URL may hold parentheses in pairs, as Wikipedia's do
# (".../Slim_(project)"); a pattern that stopped at the first ")" left the second one in the text
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*(?:<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")


def split_front_matter(text: str, path: Path) -> tuple[dict, str, list[str]]:
    """Metadata, body and warnings. Front matter that is not strict YAML never costs the text.

    Scraped pages often carry front matter a YAML parser refuses (a title with ": " in it,
    an unquoted "#"); such a block is read line by line as `key: value`. What still makes no
    sense as metadata (a block that is never closed, a list, loose prose) is kept as text.
    """
    if not text.startswith("---"):
        return {}, text, []
    match = re.match(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", text, re.S)
    if not match:
        body = text.split("\n", 1)[1] if "\n" in text else ""
        return {}, body, ["front matter starts with '---' but is never closed; read as text"]
    block, body = match.group(1), text[match.end() :]
    try:
        meta = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        meta = lenient_front_matter(block)
        where = getattr(exc, "problem_mark", None)
        problem = f"{getattr(exc, 'problem', None) or 'syntax error'}" + (f", line {where.line + 2} of the file" if where else "")
        if meta:
            return meta, body, [f"front matter is not valid YAML ({problem}); read line by line as 'key: value'"]
        return {}, block + "\n\n" + body, [f"front matter is not valid YAML ({problem}); kept as text"]
    if meta is None:
        return {}, body, []
    if not isinstance(meta, dict):
        return {}, block + "\n\n" + body, ["front matter is not a mapping of keys to values; kept as text"]
    return meta, body, []


_FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*?))?\s*$")
_ITEM = re.compile(r"^\s+-\s+(.*?)\s*$|^-\s+(.*?)\s*$")


def lenient_front_matter(block: str) -> dict:
    """`key: value` per line, the value taken whole (so "title: Data: de lessen" keeps its colon);
    "- item" lines under an empty key make a list. Quoted values lose their quotes."""
    meta: dict = {}
    key = None
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        field_match = _FIELD.match(line)
        item = _ITEM.match(line)
        if item and key is not None and (meta[key] == "" or isinstance(meta[key], list)):
            meta[key] = [*(meta[key] or []), _scalar(item.group(1) or item.group(2))]
        elif field_match:
            key = field_match.group(1)
            meta[key] = _scalar(field_match.group(2) or "")
        elif key is not None and isinstance(meta[key], str) and line[:1].isspace():
            meta[key] = f"{meta[key]} {line.strip()}".strip()  # a folded continuation line
    return {k: v for k, v in meta.items() if v not in ("", [])}


def _scalar(value: str):
    """A value as YAML would read it when it can (a number, a date, [a, b]), else the text itself."""
    value = value.strip()
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        parsed = None
    if isinstance(parsed, (list, int, float, datetime.date)) and not isinstance(parsed, bool):
        return parsed
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


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
    text = _LINK.sub(r"\1", text)
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
