"""Training examples for the sentence ranker, from the gold sets and the real retrieval.

For every gold question: the standalone question, the retrieved top 10 (as the evaluation
retrieves), their candidate sentences with the library's own features, and per sentence
which key facts it holds and whether it is (part of) an evidence quote. The label of a
sentence is "answers": it holds a key fact and comes from an evidence document, or it
overlaps an evidence quote for most of its words; the rest are negatives.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.schema import Passage
from assistant.text import detect_language
from evals import metrics as m
from evals.gold import Question, checker, passage_document

RETRIEVAL_K = 10
QUOTE_OVERLAP = 0.6  # share of the shorter of sentence and quote that the other holds


@dataclass
class Example:
    """One gold question with its candidates."""

    gold_set: str
    question: Question
    standalone: str
    passages: list[Passage]
    features: np.ndarray  # one row per candidate
    similarity: np.ndarray | None  # SIMILARITY_FEATURES per candidate, when the store has sentence vectors
    sentences: list[str]
    passage_of: list[int]
    facts: list[frozenset]  # per candidate: the key facts it holds
    labels: np.ndarray  # per candidate: 1 = answers
    extra: dict = field(default_factory=dict)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", m.normalize_dutch(checker.collapse(text)))


def overlaps_quote(sentence: str, quotes: list[str], share: float = QUOTE_OVERLAP) -> bool:
    """Most of the shorter of sentence and quote is in the other, as a word multiset."""
    words = _words(sentence)
    for quote in quotes:
        q = _words(quote)
        shorter, longer = (words, q) if len(words) <= len(q) else (q, words)
        if not shorter:
            continue
        pool = list(longer)
        hits = 0
        for w in shorter:
            if w in pool:
                pool.remove(w)
                hits += 1
        if hits / len(shorter) >= share and hits >= 4:
            return True
    return False


def label_candidates(question: Question, sentences: list[str], documents: list[str]) -> tuple[list[frozenset], np.ndarray]:
    evidence_docs = {ev.document for ev in question.evidence}
    quotes = [ev.quote for ev in question.evidence]
    facts, labels = [], []
    for sentence, document in zip(sentences, documents):
        body = m.normalize_dutch(sentence)
        held = frozenset(i for i, f in enumerate(question.key_facts) if m.fact_found(f, body, normalized=True))
        facts.append(held)
        positive = question.answerable and (
            (held and document in evidence_docs) or (document in evidence_docs and overlaps_quote(sentence, quotes))
        )
        labels.append(int(bool(positive)))
    return facts, np.asarray(labels, dtype=np.int8)


def collect(assistant, gold_sets: dict[str, list[Question]], k: int = RETRIEVAL_K) -> list[Example]:
    """Retrieve for every question as the evaluation does, and describe its candidates with the
    answerer's own feature code."""
    answerer = assistant.extractive()
    examples = []
    for name, questions in gold_sets.items():
        for q in questions:
            standalone = assistant.standalone(q.question, list(q.history))
            passages = assistant.retrieve(standalone, k=k)
            language = detect_language(q.question)
            view, cands, rows, similarity = answerer.describe(
                q.question, passages, language=language, standalone_question=standalone
            )
            sentences = [c.sentence for c in cands]
            documents = [passage_document(passages[c.passage_index]) for c in cands]
            facts, labels = label_candidates(q, sentences, documents)
            examples.append(
                Example(
                    name,
                    q,
                    standalone,
                    passages,
                    rows,
                    similarity,
                    sentences,
                    [c.passage_index for c in cands],
                    facts,
                    labels,
                    extra={
                        "language": language,
                        "english": view.english,
                        "known_share": view.known_share,
                        "kind": view.kind,
                        "corpus": str(assistant.settings.store_dir),  # the store its questions are answered from
                    },
                )
            )
    return examples


def data_digest(examples: list[Example]) -> str:
    """SHA-256 of exactly what the model is fitted on: every feature row and label, in order."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(ex.question.id.encode())
        digest.update(np.ascontiguousarray(ex.features, dtype=np.float32).tobytes())
        if ex.similarity is not None:
            digest.update(np.ascontiguousarray(ex.similarity, dtype=np.float32).tobytes())
        digest.update(np.ascontiguousarray(ex.labels, dtype=np.int8).tobytes())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
