"""The candidate sentences of the retrieved passages, each described by features that hold for any
document: how much of the question it covers (rarity-weighted, word families included), where
its passage ranked and where it stands in it, whether its section matches, whether it has the
shape of answer the question asks for, its length, and whether it leads in a list.

The sentence ranker (`assistant/sentence_ranker.py`) scores these; training
(`evals/train_ranker.py`) computes them with this same code, so what was learned is what runs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.answer_types import (
    QUESTION_TYPES,
    asking_terms,
    asks_place,
    asks_quantity,
    enumerates,
    focus_terms,
    gives_place,
    gives_quantity,
    question_type,
    section_says_unknown,
    sentence_cues,
    type_match,
)
from assistant.profile import CorpusProfile
from assistant.recent import Recent, passage_key
from assistant.schema import Passage
from assistant.text import (
    family_keys,
    is_heading_line,
    line_sections,
    related,
    split_sentences,
    tokenize,
)

MIN_WORDS = 3
LONG_SENTENCE = 40
_TRAILING_URL = re.compile(r"\s*[—–-]\s*<?https?://\S+$")
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")

CUES = ("number", "year", "date", "name", "reason", "define", "share", "money", "unknown")
FEATURES = (
    "coverage",  # share of the question's weighted terms in the sentence (word family at 0.7)
    "coverage_context",  # the same with the passage's title and section counting at 0.5
    "coverage_relative",  # coverage / the best candidate's
    # coverage_relative of the sentence before and after it in its passage: an answer often continues the
    # sentence that holds the question's words ('Er kwamen nieuwe rollen bij. Zoals analist en beheerder.')
    "previous_relative",
    "next_relative",
    "context_relative",
    # coverage of the question's terms that the passage's title and section do not hold, less the words that say
    # what kind of answer is asked ('wat *houdt* ... in'; 1: nothing is left): under "Case: Slim vegen" every
    # sentence is about slim vegen, so what tells them apart is the rest of the question. The answerable model
    # reads the best of it among the top three (`top3_outside`)
    "coverage_outside",
    "focus_hit",  # the asked-for noun ('welke *gemeente*') or its family is in the sentence
    "rarest_hit",  # rarity of the rarest question term matched / of the rarest question term
    "matched_terms",
    "density",  # share of the question's weight matched, per sentence word (a share: a store that grows
    # makes every word rarer, and an absolute weight then shifted every score)
    "section_coverage",  # share of the question in the passage's title and section
    "passage_rank",
    "passage_score_relative",  # fused retrieval score / the best passage's
    "passage_dense",  # e5 question-passage similarity
    "passage_dense_gap",  # that minus the best passage's
    "passage_bm25_relative",
    "position",  # sentence number in the passage
    "position_relative",
    "first_in_passage",
    "words",
    "long",
    "lead_in",  # ends in ':' (a list follows)
    "asks",  # the sentence is a question itself: a source's own question (a survey item, a heading) rarely answers
    "table_row",
    "line_alone",  # the sentence is its line: a list item, heading or short paragraph
    "reference_section",
    "unknown_section",  # the passage's section lists what is not known
    *(f"cue_{c}" for c in CUES),
    "type_match",
    # a number question naming what it counts: the sentence gives that; a question after which municipality or
    # city: the sentence names a place (0.5: neither kind of question)
    "gives_asked",
    "list_enumerates",  # a 'welke/noem' question: the sentence lists three or more things (0.5: another question)
    *(f"type_{t}" for t in QUESTION_TYPES),
    "question_terms",
    "english",
)
# e5 similarity of question and sentence, from the sentence vectors stored at ingest (when a store has them)
SIMILARITY_FEATURES = ("similarity", "similarity_gap", "similarity_rank")
# A follow-up's terms carried over from the earlier question place it; the user's own words ask. At full
# weight the sentence that answered the earlier question won again (held out by document, docs/answering.md:
# the follow-ups' key facts 0.712 -> 0.780 on the digest, 0.654 -> 0.648 on the real documents at 0.3).
CARRIED_WEIGHT = 0.3
# The same for the e5 similarity: the standalone question's vector sits closest to the sentence that answered
# the earlier question, so a follow-up's sentences are compared with the mean of it and the vector of the
# user's own words (every follow-up of the development sets answered, shipped model: key facts 0.741 -> 0.779
# on the digest, 0.642 -> 0.694 on the real documents; docs/answering.md, thirty-first session)
OWN_WORDS_SHARE = 0.5


@dataclass
class Candidate:
    """One quotable sentence of a retrieved passage."""

    passage_index: int
    order: int  # sentence number within the passage (a list item quoted after its lead-in: fractional)
    sentence: str  # verbatim substring of the passage text
    tokens: frozenset
    line: int = 0
    sentence_index: int = 0  # position among `passage_sentences(passage.text)`: its stored vector
    score: float = 0.0  # the ranker's probability that it answers the question
    item: bool = False  # a list line quoted because the sentence before it introduces the list
    cues: dict = field(default_factory=dict)
    section: str = ""  # its own section path: a chunk of merged small sections holds several
    lead: Candidate | None = field(default=None, repr=False, compare=False)  # an item's lead-in


def sentence_texts(text: str, section: str, title: str = "") -> list[str]:
    """What ingest embeds for each sentence of a chunk: the sentence after its section (or title), so
    'Doel: voorspellen welke rijroutes ...' is about slim vegen to e5 too. Measured on the held-out
    folds: key-fact recall 0.715 with bare sentences, 0.753 with this context (docs/answering.md)."""
    out = []
    for line, path in zip(text.split("\n"), line_sections(section, text)):
        context = path or title  # a chunk of merged small sections: each line in its own subsection
        out += [f"{context}: {s}" if context else s for s in split_sentences(line)]
    return out


def quotable(sentence: str, profile: CorpusProfile) -> str:
    """The sentence without a label (the profile's), a trailing URL or a footnote reference ('18%[3].'),
    up to a footnote reference inside it: still a verbatim substring, and no '[3]' in an answer reads
    as a citation of source 3."""
    text = _TRAILING_URL.sub("", profile.quotable(sentence.strip())).strip()
    footnote = _FOOTNOTE.search(text)
    return text[: footnote.start()].rstrip() if footnote else text


@lru_cache(maxsize=50_000)
def sentence_tokens(sentence: str) -> frozenset:
    """A sentence's terms: the same sentences come back with every question about their passage."""
    return frozenset(tokenize(sentence))


@lru_cache(maxsize=50_000)
def one_sentence(line: str) -> bool:
    """The line is one sentence (a list item, a heading, a short paragraph): asked of every candidate's line
    with every question."""
    return len(split_sentences(line)) == 1


def candidates(passages: list[Passage], profile: CorpusProfile) -> list[Candidate]:
    """Every quotable sentence of the passages, in passage and reading order, without repeats
    (overlapping chunks hold some sentences twice: the better-ranked passage keeps it)."""
    seen: set[str] = set()
    out = []
    for pi, passage in enumerate(passages):
        order = 0
        for sentence, tokens, line_no, index, section in _QUOTABLE.of(passage, profile):
            if sentence in seen:
                continue
            seen.add(sentence)
            out.append(Candidate(pi, order, sentence, tokens, line_no, index, section=section))
            order += 1
    return out


class _QuotableSentences:
    """Each passage's quotable sentences, kept for the passages recent questions retrieved: the same
    passages come back with every question about their subject, and splitting, cleaning and checking
    their sentences again was a fifth of a new question's answer (docs/benchmarks.md)."""

    def __init__(self, kept: int = 8192):
        self.kept = Recent(kept)

    def of(self, passage: Passage, profile: CorpusProfile) -> tuple:
        key = (id(profile), passage_key(passage))
        held = self.kept.get(key)
        if held is not None and held[0] is profile:
            return held[1]
        found = tuple(_quotable_sentences(passage, profile))
        self.kept.put(key, (profile, found))  # the profile kept beside them: an id is reused once freed
        return found


def _quotable_sentences(passage: Passage, profile: CorpusProfile) -> Iterator[tuple]:
    """(sentence, its terms, line, its index among the passage's sentences, its section) in reading order."""
    index = -1
    sections = line_sections(passage.section or "", passage.text)
    for line_no, line in enumerate(passage.text.split("\n")):
        heading = is_heading_line(line)
        for sentence in split_sentences(line):
            index += 1
            if heading:
                continue
            sentence = quotable(sentence, profile)
            tokens = sentence_tokens(sentence)
            if len(sentence.split()) < MIN_WORDS or not tokens or profile.is_pointer(sentence):
                continue
            yield sentence, tokens, line_no, index, sections[line_no]


_QUOTABLE = _QuotableSentences()


class _Families:
    """Which tokens of a question's candidates are of each question term's word family, found once per
    question: asking `related` of every term and every token of every sentence was most of an answer's
    time for a question not asked before (its cache only helps pairs already seen). Only the words that
    share a bucket (`family_keys`) with a term can be related to it, so only those are asked."""

    def __init__(self, terms, vocabulary: frozenset):
        terms = list(dict.fromkeys(terms))
        # only the buckets of the question's terms are filled, in one pass over the candidates' words
        buckets: dict[str, list[str]] = {key: [] for t in terms for key in family_keys(t)}
        for word in vocabulary:
            for key in family_keys(word):
                bucket = buckets.get(key)
                if bucket is not None:
                    bucket.append(word)
        self.members = {
            t: frozenset(w for key in family_keys(t) for w in buckets[key] if w != t and related(t, w)) for t in terms
        }

    def match(self, term: str, tokens: frozenset) -> float:
        if term in tokens:
            return 1.0
        return 0.7 if not self.members[term].isdisjoint(tokens) else 0.0


@dataclass
class QuestionView:
    """What the features need to know about a question, computed once for all its candidates."""

    terms: list[str]
    weights: dict[str, float]
    kind: str
    focus: list[str]
    text: str
    english: bool
    known_share: float  # of the question's term weight, in words the corpus uses (or their family)

    @classmethod
    def of(
        cls,
        question: str,
        standalone: str,
        profile: CorpusProfile,
        term_weight: Callable[[str], float],
        known_term: Callable[..., bool],
        language: str = "nl",
    ) -> "QuestionView":
        """Terms from the standalone question (a follow-up carries its subject); the asked-for kind
        and noun from the user's own words, unless those ask nothing by themselves ('En bij Zaanstad?')."""
        query = standalone or question
        terms = list(dict.fromkeys(profile.query_terms(query, translated=True)))
        kind = question_type(question)
        focus = focus_terms(question)
        if kind == "other" and query != question:
            kind, focus = question_type(query), focus_terms(query)
        weights = {t: term_weight(t) for t in terms}
        known = sum(w for t, w in weights.items() if known_term(t)) / (sum(weights.values()) or 1.0)
        if query != question:  # a follow-up: what it asks is in the user's own words
            own = set(profile.query_terms(question, translated=True))
            if own:
                weights = {t: w if t in own else w * CARRIED_WEIGHT for t, w in weights.items()}
        return cls(terms, weights, kind, focus, query, language == "en", known if terms else 0.0)


def feature_matrix(view: QuestionView, cands: list[Candidate], passages: list[Passage], profile: CorpusProfile) -> np.ndarray:
    """One row of FEATURES per candidate."""
    rows = np.zeros((len(cands), len(FEATURES)), dtype=np.float32)
    if not cands:
        return rows
    total = sum(view.weights.values()) or 1.0
    rarest = max(view.weights.values(), default=1.0) or 1.0
    contexts = {}  # (passage, section) -> the tokens of its title and the candidate's own section
    for c in cands:
        key = (c.passage_index, c.section)
        if key not in contexts:
            contexts[key] = sentence_tokens(f"{passages[c.passage_index].title} {c.section}")
    families = _Families(view.terms + view.focus, frozenset().union(*(c.tokens for c in cands), *contexts.values()))
    _match = families.match
    section_cov = {key: sum(view.weights[t] * _match(t, ctx) for t in view.terms) / total for key, ctx in contexts.items()}
    asking = asking_terms(view.text)  # 'wat *houdt* ... in': no sentence need hold it (`coverage_outside`)
    outside_of = {key: [t for t in view.terms if t not in asking and not _match(t, ctx)] for key, ctx in contexts.items()}
    fused = [float(p.score or 0.0) for p in passages]
    dense = [float(p.ranks.get("dense_score") or 0.0) for p in passages]
    bm25 = [float(p.ranks.get("bm25_score") or 0.0) for p in passages]
    best_fused, best_dense, best_bm25 = max(fused) or 1.0, max(dense), max(bm25) or 1.0
    per_passage = {}
    for c in cands:
        per_passage[c.passage_index] = per_passage.get(c.passage_index, 0) + 1
    lines = [p.text.split("\n") for p in passages]
    col = {name: i for i, name in enumerate(FEATURES)}
    quantity = asks_quantity(view.kind, view.text)
    place = not quantity and asks_place(view.text)
    for i, c in enumerate(cands):
        row = rows[i]
        matches = {t: _match(t, c.tokens) for t in view.terms}
        ctx = contexts[(c.passage_index, c.section)]
        covered = sum(view.weights[t] * m for t, m in matches.items())
        with_context = sum(view.weights[t] * max(m, 0.5 * _match(t, ctx)) for t, m in matches.items())
        outside = outside_of[(c.passage_index, c.section)]
        outside_total = sum(view.weights[t] for t in outside)
        words = len(c.sentence.split())
        c.cues = sentence_cues(c.sentence, view.text)
        line = lines[c.passage_index][c.line].strip() if c.line < len(lines[c.passage_index]) else ""
        values = {
            "coverage": covered / total,
            "coverage_context": with_context / total,
            "coverage_outside": sum(view.weights[t] * matches[t] for t in outside) / outside_total if outside_total else 1.0,
            "focus_hit": float(any(_match(t, c.tokens) for t in view.focus)),
            "rarest_hit": max((view.weights[t] for t, m in matches.items() if m), default=0.0) / rarest,
            "matched_terms": sum(1 for m in matches.values() if m),
            "density": covered / total / max(words, 1),
            "section_coverage": section_cov[(c.passage_index, c.section)],
            "passage_rank": c.passage_index,
            "passage_score_relative": fused[c.passage_index] / best_fused,
            "passage_dense": dense[c.passage_index],
            "passage_dense_gap": dense[c.passage_index] - best_dense,
            "passage_bm25_relative": bm25[c.passage_index] / best_bm25,
            "position": c.order,
            "position_relative": c.order / max(per_passage[c.passage_index] - 1, 1),
            "first_in_passage": float(c.order == 0),
            "words": math.log1p(words),
            "long": float(words > LONG_SENTENCE),
            "lead_in": float(c.sentence.endswith(":") or line.endswith(":")),
            "asks": float(c.sentence.rstrip().rstrip("\"'”’)").endswith("?")),
            "table_row": float(c.sentence.lstrip().startswith("|")),
            "line_alone": float(one_sentence(line)),
            "reference_section": float(profile.is_reference_section(c.section)),
            "unknown_section": float(section_says_unknown(c.section)),
            "type_match": type_match(view.kind, c.cues),
            "gives_asked": (
                float(gives_quantity(c.sentence, view.text))
                if quantity
                else float(gives_place(c.sentence, view.text))
                if place
                else 0.5
            ),
            "list_enumerates": float(enumerates(c.sentence)) if view.kind == "list" else 0.5,
            f"type_{view.kind}": 1.0,
            "question_terms": len(view.terms),
            "english": float(view.english),
        }
        values.update({f"cue_{k}": c.cues[k] for k in CUES})
        for name, value in values.items():
            row[col[name]] = value
    best_cov = rows[:, col["coverage"]].max() or 1.0
    best_ctx = rows[:, col["coverage_context"]].max() or 1.0
    rows[:, col["coverage_relative"]] = rows[:, col["coverage"]] / best_cov
    same_passage = np.array([a.passage_index == b.passage_index for a, b in zip(cands, cands[1:])], dtype=bool)
    relative = rows[:, col["coverage_relative"]]
    rows[1:, col["previous_relative"]] = np.where(same_passage, relative[:-1], 0.0)
    rows[:-1, col["next_relative"]] = np.where(same_passage, relative[1:], 0.0)
    rows[:, col["context_relative"]] = rows[:, col["coverage_context"]] / best_ctx
    return rows


def question_vector_for(question: str, query: str, vector: Callable[[str], np.ndarray]) -> np.ndarray:
    """The vector a question's sentences are compared with: a follow-up's (`query` != `question`) leans on the
    user's own words by `OWN_WORDS_SHARE`; retrieval still reads the standalone question alone."""
    standalone = vector(query)
    if query == question:
        return standalone
    mixed = (1 - OWN_WORDS_SHARE) * standalone + OWN_WORDS_SHARE * vector(question)
    norm = float(np.linalg.norm(mixed))
    return mixed / norm if norm else standalone


def similarity_matrix(
    cands: list[Candidate], passages: list[Passage], question_vector: np.ndarray | None, sentence_vectors: dict
) -> np.ndarray | None:
    """One row of SIMILARITY_FEATURES per candidate, or None unless every candidate's passage has its
    sentence vectors (then the ranker without them is used, for all candidates alike)."""
    if question_vector is None or not cands:
        return None
    sims = np.zeros(len(cands), dtype=np.float32)
    for i, c in enumerate(cands):
        vectors = sentence_vectors.get(passages[c.passage_index].chunk_id)
        if vectors is None or c.sentence_index >= len(vectors):
            return None
        sims[i] = float(vectors[c.sentence_index] @ question_vector)
    rank = np.argsort(np.argsort(-sims, kind="stable"), kind="stable").astype(np.float32)
    return np.stack([sims, sims - sims.max(), np.minimum(rank, 20.0)], axis=1)
