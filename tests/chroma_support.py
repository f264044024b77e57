"""A real `chroma run` server for tests that must stop it, kill it and start it again on the same port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMA = Path(sys.executable).with_name("chroma")
HEARTBEAT = "/api/v2/heartbeat"  # chromadb 1.5's Rust server (v1 paths give 410 Gone)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """`chroma run --path FOLDER` on a fixed loopback port; `kill()` is SIGKILL, `start()` brings it back."""

    def __init__(self, folder: Path):
        if not CHROMA.exists():
            pytest.skip(f"no chroma server script at {CHROMA} (chromadb not installed in this environment)")
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = open(self.folder / "server.log", "ab")  # noqa: SIM115 -- the server writes it as long as it runs
        command = [str(CHROMA), "run", "--path", str(self.folder / "data"), "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + HEARTBEAT, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server gave no heartbeat in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
