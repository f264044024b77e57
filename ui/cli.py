"""The `datalessen` command. Each package contributes its own commands (the table below);
a command's module is imported only when that command runs, so `datalessen ask` loads
neither the web app nor the evaluation.

A new command: write it in its package's `commands.py` and add one line to COMMANDS.
"""

from __future__ import annotations

import importlib
import logging

import click

from assistant.commands import Context

COMMANDS = {
    "ask": "assistant.commands:ask",
    "info": "assistant.commands:info",
    "ingest": "ingest.commands:ingest",
    "eval": "evals.commands:eval_command",
    "bench": "evals.commands:bench",
    "train-ranker": "evals.train_ranker:train_ranker",
    "compare-folds": "evals.compare_folds:compare_folds",
    "serve": "ui.commands:serve",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported when used (or when help lists them).

    A failure inside a command is one Dutch line on stderr (`assistant.failures`) and exit code 1;
    the traceback only with `--debug`."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            from assistant.failures import explain, unexpected

            settings = ctx.obj.settings if isinstance(ctx.obj, Context) else None
            click.echo(f"Fout: {explain(exc, settings) or unexpected(exc)}", err=True)
            ctx.exit(1)

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, _, attr = self.lazy[name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(package_name="datalessen")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails (default: one line).")
@click.pass_context
def cli(ctx, debug):
    """Vragen over 'Datagedreven innovatie in gemeenten (2021)', beantwoord met citaten.

    Data lives in DATALESSEN_HOME (default ~/.local/share/datalessen).
    """
    # the libraries' log lines are diagnostics ("index cache not written ([Errno 30] ...)"): shown with
    # --debug; without it only errors (the app logs a failed handler's traceback as one), never warnings
    logging.basicConfig(level=logging.INFO if debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(Context)


def main():
    cli(obj=None)


if __name__ == "__main__":
    main()
