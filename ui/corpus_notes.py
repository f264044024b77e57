"""What the shipped corpus itself says it does not know.

`corpus/BRONNEN-DIGEST.md` (beside the documents folder) ends with a section
"Wat nog onbekend is"; the sources view shows it so a user sees the gaps before
asking into them.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.settings import Settings

DIGEST_NAME = "BRONNEN-DIGEST.md"
UNKNOWN_HEADING = "Wat nog onbekend is"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_section(text: str, heading: str) -> str | None:
    """The body under the first heading named `heading` (case-insensitive), up to the next heading of
    the same or a higher level; None when there is no such heading."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = level = None
    for i, line in enumerate(lines):
        match = _HEADING.match(line)
        if not match:
            continue
        if start is None:
            if match.group(2).strip().casefold() == heading.casefold():
                start, level = i + 1, len(match.group(1))
        elif len(match.group(1)) <= level:
            return "\n".join(lines[start:i]).strip()
    return None if start is None else "\n".join(lines[start:]).strip()


def digest_path(settings: Settings) -> Path:
    return Path(settings.corpus_dir).parent / DIGEST_NAME


def unknowns(settings: Settings) -> str | None:
    """The Markdown of the digest's "Wat nog onbekend is" section, or None when absent."""
    path = digest_path(settings)
    if not path.is_file():
        return None
    section = markdown_section(path.read_text(encoding="utf-8", errors="replace"), UNKNOWN_HEADING)
    return section or None
