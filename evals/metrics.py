"""The evaluation's metrics as pure functions, so each can be checked on a hand-made case.

Retrieval metrics count evidence items, not chunks: a question with two evidence
quotes is fully recalled when both are in the top k, and a second chunk holding
the same quote (the "Feiten en bronnen" list repeats the body) earns nothing twice.
Answer metrics check what a user relies on: that every [n] points somewhere real,
that every quote is really in its source, that the key facts are there, and that
the assistant abstains exactly when it should.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

import numpy as np

# --------------------------------------------------------------------------- retrieval
# `hits`: one entry per retrieved rank (rank 1 first): the set of evidence indices that chunk holds.


def first_ranks(hits: Sequence[Iterable[int]], n_evidence: int) -> list[int | None]:
    """For each evidence item, the 1-based rank of the first chunk holding it (None: not retrieved)."""
    ranks: list[int | None] = [None] * n_evidence
    for rank, found in enumerate(hits, 1):
        for e in found:
            if ranks[e] is None:
                ranks[e] = rank
    return ranks


def recall_at_k(hits: Sequence[Iterable[int]], n_evidence: int, k: int) -> float:
    """Share of the evidence items held by some chunk in the top k."""
    if n_evidence == 0:
        raise ValueError("recall needs at least one evidence item")
    return sum(1 for r in first_ranks(hits, n_evidence) if r is not None and r <= k) / n_evidence


def reciprocal_rank(hits: Sequence[Iterable[int]]) -> float:
    """1 / rank of the first chunk holding any evidence; 0 when none is retrieved."""
    for rank, found in enumerate(hits, 1):
        if set(found):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(hits: Sequence[Iterable[int]], n_evidence: int, k: int = 10) -> float:
    """Binary gain for a chunk that brings a not-yet-seen evidence item; ideal = all items at the top."""
    if n_evidence == 0:
        raise ValueError("nDCG needs at least one evidence item")
    seen: set[int] = set()
    dcg = 0.0
    for rank, found in enumerate(list(hits)[:k], 1):
        new = set(found) - seen
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_evidence, k) + 1))
    return dcg / ideal


def location_hit(top_locations: Iterable[set], evidence_locations: Sequence[set]) -> float | None:
    """Share of evidence items whose section (or page) some top-k chunk shares.

    `top_locations`: per top-k chunk, its set of (document, section) or (document, page) pairs;
    `evidence_locations`: per evidence item, the same for the chunks holding it. Items without a
    location (e.g. no pages in a Markdown file) are left out; None when no item has one."""
    have = set().union(*top_locations) if top_locations else set()
    judged = [bool(locs & have) for locs in evidence_locations if locs]
    return sum(judged) / len(judged) if judged else None


# --------------------------------------------------------------------------- citations

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_QUOTED = re.compile(r"\u201e[^\u201d]*\u201d")  # „…”: words of a source, as the answers quote them


def citation_markers(text: str) -> list[int]:
    """The numbers of every [n] (and [n, m]) in an answer text, outside its quotes „…”: a "[3]"
    inside a quote is the source's own footnote or reference, not the answer citing source 3."""
    outside = _QUOTED.sub(" ", text)
    return [int(n) for group in _MARKER.findall(outside) for n in re.split(r"\s*[,;]\s*", group)]


def citation_validity(
    text: str, citation_numbers: Iterable[int], citation_chunk_ids: Iterable[str], retrieved_ids: Iterable[str]
) -> bool:
    """Every [n] in the text has citation n, and every citation points at a retrieved passage."""
    numbers, retrieved = set(citation_numbers), set(retrieved_ids)
    return all(n in numbers for n in citation_markers(text)) and all(c in retrieved for c in citation_chunk_ids)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quote_faithfulness(quotes_and_sources: Iterable[tuple[str, str]]) -> float | None:
    """Share of (quote, cited passage text) pairs whose quote is verbatim in the passage,
    whitespace aside. None when the answer quotes nothing."""
    pairs = list(quotes_and_sources)
    if not pairs:
        return None
    return sum(1 for quote, source in pairs if collapse(quote) and collapse(quote) in collapse(source)) / len(pairs)


def share(flags: Iterable[bool]) -> float | None:
    """Mean of booleans; None for none (e.g. citation precision of an answer without citations)."""
    flags = list(flags)
    return sum(map(bool, flags)) / len(flags) if flags else None


# --------------------------------------------------------------------------- key facts (Dutch)

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u00b4`"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u00ab\u00bb"), '"'
)
_UNITS = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9}
_TEENS = {
    "nul": 0,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "honderd": 100,
}
_TENS = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80, "negentig": 90}
_WORDS = {**_UNITS, **_TEENS, **_TENS}
_COMPOUND = re.compile(r"\b(een|" + "|".join(_UNITS) + r")en(" + "|".join(_TENS) + r")\b")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b")
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:\.\d{3})+)(?![\d]|[.,]\d)")
_SCALE = re.compile(r"(?<![\d.,])(\d+)(?:,(\d+))?\s*(duizend|miljoen|miljard)\b")
_SCALES = {"duizend": 3, "miljoen": 6, "miljard": 9}


def _scaled(match: re.Match) -> str:
    whole, fraction, scale = match.group(1), match.group(2) or "", match.group(3)
    zeros = _SCALES[scale] - len(fraction)
    if zeros < 0:
        return match.group(0)
    return str(int(whole + fraction + "0" * zeros))


def normalize_dutch(text: str) -> str:
    """A form in which equal facts look equal: case, diacritics, dashes and quote marks folded;
    'één'..'honderd' and 'eenentwintig'-style words as digits ('een' alone stays: it is mostly
    the article); '2.000.000', '2 miljoen' and '2000000' all as '2000000'; '%' as 'procent'."""
    text = re.sub(r"\b[eé][eé]n\b", lambda m: "1" if "é" in m.group(0).lower() else m.group(0), text, flags=re.I)
    text = unicodedata.normalize("NFKD", text.translate(_DASHES).translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _COMPOUND.sub(lambda m: str((1 if m.group(1) == "een" else _UNITS[m.group(1)]) + _TENS[m.group(2)]), text)
    text = _NUMBER_WORD.sub(lambda m: str(_WORDS[m.group(1)]), text)
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(".", ""), text)
    text = _SCALE.sub(_scaled, text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1-\2", text)
    text = re.sub(r"\s*%", " procent", text)
    return collapse(text)


def fact_found(alternatives: str | Sequence[str], text: str, *, normalized: bool = False) -> bool:
    """Whether the text holds one of the fact's alternatives. A fact must start at a word start and
    may not run on into a digit ('18' is not in '2018' or '180'); a word may run on ('veegwagen' in
    'veegwagens'), as Dutch inflects and compounds."""
    body = text if normalized else normalize_dutch(text)
    for alt in [alternatives] if isinstance(alternatives, str) else alternatives:
        fact = normalize_dutch(alt)
        if fact and re.search(r"(?<!\w)" + re.escape(fact) + r"(?!\d)", body):
            return True
    return False


def key_fact_recall(facts: Sequence[str | Sequence[str]], text: str) -> float:
    """Share of the key facts (each one string or a list of alternatives) found in the text."""
    if not facts:
        raise ValueError("key-fact recall needs at least one fact")
    body = normalize_dutch(text)
    return sum(fact_found(f, body, normalized=True) for f in facts) / len(facts)


def best_sentences_recall(facts: Sequence[str | Sequence[str]], sentences: Iterable[str], n: int = 3) -> float:
    """The most key facts any `n` of the sentences hold together: the ceiling of an answer that
    quotes `n` sentences of these passages. Exact: with at most a few facts, a sentence is one of
    few fact sets, and the best `n` of those are found by trying them all."""
    if not facts:
        raise ValueError("key-fact recall needs at least one fact")
    masks = set()
    for sentence in sentences:
        body = normalize_dutch(sentence)
        mask = sum(1 << i for i, f in enumerate(facts) if fact_found(f, body, normalized=True))
        if mask:
            masks.add(mask)
    best = 0
    for combo in itertools.combinations(sorted(masks), min(n, len(masks))):
        union = 0
        for mask in combo:
            union |= mask
        best = max(best, bin(union).count("1"))
    return best / len(facts)


def word_count(text: str) -> int:
    return len(text.split())


def length_stats(counts: Sequence[int]) -> dict:
    if not counts:
        return {"median": None, "p90": None, "mean": None}
    arr = np.asarray(counts, dtype=float)
    return {"median": float(np.median(arr)), "p90": float(np.percentile(arr, 90)), "mean": float(arr.mean())}


# --------------------------------------------------------------------------- abstention


def mean_or_nan(values: Iterable[float]) -> float:
    """The mean, or NaN for no values (a table cell that has nothing to average says so)."""
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else float("nan")


def abstention_scores(should_abstain: Sequence[bool], abstained: Sequence[bool]) -> dict:
    """Precision, recall and F1 with 'should abstain' (answerable = false) as the positive class."""
    if len(should_abstain) != len(abstained):
        raise ValueError("one prediction per question")
    tp = sum(1 for s, a in zip(should_abstain, abstained) if s and a)
    fp = sum(1 for s, a in zip(should_abstain, abstained) if not s and a)
    fn = sum(1 for s, a in zip(should_abstain, abstained) if s and not a)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


# --------------------------------------------------------------------------- uncertainty

RESAMPLES = 1000
SEED = 20210


def bootstrap_ci(
    data: Sequence,
    statistic: Callable[[list], float] | None = None,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic` (default: the mean of numbers) over `data`,
    resampled per question with a fixed seed so a report is reproducible."""
    data = list(data)
    if not data:
        return None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(data), size=(resamples, len(data)))
    if statistic is None:
        stats = np.asarray(data, dtype=float)[idx].mean(axis=1)
    else:
        stats = np.array([statistic([data[i] for i in row]) for row in idx], dtype=float)
    tail = (1 - level) / 2 * 100
    return float(np.percentile(stats, tail)), float(np.percentile(stats, 100 - tail))


def paired_comparison(
    a: dict[str, float | None],
    b: dict[str, float | None],
    *,
    tolerance: float = 1e-9,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict:
    """Variant a against b on the questions both have a value for: mean of a - b with its
    bootstrap interval, and per question wins (a better), ties and losses."""
    keys = sorted(k for k in a if k in b and a[k] is not None and b[k] is not None)
    diffs = [float(a[k]) - float(b[k]) for k in keys]
    return {
        "n": len(keys),
        "mean_diff": float(np.mean(diffs)) if diffs else None,
        "ci": bootstrap_ci(diffs, resamples=resamples, seed=seed),
        "wins": sum(1 for d in diffs if d > tolerance),
        "ties": sum(1 for d in diffs if abs(d) <= tolerance),
        "losses": sum(1 for d in diffs if d < -tolerance),
    }
