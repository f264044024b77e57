"""`datalessen serve` (one app process) runs the app in a session of its own, as `--workers N` runs each of its
processes: a busy program started from the same terminal then competes with the app as one group, not thread by
thread (ui/replicas.py, docs/benchmarks.md). Started as a user starts it (a subprocess, the real model, a small
document in the store): it answers; Ctrl+C on the command stops the app cleanly; a SIGKILL of the command does
not leave the app running on its port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_ROOT
from tests.test_serve_workers import _state, children, kampen_home, text, wait_for_processes
from tests.ui_support import free_port

pytest.importorskip("gradio_client")
from gradio_client import Client

pytestmark = pytest.mark.slow  # subprocesses with the real model


def malloc_arenas(pid: int) -> int:
    """glibc's malloc arenas besides the main one, read from a process's memory: each starts with the first of
    its 64 MiB heaps, whose header points just past itself to the arena and has no previous heap. An arena that
    outgrows a heap chains another (with a previous heap), which is not another arena."""
    heap, count = 64 << 20, 0
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            fields = line.split()
            start = int(fields[0].split("-")[0], 16)
            if len(fields) > 5 or start % heap or not fields[1].startswith("r"):
                continue
            memory.seek(start)
            arena, previous = struct.unpack("QQ", memory.read(16))
            count += previous == 0 and start < arena < start + 256
    return count


def gone(pid: int) -> bool:
    return "zombie" in _state(pid)


def wait_gone(pids: list[int], seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    while any(not gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [p for p in pids if not gone(p)]


@contextmanager
def serving(home: Path, model_path, real_embeddings):
    """`datalessen serve --no-ingest` over a one-document store, as a user starts it; stopped after."""
    env = kampen_home(home, model_path, real_embeddings)
    port = free_port()
    log_path = home / "serve.log"
    with open(log_path, "wb") as log:
        command = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--no-ingest", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Ctrl+C as a terminal delivers it, even where the tests run with SIGINT ignored (a script's `&`):
            # `serve` keeps a signal it was started to ignore ignored, by design
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_processes(url, 1, command, log_path)
            yield url, command, log_path
        finally:
            for pid in children(command.pid) if command.poll() is None else []:
                os.kill(pid, signal.SIGKILL)
            if command.poll() is None:
                command.kill()
            command.wait(30)


def stopped(command: subprocess.Popen, app: int, log_path: Path) -> int:
    """The command's exit code; if it is still running after a minute, fail with what the app's threads are
    doing (`report_threads_on_sigusr1`) and the end of its log."""
    try:
        return command.wait(60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(app, signal.SIGUSR1)
        time.sleep(2)
        pytest.fail("Ctrl+C did not stop the app within 60 s; its log:\n" + log_path.read_text(errors="replace")[-6000:])


def test_sigusr1_tells_what_each_thread_of_a_running_process_does():
    """`report_threads_on_sigusr1`: the stacks go to stderr (the app's log) and the process goes on."""
    script = (
        "import threading, time\n"
        "from ui.replicas import report_threads_on_sigusr1\n"
        "report_threads_on_sigusr1()\n"
        "def lingering():\n    time.sleep(5)\n"
        "threading.Thread(target=lingering).start()\n"
        "print('ready', flush=True)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    os.kill(process.pid, signal.SIGUSR1)
    assert process.wait(60) == 0, "the signal stopped the process"
    stacks = process.stderr.read()
    assert "in lingering" in stacks and "Thread" in stacks


def test_the_app_answers_from_a_session_of_its_own_and_ctrl_c_stops_it(tmp_path, model_path, real_embeddings):
    with serving(tmp_path, model_path, real_embeddings) as (url, command, log_path):
        apps = children(command.pid)
        assert len(apps) == 1, "one app process, started by the command"
        app = apps[0]
        assert os.getsid(app) == app != os.getsid(command.pid), "the app leads a session of its own"
        client = Client(url, verbose=False)
        chat, *_ = client.predict("Hoeveel boeien meten het waterpeil in Kampen?", "", "", "", "", api_name="/ask")
        assert "zeven boeien" in text(chat[-1])
        # setting malloc_arenas (2): Gradio's threads share one arena besides the main one (uncapped: 11 on 2026-12-05)
        assert malloc_arenas(app) <= 1
        command.send_signal(signal.SIGINT)  # what Ctrl+C in the terminal sends: to the command only
        assert stopped(command, app, log_path) == 0
        assert not wait_gone([app]), "the app kept running after Ctrl+C"
        assert "closing server" in log_path.read_text(errors="replace"), "Gradio was not shut down cleanly"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/config", timeout=2)


def test_killing_the_command_does_not_leave_the_app_on_its_port(tmp_path, model_path, real_embeddings):
    with serving(tmp_path, model_path, real_embeddings) as (url, command, _):
        app = children(command.pid)[0]
        command.kill()
        command.wait(30)
        assert not wait_gone([app]), "the app outlived the command that started it"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/config", timeout=2)
