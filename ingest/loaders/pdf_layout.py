"""From positioned PDF lines to blocks: what is furniture, a heading, a footnote, a paragraph.

A PDF has no structure, only print. The rules below read it the way a reader
does: lines repeated at the top or bottom of many pages are running headers and
footers; a bare number at the page edge is a page number; small print below the
body that starts with a raised number is a footnote; text larger than the body
(or bold, or italic and larger) is a heading, its level by size rank; a gap
wider than the usual line spacing starts a new paragraph. A paragraph that runs
on to the next page is cut at its first sentence end there, so every sentence
carries the page it starts on.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from assistant.text import split_sentences
from ingest.document import Block
from ingest.loaders.common import CAPTION_TEXT, Sections, clean_inline, footnote_mark
from ingest.loaders.hyphenation import LineJoiner
from ingest.loaders.pdf_lines import Line

EDGE_LINES = 3  # how many lines at the top and bottom of a page may be header or footer
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-\u2013(\[]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-\u2013)\]]?"
    r"(?:\s*(?:/|van|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^[\u2022\u00b7\u25aa\u25e6\u2023\u25cf\u25cb\u25a0\u25a1\u27a2\u25ba\u2713"
    r"\uf0b7\uf0a7\uf076\uf0d8\uf0fc*\-\u2013]\s+"
)
_BULLET_GLYPH = re.compile(r"^[\u2022\u25aa\u25e6\u2023\u25cf\u25cb\u25a0\u25a1\u27a2\u25ba\uf0b7\uf0a7\uf0d8]\s+")
_ENUMERATOR = re.compile(r"^(?:\d{1,2}|[a-z])[.)]\s+")
_PLAIN_NOTE_NUMBER = re.compile(r"^(\d{1,3})\s+(?=[^\W\d])")  # "3 Bron: ...", not "10 20 30"
_RAISED_NUMBER = re.compile(r"\u207d(\d+)\u207e")  # a footnote reference as `footnote_mark` writes it
_PLAIN_DIGITS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_SENTENCE_END = re.compile(r"[.!?:;][\"'\u2019\u201d)\]]*$")
_FULL_STOP = re.compile(r"[.!?][\"'\u2019\u201d)\]]*$")


@dataclass
class PageText:
    number: int
    height: float
    lines: list[Line]
    footnotes: list[Line] = field(default_factory=list)


@dataclass
class _Run:
    kind: str
    lines: list[Line]
    level: int = 0

    @property
    def first(self) -> Line:
        return self.lines[0]


@dataclass
class _Out:
    kind: str
    text: str
    section: tuple[str, ...]
    page: int
    level: int = 0


def body_size(pages: list[PageText]) -> float:
    sizes: Counter = Counter()
    for page in pages:
        for line in page.lines:
            if not line.cells:
                sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def drop_furniture(pages: list[PageText]) -> None:
    """Remove running headers/footers (digits ignored, so "Pagina 3 van 10" repeats) and page numbers.

    A line at the edge of at least half the pages is furniture. So is one printed in the same place on a
    few pages (`RUNNING_PAGES`) in small or body-size type, not bold: a chapter's own running header
    ("Hoofdstuk 2 | Aanpak" over its six pages of a sixty-page report) stood in the text on every page of
    it. A heading that opens several pages (each case's "Aanleiding") is larger or bold, and stays. A
    document of one page repeats nothing: there the first or last line is furniture when it stands in the
    paper's outer 4%, smaller than the body and well apart from it (a browser's date and title above a
    printed page, its address and "1/1" below)."""
    counts: Counter = Counter()
    placed: Counter = Counter()
    body = body_size(pages)
    for page in pages:
        edge = _edge_lines(page.lines)
        counts.update({_furniture_key(line) for line in edge})
        placed.update({_placed_key(line) for line in edge if _plain(line, body)})
    n = len(pages)
    threshold = max(3, math.ceil(n / 2)) if n >= 3 else 2
    for page in pages:
        edge = {id(line) for line in _edge_lines(page.lines)}
        page.lines = [
            line
            for line in page.lines
            if id(line) not in edge
            or not (
                (n >= 2 and counts[_furniture_key(line)] >= threshold)
                or (_plain(line, body) and placed[_placed_key(line)] >= RUNNING_PAGES)
                or (_PAGE_NUMBER.match(line.text) and not 0.15 * page.height < line.top < 0.85 * page.height)
                or (n == 1 and _apart_at_edge(page, line, body))
            )
        ]


def _apart_at_edge(page: PageText, line: Line, body: float) -> bool:
    """The page's first or last line, in its outer 4%, in small type, two body lines or more from the next."""
    lines = page.lines
    if len(lines) < 2 or line.size >= body - 0.5:
        return False
    if line is lines[0] and line.top < 0.04 * page.height:
        return lines[1].top - line.base >= 2 * body
    if line is lines[-1] and line.base > 0.96 * page.height:
        return line.top - lines[-2].base >= 2 * body
    return False


RUNNING_PAGES = 3  # pages that print the same plain line in the same place at their edge: a running header


def _plain(line: Line, body: float) -> bool:
    return not line.bold and line.size <= body + 0.25


def _placed_key(line: Line) -> tuple:
    """The line (digits ignored) and where it stands, to the nearest 2 pt."""
    return _furniture_key(line), round(line.top / 2), round(line.x0 / 2)


def _edge_lines(lines: list[Line]) -> list[Line]:
    edge = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    return [line for line in edge if not line.starts_with_marker and not line.cells]


def _furniture_key(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())


def split_footnotes(page: PageText, body: float) -> None:
    """Small print at the bottom of the page, from the first line that opens with a note number."""
    start = len(page.lines)
    while (
        start
        and not page.lines[start - 1].cells  # a table in small print at the foot is no footnote
        and page.lines[start - 1].top > page.height * 0.5
        and (page.lines[start - 1].size < body * 0.95 or page.lines[start - 1].starts_with_marker)
    ):
        start -= 1
    referenced = {int(n) for line in page.lines[:start] for n in _RAISED_NUMBER.findall(line.text.translate(_PLAIN_DIGITS))}
    for i in range(start, len(page.lines)):
        if _opens_notes(page.lines[i], referenced):
            page.lines, page.footnotes = page.lines[:i], page.lines[i:]
            return


def _opens_notes(line: Line, referenced: set[int]) -> bool:
    """A raised number opens the page's notes; a plain one ("3 Bron: ...") only when the text above refers to
    it: small print under a table or a code listing opens its lines with numbers too ("4 CARD32 N_MATCHES")."""
    if line.starts_with_marker:
        return True
    number = _PLAIN_NOTE_NUMBER.match(line.text)
    return bool(number) and int(number.group(1)) in referenced


def _opens_note(line: Line) -> bool:
    return line.starts_with_marker or bool(_PLAIN_NOTE_NUMBER.match(line.text))


def line_pitch(pages: list[PageText], body: float) -> float:
    """The usual distance between baselines in body text: wider means a new paragraph."""
    gaps = []
    for page in pages:
        for prev, line in zip(page.lines, page.lines[1:]):
            gap = line.base - prev.base
            if (
                abs(prev.size - body) < 0.6
                and abs(line.size - body) < 0.6
                and 0 < gap < 2.5 * body
                and not (prev.cells or line.cells)
            ):
                gaps.append(gap)
    return statistics.median(gaps) if gaps else body * 1.2


def left_margin(pages: list[PageText], body: float) -> float:
    starts = Counter(round(line.x0) for page in pages for line in page.lines if abs(line.size - body) < 0.6 and not line.cells)
    return starts.most_common(1)[0][0] if starts else 0.0


class BlockBuilder:
    def __init__(self, pages: list[PageText], joiner: LineJoiner):
        self.pages = pages
        self.joiner = joiner
        self.body = body_size(pages)
        self.pitch = line_pitch(pages, self.body)
        self.margin = left_margin(pages, self.body)
        body_lines = [line for page in pages for line in page.lines if abs(line.size - self.body) < 0.6 and not line.cells]
        # bold marks a heading only where the body text itself is not bold
        self.bold_headings = sum(line.bold for line in body_lines) < 0.5 * max(len(body_lines), 1)

    def blocks(self) -> list[Block]:
        runs_per_page = [self._runs(page.lines) for page in self.pages]
        self._assign_levels([run for runs in runs_per_page for run in runs])
        sections = Sections()
        out: list[_Out] = []
        last_paragraph: _Out | None = None
        for page, runs in zip(self.pages, runs_per_page):
            for i, run in enumerate(runs):
                text = self._text(run)
                if not text:
                    continue
                if i == 0 and run.kind == "paragraph" and last_paragraph and _runs_on(last_paragraph.text, text):
                    text = self._continue(last_paragraph, text)
                    if not text:
                        continue
                if run.kind == "heading":
                    heading = sections.heading(text, run.level)
                    out.append(_Out("heading", text, heading.section_path, page.number, run.level))
                    continue
                if run.kind == "table" and out and out[-1].kind == "paragraph" and CAPTION_TEXT.match(out[-1].text):
                    out[-1].kind = "caption"  # "Tabel 2: ..." right above it names the table
                out.append(_Out(run.kind, text, sections.path, page.number))
            # a list item runs on over the page turn like a paragraph (its next lines hang under its text)
            last_paragraph = out[-1] if out and out[-1].kind in ("paragraph", "list_item") and runs else None
            for note in self._footnotes(page.footnotes):
                out.append(_Out("footnote", note, sections.path, page.number))
        return [
            Block(text=text, kind=o.kind, section_path=o.section, page=o.page, level=o.level)
            for o in out
            if (text := o.text if o.kind == "table" else clean_inline(o.text))
        ]

    def _runs(self, lines: list[Line]) -> list[_Run]:
        runs: list[_Run] = []
        asides: list[_Run] = []  # a box's or a float's runs, held until the paragraph they stand in has ended
        for line in lines:
            into = asides if line.aside else runs
            kind = self._kind(line, into[-1] if into else None)
            if into and self._continues(into[-1], line, kind):
                into[-1].lines.append(line)
            elif into and into[-1].kind == "heading" and kind == "paragraph" and self._lead_in(into[-1], line):
                lead = into[-1]
                lead.kind = "list_item" if _BULLET.match(lead.first.text) or _ENUMERATOR.match(lead.first.text) else "paragraph"
                lead.lines.append(line)
            else:
                if not line.aside:
                    runs += asides
                    asides = []
                into.append(_Run(kind, [line]))
        runs += asides
        for run in runs:  # a "heading" of many lines, of two sentences or in quotation marks is emphasised prose
            if run.kind == "heading" and (len(run.lines) > 3 or _prose(" ".join(ln.text for ln in run.lines))):
                run.kind = "paragraph"
        return runs

    def _kind(self, line: Line, previous: _Run | None) -> str:
        if line.cells:
            return "table"
        if self._heading_like(line) and not self._goes_on(line, previous):
            return "heading"
        if _BULLET.match(line.text) or _ENUMERATOR.match(line.text):
            prev = previous.lines[-1] if previous else None
            if (
                prev is None
                or _BULLET_GLYPH.match(line.text)  # a dash or a number may go on a sentence, a bullet never does
                or line.x0 > self.margin + 3
                or previous.kind in ("list_item", "heading")  # a list right under its heading
                or _BULLET.match(prev.text)  # the line above is an item too
                or _SENTENCE_END.search(prev.text)
                or line.base - prev.base > self.pitch * 1.25 + 1
            ):
                return "list_item"
        return "paragraph"

    def _goes_on(self, line: Line, previous: _Run | None) -> bool:
        """Bold words of body size that open in lower case go on a sentence from the line (or the column)
        before, unless they go on a heading ("Business" / "data-analist")."""
        return line.text[:1].islower() and line.size < self.body * 1.05 and (previous is None or previous.kind != "heading")

    def _lead_in(self, heading: _Run, line: Line) -> bool:
        """Is a "heading" in bold body type the bold opening words of the text that runs on in the next line?

        "**1. Een vaardige projectleider en een gedreven** / innovatieteam – een ..." is one item, not a
        heading over a paragraph that starts mid-sentence: the next line, at ordinary line spacing and the
        same size, goes on with a word in lower case."""
        last = heading.lines[-1]
        first_word = line.text.split(None, 1)[0] if line.text.strip() else ""
        return (
            all(abs(ln.size - self.body) < 0.6 for ln in heading.lines)
            and abs(line.size - last.size) < 0.6
            and 0 < line.base - last.base <= self.pitch * 1.25 + 1
            and first_word.isalpha()
            and first_word.islower()
            and not _FULL_STOP.search(last.text)  # "Vragen die het onderzoek oproept:" / "waarom is ..." runs on
        )

    def _heading_like(self, line: Line) -> bool:
        if not any(ch.isalpha() for ch in line.text) or len(line.text) > 200 or _BULLET_GLYPH.match(line.text):
            return False  # a bulleted line in bold is an item's bold opening, never a heading
        if line.size >= self.body * 1.15:
            return True
        if line.size >= self.body * 1.05 and (line.bold or line.italic):
            return True
        return (
            self.bold_headings
            and line.bold
            and line.size >= self.body - 0.5
            and len(line.text) <= 120
            and not line.text.endswith((".", ",", ";"))
        )

    def _continues(self, run: _Run, line: Line, kind: str) -> bool:
        if run.kind == "table" or kind == "table":
            return False
        prev = run.lines[-1]
        gap = line.base - prev.base
        if run.kind == "heading" or kind == "heading":
            same_style = (
                run.kind == kind and abs(line.size - prev.size) < 0.5 and line.bold == prev.bold and line.italic == prev.italic
            )
            return same_style and 0 < gap <= prev.size * 1.6
        if gap < 0 and line.x0 > prev.x1 and kind == "paragraph" and abs(line.size - prev.size) <= 0.6:
            # up and to the right: the sentence (of a paragraph or a list item) goes on in the next column
            return run.kind in ("paragraph", "list_item") and _runs_on(prev.text, line.text)
        limit = self.pitch * 1.25 + 1 if abs(prev.size - self.body) < 0.6 else prev.size * 1.6
        if not 0 < gap <= limit or abs(line.size - prev.size) > 0.6 or kind == "list_item":
            return False
        if run.kind == "list_item":  # wrapped item lines hang under the item's text
            return line.x0 > run.first.x0 + 2
        return True

    def _assign_levels(self, runs: list[_Run]) -> None:
        headings = [run for run in runs if run.kind == "heading"]
        large = sorted({_size_class(r.first.size) for r in headings if r.first.size >= self.body * 1.05}, reverse=True)
        for run in headings:
            size = _size_class(run.first.size)
            run.level = large.index(size) + 1 if size in large else len(large) + 1

    def _text(self, run: _Run) -> str:
        if run.kind == "table":
            return run.first.text
        text = ""
        for line in run.lines:
            text = self.joiner.join(text, line.text) if text else line.text
        if run.kind == "list_item":
            text = _BULLET.sub("", text, count=1)
        return text

    def _continue(self, paragraph: _Out, text: str) -> str:
        """Move the end of a sentence broken by the page turn back to where it began."""
        sentences = split_sentences(text)
        end = text.find(sentences[0]) + len(sentences[0]) if sentences else len(text)
        paragraph.text = self.joiner.join(paragraph.text, text[:end])
        return text[end:].strip()

    def _footnotes(self, lines: list[Line]) -> list[str]:
        notes: list[str] = []
        for line in lines:
            if _opens_note(line) or not notes:
                text = (
                    line.text
                    if line.starts_with_marker
                    else _PLAIN_NOTE_NUMBER.sub(lambda m: footnote_mark(m.group(1)) + " ", line.text, 1)
                )
                notes.append(text)
            else:
                notes[-1] = self.joiner.join(notes[-1], line.text)
        return notes


def _prose(text: str) -> bool:
    """Large type that is not a heading: over 200 characters, two sentences, or a pull quote ("Data is geen
    doel op zich." in 15 pt between two paragraphs), which as a heading was no quotable sentence and became
    the section of the paragraphs after it."""
    return len(text) > 200 or bool(_TWO_SENTENCES.search(text) or _PULL_QUOTE.match(text))


_TWO_SENTENCES = re.compile(r"(?<=[^\W\d_]{3})[.!?]\s+[A-Z\u201e\u201c\"]")
# opening quote, at least a few words, closing quote, perhaps who said it ("... maken." – wethouder Jansen)
_PULL_QUOTE = re.compile(
    r"^[\u201e\u201c\u201d\"'\u2018\u00ab]\s*[^\W\d_].{10,}[\u201d\u201c\"'\u2019\u00bb](?:\s*[-\u2013\u2014,]\s*\S.{0,60})?$"
)


def _size_class(size: float) -> float:
    return round(size * 2) / 2


def _runs_on(previous: str, text: str) -> bool:
    """Does `text`, at the top of a page, continue the sentence that ended the page before?"""
    previous = previous.rstrip("\u00ad ")
    return bool(previous) and not _SENTENCE_END.search(previous) and not text[0].isupper()
