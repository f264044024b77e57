"""Probe, not product code: does e5-small fine-tuned as a cross-encoder order a question's candidate sentences
better than the linear ranker, on documents it never saw? (docs/answering.md, forty-seventh session)

Collects every development set's candidates as `train-ranker` does (both corpora), holds out the documents of
the chosen folds of `fold_plan(..., "documents", 4)` (fold i: the digest's group i, fold 4 + i: the real
documents' group i), fits the linear ranker on the rest, fine-tunes e5 on the rest's answering sentences
against the ranker's best-scored other ones, then orders each held-out question's top-15 candidates by the
ranker, the cross-encoder and their mix (each standardised within the question) and reports the key facts of
the top 3 and 5 sentences, with paired bootstrap intervals against the ranker.

    .venv/bin/python docs/probes/cross_encoder_probe.py --real-home ~/.local/share/datalessen-real \
        --test-folds 0,4 --frozen 0 --epochs 2        # ~25 min on two cores
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

CANDIDATES = 15


def examples(real_home: str, cache: Path):
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from assistant.api import Assistant
    from evals.ranker_data import collect
    from evals.train_ranker import GOLD_SETS, REAL_SETS, gold_sets, other_corpus

    found = collect(Assistant(), gold_sets(GOLD_SETS))
    real = other_corpus(real_home)
    for name in REAL_SETS:
        found += collect(real, gold_sets([name]))
    cache.write_bytes(pickle.dumps(found))
    return found


def key_facts_at(example, order, n: int) -> float:
    held = set().union(*[example.facts[i] for i in order[:n]])
    return len(held) / max(len(example.question.key_facts), 1)


def main() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    from evals.train_ranker import _key, fit_rankers, fold_plan

    parser = argparse.ArgumentParser()
    parser.add_argument("--real-home", required=True)
    parser.add_argument("--model", help="e5 in Hugging Face form (default: the one the data home's settings build)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/datalessen-probe-examples.pkl"))
    parser.add_argument("--test-folds", default="0,4")
    parser.add_argument("--frozen", type=int, default=0, help="lowest encoder layers kept as they are")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    if not args.model:
        from assistant.e5_model import ensure_model
        from assistant.settings import Settings

        args.model = str(ensure_model(Settings.load().model_dir))
    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)

    everything = examples(args.real_home, args.cache)
    plan = fold_plan(everything, "documents", 4)
    chosen = [int(x) for x in args.test_folds.split(",")]
    held = set().union(*[{_key(e) for e in plan[i][2]} for i in chosen])
    kept = set.intersection(*[{_key(e) for e in plan[i][1]} for i in chosen])
    train = [e for e in everything if _key(e) in kept]
    test = [e for e in everything if _key(e) in held and e.question.answerable and len(e.sentences) and e.similarity is not None]
    ranker = fit_rankers(train)["similarity"]

    def ranker_scores(e):
        return ranker.probability(np.hstack([e.features, e.similarity]))

    pairs = []
    for e in train:
        if not e.question.answerable or not len(e.sentences) or e.similarity is None:
            continue
        positives = list(np.flatnonzero(e.labels > 0))[:3]
        if positives:
            negatives = [i for i in np.argsort(-ranker_scores(e)) if e.labels[i] == 0][:5]
            pairs += [(e.standalone, e.sentences[i], 1.0) for i in positives]
            pairs += [(e.standalone, e.sentences[i], 0.0) for i in negatives]
    print(f"held out: {[plan[i][0][:50] for i in chosen]}; trained on {len(train)} questions, {len(pairs)} pairs")
    print(f"tested: {len(test)} answerable questions about documents never trained on")

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    encoder = AutoModel.from_pretrained(args.model)
    head = torch.nn.Linear(encoder.config.hidden_size, 1)
    for p in encoder.embeddings.parameters():
        p.requires_grad = False
    for layer in encoder.encoder.layer[: args.frozen]:
        for p in layer.parameters():
            p.requires_grad = False

    def logits(questions, sentences):
        batch = tokenizer(
            ["query: " + q for q in questions],
            ["passage: " + s for s in sentences],
            truncation=True,
            max_length=128,
            padding=True,
            return_tensors="pt",
        )
        hidden = encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    trainable = [p for p in encoder.parameters() if p.requires_grad]
    groups = [{"params": trainable, "lr": 3e-5}, {"params": head.parameters(), "lr": 1e-3}]
    optimiser = torch.optim.AdamW(groups, weight_decay=0.01)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0))
    schedule = [p for _ in range(args.epochs) for p in random.sample(pairs, len(pairs))]
    started = time.time()
    encoder.train()
    for step in range(len(schedule) // 16):
        batch = schedule[step * 16 : (step + 1) * 16]
        loss = loss_of(logits([p[0] for p in batch], [p[1] for p in batch]), torch.tensor([p[2] for p in batch]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0:
            print(f"step {step}: loss {loss.item():.3f}, {time.time() - started:.0f} s", flush=True)
    encoder.eval()

    def standard(v):
        return (v - v.mean()) / (v.std() + 1e-6)

    orders = {"ranker": [], "cross-encoder": [], "mix 0.5": [], "mix 1": []}
    with torch.no_grad():
        for e in test:
            scores = ranker_scores(e)
            top = np.argsort(-scores)[:CANDIDATES]
            ce = logits([e.standalone] * len(top), [e.sentences[i] for i in top]).numpy()
            lin = np.log(np.clip(scores[top], 1e-6, 1)) - np.log(np.clip(1 - scores[top], 1e-6, 1))
            for name, value in (
                ("ranker", lin),
                ("cross-encoder", ce),
                ("mix 0.5", standard(lin) + 0.5 * standard(ce)),
                ("mix 1", standard(lin) + standard(ce)),
            ):
                orders[name].append(top[np.argsort(-value, kind="stable")])
    rng = np.random.default_rng(0)
    for corpus in ("shipped", "real"):
        idx = [i for i, e in enumerate(test) if ("datalessen-real" in e.extra.get("corpus", "")) == (corpus == "real")]
        for n in (3, 5):
            base = np.array([key_facts_at(test[i], orders["ranker"][i], n) for i in idx])
            for name in orders:
                mine = np.array([key_facts_at(test[i], orders[name][i], n) for i in idx])
                d = mine - base
                boots = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
                print(
                    f"{corpus} ({len(idx)}) key facts of the top {n}, {name}: {mine.mean():.3f} "
                    f"({d.mean():+.3f} [{np.percentile(boots, 2.5):+.3f}, {np.percentile(boots, 97.5):+.3f}])"
                )


if __name__ == "__main__":
    main()
