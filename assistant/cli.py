"""The `datalessen` command: ingest, ask, serve, eval, bench, info."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.settings import Settings, quiet_offline_environment


def render_answer(answer) -> str:
    """An answer as a terminal shows it: text, then the numbered sources with their quotes."""
    lines = [answer.text, ""]
    if answer.citations:
        lines.append(
            "Dichtstbijzijnde passages:"
            if answer.abstained and answer.language == "nl"
            else "Closest passages:"
            if answer.abstained
            else "Bronnen:"
            if answer.language == "nl"
            else "Sources:"
        )
        for c in answer.citations:
            where = " — ".join(part for part in (c.section, c.page) if part)
            lines.append(f"[{c.n}] {c.title}" + (f" — {where}" if where else ""))
            for quote in c.quotes or [c.quote]:
                lines.append(f"    „{quote}”")
    for warning in answer.warnings:
        lines.append(f"! {warning}")
    return "\n".join(lines).rstrip() + "\n"


class Context:
    def __init__(self):
        self.settings = Settings.load()
        self._assistant = None

    @property
    def assistant(self):
        if self._assistant is None:
            from assistant.api import Assistant

            self._assistant = Assistant(self.settings)
        return self._assistant


@click.group()
@click.version_option(package_name="datalessen")
@click.pass_context
def cli(ctx):
    """Vragen over 'Datagedreven innovatie in gemeenten (2021)', beantwoord met citaten.

    Data lives in DATALESSEN_HOME (default ~/.local/share/datalessen).
    """
    quiet_offline_environment()
    ctx.ensure_object(Context)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--prune", is_flag=True, help="Sync mode: also remove from the store every document whose file is gone from a given folder."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.pass_obj
def ingest(obj: Context, paths, prune, quiet):
    """Read documents (PDF, DOCX, HTML, Markdown, text) into the store.

    Without PATHS the shipped corpus is ingested. Unchanged files are skipped;
    changed files replace their chunks; a run that was interrupted is finished
    by the next one. Without --prune nothing is ever removed: a file deleted
    from a folder keeps its chunks. With --prune the store is synced to the
    folders given: documents that were ingested from under one of them and
    whose file no longer exists are removed (files elsewhere are untouched).

    Progress goes to stderr, the summary to stdout. Exit code 1 when any file
    failed; every failed file is listed with its reason. See docs/ingest.md.
    """
    from assistant.store import StoreUnavailable
    from ingest.pipeline import Ingestor

    targets = list(paths) or [obj.settings.corpus_dir]
    try:
        report = Ingestor(obj.settings, progress=not quiet).run(targets, prune=prune)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


@cli.command()
@click.argument("question")
@click.option("--history", "-H", multiple=True, help="An earlier question in this conversation (repeatable).")
@click.option(
    "--filter",
    "-f",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="Filter: gemeente, domein, kind, document or doc_id (repeatable).",
)
@click.option("-k", type=int, default=None, help="How many passages to retrieve.")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid")
@click.option("--json", "as_json", is_flag=True, help="Print the full answer as JSON.")
@click.pass_obj
def ask(obj: Context, question, history, filters, k, mode, as_json):
    """Ask a question; the answer quotes and cites its sources."""
    parsed = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--filter")
        parsed[key.strip()] = value.strip()
    try:
        answer = obj.assistant.ask(question, history=list(history), filters=parsed, k=k, mode=mode)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_answer(answer))


@cli.command()
@click.option("--host", default=None, help="Default: setting host (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: setting port (7860).")
@click.option("--no-ingest", is_flag=True, help="Do not ingest the shipped corpus into an empty store first.")
@click.pass_obj
def serve(obj: Context, host, port, no_ingest):
    """Start the web app (Gradio) on this machine."""
    from ui.app import launch

    settings = obj.settings.replace(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    obj.settings = settings
    if not no_ingest and obj.assistant.store.count() == 0:
        click.echo(f"Lege store: de corpus in {settings.corpus_dir} wordt ingelezen…")
        click.echo(obj.assistant.ingest([settings.corpus_dir], progress=True).summary())
    launch(obj.assistant)


@cli.command()
@click.pass_obj
def info(obj: Context):
    """Show the settings in force and what the store holds."""
    s = obj.settings
    click.echo(f"data home:       {s.home}")
    click.echo(f"store:           {s.chroma_url or s.store_dir} (collection {s.collection})")
    click.echo(f"embedding model: {s.embedding_model}")
    click.echo(f"answer backend:  {s.answer_backend}")
    click.echo(f"chunks stored:   {obj.assistant.store.count()}")


def git_commit(root: Path) -> str:
    """The checked-out commit, '+dirty' when the tree has changes (reports being written don't count);
    '' outside git."""
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)evals/report"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+dirty" if dirty else "")


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


@cli.command("eval")
@click.option(
    "--questions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Gold questions (JSON Lines, see evals/gold/FORMAT.md). Default: the shipped set.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where report.md/.html/.json and the plots go. Default: evals/report/.",
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
@click.pass_obj
def eval_command(obj: Context, questions, report_dir, variants, thresholds, no_gate):
    """Score the store that the settings point at against gold questions; exit 1 when the gate fails."""
    from assistant.settings import PROJECT_ROOT
    from evals.gate import DEFAULT_THRESHOLDS, check_gate, load_thresholds, measured
    from evals.gold import DEFAULT_QUESTIONS, GoldError, load_questions
    from evals.report import write_report
    from evals.run import evaluate

    chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
    try:
        gold = load_questions(questions or DEFAULT_QUESTIONS, corpus_dir=None)
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
    failures = check_gate(results, limits)
    paths = write_report(
        results,
        report_dir or PROJECT_ROOT / "evals" / "report",
        commit=git_commit(PROJECT_ROOT),
        thresholds=limits,
        failures=failures,
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


@cli.group()
def bench():
    """Benchmarks that print figures: ratios against a baseline measured in the same run."""


# benchmark commands register here: bench.add_command(<click command>)
from evals.bench_ingest import bench_ingest  # noqa: E402
from evals.bench_precision import bench_precision  # noqa: E402
from evals.bench_retrieval import retrieval as _bench_retrieval  # noqa: E402  (light: click and numpy only)

bench.add_command(bench_ingest)
bench.add_command(_bench_retrieval)
bench.add_command(bench_precision)


def main():
    cli(obj=None)


if __name__ == "__main__":
    main()
