"""Answer backends: how a question and its retrieved passages become an `Answer`.

Every backend is an `Answerer`. The table below maps each value of the setting
`answer_backend` to the module that builds it; a module exposes
`build(context: AnswererContext) -> Answerer`. A new backend is one new module and
one line in BACKENDS (docs/extending.md shows an example); nothing else changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.schema import Answer, Passage
from assistant.settings import Settings

BACKENDS: dict[str, str] = {
    "extractive": "assistant.extractive",  # offline, verbatim quotes (the default)
    "openai": "assistant.llm_backends.openai",  # any OpenAI-compatible server: vLLM, LM Studio, Ollama's /v1
    "ollama": "assistant.llm_backends.ollama",
    "llamacpp": "assistant.llm_backends.llamacpp",  # a local GGUF file through llama-cpp-python
}


class Answerer(Protocol):
    backend_name: str
    # whether `stream` yields text before the final Answer; a UI that knows it will not can ask for the answer
    # in one reply (an answerer without this attribute is taken to stream)
    streams: bool

    def answer(
        self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = ""
    ) -> Answer: ...

    def stream(
        self, question: str, passages: list[Passage], *, language: str = "nl", standalone_question: str = ""
    ) -> Iterator[str | Answer]:
        """Text as it is produced (for display), then the final, checked `Answer`."""
        ...


@dataclass
class AnswererContext:
    """What a backend may use besides the passages: the settings and the corpus' term statistics."""

    settings: Settings
    term_weight: Callable[[str], float] = lambda term: 1.0  # rarity of a stemmed term in the corpus
    # question -> the rarity of a term among the chunks nearest that question (None: `term_weight`)
    term_weights: Callable[[str], Callable[[str], float]] | None = None
    known_term: Callable[..., bool] = lambda term, family=True: True  # (term, family) -> does the corpus use it?
    vocabulary_size: Callable[[], int] | None = None  # how many distinct terms the corpus uses (None: unknown)
    crosses_language: Callable[[str], bool] = lambda question: False  # in a language few documents are in?
    chat_model: Any = None  # a LangChain chat model given by the caller (tests), else the backend builds its own
    question_vector: Callable | None = None  # question -> its e5 vector (the one retrieval computed)
    sentence_vectors: Callable | None = None  # passages -> {chunk id: its sentences' e5 vectors}
    options: dict = field(default_factory=dict)  # backend-specific keyword arguments


def build_answerer(context: AnswererContext, backend: str | None = None) -> Answerer:
    name = backend or context.settings.answer_backend
    if name not in BACKENDS:
        raise ValueError(f"answer_backend {name!r} is unknown; choose one of: {', '.join(BACKENDS)}")
    return importlib.import_module(BACKENDS[name]).build(context)
