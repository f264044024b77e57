"""The seams docs/extending.md promises: a loader or an answer backend is one module plus one registry line."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from assistant.answerers import BACKENDS, AnswererContext, build_answerer
from assistant.schema import Answer
from ingest import loaders
from ingest.document import IngestError


def test_a_registered_loader_reads_its_format_everywhere(tmp_path, monkeypatch, fake_settings, fake_embeddings):
    """The CSV example from the docs, registered by one line: ingest and uploads accept .csv."""
    module = types.ModuleType("csv_notes_example")
    exec(
        textwrap.dedent('''
        import csv, io
        from ingest.document import Block, LoadedDocument, doc_id_for
        from ingest.loaders.text import decode_text

        def load_csv(path, data):
            text, warnings = decode_text(data, path)
            rows = list(csv.DictReader(io.StringIO(text)))
            blocks = [Block(text=" — ".join(v for v in row.values() if v), kind="paragraph") for row in rows]
            return LoadedDocument(doc_id=doc_id_for(data), source=str(path), title=path.stem,
                                  metadata={"kind": "document"}, blocks=blocks, warnings=warnings)
    '''),
        module.__dict__,
    )
    monkeypatch.setitem(sys.modules, "csv_notes_example", module)
    (tmp_path / "docs").mkdir()
    notes = tmp_path / "docs" / "notities.csv"
    notes.write_text("onderwerp,notitie\nkademuren,De gemeente meet de kademuren met twaalf sensoren.\n", encoding="utf-8")
    with pytest.raises(IngestError, match="unsupported file type '.csv'"):
        loaders.read_checked(notes)

    monkeypatch.setitem(loaders.LOADERS, ".csv", "csv_notes_example:load_csv")  # the one registry line
    from assistant.api import Assistant
    from ingest.pipeline import ingest_into
    from ui.uploads import UPLOAD_SUFFIXES

    assert ".csv" in UPLOAD_SUFFIXES
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    report = ingest_into(bot, [tmp_path / "docs"])
    assert report.ok and [d["title"] for d in bot.documents()] == ["notities"]
    assert "twaalf sensoren" in bot.retrieve("kademuren sensoren", mode="bm25")[0].text


def test_a_registered_backend_answers(monkeypatch, fake_settings):
    module = types.ModuleType("echo_backend_example")

    class EchoAnswerer:
        backend_name = "echo"

        def answer(self, question, passages, *, language="nl", standalone_question=""):
            return Answer(question=question, text=f"echo: {question}", backend=self.backend_name)

        def stream(self, question, passages, *, language="nl", standalone_question=""):
            yield self.answer(question, passages)

    module.build = lambda context: EchoAnswerer()
    monkeypatch.setitem(sys.modules, "echo_backend_example", module)
    monkeypatch.setitem(BACKENDS, "echo", "echo_backend_example")
    answerer = build_answerer(AnswererContext(settings=fake_settings.replace(answer_backend="echo")))
    assert answerer.answer("Werkt het?", []).text == "echo: Werkt het?"
    with pytest.raises(ValueError, match="unknown; choose one of: extractive, openai, ollama, llamacpp, echo"):
        build_answerer(AnswererContext(settings=fake_settings.replace(answer_backend="nope")))
