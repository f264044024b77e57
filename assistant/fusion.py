"""Reciprocal rank fusion: combine rankings without calibrating their scores.

BM25 scores and cosine similarities live on different scales; ranks do not.
"""

from __future__ import annotations


def reciprocal_rank_fusion(
    rankings: dict[str, list[str]], k: int = 60, weights: dict[str, float] | None = None
) -> list[tuple[str, float, dict[str, int]]]:
    """(id, fused score, {ranker: 1-based rank}) best first; ties keep the first ranker's order."""
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, item in enumerate(ids, 1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
            ranks.setdefault(item, {})[name] = rank
    order = sorted(scores, key=lambda item: -scores[item])
    return [(item, scores[item], ranks[item]) for item in order]
