"""`datalessen serve`: the app in a process of its own session; with `--workers N`, N of them behind one
address (the router: `ui.router`).

Why several: one app process answers on one core at most, because Gradio's per-event work and the answer hold
Python's GIL (docs/benchmarks.md); a second process puts the second core to work. The processes share
the data home: each sees what another ingested (as it sees `datalessen ingest`), and conversations and
feedback live in one database. The first ingests an empty store, the others start when it answers; one
that stops after it served is started again, one that stops before it ever answered stops everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import signal
import socket
import subprocess
import sys
import time

from ui.router import HEAD_LIMIT, Router


class WorkerFailed(RuntimeError):
    """An app process stopped before it ever answered: its own error is on stderr above."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the processes ---------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: an app process gets SIGTERM when the process that started it dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def app_process(host: str, port: int, *, role: str, ingest: bool, debug: bool = False) -> subprocess.Popen:
    """One app process (`serve --replica` behind the router, `serve --alone` for a single one) in a session
    of its own. Linux shares the CPU between sessions (autogroups) before it shares it between threads, so a
    busy program started from the same terminal competes with the app as one, not thread by thread: beside a
    full-priority load started from the starting process's session, query embedding in a process of its own
    session stayed at 0.9-1.0x its quiet p95, against 1.7-2.2x in the same session (docs/benchmarks.md). Ctrl+C
    reaches only the process that started it, which passes it on."""
    command = [sys.executable, "-m", "ui.cli", *(["--debug"] if debug else []), "serve", role]
    command += ["--host", host, "--port", str(port), *([] if ingest else ["--no-ingest"])]
    return subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None, start_new_session=True)


def serve_alone(host: str, port: int, *, ingest: bool, debug: bool = False) -> int:
    """Block while the one app process (`app_process`) serves on host:port; pass it Ctrl+C (SIGINT) and
    SIGTERM / SIGHUP (as SIGTERM), and return its exit code (128 + the signal when a signal ended it). A
    signal this process was started to ignore (`nohup`, `&` in a script) stays ignored, by both."""
    process = app_process(host, port, role="--alone", ingest=ingest, debug=debug)

    def forward(signum, _frame) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, forward)
    code = process.wait()
    return code if code >= 0 else 128 - code


def report_threads_on_sigusr1() -> None:
    """`kill -USR1 <app pid>` prints every thread's stack to the app's stderr: what a process that does not
    stop or answer is doing, without stopping it."""
    faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)


def limit_malloc_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas in this process (setting `malloc_arenas`; 0 leaves glibc's limit): Gradio's and
    the answer's threads otherwise each hold an arena of freed memory. False where there is no glibc."""
    if count <= 0 or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True).mallopt(-8, int(count)) == 1  # M_ARENA_MAX
    except (OSError, AttributeError):
        return False


class Workers:
    """The app processes: `datalessen serve --replica` on loopback ports; the first may ingest the corpus
    into an empty store, the others start when it answers, so none serves a half-filled store."""

    def __init__(self, count: int, ingest: bool, echo=print):
        self.ports = [free_port() for _ in range(count)]
        self.ingest = ingest
        self.echo = echo
        self.processes: list[subprocess.Popen | None] = [None] * count
        self.ready_once: set[int] = set()

    def start(self, index: int) -> None:
        self.processes[index] = app_process("127.0.0.1", self.ports[index], role="--replica", ingest=index == 0 and self.ingest)

    async def answers(self, index: int) -> bool:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.ports[index])
        except OSError:
            return False
        try:
            writer.write(b"GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return (await reader.readline()).startswith(b"HTTP/")  # any answer: with a login, /config says 401
        except (OSError, asyncio.IncompleteReadError):
            return False
        finally:
            writer.close()

    async def supervise(self, router: Router, stopping: asyncio.Event) -> None:
        """Start the processes, mark each up when it answers, restart one that stops after it served.
        One that stops before it ever answered (bad settings, a port taken) stops everything."""
        self.start(0)
        while not stopping.is_set():
            for index, process in enumerate(self.processes):
                if process is None:
                    continue
                code = process.poll()
                if code is not None:
                    router.up.discard(index)
                    if index not in self.ready_once:
                        raise WorkerFailed(
                            f"werkproces {index + 1} stopte tijdens het starten (code {code}); de reden staat erboven"
                        )
                    self.echo(f"Werkproces {index + 1} stopte (code {code}); het wordt opnieuw gestart.")
                    self.ready_once.discard(index)
                    self.start(index)
                elif index not in router.up and await self.answers(index):
                    router.up.add(index)
                    self.ready_once.add(index)
                    if index == 0:  # the store is filled: the others may start
                        for other in range(1, len(self.processes)):
                            if self.processes[other] is None:
                                self.start(other)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), 0.3)

    def stop(self) -> None:
        running = [p for p in self.processes if p is not None and p.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _serve(host: str, port: int, workers: Workers, echo) -> None:
    router = Router(workers.ports)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            loop.add_signal_handler(sig, stopping.set)
    server = await asyncio.start_server(router.handle, host, port, limit=HEAD_LIMIT)
    echo(f"datalessen luistert op http://{host}:{port} met {len(workers.ports)} werkprocessen (Ctrl+C stopt).")
    supervisor = asyncio.ensure_future(workers.supervise(router, stopping))
    try:
        done, _ = await asyncio.wait({supervisor, asyncio.ensure_future(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if supervisor in done:
            supervisor.result()  # a process that could not start: its error is on stderr above this
    finally:
        stopping.set()
        server.close()
        supervisor.cancel()


def serve_replicas(host: str, port: int, count: int, *, ingest: bool, echo=print) -> None:
    """Block until Ctrl+C or SIGTERM: the router on host:port in this process, `count` app processes."""
    workers = Workers(count, ingest, echo)
    try:
        import uvloop

        run = uvloop.run
    except ImportError:  # uvloop only makes copying bytes cheaper
        run = asyncio.run
    try:
        run(_serve(host, port, workers, echo))
    except KeyboardInterrupt:
        pass
    finally:
        workers.stop()
