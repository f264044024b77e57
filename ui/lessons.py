"""A theme across the report and all cases: the facilitator's view.

For a theme (one of the presets below, named after what the corpus itself names,
or free text) the report-level documents come first — an ingested report (kind
`report`, or `document` as an uploaded file is), then the overview — because that
is where the lessons across cases are written; then every case document, each
searched on its own (filter `document=<file>`). Every row says what its source
says about the theme: quotes, only that it is not known (the source's own words),
or nothing. Which of the three is read from `Answer.abstention_reason`, never from
the answer's wording. Nothing here retrieves or scores by itself: it composes
`Assistant.documents`, `.retrieve`, `.quote` and `.document_passages`.

    themes = workshop(bot, ["Opschaling", "Privacy en ethiek"])  # citations numbered across both
    for row in themes[0].report_rows + themes[0].case_rows:
        print(row.title, row.status, row.quotes or row.note)

The presets are constants: the corpus profile (`corpus/profile.toml`) did not exist
when this was written; when it names themes, they belong there.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from assistant.abstention import citation_for
from assistant.profile import load_profile
from assistant.retrieval import facet_value
from assistant.schema import Answer, Citation, Passage
from assistant.text import section_parts

# label shown to the user -> search texts, tried in order per document (the first that a document's
# passages answer wins). The first seven are the success factors (kernfactoren) as the overview
# document names them; then themes the case documents have sections on. Later texts are the
# words the case documents themselves use for the theme.
PRESETS: dict[str, tuple[str, ...]] = {
    "Vaardige projectleider": ("vaardige projectleider", "projectleider"),
    "Multidisciplinair innovatieteam": ("multidisciplinair innovatieteam", "multidisciplinair team", "data-analyseteam"),
    "Drijfveren om te vernieuwen": ("drijfveren om te vernieuwen", "motivatie om te vernieuwen"),
    "Leren van de markt": ("leren van de markt", "marktpartij", "adviesbureau"),
    "Informeel en cyclisch leren": ("informeel en cyclisch leren", "prototype"),
    "Betrokkenheid van eindgebruikers": ("betrokkenheid van eindgebruikers", "eindgebruiker"),
    "Ruimte, vertrouwen en budget van het management": ("ruimte, vertrouwen en budget van het management", "budget"),
    "Opschaling": ("opschaling naar andere gemeenten", "opschaling", "overgenomen door andere gemeenten"),
    "Privacy en ethiek": ("privacy en ethiek", "privacy", "ethische toets", "DPIA"),
    "Menselijke tussenkomst": ("menselijke tussenkomst", "medewerker beslist zelf"),
    "Samenwerking": ("samenwerking",),
}

# documents whose statements are about the report as a whole, the report itself first
REPORT_KINDS = ("report", "document", "overview")
CASE_KIND = "case"

# what a row says about the theme
SAYS = "says"  # quotes on the theme
UNKNOWN = "unknown"  # only the source's own statement that it is not known (quoted)
NOTHING = "nothing"  # no passage on the theme
NOTES = {
    UNKNOWN: "De bron zegt zelf dat dit onbekend is.",
    NOTHING: "Geen passage over dit thema in deze bron.",
}
NOT_THE_REPORT = (
    "Het rapport zelf is niet ingelezen: het overzicht en de cases zijn samengesteld uit openbare bronnen "
    "over het rapport. Wat het rapport zelf over dit thema zegt, is dus onbekend."
)

# Within one document some sentence always shares a word with the theme; a row may only show a
# document as speaking to the theme when a sentence covers a good part of it.
LESSON_EVIDENCE_FLOOR = 0.35
PER_CASE = 2  # passages quoted together per case (one answer)
PER_REPORT = 3  # passages per report-level document, each quoted on its own: that is where the lessons are
MOST_REPORT_QUOTES = 6
MOST_OPTIONS = 5  # "opties voor acties" per theme and document: a handout keeps it short


@dataclass
class LessonRow:
    title: str  # the document's title
    document: str  # its file name (the `document` filter value)
    doc_id: str
    gemeente: str = ""
    domein: str = ""
    kind: str = ""
    query: str = ""  # the search text whose answer is shown
    quotes: list[tuple[str, int]] = field(default_factory=list)  # (verbatim sentence, citation number)
    citations: list[Citation] = field(default_factory=list)  # numbered across the whole handout
    status: str = NOTHING

    @property
    def found(self) -> bool:
        """Something on the theme is quoted (its statement that it is not known counts as nothing)."""
        return self.status == SAYS

    @property
    def note(self) -> str:
        return NOTES.get(self.status, "")


@dataclass
class ThemeLessons:
    theme: str
    report_rows: list[LessonRow] = field(default_factory=list)
    case_rows: list[LessonRow] = field(default_factory=list)
    options: list[LessonRow] = field(default_factory=list)  # 'opties voor acties' the sources give for the theme
    report_ingested: bool = False  # a document of kind report/document is in the store

    def count(self, status: str) -> int:
        return sum(1 for r in self.case_rows if r.status == status)

    def count_sentence(self) -> str:
        """How many cases say something, how many only that it is unknown, how many nothing."""
        total = len(self.case_rows)
        if not total:
            return "Er zijn geen case-documenten ingelezen."
        says, unknown, nothing = self.count(SAYS), self.count(UNKNOWN), self.count(NOTHING)
        return (
            f"{says} van de {total} cases {'zegt' if says == 1 else 'zeggen'} iets over dit thema; "
            f"{unknown} {'zegt' if unknown == 1 else 'zeggen'} alleen dat het onbekend is; "
            f"{nothing} {'heeft' if nothing == 1 else 'hebben'} er geen passage over."
        )

    @property
    def citations(self) -> list[Citation]:
        return [c for r in self.report_rows + self.case_rows + self.options for c in r.citations]


def theme_queries(theme: str) -> tuple[str, ...]:
    """The search texts for a preset label (case-insensitive), or free text as given."""
    theme = " ".join((theme or "").split())
    for label, queries in PRESETS.items():
        if theme.casefold() == label.casefold():
            return queries
    return (theme,) if theme else ()


def split_themes(text: str) -> list[str]:
    """'opschaling; open data' -> ['opschaling', 'open data'] (a comma may sit inside a preset's name)."""
    return [t for t in (" ".join(part.split()) for part in re.split(r"[;\n]", text or "")) if t]


def _kind(doc: dict) -> str:
    return facet_value(doc.get("kind", "")).casefold()


def case_documents(assistant) -> list[dict]:
    """The ingested documents of kind 'case', in file order."""
    return [d for d in assistant.documents() if _kind(d) == CASE_KIND]


def report_documents(assistant) -> list[dict]:
    """The report-level documents: an ingested report first, then other documents, then the overview."""
    docs = [d for d in assistant.documents() if _kind(d) in REPORT_KINDS]
    return sorted(docs, key=lambda d: REPORT_KINDS.index(_kind(d)))


def _status(answer: Answer | None) -> str:
    if answer is None or not answer.citations:
        return NOTHING
    if not answer.abstained:
        return SAYS
    return UNKNOWN if answer.abstention_reason == "sources_say_unknown" else NOTHING


def _row(doc: dict) -> LessonRow:
    return LessonRow(
        title=doc.get("title", ""),
        document=doc.get("document", ""),
        doc_id=doc.get("doc_id", ""),
        gemeente=str(doc.get("gemeente", "")),
        domein=str(doc.get("domein", "")),
        kind=_kind(doc),
    )


def _quote(assistant, query: str, passages: list[Passage]) -> Answer | None:
    return assistant.quote(query, passages, min_evidence=LESSON_EVIDENCE_FLOOR) if passages else None


def _case_answers(assistant, query: str, document: str) -> list[Answer]:
    passages = assistant.retrieve(query, filters={"document": document}, k=PER_CASE)
    answer = _quote(assistant, query, passages)
    return [answer] if answer else []


def _report_answers(assistant, query: str, document: str) -> list[Answer]:
    """Each paragraph or list item of the best passages quoted on its own: a report's passage on a
    theme often holds several lessons, and one answer over it would keep the best two or three
    of many sentences that tie. The citations keep the whole passage, so the quote shows in context."""
    answers = []
    for p in assistant.retrieve(query, filters={"document": document}, k=PER_REPORT):
        for line in p.text.split("\n"):
            answer = _quote(assistant, query, [replace(p, text=line)]) if len(line.split()) >= 4 else None
            if answer is not None:
                answer.citations = [replace(c, passage_text=p.text) for c in answer.citations]
                answers.append(answer)
    return answers


def _best(queries, answers_for) -> tuple[str, list[Answer], str]:
    """The first search text whose answers say something; else the first whose source says it
    does not know; else nothing. Returns (query, answers, status)."""
    fallback = None
    for query in queries:
        answers = answers_for(query)
        statuses = {_status(a) for a in answers}
        if SAYS in statuses:
            return query, [a for a in answers if _status(a) == SAYS], SAYS
        if UNKNOWN in statuses and (fallback is None or fallback[2] == NOTHING):
            fallback = (query, [a for a in answers if _status(a) == UNKNOWN], UNKNOWN)
        elif fallback is None:
            fallback = (query, [], NOTHING)
    return fallback or ("", [], NOTHING)


def _fill(row: LessonRow, answers: list[Answer], numbers, most: int | None = None) -> None:
    """The answers' quotes in order, deduplicated, up to `most`; one citation per passage, numbered
    from the shared counter."""
    by_chunk: dict[str, int] = {}  # chunk id -> index in row.citations
    for answer in answers:
        for c in answer.citations:
            taken = {q for q, _ in row.quotes}
            quotes = [q for q in dict.fromkeys(c.quotes or [c.quote]) if q not in taken]
            if most is not None:
                quotes = quotes[: max(most - len(row.quotes), 0)]
            if not quotes:
                continue
            if c.chunk_id in by_chunk:
                i = by_chunk[c.chunk_id]
                known = row.citations[i]
                merged = list(known.quotes) + quotes
                row.citations[i] = replace(known, quotes=merged, quote=" … ".join(merged))
                n = known.n
            else:
                n = next(numbers)
                by_chunk[c.chunk_id] = len(row.citations)
                row.citations.append(replace(c, n=n, quotes=quotes, quote=" … ".join(quotes)))
            row.quotes += [(q, n) for q in quotes]


def _lesson_row(assistant, doc: dict, queries, numbers, *, report_level: bool) -> LessonRow:
    row = _row(doc)
    answers_for = _report_answers if report_level else _case_answers
    row.query, answers, row.status = _best(queries, lambda q: answers_for(assistant, q, row.document))
    _fill(row, answers, numbers, MOST_REPORT_QUOTES if report_level else None)
    if not row.quotes:
        row.status = NOTHING
    return row


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def action_options(assistant, doc: dict, theme: str, queries, numbers) -> LessonRow | None:
    """The theme's own 'opties voor acties': the items of such a section inside a chapter whose
    heading names the theme, verbatim; which headings hold such options is the corpus profile's
    `action_headings`. None when the document has none for this theme (or the profile names none)."""
    headings = load_profile(assistant.settings).action_headings
    if headings is None:
        return None
    names = [_folded(t) for t in (theme, *queries) if t.strip()]
    chosen: list[tuple[Passage, list[str]]] = []
    for p in assistant.document_passages(doc.get("doc_id", "")):
        for section, lines in section_parts(p.section or "", p.text):
            parts = [part.strip() for part in section.split(" > ")]
            if len(parts) < 2 or not headings.search(parts[-1]):
                continue
            if not any(name in _folded(part) for part in parts[:-1] for name in names):
                continue
            items = [line.strip() for line in lines if len(line.split()) >= 3]
            items = [line for line in items if not headings.fullmatch(line.rstrip(":"))]
            if items:
                chosen.append((p, items))
    if not chosen:
        return None
    row = _row(doc)
    row.status, row.query = SAYS, "opties voor acties"
    for p, items in chosen:
        items = items[: MOST_OPTIONS - len(row.quotes)]
        if not items:
            break
        n = next(numbers)
        row.citations.append(citation_for(n, p, items))
        row.quotes += [(item, n) for item in items]
    return row


def lessons(assistant, theme: str, *, numbers=None) -> ThemeLessons:
    """The report-level rows, one row per case document, and the theme's 'opties voor acties'.
    `numbers` (an iterator of citation numbers) is shared when several themes make one handout."""
    queries = theme_queries(theme)
    if not queries:
        raise ValueError("empty theme")
    numbers = numbers if numbers is not None else itertools.count(1)
    theme = " ".join(theme.split())
    reports = report_documents(assistant)
    result = ThemeLessons(theme=theme, report_ingested=any(_kind(d) != "overview" for d in reports))
    for doc in reports:
        result.report_rows.append(_lesson_row(assistant, doc, queries, numbers, report_level=True))
    for doc in case_documents(assistant):
        result.case_rows.append(_lesson_row(assistant, doc, queries, numbers, report_level=False))
    for doc in reports:
        options = action_options(assistant, doc, theme, queries, numbers)
        if options is not None:
            result.options.append(options)
    return result


def workshop(assistant, themes: list[str]) -> list[ThemeLessons]:
    """Several themes for one handout: citations numbered once across all of them."""
    numbers = itertools.count(1)
    unique: dict[str, str] = {}  # the same theme typed twice is asked once
    for theme in themes:
        theme = " ".join((theme or "").split())
        if theme:
            unique.setdefault(theme.casefold(), theme)
    if not unique:
        raise ValueError("no theme")
    return [lessons(assistant, theme, numbers=numbers) for theme in unique.values()]
