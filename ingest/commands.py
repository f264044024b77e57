"""`datalessen ingest`: documents into the store from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.commands import Context


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--prune", is_flag=True, help="Sync mode: also remove from the store every document whose file is gone from a given folder."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option(
    "--force", is_flag=True, help="Also ingest files above the setting large_file_chunks (refused otherwise, with an estimate)."
)
@click.pass_obj
def ingest(obj: Context, paths, prune, quiet, force):
    """Read documents (PDF, DOCX, HTML, Markdown, text) into the store.

    Without PATHS the shipped corpus is ingested. Unchanged files are skipped;
    changed files replace their chunks; a run that was interrupted is finished
    by the next one. Without --prune nothing is ever removed: a file deleted
    from a folder keeps its chunks. With --prune the store is synced to the
    folders given: documents that were ingested from under one of them and
    whose file no longer exists are removed (files elsewhere are untouched).

    A file of more than large_file_chunks chunks (2000, some minutes of work)
    is refused with an estimate of how long it would take, unless --force.

    Progress goes to stderr, the summary to stdout. Exit code 1 when any file
    failed; every failed file is listed with its reason. See docs/ingest.md.
    """
    from ingest.pipeline import Ingestor, lower_priority

    lower_priority(obj.settings.ingest_nice)
    targets = list(paths) or [obj.settings.corpus_dir]
    report = Ingestor(obj.settings, progress=not quiet, force=force).run(targets, prune=prune)  # failures: ui/cli.py
    click.echo(report.summary())
    sys.exit(0 if report.ok else 1)
