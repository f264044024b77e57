"""The library's commands: `datalessen ask` and `datalessen info`, and the context every command shares.

Light on purpose: asking a question from the terminal imports the library and nothing of
the web app or the evaluation (`ui/cli.py` loads each command only when it runs).
"""

from __future__ import annotations

import json

import click

from assistant.settings import Settings


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
    """The settings in force, and the assistant built from them on first use."""

    def __init__(self):
        self.settings = Settings.load()
        self._assistant = None

    @property
    def assistant(self):
        if self._assistant is None:
            from assistant.api import Assistant

            self._assistant = Assistant(self.settings)
        return self._assistant


@click.command()
@click.argument("question")
@click.option("--history", "-H", multiple=True, help="An earlier question in this conversation (repeatable).")
@click.option(
    "--filter",
    "-f",
    "filters",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Filter on a facet the corpus profile names (its [facets]), document or doc_id (repeatable).",
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
            raise click.BadParameter(f"{item!r} is not FIELD=VALUE", param_hint="--filter")
        parsed[key.strip()] = value.strip()
    try:
        answer = obj.assistant.ask(question, history=list(history), filters=parsed, k=k, mode=mode)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_answer(answer))
    copy = getattr(obj.assistant.store, "read_only_copy", None)
    if copy is not None:
        click.echo(f"Let op: {obj.settings.store_dir} is alleen-lezen; de store is gelezen uit een tijdelijke kopie.", err=True)


@click.command()
@click.pass_obj
def info(obj: Context):
    """Show the settings in force and what the store holds."""
    s = obj.settings
    click.echo(f"data home:       {s.home}")
    click.echo(f"store:           {s.chroma_url or s.store_dir} (collection {s.collection})")
    click.echo(f"embedding model: {s.embedding_model}")
    click.echo(f"answer backend:  {s.answer_backend}")
    click.echo(f"chunks stored:   {obj.assistant.store.count()}")
