"""`datalessen bench start`: seconds from process start to the first cited answer.

Each run is a fresh `datalessen ask` process over the store the settings name (or another data home
given with --home), timed from spawn to exit, so interpreter start, imports, the model, the passage
and BM25 index and the answer itself all count. The first run after an ingest may build the data
home's index cache; the runs after it are the start a user sees every day. Beside it, in the same
run, the bare interpreter start (`python -c pass`) and the CLI's own start (`datalessen --version`)
are the baseline. With --server the same store is served by `chroma run` on 127.0.0.1 and asked
through the HTTP client.

Figures are printed, never asserted: the machine is shared and noisy (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

from evals.bench_serve import free_port, load_average

QUESTION = "Wat is het doel van het project?"


def timed(command: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    return time.perf_counter() - start, proc


class ChromaServer:
    """`chroma run` over a data home's store folder, on a free loopback port."""

    def __init__(self, path: Path):
        executable = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self, timeout: float = 120.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise click.ClickException(f"chroma run exited with code {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise click.ClickException(f"chroma run did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@click.command("start")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None, help="Another data home.")
@click.option("--collection", default=None, help="Its collection (default: the settings').")
@click.option("--question", default=QUESTION, show_default=True)
@click.option("--runs", default=3, show_default=True, help="Timed starts after the first.")
@click.option("--server", is_flag=True, help="Also through `chroma run` serving the same store.")
@click.pass_obj
def bench_start(obj, home, collection, question, runs, server):
    """Seconds from process start to the first answer, beside the interpreter's and the CLI's own start."""
    env = dict(os.environ)
    if home is not None:
        env["DATALESSEN_HOME"] = str(home.expanduser())
    if collection:
        env["DATALESSEN_COLLECTION"] = collection
    env.pop("DATALESSEN_CHROMA_URL", None)
    store_dir = Path(env.get("DATALESSEN_HOME") or obj.settings.home) / "chroma"
    ask = [sys.executable, "-m", "ui.cli", "ask", question]
    click.echo(
        f"datalessen bench start: {os.cpu_count()} cores, load average {load_average()}, data home "
        f"{env.get('DATALESSEN_HOME') or obj.settings.home}, {runs} runs after the first"
    )
    python, _ = timed([sys.executable, "-c", "pass"], env)
    cli = statistics.median(timed([sys.executable, "-m", "ui.cli", "--version"], env)[0] for _ in range(3))
    click.echo(f"baseline: python -c pass {python:.2f} s; datalessen --version {cli:.2f} s")

    def measure(label: str, run_env: dict) -> None:
        first, proc = timed(ask, run_env)
        if proc.returncode != 0:
            raise click.ClickException(f"{label}: datalessen ask failed: {proc.stderr.strip()[-500:]}")
        times = [timed(ask, run_env)[0] for _ in range(runs)]
        click.echo(
            f"{label:28s} first run {first:6.2f} s; then median {statistics.median(times):6.2f} s, "
            f"max {max(times):6.2f} s ({statistics.median(times) / cli:.1f}x the CLI's own start)"
        )

    measure("embedded store", env)
    if server:
        chroma = ChromaServer(store_dir)
        try:
            chroma.wait()
            measure("chroma run (HTTP)", {**env, "DATALESSEN_CHROMA_URL": chroma.url})
        finally:
            chroma.stop()
    click.echo(f"load average after: {load_average()}")
