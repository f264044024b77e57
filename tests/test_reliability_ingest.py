"""Reliability (issue 14, items 2, 3, 5): nothing half-done is served, a huge file is announced, a damaged
manifest is rebuilt.

- A real ingest of one large file is SIGKILLed midway (tests/crash_ingest.py, into the embedded store
  and into a real `chroma run` server): its stored chunks are not served (not retrieved, not quoted,
  not in the document list), by this process nor by another one reading the same server; the next
  ingest finishes it and then it is served whole.
- A file of more chunks than `large_file_chunks` is refused before anything of it is stored, with how
  long it would take on this machine (the real model timed on a sample: a 5 MB text through a real
  `datalessen ingest`), unless `--force`; in the app the same refusal names the command.
- A manifest damaged four ways (garbage header, half-truncated, random bytes, a database of another
  shape) no longer blocks `datalessen ingest` with a traceback: one line says it was set aside and
  rebuilt from the store, nothing is embedded again, and the next changes ingest as usual.
"""

from __future__ import annotations

import os
import re
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


@pytest.mark.slow  # a chroma server, a subprocess
def test_chroma_killed_during_an_ingest_and_restarted_the_next_run_repairs(tmp_path, big_file, chroma_server):  # noqa: F811
    reference = Settings(home=tmp_path / "reference")
    assert Ingestor(reference, embeddings=HashEmbeddings()).run([big_file]).ok
    settings = Settings(home=tmp_path / "home", chroma_url=chroma_server.url)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "tests.crash_ingest", str(settings.home), str(big_file), "--chroma-url", chroma_server.url]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = 0
        for line in proc.stdout:
            seen += line.startswith("embedded")
            if seen == 3:
                chroma_server.kill()  # the server dies under the ingest
                break
        assert proc.wait(timeout=120) != 0, "the ingest stops when its store is gone"
    finally:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    chroma_server.start()
    assert not Assistant(settings, embeddings=HashEmbeddings()).documents(), "nothing half-done is served"
    report = Ingestor(settings, embeddings=HashEmbeddings()).run([big_file])
    assert report.resumed == [str(big_file / "bundel.md")]
    assert {p.chunk_id: p.text for p in ChunkStore(settings).all_passages(incomplete=True)} == {
        p.chunk_id: p.text for p in ChunkStore(reference).all_passages()
    }, "the store equals a clean ingest"


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


@pytest.mark.slow  # the CLI in a subprocess
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


def big_text(path, megabytes: float):
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted(Settings().corpus_dir.glob("*.md")))
    size = int(megabytes * 1_000_000)
    path.write_text((corpus * (size // len(corpus) + 1))[:size], encoding="utf-8")
    return path


@pytest.mark.slow  # the real model, in a subprocess
def test_a_large_file_is_announced_with_an_estimate_and_needs_force(tmp_path, model_path):
    home = tmp_path / "home"
    large = big_text(tmp_path / "groot.txt", 5)
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATALESSEN_HOME": str(home),
        "DATALESSEN_EMBEDDING_MODEL": str(model_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", "-q", str(large)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # without the guard it would embed for an hour
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("MISLUKT")]
    estimate_pattern = r"groot\.txt: ([\d.]+) stukken tekst .* naar schatting (.+?) \(gemeten: ([\d.]+) stukken per seconde\)"
    match = re.search(estimate_pattern, line)
    assert match, line
    chunks, estimate, rate = int(match.group(1).replace(".", "")), match.group(2), float(match.group(3))
    assert chunks > 4000 and "--force" in line and "large_file_chunks" in line
    assert 0.5 < rate < 500 and (estimate.startswith("ongeveer") or estimate == "minder dan een minuut")
    assert ChunkStore(Settings(home=home)).count() == 0, "nothing of the file was stored"


def test_force_ingests_a_large_file_and_the_app_names_the_command(tmp_path, fake_settings, fake_embeddings):
    from ui.settings import AppSettings
    from ui.uploads import accept_uploads, upload_dir

    settings = fake_settings.replace(large_file_chunks=20)
    large = big_text(tmp_path / "groot.txt", 0.05)
    refused = Ingestor(settings, embeddings=fake_embeddings).run([large])
    ((path, reason),) = refused.failed
    assert path == str(large) and "stukken tekst" in reason and "datalessen ingest --force" in reason
    assert ChunkStore(settings).count() == 0
    forced = Ingestor(settings, embeddings=fake_embeddings, force=True).run([large])
    assert forced.added == [str(large)] and forced.chunks > 20

    bot = Assistant(settings.replace(home=tmp_path / "app-home"), embeddings=fake_embeddings)
    result = accept_uploads(bot, AppSettings(), [large])
    assert "datalessen ingest --force" in result.summary() and not list(upload_dir(bot.settings).iterdir())
