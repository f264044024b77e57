"""Reliability (issue 14, items 2, 3, 5): nothing half-done is served, a huge file is announced, a damaged
manifest is rebuilt.

- A real ingest of one large file is SIGKILLed midway (tests/crash_ingest.py, into the embedded store
  and into a real `chroma run` server): its stored chunks are not served (not retrieved, not quoted,
  not in the document list), by this process nor by another one reading the same server; the next
  ingest finishes it and then it is served whole.
- A manifest damaged four ways (garbage header, half-truncated, random bytes, a database of another
  shape) no longer blocks `datalessen ingest` with a traceback: one line says it was set aside and
  rebuilt from the store, nothing is embedded again, and the next changes ingest as usual.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.chroma_support import ChromaServer
from tests.conftest import PROJECT_ROOT
from tests.fakes import HashEmbeddings
from tests.test_ingest_crash import big_file, kill_during  # noqa: F401 -- big_file is a fixture


@pytest.fixture
def chroma_server(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.folder.mkdir()
    server.start()
    yield server
    server.stop()


def raw_chunks(settings: Settings) -> list[tuple[str, str]]:
    """(source, text) of every chunk the Chroma collection holds, finished or not, read past the store class."""
    got = ChunkStore(settings).collection.get(include=["documents", "metadatas"])
    return [(meta["source"], text) for text, meta in zip(got["documents"], got["metadatas"])]


def first_sentence(text: str) -> str:
    return text.split(". ")[0].strip()


def served_sources(bot: Assistant, question: str) -> set[str]:
    answer = bot.ask(question)
    return {c.source for c in answer.citations} | {p.source for p in bot.retrieve(question)}


@pytest.mark.slow  # a killed subprocess, a chroma server
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("where", ["embedded", "server"])
def test_a_killed_ingest_serves_nothing_of_the_unfinished_file(where, request, tmp_path, big_file):  # noqa: F811
    url = request.getfixturevalue("chroma_server").url if where == "server" else ""
    settings = Settings(home=tmp_path / "home", chroma_url=url, min_dense_similarity=0.0)
    bundle = str(big_file / "bundel.md")

    kill_during(settings.home, [big_file], "embedded", 3, *(["--chroma-url", url] if url else []))
    stored = raw_chunks(settings)
    assert 0 < len(stored) and {source for source, _ in stored} == {bundle}, "killed with part of the file stored"

    readers = [Assistant(settings, embeddings=HashEmbeddings())]
    if url:  # another process's view: its own data home (no manifest), the same server
        readers.append(Assistant(settings.replace(home=tmp_path / "other-home"), embeddings=HashEmbeddings()))
    for bot in readers:
        assert bot.documents() == [] and bot.passages == []
        for _, text in stored[:5]:
            assert bundle not in served_sources(bot, first_sentence(text))

    report = Ingestor(settings, store=ChunkStore(settings), embeddings=HashEmbeddings()).run([big_file])
    assert report.resumed == [bundle]
    for bot in readers:
        bot.catch_up()
        (document,) = bot.documents()
        assert document["source"] == bundle and document["chunks"] == len(raw_chunks(settings))
        assert bundle in served_sources(bot, first_sentence(stored[0][1]))


def other_shape(path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE files (naam TEXT, grootte INTEGER)")
        db.execute("INSERT INTO files VALUES ('a', 1)")
    db.close()


DAMAGE = {
    "garbage-header": lambda path: path.write_bytes(b"GARBAGE!" * 4 + path.read_bytes()[32:]),
    "half-truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "random-bytes": lambda path: path.write_bytes(os.urandom(path.stat().st_size)),
    "other-shape": other_shape,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_manifest_is_set_aside_and_rebuilt_from_the_store(damage, tmp_path):
    settings = Settings(home=tmp_path / "home")
    corpus = settings.corpus_dir
    first = Ingestor(settings, embeddings=HashEmbeddings())
    assert first.run([corpus]).ok
    first.close()  # checkpointed: the whole manifest is in manifest.sqlite
    DAMAGE[damage](settings.manifest_path)
    damaged = settings.manifest_path.read_bytes()

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATALESSEN_HOME": str(settings.home)}
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", "-q", str(corpus)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    notice, counts, figures = result.stdout.splitlines()[:3]
    assert notice.startswith(f"Het manifest {settings.manifest_path} was beschadigd (") and "opgebouwd uit de store (20" in notice
    assert "ongewijzigd 20" in counts and "nieuw ingebed 0" in figures, result.stdout
    (aside,) = settings.home.glob("manifest.sqlite.beschadigd-*")
    assert aside.read_bytes() == damaged and aside.name in notice

    manifest = Manifest(settings.manifest_path, f"{settings.store_dir}#{settings.collection}")
    assert [row.state for row in manifest.rows()] == ["done"] * 20
    manifest.close()
    extra = tmp_path / "extra.md"
    extra.write_text("# Extra\n\nDe gemeente Kampen meet het waterpeil met zeven boeien.\n", encoding="utf-8")
    again = Ingestor(settings, embeddings=HashEmbeddings())
    report = again.run([corpus, extra])
    again.close()
    assert report.added == [str(extra)] and len(report.unchanged) == 20 and not report.notices
