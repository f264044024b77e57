"""What a corpus itself says it does not know.

A corpus may keep a provenance note beside its documents folder with a section of
gaps (the shipped one: `corpus/BRONNEN-DIGEST.md`, "Wat nog onbekend is"; both named
in the corpus profile); the sources view shows it so a user sees the gaps before
asking into them.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.profile import load_profile
from assistant.settings import Settings

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


def unknowns(settings: Settings) -> str | None:
    """The Markdown of the profile's notes section of gaps, or None when there is none."""
    profile = load_profile(settings)
    if not profile.notes_file or not profile.unknown_heading:
        return None
    path = Path(settings.corpus_dir).parent / profile.notes_file
    if not path.is_file():
        return None
    section = markdown_section(path.read_text(encoding="utf-8", errors="replace"), profile.unknown_heading)
    return section or None
