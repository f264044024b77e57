"""`datalessen bench precision`: does the int8 embedding path hold quality against fp32?

Each path embeds the shipped corpus into its own fresh temporary store; then every
question of the gold sets used for development and checking (questions, heldout,
heldout2, test; test2 is measured once and kept out of all tuning) goes through
dense retrieval on each, exactly as `datalessen eval`'s dense variant asks it
(`Assistant.ask(mode="dense", k=10)`, follow-ups condensed the same way).

Per set: dense recall@5 of both paths and the difference (answerable questions),
and the mean overlap of the two top-10 lists, |fp32 ∩ int8| / 10 (all questions).
Goals (issue 16): |int8 - fp32| <= 0.01 and overlap >= 0.9 on every set. The
default of `embedding_precision` is int8 only because these hold (docs/benchmarks.md).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from assistant.settings import Settings
from evals.gold import GOLD_DIR

SETS = ("questions", "heldout", "heldout2", "test")
PRECISIONS = ("fp32", "int8")
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
        name: _mean([r["metrics"]["recall@5"] for r in by_id.values() if "recall@5" in r["metrics"]])
        for name, by_id in (("fp32", fp32), ("int8", int8))
    }
    overlap = _mean([top_k_overlap(fp32[q]["retrieved"], int8[q]["retrieved"]) for q in fp32])
    delta = recall["int8"] - recall["fp32"]
    return {
        "questions": len(fp32),
        "recall@5": recall,
        "delta": delta,
        "overlap@10": overlap,
        "holds": abs(delta) <= MAX_RECALL_DROP and overlap >= MIN_OVERLAP,
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def dense_records(settings: Settings, precision: str, home: Path, gold: dict[str, list]) -> dict[str, list[dict]]:
    """Ingest the corpus with one path into a fresh store and run every set's questions through dense retrieval."""
    from assistant.api import Assistant
    from assistant.embeddings import load_embeddings
    from assistant.store import ChunkStore
    from evals.run import evaluate

    chosen = settings.replace(embedding_precision=precision)
    scratch = chosen.replace(home=home, chroma_url="")
    bot = Assistant(scratch, store=ChunkStore(scratch), embeddings=load_embeddings(chosen))
    report = bot.ingest([settings.corpus_dir])
    assert report.ok, report.summary()
    return {name: evaluate(bot, questions, ("dense",), k=K)["records"] for name, questions in gold.items()}


@click.command("precision")
@click.option("--sets", default=",".join(SETS), show_default=True, help="Gold sets (names in evals/gold/), comma-separated.")
def bench_precision(sets: str) -> None:
    """Dense recall@5 and top-10 overlap of the int8 embedding path against fp32 on the gold sets."""
    from evals.bench_ingest import load_average
    from evals.gold import load_questions

    base = Settings.load()
    gold = {name: load_questions(GOLD_DIR / f"{name}.jsonl") for name in sets.split(",")}
    records: dict[str, dict[str, list[dict]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-precision-") as tmp:
        for precision in PRECISIONS:
            started = time.perf_counter()
            records[precision] = dense_records(base, precision, Path(tmp) / precision, gold)
            click.echo(
                f"{precision}: corpus embedded and {sum(map(len, gold.values()))} questions asked in "
                f"{time.perf_counter() - started:.0f} s (load average {load_average()})"
            )
    click.echo("")
    click.echo(f"{'gold set':<10} {'n':>4} {'fp32 R@5':>9} {'int8 R@5':>9} {'delta':>7} {'overlap@10':>11}  goals")
    verdicts = []
    for name in gold:
        row = compare({p: records[p][name] for p in PRECISIONS})
        verdicts.append(row["holds"])
        click.echo(
            f"{name:<10} {row['questions']:>4} {row['recall@5']['fp32']:>9.3f} {row['recall@5']['int8']:>9.3f} "
            f"{row['delta']:>+7.3f} {row['overlap@10']:>11.3f}  {'met' if row['holds'] else 'NOT MET'}"
        )
    click.echo(
        f"goals: |delta recall@5| <= {MAX_RECALL_DROP}, overlap@10 >= {MIN_OVERLAP} on every set: "
        f"{'met' if all(verdicts) else 'NOT MET'}"
    )
