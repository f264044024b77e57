"""The retrieved passages again, ordered by their best single sentence's BM25 score.

A report states a detail once, often inside a passage about something else (how often a dashboard is
refreshed, in a passage about the archivist's role): over the whole passage its words weigh little, in its
own sentence they are all there is. This ranking is fused as a third vote beside BM25 and e5
(`sentence_bm25_weight`). It only reorders the passages those two found, with BM25's term rarity (`bm25_nearest`)
and word families, so it needs no index of its own and costs about 2 ms per question (a slow 2-core machine,
2026-12-02) while the passages' sentences are kept tokenised (`KEPT`); at 100,000 chunks most passages a
question retrieves are new to it, and tokenising them made it ~15 ms of a ~39 ms answer under a profiler
(2026-12-04: docs/benchmarks.md, "Tokenising"). Measured on the development sets (docs/benchmarks.md): the
real documents' recall@5 rose, the digest's (a fact per sentence already) stayed within noise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from assistant.bm25 import BM25Index
from assistant.recent import Recent, passage_key
from assistant.schema import Passage
from assistant.sentence_features import sentence_texts
from assistant.text import tokenize

KEPT = 4096  # passages whose sentences' term counts stay tokenised (the ones recent questions retrieved)


class SentenceRanking:
    """Term counts per sentence of recently retrieved passages, and the ranking made from them."""

    def __init__(self, kept: int = KEPT):
        self.kept = Recent(kept)

    def sentences(self, passage: Passage) -> list[tuple[Counter, int]]:
        """Each sentence in its section (as ingest embeds it): a heading's words belong to its sentences;
        with its length in terms."""
        key = passage_key(passage)
        counts = self.kept.get(key)
        if counts is None:
            counts = []
            for s in sentence_texts(passage.text, passage.section, passage.title):
                terms = Counter(tokenize(s))
                counts.append((terms, sum(terms.values())))
            self.kept.put(key, counts)
        return counts

    def rank(
        self, bm25: BM25Index, query_terms: list[str], passages: list[Passage], rarity: Callable[[str], float] | None = None
    ) -> list[str]:
        """Chunk ids of `passages` whose best sentence shares a weighted term with the query, best first
        (term rarity: BM25's own, unless `rarity` is given)."""
        weights = bm25.query_term_weights(query_terms)
        if not weights or not passages:
            return []
        rarity = rarity or bm25.rarity
        weight = {term: float(rarity(term)) * w for term, w in weights.items()}
        per_passage = [self.sentences(p) for p in passages]
        lengths = [length for group in per_passage for _, length in group]
        average = float(np.mean(lengths)) if lengths else 1.0
        k1, b = bm25.k1, bm25.b
        best: dict[str, float] = {}
        for passage, group in zip(passages, per_passage):
            for counts, length in group:
                norm = k1 * (1 - b + b * length / average)
                score = sum(weight[t] * tf * (k1 + 1) / (tf + norm) for t, tf in counts.items() if t in weight)
                if score > best.get(passage.chunk_id, 0.0):
                    best[passage.chunk_id] = score
        return sorted(best, key=lambda chunk_id: -best[chunk_id])
