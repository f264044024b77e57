"""Reliability (issue 14, item 4): the running app sees what `datalessen ingest` adds from another process.

Before answering, the assistant compares the store's stamp (chunk count and a version the pipeline
changes after every finished file) with the one it last read, and refreshes when it moved; an
embedded store is reopened, because Chroma reads its vector index once per process.

- The real app (real model, embedded store) is serving; a real `datalessen ingest` subprocess adds a
  document to the same data home; the app, not restarted, lists it and answers from it.
- The same with hash embeddings and a plain ingest process, checking what went wrong before besides
  "niet gevonden": a filtered dense search of a stale view failed with "Error finding id".
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from ingest.pipeline import ingest_into
from tests.conftest import PROJECT_ROOT
from tests.fakes import HashEmbeddings

pytestmark = pytest.mark.slow  # subprocesses, a server

KADEMUREN = (
    "---\ntitle: Kademuren Zwolle\nkind: context\ngemeente: Zwolle\n---\n\n# Kademuren Zwolle\n\n## Meten\n\n"
    "In Zwolle bewaken zevenendertig trillingssensoren sinds 2019 de kademuren van de Thorbeckegracht.\n"
)
QUESTION = "Hoeveel trillingssensoren bewaken de kademuren van de Thorbeckegracht?"


def run_ingest(env: dict, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ui.cli", "ingest", "-q", *args]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result


def test_the_running_app_sees_a_cli_ingest(tmp_path, model_path, real_embeddings):
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from tests.ui_support import running_app

    home = tmp_path / "home"
    settings = Settings(home=home, embedding_model=str(model_path))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "slim-vegen.md").write_text(
        "# Slim vegen\n\nUtrecht voorspelt met data welke rijroutes voor de veegwagens het meest zinvol zijn.\n",
        encoding="utf-8",
    )
    bot = Assistant(settings, embeddings=real_embeddings)
    assert ingest_into(bot, [corpus]).ok
    new = tmp_path / "nieuw" / "kademuren-zwolle.md"
    new.parent.mkdir()
    new.write_text(KADEMUREN, encoding="utf-8")
    env = {"DATALESSEN_HOME": str(home), "DATALESSEN_EMBEDDING_MODEL": str(model_path)}

    with running_app(bot) as url:
        client = Client(url, verbose=False)
        documents, *_ = client.predict(api_name="/documents")
        assert "slim-vegen.md" in documents and "kademuren-zwolle.md" not in documents

        run_ingest(env, str(new))  # another process, the same data home, the app still running

        documents, *_ = client.predict(api_name="/documents")
        assert "kademuren-zwolle.md" in documents
        sources = client.predict(QUESTION, "", "", "", "", api_name="/ask")[1]
        assert "<mark>In Zwolle bewaken zevenendertig trillingssensoren" in sources
        sources = client.predict(QUESTION, "Zwolle", "", "", "", api_name="/ask")[1]  # filtered: dense `where`
        assert "<mark>In Zwolle bewaken zevenendertig trillingssensoren" in sources


def test_an_assistant_sees_another_process_ingest_and_removal(tmp_path):
    home = tmp_path / "home"
    settings = Settings(home=home, min_dense_similarity=0.0)
    first = tmp_path / "eerst"
    first.mkdir()
    (first / "vegen.md").write_text("# Vegen\n\nUtrecht plant de veegroutes met sensoren in afvalbakken.\n", encoding="utf-8")
    bot = Assistant(settings, embeddings=HashEmbeddings())
    assert ingest_into(bot, [first]).ok
    new = tmp_path / "nieuw" / "kademuren-zwolle.md"
    new.parent.mkdir()
    new.write_text(KADEMUREN, encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.crash_ingest", str(home), str(new), "--delay", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "done" in done.stdout, done.stderr[-3000:]

    assert {d["document"] for d in bot.documents()} == {"vegen.md", "kademuren-zwolle.md"}
    for filters in ({}, {"gemeente": "Zwolle"}):
        answer = bot.ask(QUESTION, filters=filters)
        assert any("zevenendertig trillingssensoren" in q for c in answer.citations for q in c.quotes), filters

    new.unlink()
    pruned = subprocess.run(
        [sys.executable, "-c", PRUNE, str(home), str(new.parent)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert pruned.returncode == 0, pruned.stderr[-3000:]
    assert {d["document"] for d in bot.documents()} == {"vegen.md"}


PRUNE = """
import sys
from pathlib import Path
from assistant.settings import Settings
from ingest.pipeline import Ingestor
from tests.fakes import HashEmbeddings
report = Ingestor(Settings(home=Path(sys.argv[1])), embeddings=HashEmbeddings()).run([Path(sys.argv[2])], prune=True)
assert report.removed, report.summary()
"""
