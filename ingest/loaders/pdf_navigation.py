"""Tables of contents and indexes: navigation a reader skips, not text to quote.

A contents page repeats the body's headings with page numbers; as a passage it holds every chapter's title,
so it matched questions about any chapter and was quoted as an answer ("2.1 Aanpak . . . . 12"). An index
does the same for terms. Both are taken out before the layout step reads the pages into blocks.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.loaders.pdf_layout import PageText

# an entry of a table of contents or an index: a title, a run of leader dots, then (not always on the same
# line once read) the page it points to: "2.1 Aanpak . . . . . . 12", "asn1_der_coding ........ 17, 19"
_LEADERS = r"(?:(?:\.\s?){4,}\.|\u2026{2,}|(?:\u00b7\s?){4,}\u00b7)"
_PAGE_REF = r"(?:\d{1,4}|[ivxlc]{1,7})(?:\s*[,\u2013-]\s*\d{1,4})*"
_NAVIGATION_ENTRY = re.compile(rf"{_LEADERS}\s*(?:{_PAGE_REF})?\s*$", re.IGNORECASE)
_WITH_PAGE_REF = re.compile(rf"{_LEADERS}\s*{_PAGE_REF}\s*$", re.IGNORECASE)


def drop_navigation(pages: list[PageText]) -> None:
    """Remove the entries of a table of contents or an index, and such pages whole.

    A page most of whose lines are entries, at least three of them pointing to a page, is navigation:
    its title ("Inhoud") and the page numbers read apart from their entries go with it. A form's empty fields ("Naam: .......")
    point to no page: they stay. A contents page set without leader dots ("2 Aanpak    6") is told by
    its entries: their page numbers rise, and most titles are lines elsewhere in the document (`_contents_entries`)."""
    for page in pages:
        entries = [line for line in page.lines if _NAVIGATION_ENTRY.search(line.text)]
        pointing = sum(bool(_WITH_PAGE_REF.search(line.text)) for line in entries)
        if pointing >= 3 and len(entries) * 2 >= len(page.lines):
            page.lines = []
        elif pointing:
            page.lines = [line for line in page.lines if not _WITH_PAGE_REF.search(line.text)]
    candidates = [(page, entries) for page in pages if (entries := _contents_entries(page, len(pages)))]
    if candidates:
        lines = Counter(_bare_title(line.text) for page in pages for line in page.lines)
        for page, entries in candidates:
            own = Counter(_bare_title(line.text) for line in page.lines)
            if sum(lines[title] > own[title] for title in entries) >= 0.6 * len(entries):
                page.lines = []


CONTENTS_ENTRIES = 4  # a contents page without leaders lists at least this many titles with page numbers
_TITLE_AND_PAGE = re.compile(r"^(.*[^\W\d_].*?)\s+(\d{1,4})$")
_NUMBERING = re.compile(
    r"^(?:(?:hoofdstuk|chapter|bijlage|appendix|deel|part)\s+)?(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])?[.)]?\s+", re.I
)


def _contents_entries(page: PageText, document_pages: int) -> list[str]:
    """The titles of the page's entries when it reads as a contents page: most of its lines are "title
    page number" or a number alone, at least `CONTENTS_ENTRIES` of them, their numbers rising and inside
    the document. Whether the titles are headings elsewhere (a table sorted by its last column is not)
    the caller checks."""
    entries = [(m.group(1), int(m.group(2))) for m in (_TITLE_AND_PAGE.match(line.text) for line in page.lines) if m]
    alone = sum(line.text.isdigit() for line in page.lines)
    if len(entries) < CONTENTS_ENTRIES or (len(entries) + alone) * 2 < len(page.lines):
        return []
    numbers = [n for _, n in entries]
    rising = sum(b >= a for a, b in zip(numbers, numbers[1:]))
    if rising < 0.8 * (len(numbers) - 1) or max(numbers) > document_pages + 20:
        return []
    return [_bare_title(title) for title, _ in entries]


def _bare_title(text: str) -> str:
    """A title without its numbering, case and spacing: '2.1  Data verzamelen' -> 'data verzamelen'."""
    return " ".join(_NUMBERING.sub("", text.strip()).casefold().split())
