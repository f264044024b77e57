"""BM25 over the stored chunks, with the Dutch tokeniser of `assistant.text`.

Our own because langchain-community's BM25 is being sunset, and because sparse
matrices make a query over 100k chunks take milliseconds instead of a Python loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from assistant.text import family_keys, related, tokenize

RELATED_WEIGHT = 0.4


@dataclass
class TermCounts:
    """How often each term occurs in each text: all BM25 is computed from, and what is worth keeping on
    disk (tokenising is the slow part) and extending by the texts a store gains."""

    matrix: sparse.csr_matrix  # rows: texts, columns: terms (float32 counts)
    vocabulary: dict[str, int]

    @classmethod
    def of(cls, texts: list[str]) -> TermCounts:
        vocabulary: dict[str, int] = {}
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            for term, tf in Counter(tokenize(text)).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                values.append(tf)
        shape = (len(texts), len(vocabulary))
        return cls(sparse.csr_matrix((np.asarray(values, np.float32), (rows, cols)), shape=shape, dtype=np.float32), vocabulary)

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def select(self, rows) -> TermCounts:
        """These rows only, over the terms they still use (so the corpus no longer 'knows' the others)."""
        matrix = self.matrix[rows]
        used = np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]))
        terms = list(self.vocabulary)
        return TermCounts(matrix[:, used].tocsr(), {terms[c]: i for i, c in enumerate(used)})

    def stacked(self, other: TermCounts) -> TermCounts:
        """Self's rows, then other's, over the union of both vocabularies."""
        vocabulary = dict(self.vocabulary)
        for term in other.vocabulary:
            vocabulary.setdefault(term, len(vocabulary))
        remap = np.asarray([vocabulary[t] for t in other.vocabulary], dtype=np.int64)
        theirs = other.matrix.tocoo()
        width = len(vocabulary)
        theirs = sparse.csr_matrix((theirs.data, (theirs.row, remap[theirs.col])), shape=(len(other), width), dtype=np.float32)
        mine = sparse.csr_matrix(self.matrix, shape=(len(self), width)) if len(self) else sparse.csr_matrix((0, width))
        mine.resize((len(self), width))
        return TermCounts(sparse.vstack([mine, theirs], format="csr", dtype=np.float32), vocabulary)


def idf(n_docs, df):
    """BM25's rarity of a term in `df` of `n_docs` texts (never negative)."""
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


class BM25Index:
    def __init__(self, texts: list[str] | TermCounts, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        counts = texts if isinstance(texts, TermCounts) else TermCounts.of(texts)
        self.vocabulary = counts.vocabulary
        tf = counts.matrix.tocoo()
        n_docs = len(counts)
        lengths = np.asarray(counts.matrix.sum(axis=1), dtype=np.float32).ravel()
        df = np.bincount(tf.col.astype(np.int64), minlength=len(self.vocabulary)).astype(np.float32)
        self.idf = idf(n_docs, df).astype(np.float32)
        avg = float(lengths.mean()) if n_docs else 0.0
        norm = k1 * (1 - b + b * lengths / avg) if avg else np.ones_like(lengths)
        # precompute the BM25 weight of every (doc, term) so a query is one sparse column sum
        weights = tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape, dtype=np.float32)
        self.size = n_docs
        self.families: dict[str, list[str]] = {}
        for term in self.vocabulary:
            for key in family_keys(term):
                self.families.setdefault(key, []).append(term)
            if term.startswith("ge") and len(term) > 7:  # findable from its ge-less stem
                self.families.setdefault("p:" + term[2:7], []).append(term)

    def rarity(self, term: str) -> float:
        """A stemmed term's rarity in the corpus (its IDF); a term the corpus lacks weighs most."""
        col = self.vocabulary.get(term)
        return float(self.idf[col]) if col is not None else float(self.idf.max(initial=1.0)) + 1.0

    def rarity_among(self, rows: np.ndarray) -> Callable[[str], float]:
        """`rarity` as if only these rows were the corpus (a term none of them holds weighs most, one the
        corpus lacks one more)."""
        n = len(rows)
        holds = np.zeros(self.size, dtype=bool)
        holds[rows] = True
        lacking = float(idf(n, 0)) + 1.0
        known: dict[str, float] = {}

        def rarity(term: str) -> float:
            if term not in known:
                col = self.vocabulary.get(term)
                if col is None:
                    known[term] = lacking
                else:
                    df = int(holds[self.matrix.indices[self.matrix.indptr[col] : self.matrix.indptr[col + 1]]].sum())
                    known[term] = float(idf(n, df))
            return known[term]

        return rarity

    def knows(self, term: str, family: bool = True) -> bool:
        """The term, or (with `family`) a word of its family, occurs in the corpus."""
        return (
            term in self.vocabulary
            or family
            and any(related(term, other) for key in family_keys(term) for other in self.families.get(key, ()))
        )

    def query_weights(self, query: str | list[str]) -> dict[int, float]:
        """Column -> weight: the query's own terms count fully, their word family (compounds,
        derivations) at RELATED_WEIGHT, so 'beleidsdomeinen' still finds 'domein'. A query is a
        text or its terms already made (`CorpusProfile.query_terms`)."""
        return {self.vocabulary[term]: w for term, w in self.query_term_weights(query).items()}

    def query_term_weights(self, query: str | list[str]) -> dict[str, float]:
        """`query_weights` by term instead of column."""
        weights: dict[str, float] = {}
        for term in dict.fromkeys(tokenize(query) if isinstance(query, str) else query):
            if term in self.vocabulary:
                weights[term] = 1.0
            for key in family_keys(term):
                for other in self.families.get(key, ()):
                    if other not in weights and related(term, other):
                        weights[other] = RELATED_WEIGHT
        return weights

    def scores(self, query: str | list[str], rarity: Callable[[str], float] | None = None) -> np.ndarray:
        """Every row's score; `rarity` (e.g. `rarity_among`) in place of the store-wide IDF."""
        weights = self.query_term_weights(query)
        if not weights or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        cols = [self.vocabulary[term] for term in weights]
        idf = self.idf[cols] if rarity is None else np.asarray([rarity(term) for term in weights], np.float32)
        sub = self.matrix[:, cols]
        return np.asarray(sub @ (idf * np.asarray(list(weights.values()), np.float32))).ravel()

    def top(
        self,
        query: str | list[str],
        k: int,
        allowed: np.ndarray | None = None,
        rarity: Callable[[str], float] | None = None,
    ) -> list[tuple[int, float]]:
        """(row, score) of the best k rows with a positive score, optionally within a mask."""
        scores = self.scores(query, rarity)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return []
        k = min(k, positive.size)
        best = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]
