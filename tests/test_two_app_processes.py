"""Two app processes for one organisation: one PostgreSQL database, one Chroma server (issue 12).

The test makes its own PostgreSQL cluster in a temporary folder (Debian's `postgresql` package, which
`make test` installs as it installs Chromium), starts a real `chroma run`, ingests a small document into
it, then starts two `datalessen serve` processes on both. A conversation begun on the first is listed,
reopened and continued on the second, and the first sees the continuation. Everything is stopped after.
Skipped, with the reason, when PostgreSQL's programs or the psycopg driver are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_ROOT
from tests.test_store_server import chroma_url as chroma_url  # noqa: F401 -- the module fixture: a real `chroma run`
from tests.test_store_server import free_port

pytest.importorskip("gradio_client")
pytest.importorskip("psycopg", reason="the PostgreSQL driver is missing: pip install 'datalessen[postgres]'")
from gradio_client import Client

from tests.ui_support import KAMPEN_DOC

pytestmark = pytest.mark.slow
DOC = KAMPEN_DOC


def postgres_program(name: str) -> str | None:
    """initdb and pg_ctl: on PATH, or where Debian puts them (/usr/lib/postgresql/<version>/bin)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user the package creates."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="module")
def database_url():
    initdb, pg_ctl = postgres_program("initdb"), postgres_program("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql; `make test` does it)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without `runuser` to start PostgreSQL as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="datalessen-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, log, port = folder / "data", folder / "server.log", free_port()
    try:
        subprocess.run(
            _as_postgres([initdb, "-D", str(data), "-U", "datalessen", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        started = subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"]),
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log.read_text(errors='replace')[-2000:]}")
        yield f"postgresql+psycopg://datalessen@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _serve(home: Path, port: int, env: dict) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    log = open(home / "serve.log", "wb")  # noqa: SIM115 -- closed when the process is stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--no-ingest", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env={**env, "DATALESSEN_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_file = log
    return process


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"datalessen serve exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"datalessen serve did not answer in {seconds:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)
    process.log_file.close()


def _text(message) -> str:
    content = message["content"]
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


def test_a_conversation_started_on_one_process_reopens_on_the_other(
    tmp_path,
    database_url,
    chroma_url,
    model_path,
    real_embeddings,  # noqa: F811
):
    from assistant.api import Assistant
    from assistant.settings import Settings
    from ingest.pipeline import ingest_into

    doc = tmp_path / "kampen.md"
    doc.write_text(DOC, encoding="utf-8")
    shared = Settings(home=tmp_path / "ingest-home", chroma_url=chroma_url, embedding_model=str(model_path))
    assert ingest_into(Assistant(shared, embeddings=real_embeddings), [doc]).ok

    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATALESSEN_CHROMA_URL": chroma_url,
        "DATALESSEN_DATABASE_URL": database_url,
        "DATALESSEN_EMBEDDING_MODEL": str(model_path),
        "DATALESSEN_TORCH_THREADS": "1",
    }
    ports = [free_port(), free_port()]
    processes = [_serve(tmp_path / f"app-{i}", port, env) for i, port in enumerate(ports)]
    try:
        urls = [f"http://127.0.0.1:{port}/" for port in ports]
        for process, url, i in zip(processes, urls, range(2)):
            _wait_until_serving(process, url, tmp_path / f"app-{i}" / "serve.log")
        first, second = (Client(url, verbose=False) for url in urls)

        chat, *_ = first.predict("Hoeveel boeien meten het waterpeil in Kampen?", "", "", "", "", api_name="/ask")
        assert "zeven boeien" in _text(chat[-1])
        (started,) = first.predict("", api_name="/conversations")

        listed = second.predict("", api_name="/conversations")
        assert [c["id"] for c in listed] == [started["id"]] and listed[0]["turns"] == 1
        chat, sources, *_ = second.predict(started["id"], api_name="/open_conversation")
        assert chat[0]["content"] and "Hoeveel boeien meten het waterpeil" in _text(chat[0])
        assert "zeven boeien" in sources
        # the second process carries the conversation on; the first sees the new turn
        chat, *_ = second.predict("En welke les trekt Kampen daaruit?", "", "", "", "", api_name="/ask")
        assert len(chat) == 4
        answered = _text(chat[-1])
        assert first.predict("", api_name="/conversations")[0]["turns"] == 2
        chat, *_ = first.predict(started["id"], api_name="/open_conversation")
        assert "En welke les trekt Kampen daaruit?" in _text(chat[-2])
        assert _text(chat[-1]) == answered  # the second process's answer, as it gave it
    finally:
        for process in processes:
            _stop(process)
