"""One theme across all cases, side by side: the facilitator's view.

For a theme (one of the presets below, named after what the corpus itself names,
or free text) every case document is searched on its own (filter
`document=<file>`), and the extractive answerer quotes its best sentences. A
case without a passage on the theme says so. Nothing here retrieves or scores by
itself: it composes `Assistant.documents`, `Assistant.retrieve` and the
answerer.

    rows = lessons(bot, "opschaling")
    for row in rows:
        print(row.case, row.gemeente, row.quotes or row.note)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from assistant.abstention import MESSAGES, NO_PASSAGES
from assistant.retrieval import facet_value
from assistant.schema import Citation

# label shown to the user -> search texts, tried in order per case (the first that a case's
# passages answer wins). The first seven are the success factors (kernfactoren) as the
# overview document names them; then themes the case documents have sections on. Later
# texts are the words the case documents themselves use for the theme.
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
NOTHING = "geen passage over dit thema"
_ABSTENTIONS = set(MESSAGES.values()) | set(NO_PASSAGES.values())


@dataclass
class LessonRow:
    case: str  # the case document's title
    document: str  # its file name (the `document` filter value)
    doc_id: str
    gemeente: str
    domein: str
    query: str = ""  # the search text whose answer is shown
    quotes: list[tuple[str, int]] = field(default_factory=list)  # (verbatim sentence, citation number)
    citations: list[Citation] = field(default_factory=list)  # numbered across the whole table
    abstained: bool = False
    note: str = ""  # NOTHING plus the abstention when the case has no passage on the theme

    @property
    def found(self) -> bool:
        return bool(self.quotes)


def theme_queries(theme: str) -> tuple[str, ...]:
    """The search texts for a preset label (case-insensitive), or free text as given."""
    theme = " ".join((theme or "").split())
    for label, queries in PRESETS.items():
        if theme.casefold() == label.casefold():
            return queries
    return (theme,) if theme else ()


def case_documents(assistant) -> list[dict]:
    """The ingested documents of kind 'case', in file order."""
    return [d for d in assistant.documents() if facet_value(d.get("kind", "")).casefold() == "case"]


# Within one case document some sentence always shares a word with the theme; the table must
# only show a case as speaking to the theme when a sentence covers a good part of it.
LESSON_EVIDENCE_FLOOR = 0.35


def _extractive(assistant):
    """Always extractive (an LLM would paraphrase; the table promises verbatim quotes), with a stricter floor."""
    settings = assistant.settings.replace(abstain_threshold=max(assistant.settings.abstain_threshold, LESSON_EVIDENCE_FLOOR))
    return assistant.extractive_answerer(settings, by_coverage=True)


def lessons(assistant, theme: str, per_case: int = 2) -> list[LessonRow]:
    """One row per case document: its best quotes on `theme`, or a note that it has none.

    Per case the theme's search texts are tried in order; the first answer that is no
    abstention is kept, else the first in which the source says it does not know, else
    the abstention itself."""
    queries = theme_queries(theme)
    if not queries:
        raise ValueError("empty theme")
    answerer = _extractive(assistant)
    rows: list[LessonRow] = []
    number = 0
    for doc in case_documents(assistant):
        row = LessonRow(
            case=doc.get("title", ""),
            document=doc.get("document", ""),
            doc_id=doc.get("doc_id", ""),
            gemeente=str(doc.get("gemeente", "")),
            domein=str(doc.get("domein", "")),
        )
        chosen = fallback = None
        for query in queries:
            passages = assistant.retrieve(query, filters={"document": row.document}, k=per_case)
            answer = answerer.answer(query, passages) if passages else None
            if answer is None or answer.text in _ABSTENTIONS or not answer.citations:
                fallback = fallback or (query, answer)
                continue
            if not answer.abstained:
                chosen = (query, answer)
                break
            # built from sentences in which the source says it does not know: keep looking, but
            # "niet te vinden" is what the case document says, and a facilitator should see it
            if fallback is None or fallback[1] is None or fallback[1].text in _ABSTENTIONS:
                fallback = (query, answer)
        row.query, answer = chosen or fallback
        if answer is None or answer.text in _ABSTENTIONS or not answer.citations:
            row.abstained = True
            row.note = f"{NOTHING} — {answer.text if answer else NO_PASSAGES['nl']}"
        else:
            row.abstained = answer.abstained
            renumber = {}
            for c in answer.citations:
                number += 1
                renumber[c.n] = number
                row.citations.append(replace(c, n=number))
            for c in answer.citations:
                row.quotes += [(q, renumber[c.n]) for q in (c.quotes or [c.quote])]
            if answer.abstained:
                row.note = "de bron zegt zelf dat dit onbekend is"
        rows.append(row)
    return rows
