"""Follow-up questions offered under an answer, built from the corpus itself.

Nothing here states a fact: each suggestion is a question about a part of the corpus that
exists, so asking it leads somewhere. They come from the cited documents' own structure
(the other sections of the document the answer quotes first, in document order) and
their facets (other documents about the same gemeente). An answer that found no passage
gets none: there is nothing to follow up on.

    suggest(answer, passages_of=assistant.document_passages, documents=assistant.documents())
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.schema import Answer, Passage

MOST = 3
# sections that list sources or notes: a question about them leads to a list of links, not to content
_EDITORIAL = re.compile(r"\b(bronnen|bronvermelding|literatuur|referenties|noten|voetnoten|colofon|inhoud(sopgave)?)\b", re.I)
_KIND_PREFIX = re.compile(r"^(case|case-onderwerp|context)\s*:\s*", re.I)


def short_title(title: str) -> str:
    """'Case: Slim vegen – gemeente Utrecht' -> 'Slim vegen – gemeente Utrecht'."""
    return _KIND_PREFIX.sub("", " ".join((title or "").split())).strip()


def section_leaf(section: str) -> str:
    return section.rsplit(" > ", 1)[-1].strip()


def _lower_first(text: str, names: set[str]) -> str:
    """'Lessen en opschaling' -> 'lessen en opschaling'; a name or abbreviation ('AVG', 'Utrecht') stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and text.split()[0].casefold() not in names:
        return text[0].lower() + text[1:]
    return text


def suggest(
    answer: Answer,
    passages_of: Callable[[str], list[Passage]],
    documents: list[dict],
    most: int = MOST,
) -> list[str]:
    """Up to `most` follow-up questions for `answer`; none when it found no passage to follow up on."""
    if not answer.citations:
        return []
    names = {str(d.get("gemeente", "")).split(" (")[0].casefold() for d in documents if d.get("gemeente")}
    asked = " ".join((answer.question or "").split()).casefold()
    cited_sections = {c.section for c in answer.citations}
    out: list[str] = []

    def offer(question: str) -> None:
        if question.casefold() != asked and question not in out and len(out) < most:
            out.append(question)

    first = answer.citations[0]
    passages = passages_of(first.doc_id) if first.doc_id else []
    title = short_title(first.title)
    seen: set[str] = set()
    for passage in passages:  # document order
        section = passage.section
        leaf = section_leaf(section)
        if section in seen or section in cited_sections or not leaf or leaf == passage.title or _EDITORIAL.search(leaf):
            continue
        seen.add(section)
        offer(f"Wat zeggen de bronnen over {_lower_first(leaf, names)} bij {title}?")
        if len(out) >= most - 1:
            break

    by_id = {d.get("doc_id"): d for d in documents}
    gemeente = str(by_id.get(first.doc_id, {}).get("gemeente", "")).split(" (")[0].strip()
    if gemeente and len(gemeente.split()) <= 3:
        others = [d for d in documents if d.get("doc_id") != first.doc_id and str(d.get("gemeente", "")).startswith(gemeente)]
        if others:
            offer(f"Welke andere projecten van {gemeente} beschrijven de bronnen?")
    return out
