"""Probe, not product code: a quick proxy for what a change to the quoting ranker's inputs would quote, with
paired bootstrap intervals against the shipped inputs on the same folds (docs/answering.md, fifty-second
session, "Six probes of what is quoted").

Collects every development set's candidates as `train-ranker` does (both corpora; cached in --cache), refits
the listwise ranker per fold (`fold_plan(..., folds, 4)`) with and without the variant, chooses sentences as
`_select` does (best first, then by score while at least MIN_SHARE of the best, within the word budget and the
number of quotes; no lists or lead-ins) and scores the key facts of the chosen sentences. A minute a run. It
leaves out what the composition adds, so a lead here must be confirmed with `train-ranker --quoting-only
--cv-records` (the corpus weight 2 gained here and lost there).

    .venv/bin/python docs/probes/quoting_proxy.py --real-home ~/.local/share/datalessen-real \
        --folds documents --products words,line_alone,type_match,cue_reason,previous_relative
    ... --bare            # e5 of the bare sentence beside the one in its section
    ... --corpus-power 2  # the real documents' questions weighing more
"""

from __future__ import annotations

import argparse
import copy
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

KIND_GROUPS = {
    "listy": {"list", "name", "who"},
    "open": {"why", "how", "define", "other", "yes_no"},
    "point": {"number", "when", "where"},
}


def examples(cache: Path, real_home: str) -> list:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from assistant.api import Assistant
    from evals.ranker_data import collect
    from evals.sets import SETS
    from evals.train_ranker import REAL_SETS, gold_sets, other_corpus

    digest = [s.name for s in SETS if s.corpus == "shipped" and s.role != "unseen"]
    out = collect(Assistant(), gold_sets(digest)) + collect(other_corpus(real_home), gold_sets(list(REAL_SETS)))
    for e in out:
        e.passages = None  # not picklable with their stores, not needed here
    cache.write_bytes(pickle.dumps(out))
    return out


def kind_of(e, column: dict) -> str:
    from assistant.answer_types import QUESTION_TYPES

    return next((t for t in QUESTION_TYPES if len(e.features) and e.features[0][column[f"type_{t}"]] > 0.5), "other")


def with_products(e, shapes: list[str], column: dict):
    kind = kind_of(e, column)
    extra = [e.features[:, column[f]] * float(kind in kinds) for kinds in KIND_GROUPS.values() for f in shapes]
    out = copy.copy(e)
    out.features = np.hstack([e.features, np.array(extra, dtype=np.float32).T])
    return out


def with_bare_similarity(examples_: list, cache: Path) -> list:
    from assistant.embeddings import load_embeddings
    from assistant.settings import Settings

    if not cache.exists():
        embed = load_embeddings(Settings.load())
        sentences = sorted({s for e in examples_ for s in e.sentences})
        questions = sorted({e.standalone for e in examples_})
        vectors = dict(zip(sentences, np.array(embed.embed_documents(sentences), dtype=np.float32)))
        vectors |= {("q", q): np.array(embed.embed_query(q), dtype=np.float32) for q in questions}
        cache.write_bytes(pickle.dumps(vectors))
    vectors = pickle.loads(cache.read_bytes())
    out = []
    for e in examples_:
        e = copy.copy(e)
        if e.similarity is not None and len(e.sentences):
            sims = np.array([vectors[s] @ vectors[("q", e.standalone)] for s in e.sentences], dtype=np.float32)
            rank = np.argsort(np.argsort(-sims, kind="stable"), kind="stable").astype(np.float32)
            e.similarity = np.hstack([e.similarity, np.stack([sims, sims - sims.max(), np.minimum(rank, 20.0)], axis=1)])
        out.append(e)
    return out


def proxy(examples_: list, features: tuple, folds: str, corpus_power: float) -> dict:
    """Question id -> key facts of the chosen sentences, out of fold."""
    from assistant.extractive import MANY_WORD_BUDGET, MIN_SHARE, WORD_BUDGET
    from assistant.sentence_features import FEATURES
    from evals.train_ranker import fit_listwise, fold_plan

    column = {f: i for i, f in enumerate(FEATURES)}
    out = {}
    for _, fitted_on, tested in fold_plan(examples_, folds, 4):
        ranker = fit_listwise(fitted_on, "similarity", features, corpus_power=corpus_power)
        for e in tested:
            if not e.question.answerable or not e.question.key_facts or not len(e.labels) or e.similarity is None:
                continue
            scores = ranker.probability(np.hstack([e.features, e.similarity]))
            order = np.argsort(-scores)
            roomy = kind_of(e, column) == "list"
            budget, most = (MANY_WORD_BUDGET, 5) if roomy else (WORD_BUDGET, 3)
            chosen, words = [order[0]], len(e.sentences[order[0]].split())
            for i in order[1:]:
                if len(chosen) >= most or scores[i] < MIN_SHARE * scores[order[0]]:
                    break
                if words + len(e.sentences[i].split()) <= budget:
                    chosen.append(i)
                    words += len(e.sentences[i].split())
            held = set().union(*(e.facts[i] for i in chosen))
            out[e.question.id] = ("real" if e.gold_set.startswith("real") else "digest", len(held) / len(e.question.key_facts))
    return out


def main() -> None:
    from assistant.sentence_features import FEATURES, SIMILARITY_FEATURES
    from evals.train_ranker import LISTWISE_CORPUS_POWER

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-home", required=True)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/datalessen-quoting-proxy.pkl"))
    parser.add_argument("--folds", choices=("sets", "documents"), default="documents")
    parser.add_argument("--products", default="", help="shape features to multiply by the kind groups")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--corpus-power", type=float, default=LISTWISE_CORPUS_POWER)
    args = parser.parse_args()
    base = examples(args.cache, str(Path(args.real_home).expanduser()))
    column = {f: i for i, f in enumerate(FEATURES)}
    shapes = [s for s in args.products.split(",") if s]
    variant = [with_products(e, shapes, column) for e in base] if shapes else list(base)
    features = FEATURES + tuple(f"{g}_{f}" for g in KIND_GROUPS for f in shapes)
    similarity = SIMILARITY_FEATURES
    if args.bare:
        variant = with_bare_similarity(variant, args.cache.with_suffix(".bare.pkl"))
        similarity += ("bare_similarity", "bare_similarity_gap", "bare_similarity_rank")
    before = proxy(base, FEATURES + SIMILARITY_FEATURES, args.folds, LISTWISE_CORPUS_POWER)
    after = proxy(variant, features + similarity, args.folds, args.corpus_power)
    rng = np.random.default_rng(0)
    for corpus in ("digest", "real"):
        ids = [i for i, (c, _) in before.items() if c == corpus and i in after]
        diff = np.array([after[i][1] - before[i][1] for i in ids])
        boot = [diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(2000)]
        print(
            f"{corpus}: {len(ids)} answerable, key facts {np.mean([before[i][1] for i in ids]):.4f} -> "
            f"{np.mean([after[i][1] for i in ids]):.4f} ({diff.mean():+.4f} [{np.percentile(boot, 2.5):+.4f}, "
            f"{np.percentile(boot, 97.5):+.4f}]; {int((diff > 0).sum())} better, {int((diff < 0).sum())} worse)"
        )


if __name__ == "__main__":
    main()
