"""Reliability (issue 14, item 7): every store or disk failure is one Dutch line naming what to do.

Real components throughout: a `chroma run` server that is not there, or is SIGKILLed under a
running app and started again; a data home on a real tmpfs that fills up during a real
`datalessen ingest`; a data home mounted read-only (a bind mount when root, else a folder without
write permission), from which `datalessen ask` must still answer. The traceback is shown only
with `datalessen --debug`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.manifest import Manifest
from ingest.pipeline import load_and_chunk
from tests.chroma_support import ChromaServer, free_port
from tests.conftest import PROJECT_ROOT
from tests.fakes import HashEmbeddings

pytestmark = pytest.mark.slow  # subprocesses, servers, mounts

SERVER_DOWN = "Fout: De Chroma-server op {url} antwoordt niet. Start hem"


def datalessen(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, in a subprocess: the real exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("command", [["ask", "Wat is slim vegen?"], ["info"], ["ingest", "-q"], ["serve", "--port", "0"]])
def test_a_missing_chroma_server_is_one_dutch_line(command, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    env = {"DATALESSEN_HOME": str(tmp_path / "home"), "DATALESSEN_CHROMA_URL": url}
    result = datalessen(env, *command, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()], f"not one line:\n{result.stderr}"
    assert result.stderr.startswith(SERVER_DOWN.format(url=url)) and "Errno" not in result.stderr

    debug = datalessen(env, "--debug", *command, timeout=120)
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


def test_the_app_says_one_dutch_line_while_chroma_is_down_and_recovers(tmp_path):
    pytest.importorskip("gradio_client")
    from gradio_client import Client

    from assistant.api import CATCH_UP_EVERY, Assistant
    from ingest.pipeline import ingest_into
    from tests.ui_support import running_app

    server = ChromaServer(tmp_path / "chroma")
    server.folder.mkdir()
    server.start()
    try:
        settings = Settings(home=tmp_path / "home", chroma_url=server.url, min_dense_similarity=0.0)
        bot = Assistant(settings, embeddings=HashEmbeddings())
        assert ingest_into(bot, [settings.corpus_dir]).ok
        question = ("Wat is het doel van slim vegen in Utrecht?", "", "", "", "")
        with running_app(bot) as url:
            client = Client(url, verbose=False)
            sources = client.predict(*question, api_name="/ask")[1]
            assert "Slim vegen" in sources
            server.kill()
            time.sleep(CATCH_UP_EVERY + 0.1)  # what the app read from the store that long ago it may still show
            for call in (lambda: client.predict(*question, api_name="/ask"), lambda: client.predict(api_name="/documents")):
                with pytest.raises(Exception) as failure:  # noqa: B017 -- gradio_client's AppError carries the text
                    call()
                message = str(failure.value)
                assert SERVER_DOWN.format(url=server.url)[len("Fout: ") :] in message, message
                assert "Errno" not in message and "Connection refused" not in message
            server.start()
            sources = client.predict(*question, api_name="/ask")[1]
            assert "Slim vegen" in sources, "the same app answers again once the server is back"
    finally:
        server.stop()


@pytest.fixture
def tmpfs(tmp_path):
    """A real, small file system of its own (tmpfs), unmounted afterwards."""
    mount_point = tmp_path / "klein"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1600k", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode(errors='replace').strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def expected_chunks(corpus: Path) -> dict[str, str]:
    settings = Settings()
    return {c.chunk_id: c.text for path in sorted(corpus.glob("*.md")) for c in load_and_chunk(path.resolve(), settings)[1]}


def test_a_full_disk_is_one_dutch_line_and_the_next_run_finishes(tmpfs, model_path):
    home = tmpfs / "home"
    # fp32: the int8 build (~135 MB) would not fit the small disk the second run is given
    env = {"DATALESSEN_HOME": str(home), "DATALESSEN_EMBEDDING_MODEL": str(model_path), "DATALESSEN_EMBEDDING_PRECISION": "fp32"}
    corpus = Settings().corpus_dir

    full = datalessen(env, "ingest", "-q", str(corpus))
    assert full.returncode == 1, full.stdout + full.stderr[-3000:]
    assert full.stderr.splitlines() == [full.stderr.strip()], f"not one line:\n{full.stderr[-3000:]}"
    assert full.stderr.startswith(f"Fout: De schijf van {home} is vol (nog ") and "Maak ruimte vrij" in full.stderr
    assert "compaction" not in full.stderr and "Traceback" not in full.stderr

    grown = subprocess.run(["mount", "-o", "remount,size=64m", str(tmpfs)], capture_output=True)  # room again
    assert grown.returncode == 0, grown.stderr
    again = datalessen(env, "ingest", "-q", str(corpus))
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    settings = Settings(home=home, embedding_precision="fp32")
    stored = {p.chunk_id: p.text for p in ChunkStore(settings).all_passages(incomplete=True)}
    assert stored == expected_chunks(corpus), "the store equals a clean ingest: nothing missing, nothing twice"
    manifest = Manifest(settings.manifest_path, f"{settings.store_dir}#{settings.collection}")
    assert {row.state for row in manifest.rows()} == {"done"} and len(manifest.rows()) == 20
    manifest.close()


@pytest.fixture
def read_only_home(tmp_path, corpus_settings, corpus_assistant):
    """The session's ingested data home, seen read-only: a read-only bind mount as root, else no write permission."""
    view = tmp_path / "alleen-lezen"
    view.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(corpus_settings.home), str(view)], capture_output=True)
        if mounted.returncode != 0:
            pytest.skip(f"cannot bind-mount read-only here: {mounted.stderr.decode(errors='replace').strip()}")
        yield view
        subprocess.run(["umount", "-l", str(view)], check=False)
    else:
        view.rmdir()
        shutil.copytree(corpus_settings.home, view)
        modes = []
        for folder, _, files in os.walk(view):
            for path in [folder, *(os.path.join(folder, f) for f in files)]:
                modes.append((path, os.stat(path).st_mode))
                os.chmod(path, os.stat(path).st_mode & ~0o222)
        yield view
        for path, mode in reversed(modes):
            os.chmod(path, mode)


def test_a_read_only_data_home_still_answers_and_refuses_writes_in_one_line(read_only_home, corpus_settings):
    env = {"DATALESSEN_HOME": str(read_only_home), "DATALESSEN_EMBEDDING_MODEL": corpus_settings.embedding_model}
    asked = datalessen(env, "ask", "Wat is het doel van slim vegen in Utrecht?")
    assert asked.returncode == 0, asked.stderr[-3000:]
    assert "voorspellen welke rijroutes voor de veegwagens" in asked.stdout
    notice = f"Let op: {read_only_home / 'chroma'} is alleen-lezen; de store is gelezen uit een tijdelijke kopie."
    assert asked.stderr.strip() == notice

    ingested = datalessen(env, "ingest", "-q")
    assert ingested.returncode == 1 and ingested.stderr.splitlines() == [ingested.stderr.strip()], ingested.stderr[-3000:]
    assert ingested.stderr.startswith(f"Fout: Kan niet schrijven in {read_only_home}") and "Traceback" not in ingested.stderr
