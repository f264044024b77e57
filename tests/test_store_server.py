"""The same ingest and the same answers through a real `chroma run` server as through the embedded store.

A module fixture starts the server that ships with chromadb (the `chroma` script next
to this Python) on a free loopback port with a temporary data folder, waits for its
heartbeat, and stops it afterwards. The test is skipped only when that script is not
installed; if it is there, a server that does not come up is a failure.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.store import ChunkStore
from ingest.pipeline import Ingestor
from tests.fakes import HashEmbeddings

CHROMA = Path(sys.executable).with_name("chroma")
HEARTBEAT = "/api/v2/heartbeat"  # what chromadb 1.5's Rust server answers (v1 paths give 410 Gone)
QUERIES = (
    "Welke succesfactoren noemt het rapport?",
    "Wat is het doel van slim vegen in Utrecht?",
    "voorspelmodel startkwalificatie schooluitval",
    "Hoe werd de fundering van woningen in Zaanstad onderzocht?",
    "privacy en ethiek bij data-analyse",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip(f"no chroma server script at {CHROMA} (chromadb not installed in this environment)")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(folder / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def log_tail() -> str:
        return (folder / "server.log").read_text(errors="replace")[-3000:]

    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited with {proc.returncode}:\n{log_tail()}")
            try:
                if httpx.get(url + HEARTBEAT, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server gave no heartbeat in 60 s:\n{log_tail()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def ingest(settings: Settings):
    embeddings = HashEmbeddings()
    report = Ingestor(settings, store=ChunkStore(settings), embeddings=embeddings).run([settings.corpus_dir])
    assert report.ok, report.summary()
    return report, embeddings


def stored(settings: Settings) -> dict[str, tuple[str, dict]]:
    return {p.chunk_id: (p.text, p.metadata) for p in ChunkStore(settings).all_passages()}


def top_results(settings: Settings, mode: str) -> list[list[tuple[str, float]]]:
    retriever = HybridRetriever(settings, ChunkStore(settings), HashEmbeddings())
    return [[(p.chunk_id, round(p.score, 6)) for p in retriever.retrieve(q, k=8, mode=mode)] for q in QUERIES]


def test_server_store_matches_embedded_store(chroma_url, tmp_path):
    home = tmp_path / "home"
    server = Settings(home=home, chroma_url=chroma_url)
    embedded = Settings(home=home)

    first, _ = ingest(server)
    assert len(first.added) == 20 and first.embedded == first.chunks > 100
    assert not embedded.store_dir.exists(), "the server ingest wrote nothing to the embedded store folder"

    again, model = ingest(server)
    assert len(again.unchanged) == 20 and again.embedded == 0 and model.embedded_texts == 0, (
        "a re-run against the server embeds nothing"
    )

    other, _ = ingest(embedded)
    assert len(other.added) == 20 and other.embedded == first.embedded, (
        "the manifest keeps rows per store: the embedded store is still empty, so everything is ingested"
    )

    on_server, local = stored(server), stored(embedded)
    assert on_server.keys() == local.keys() and len(on_server) == first.chunks
    assert on_server == local, "same texts and metadata"
    for mode in ("hybrid", "dense"):
        assert top_results(server, mode) == top_results(embedded, mode), mode


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from ui.cli import cli

    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        cli, ["ingest", "-q"], env={"DATALESSEN_HOME": str(tmp_path / "home"), "DATALESSEN_CHROMA_URL": url}
    )
    assert result.exit_code == 1
    assert f"Fout: De Chroma-server op {url} antwoordt niet." in result.output  # one line: test_reliability_errors
