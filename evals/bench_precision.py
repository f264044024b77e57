"""`datalessen bench precision`: does the int8 embedding path hold quality against fp32?

Each path embeds the shipped corpus into its own fresh temporary store; then every
question of the gold sets used for development and checking (questions, heldout,
heldout2, test; test2 is measured once and kept out of all tuning) goes through
dense retrieval on each, exactly as `datalessen eval`'s dense variant asks it
(`Assistant.ask(mode="dense", k=10)`, follow-ups condensed the same way).

Per set: dense recall@5 of both paths, the difference with its paired bootstrap
interval and how many questions gained or lost (answerable questions), and the
mean overlap of the two top-10 lists, |fp32 ∩ int8| / 10 (all questions).
Goals (issue 16): |int8 - fp32| <= 0.01 and overlap >= 0.9 on every set. The same
figures for the hybrid variant (what the product answers from, and what the
evaluation gate checks) follow, for information: the goals are set on dense.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from assistant.settings import Settings
from evals.gold import GOLD_DIR
from evals.metrics import mean_or_nan, paired_comparison

SETS = ("questions", "heldout", "heldout2", "test")
PRECISIONS = ("fp32", "int8")
VARIANTS = ("dense", "hybrid")  # the goals apply to dense; hybrid is shown beside it
MAX_RECALL_DROP = 0.01
MIN_OVERLAP = 0.9
K = 10


def top_k_overlap(a: list[str], b: list[str], k: int = K) -> float:
    """Share of one top-k list that the other also holds."""
    return len(set(a[:k]) & set(b[:k])) / max(len(a[:k]), len(b[:k]), 1)


def compare(records: dict[str, list[dict]]) -> dict:
    """fp32 against int8 over one set's per-question records (from `evals.run.evaluate`)."""
    fp32 = {r["id"]: r for r in records["fp32"]}
    int8 = {r["id"]: r for r in records["int8"]}
    assert fp32.keys() == int8.keys(), "both paths must answer the same questions"
    recall = {
        name: mean_or_nan([r["metrics"]["recall@5"] for r in by_id.values() if "recall@5" in r["metrics"]])
        for name, by_id in (("fp32", fp32), ("int8", int8))
    }
    overlap = mean_or_nan([top_k_overlap(fp32[q]["retrieved"], int8[q]["retrieved"]) for q in fp32])
    delta = recall["int8"] - recall["fp32"]
    paired = paired_comparison(
        {q: r["metrics"].get("recall@5") for q, r in int8.items()}, {q: r["metrics"].get("recall@5") for q, r in fp32.items()}
    )
    return {
        "questions": len(fp32),
        "recall@5": recall,
        "delta": delta,
        "delta_ci": paired["ci"],
        "better": paired["wins"],
        "worse": paired["losses"],
        "overlap@10": overlap,
        "holds": abs(delta) <= MAX_RECALL_DROP and overlap >= MIN_OVERLAP,
    }


def _interval(ci) -> str:
    return f"[{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else "-"


def retrieval_records(settings: Settings, precision: str, home: Path, gold: dict[str, list]) -> dict[str, list[dict]]:
    """Ingest the corpus with one path into a fresh store and run every set's questions through each variant."""
    from assistant.api import Assistant
    from assistant.embeddings import load_embeddings
    from assistant.store import ChunkStore
    from evals.run import evaluate
    from ingest.pipeline import ingest_into

    chosen = settings.replace(embedding_precision=precision)
    scratch = chosen.replace(home=home, chroma_url="")
    bot = Assistant(scratch, store=ChunkStore(scratch), embeddings=load_embeddings(chosen))
    report = ingest_into(bot, [settings.corpus_dir])
    assert report.ok, report.summary()
    return {name: evaluate(bot, questions, VARIANTS, k=K)["records"] for name, questions in gold.items()}


@click.command("precision")
@click.option("--sets", default=",".join(SETS), show_default=True, help="Gold sets (names in evals/gold/), comma-separated.")
def bench_precision(sets: str) -> None:
    """Dense (and hybrid) recall@5 and top-10 overlap of the int8 embedding path against fp32 on the gold sets."""
    from evals.bench_ingest import load_average
    from evals.gold import load_questions

    base = Settings.load()
    gold = {name: load_questions(GOLD_DIR / f"{name}.jsonl") for name in sets.split(",")}
    records: dict[str, dict[str, list[dict]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-precision-") as tmp:
        for precision in PRECISIONS:
            started = time.perf_counter()
            records[precision] = retrieval_records(base, precision, Path(tmp) / precision, gold)
            click.echo(
                f"{precision}: corpus embedded and {sum(map(len, gold.values())) * len(VARIANTS)} questions asked in "
                f"{time.perf_counter() - started:.0f} s (load average {load_average()})"
            )
    verdicts = []
    for variant in VARIANTS:
        click.echo("")
        click.echo(f"{variant + ' (goals)' if variant == 'dense' else variant + ' (for information)'}")
        click.echo(
            f"{'gold set':<10} {'n':>4} {'fp32 R@5':>9} {'int8 R@5':>9} {'delta':>7} {'95% interval':>16} "
            f"{'+/- questions':>13} {'overlap@10':>11}  goals"
        )
        for name in gold:
            row = compare({p: [r for r in records[p][name] if r["variant"] == variant] for p in PRECISIONS})
            if variant == "dense":
                verdicts.append(row["holds"])
            click.echo(
                f"{name:<10} {row['questions']:>4} {row['recall@5']['fp32']:>9.3f} {row['recall@5']['int8']:>9.3f} "
                f"{row['delta']:>+7.3f} {_interval(row['delta_ci']):>16} {row['better']:>6} / {row['worse']:<4} "
                f"{row['overlap@10']:>11.3f}  {'met' if row['holds'] else 'NOT MET'}"
            )
    click.echo(
        f"goals (dense): |delta recall@5| <= {MAX_RECALL_DROP}, overlap@10 >= {MIN_OVERLAP} on every set: "
        f"{'met' if all(verdicts) else 'NOT MET'}"
    )
