"""`datalessen serve`: the web app."""

from __future__ import annotations

import click

from assistant.commands import Context


@click.command()
@click.option("--host", default=None, help="Default: setting host (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: setting port (7860).")
@click.option("--no-ingest", is_flag=True, help="Do not ingest the shipped corpus into an empty store first.")
@click.pass_obj
def serve(obj: Context, host, port, no_ingest):
    """Start the web app (Gradio) on this machine."""
    from ingest.pipeline import ingest_beside_answers
    from ui.access import exposure_warning
    from ui.app import launch
    from ui.settings import AppSettings

    app = AppSettings.load().replace(**{k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    warning = exposure_warning(app)
    if warning:
        click.echo(warning, err=True)
    if not no_ingest and obj.assistant.store.count() == 0:
        click.echo(f"Lege store: de corpus in {obj.settings.corpus_dir} wordt ingelezen…")
        click.echo(ingest_beside_answers(obj.assistant, [obj.settings.corpus_dir], progress=True).summary())
    launch(obj.assistant, app)
