"""What every backend says when the sources do not answer the question.

Honesty is the product: say so plainly, then show the closest passages so the
user can judge for themselves. One wording for all backends.
"""

from __future__ import annotations

from assistant.schema import Answer, Citation, Passage
from assistant.text import line_sections, split_sentences

MESSAGES = {
    "nl": "Dat staat niet in de beschikbare bronnen. De passages hieronder komen het dichtst in de buurt; "
    "controleer zelf of ze uw vraag beantwoorden.",
    "en": "The available sources do not answer this. The passages below come closest; "
    "check for yourself whether they answer your question.",
}
NO_PASSAGES = {
    "nl": "Dat staat niet in de beschikbare bronnen, en er zijn geen passages die in de buurt komen. "
    "Zijn er documenten ingelezen (`datalessen ingest`)?",
    "en": "The available sources do not answer this, and no passage comes close. "
    "Have any documents been ingested (`datalessen ingest`)?",
}


QUOTE_JOINER = " … "


def citation_for(n: int, passage: Passage, quotes: str | list[str]) -> Citation:
    """A citation of one passage; several quoted sentences from it share its number."""
    quotes = [quotes] if isinstance(quotes, str) else list(quotes)
    return Citation(
        n=n,
        chunk_id=passage.chunk_id,
        doc_id=passage.doc_id,
        title=passage.title,
        section=quoted_section(passage, quotes),
        page=passage.page_label,
        quote=QUOTE_JOINER.join(quotes),
        score=round(float(passage.score), 4),
        source=passage.source,
        passage_text=passage.text,
        quotes=quotes,
    )


def quoted_section(passage: Passage, quotes: list[str]) -> str:
    """The section the first quote stands in: in a chunk of merged small sections, its own subsection."""
    if quotes:
        for line, section in zip(passage.text.split("\n"), line_sections(passage.section or "", passage.text)):
            if quotes[0] in line:
                return section
    return passage.section


def opening_sentence(text: str) -> str:
    """The first real sentence of a passage (not a list number or a lone label)."""
    sentences = [s for line in text.split("\n") for s in split_sentences(line)]
    return next((s for s in sentences if len(s.split()) >= 5), sentences[0] if sentences else text)


def abstain(
    question: str,
    passages: list[Passage],
    language: str = "nl",
    *,
    closest: int = 3,
    backend: str = "extractive",
    standalone_question: str = "",
    warnings: list[str] | None = None,
    reason: str = "weak_evidence",
) -> Answer:
    shown = passages[:closest]
    citations = [citation_for(i, p, opening_sentence(p.text)) for i, p in enumerate(shown, 1)]
    text = (MESSAGES if shown else NO_PASSAGES)[language if language in MESSAGES else "nl"]
    return Answer(
        question=question,
        text=text,
        citations=citations,
        passages=passages,
        abstained=True,
        abstention_reason=reason if shown else "no_passages",
        standalone_question=standalone_question or question,
        language=language,
        backend=backend,
        warnings=list(warnings or []),
    )
