"""The shapes that flow from the store to the user: passages, citations, answers.

The CLI, the UI, the evaluations and every answer backend share these, so an
extractive answer and an LLM answer look the same to whoever shows them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache


@dataclass
class Passage:
    """One retrieved chunk with the metadata a citation needs."""

    chunk_id: str
    doc_id: str
    text: str
    title: str = ""
    section: str = ""
    page_start: int | None = None
    page_end: int | None = None
    source: str = ""
    metadata: dict = field(default_factory=dict)
    score: float = 0.0
    ranks: dict = field(default_factory=dict)  # e.g. {"bm25": 3, "dense": 1}

    @property
    def page_label(self) -> str:
        if self.page_start is None:
            return ""
        if self.page_end is None or self.page_end == self.page_start:
            return f"p. {self.page_start}"
        return f"p. {self.page_start}-{self.page_end}"


@dataclass
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: str
    quote: str
    score: float
    source: str = ""
    passage_text: str = ""  # the whole passage, so a UI can show the quote in context
    quotes: list[str] = field(default_factory=list)  # each verbatim in passage_text; `quote` joins them


# Why an answer abstained (`Answer.abstention_reason`), for code that must tell cases apart without
# reading the text: "" when it answered.
ABSTENTION_REASONS = {
    "no_passages": "no passage was retrieved at all (an empty store, or filters that match nothing)",
    "weak_evidence": "no sentence of the retrieved passages covers enough of the question",
    "off_topic": "the question is about something the documents do not cover",
    "sources_say_unknown": "the sources themselves say that what is asked for is not known (quoted)",
    "sources_differ": "one source says what is asked for is not known; another's closest sentence is quoted beside it",
    "value_missing": "the question asks for a number, amount or date that no quoted sentence holds",
    "model_declined": "the language model said the sources do not answer it",
    "no_checked_sentence": "no sentence of the language model's reply survived the citation checks",
}


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    abstained: bool = False
    abstention_reason: str = ""  # a key of ABSTENTION_REASONS when abstained
    standalone_question: str = ""
    language: str = "nl"
    backend: str = "extractive"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return plain(self)


_IMMUTABLE = (str, int, float, bool, type(None))


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value):
    """What `dataclasses.asdict` gives (nested dataclasses as dicts, containers copied), without its deep copy
    of every string and number: the app saves every answer this way, and that copy was most of the cost."""
    if isinstance(value, _IMMUTABLE):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    if type(value) in (list, tuple):
        return type(value)(plain(v) for v in value)
    if type(value) is dict:
        return {plain(k): plain(v) for k, v in value.items()}
    return copy.deepcopy(value)
