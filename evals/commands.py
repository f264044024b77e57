"""`datalessen eval` and `datalessen bench`: the yardstick, from the terminal."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from assistant.commands import Context
from evals.bench_ingest import bench_ingest
from evals.bench_precision import bench_precision
from evals.bench_retrieval import retrieval as bench_retrieval
from evals.bench_serve import bench_serve
from evals.bench_single_document import bench_single_document
from evals.bench_start import bench_start
from evals.provenance import SOURCE_ROOT, git_commit

EVAL_TABLE = (
    ("recall@5", "recall@5"),
    ("mrr", "MRR"),
    ("ndcg@10", "nDCG@10"),
    ("section_hit@5", "section hit@5"),
    ("citation_validity", "citation validity"),
    ("faithfulness", "faithfulness"),
    ("key_fact_recall", "key-fact recall"),
    ("abstention_f1", "abstention F1"),
    ("median_words", "median words"),
    ("p90_words", "p90 words"),
)


@click.command("eval")
@click.option(
    "--questions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Gold questions (JSON Lines, see evals/gold/FORMAT.md). Default: the shipped set. Repeatable: the sets "
    "are scored together (pooled, with a table per set), since one set of 30-50 questions moves by more than "
    "most changes.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where report.md/.html/.json and the plots go. Default: <data home>/evaluatie/ "
    "(the shipped reports: --report evals/report).",
)
@click.option(
    "--variants", default="bm25,dense,hybrid,naive", show_default=True, help="Comma-separated: bm25, dense, hybrid, naive."
)
@click.option(
    "--thresholds",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Gate thresholds. Default: evals/thresholds.toml.",
)
@click.option("--no-gate", is_flag=True, help="Report the thresholds but exit 0 even when they are missed.")
@click.option(
    "--distractors",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    multiple=True,
    help="A folder of unrelated documents (repeatable): also score a scratch copy of the store with them ingested "
    "beside the corpus, and report every metric with and without them, with how many questions got worse and "
    "better and the change's 95% interval (distractors.md in the report folder).",
)
@click.pass_obj
def eval_command(obj: Context, questions, report_dir, variants, thresholds, no_gate, distractors):
    """Score the store that the settings point at against gold questions; exit 1 when the gate fails."""
    from evals.gate import DEFAULT_THRESHOLDS, check_gate, load_thresholds, measured
    from evals.gold import DEFAULT_QUESTIONS, GoldError, load_questions
    from evals.report import write_report
    from evals.run import evaluate
    from evals.sets import set_for_questions_file

    chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
    files = list(questions) or [DEFAULT_QUESTIONS]
    try:
        sets = {path: load_questions(path, corpus_dir=None) for path in files}
        gold = pooled_questions(sets)
        limits = load_thresholds(thresholds or DEFAULT_THRESHOLDS)
    except (GoldError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if obj.assistant.store.count() == 0:
        raise click.ClickException("the store is empty: run `datalessen ingest` first")

    def progress(variant, done, total):
        if done == total or done % 10 == 0:
            click.echo(f"  {variant}: {done}/{total}", err=True)

    try:
        results = evaluate(obj.assistant, gold, chosen, progress=progress)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if len(files) > 1:
        results["per_file"] = per_file_summaries(results, sets)
    failures = check_gate(results, limits)
    report_dir = report_dir or default_report_dir(obj.settings)
    single = files[0] if len(files) == 1 else None
    paths = write_report(
        results,
        report_dir,
        commit=git_commit(SOURCE_ROOT),
        thresholds=limits,
        failures=failures,
        gold_set=getattr(set_for_questions_file(single), "name", "") if single else "",
        questions_file=single or "",
        questions_files=[str(path) for path in files] if single is None else None,
    )

    width = max(len(label) for _, label in EVAL_TABLE)
    click.echo(f"{'':{width}}  " + "  ".join(f"{v:>8}" for v in chosen))
    for name, label in EVAL_TABLE:
        cells = []
        for v in chosen:
            value = measured(results["summary"][v], name)
            cells.append(f"{'–' if value is None else (f'{value:.0f}' if 'words' in name else f'{value:.3f}'):>8}")
        click.echo(f"{label:{width}}  " + "  ".join(cells))
    for error in results["data_errors"]:
        click.echo(f"gold data error: {error}", err=True)
    click.echo(f"report: {paths['md']} (also .html, .json)")
    if failures:
        click.echo(f"gate ({limits['variant']}) FAILED" + (" (ignored: --no-gate)" if no_gate else "") + ":")
        for failure in failures:
            click.echo(f"  - {failure}")
        if not no_gate:
            sys.exit(1)
    else:
        click.echo(f"gate ({limits['variant']}) passed")
    if distractors:
        with_distractors(obj, gold, chosen, results, list(distractors), report_dir, progress, sets if len(files) > 1 else None)


def pooled_questions(sets: dict) -> list:
    """The questions of several files in one list; an id may be in only one of them (each file is checked on
    its own: sets by different authors may ask the same question, but a record must say which it answers)."""
    seen: dict[str, Path] = {}
    pooled = []
    for path, questions in sets.items():
        for q in questions:
            if q.id in seen:
                raise ValueError(f"{path}: question id {q.id!r} is also in {seen[q.id]}")
            seen[q.id] = path
            pooled.append(q)
    return pooled


def file_labels(paths) -> dict:
    """Each questions file's name in the tables: its stem, or the path as given where two files share a stem
    (`a/test.jsonl` and `b/test.jsonl` must not become one row)."""
    stems = Counter(Path(path).stem for path in paths)
    return {path: Path(path).stem if stems[Path(path).stem] == 1 else str(path) for path in paths}


def file_ids(sets: dict) -> dict[str, set]:
    """Question file label (`file_labels`) -> the ids of its questions."""
    labels = file_labels(sets)
    return {labels[path]: {q.id for q in questions} for path, questions in sets.items()}


def per_file_summaries(results: dict, sets: dict) -> list[dict]:
    """Each file's own summary per variant, beside the pooled one."""
    from evals.run import summaries_by_file

    labels = file_labels(sets)
    by_file = summaries_by_file(results, file_ids(sets))
    return [
        {"file": str(path), "name": labels[path], "questions": len(qs), "summary": by_file[labels[path]]}
        for path, qs in sets.items()
    ]


def with_distractors(
    obj: Context, gold, chosen, results: dict, folders: list[Path], report_dir: Path, progress, sets: dict | None = None
) -> None:
    """The same questions against a scratch copy of the store with `folders` ingested beside the corpus; with
    several question files (`sets`), each file's change below the pooled one."""
    from assistant.api import Assistant
    from evals.distractors import MAX_DROP, per_file_changes, prepare, side_by_side
    from evals.run import evaluate

    try:
        scratch = prepare(obj.settings, obj.assistant.store, folders, progress=True, echo=lambda m: click.echo(m, err=True))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    crowded = Assistant(scratch, embeddings=obj.assistant.embeddings)
    distracted = evaluate(crowded, gold, [v for v in chosen if v != "naive"], progress=progress)
    table, over = side_by_side(results, distracted, corpus_chunks=len(obj.assistant.passages), total_chunks=len(crowded.passages))
    from evals.report import write_report

    write_report(distracted, report_dir / "distractors", commit=git_commit(SOURCE_ROOT))  # every answer, for study
    if sets:
        table += "\n\n" + per_file_changes(results, distracted, file_ids(sets))
    (report_dir / "distractors.md").write_text(f"# With and without distractors\n\n{table}\n", encoding="utf-8")
    click.echo(table)
    click.echo(
        f"distractors: recall@5 and key-fact recall within {MAX_DROP} of the run without them"
        if not over
        else "distractors: " + "; ".join(over)
    )


@click.group()
def bench():
    """Benchmarks that print figures: ratios against a baseline measured in the same run."""


def default_report_dir(settings) -> Path:
    """Reports of one's own go to the data home; the shipped ones (evals/report) are rewritten with --report."""
    return Path(settings.home) / "evaluatie"


# benchmark commands register here: bench.add_command(<click command>)
bench.add_command(bench_ingest)
bench.add_command(bench_retrieval)
bench.add_command(bench_precision)
bench.add_command(bench_serve)
bench.add_command(bench_start)
bench.add_command(bench_single_document)
