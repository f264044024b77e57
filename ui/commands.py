"""`datalessen serve`: the web app."""

from __future__ import annotations

import os

import click

from assistant.commands import Context


@click.command()
@click.option("--host", default=None, help="Default: setting host (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: setting port (7860).")
@click.option("--no-ingest", is_flag=True, help="Do not ingest the shipped corpus into an empty store first.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="App processes behind one address, each browser kept with one (default: setting workers, 1). "
    "Two use both cores of a 2-core machine; each takes the memory of one app.",
)
@click.option("--replica", is_flag=True, hidden=True, help="Run as one of the workers behind `--workers`.")
@click.option("--alone", is_flag=True, hidden=True, help="Run as the one app process `serve` starts.")
@click.pass_context
def serve(ctx: click.Context, host, port, no_ingest, workers, replica, alone):
    """Start the web app (Gradio) on this machine.

    The app runs in a process of its own session (with --workers, each app process), so a busy program started
    from the same terminal shares the CPU with it as one group; Ctrl+C here stops it."""
    from ui.access import exposure_warning
    from ui.settings import AppSettings

    app = AppSettings.load().replace(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    starts_processes = not (replica or alone)
    workers = (workers or int(app.workers)) if starts_processes else 1
    warning = exposure_warning(app) if starts_processes else None
    if warning:
        click.echo(warning, err=True)
    if workers > 1:
        from ui.replicas import WorkerFailed, serve_replicas

        try:
            serve_replicas(app.host, int(app.port), workers, ingest=not no_ingest, echo=click.echo)
        except WorkerFailed as exc:
            raise click.ClickException(str(exc)) from exc
        return
    if starts_processes and os.name == "posix":  # the app in a session of its own (ui/replicas.py says why)
        from ui.replicas import serve_alone

        debug = bool(ctx.find_root().params.get("debug"))
        ctx.exit(serve_alone(app.host, int(app.port), ingest=not no_ingest, debug=debug))

    from ingest.pipeline import ingest_beside_answers
    from ui.app import launch
    from ui.replicas import limit_malloc_arenas, report_threads_on_sigusr1

    limit_malloc_arenas(int(app.malloc_arenas))  # before the store and the app start their threads
    report_threads_on_sigusr1()
    obj: Context = ctx.obj
    if not no_ingest and obj.assistant.store.count() == 0:
        click.echo(f"Lege store: de corpus in {obj.settings.corpus_dir} wordt ingelezen…")
        click.echo(ingest_beside_answers(obj.assistant, [obj.settings.corpus_dir], progress=True).summary())
    launch(obj.assistant, app, **({"quiet": True} if replica else {}))
