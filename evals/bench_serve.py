"""`datalessen bench serve`: answers per second through the real app, beside the library's own rate.

The app (`datalessen serve`, a subprocess on a free loopback port, the store the settings name; once as
one process and once as several behind its router, `--workers`) is driven the way a browser drives it:
each session opens the page's config (its own connections and cookies), then joins Gradio's queue for
the chat's `ask` event and reads the server-sent events until its answer is complete; the clock runs
over the questions, the page loads are timed apart. The client is one asyncio loop over plain sockets,
so its own CPU stays small next to the server's on a 2-core machine (gradio_client spent as much CPU as
the server, httpx ~6 ms a question). Beside it, in this process, the library answers the same questions
from several threads: the rate the app should approach. Both run quiet and again beside a background
load (a process embedding passages with every core, as an ingest does: in a session of its own, in the
benchmark's session, and at ingest's lower priority), and the query-embedding latency is timed quiet and
under each load: in this process, and in a process of its own session as `serve` runs the app.

Figures are printed, never asserted: the machine is shared and noisy (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

QUESTIONS = (
    "Wat is het doel van slim vegen in Utrecht?",
    "Welke succesfactoren noemt het rapport?",
    "Wie bouwde de data-applicatie tegen ondermijning in Zaanstad?",
    "Welke risico's noemt de case over funderingen?",
    "Hoe werkt het voorspelmodel voor de startkwalificatie?",
    "Wat leverde de monitor sociaal domein in de Drechtsteden op?",
    "Which lessons does the report draw about scaling up?",
    "Hoe pakt Dordrecht hondenoverlast aan?",
)


class QuestionPool:
    """What the sessions and the library ask, handed out in order so that no two runs ask the same slice.

    `distinct` (the default): the standalone questions of the shipped corpus's gold sets (not the unseen
    ones), each asked once before any comes back, as users ask. Otherwise the eight above in a loop: after
    the first round every query vector comes from the retriever's cache (it keeps 64), which flatters the
    library more than the app, since the app's own per-question work stays."""

    def __init__(self, distinct: bool = True):
        self.questions = _gold_questions() if distinct else list(QUESTIONS)
        self.distinct = distinct
        self.taken = 0

    def take(self, n: int) -> list[str]:
        out = [self.questions[(self.taken + i) % len(self.questions)] for i in range(n)]
        self.taken += n
        return out


def _gold_questions() -> list[str]:
    from evals.gold import load_questions
    from evals.sets import SETS, UNSEEN

    def standalone(sets) -> dict[str, None]:
        out: dict[str, None] = {}
        for gold in sets:
            out.update((q.question, None) for q in load_questions(gold.path, corpus_dir=None) if not q.history)
        return out

    # two authors may word a question alike (an off-topic one, say), over either corpus: the unseen one is never asked
    unseen = standalone(s for s in SETS if s.role == UNSEEN)
    return [q for q in standalone(s for s in SETS if s.corpus == "shipped" and s.role != UNSEEN) if q not in unseen]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# -- the app, as a browser drives it --------------------------------------------------------


class AskEndpoint:
    """The chat's `ask` event in the app's config: which inputs it takes and where the question goes."""

    def __init__(self, base: str, config: dict):
        components = {c["id"]: c for c in config["components"]}
        index, dep = next((i, d) for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "ask")
        self.prefix = config.get("api_prefix", "/gradio_api")
        self.fn_index = index
        self.trigger = dep["targets"][0][0] if dep.get("targets") else None
        inputs = [components[i] for i in dep["inputs"]]
        self.template = [None if c["type"] == "state" else c["props"].get("value") for c in inputs]
        self.slot = next(i for i, c in enumerate(inputs) if c["type"] == "textbox")

    def payload(self, question: str, session: str) -> dict:
        data = list(self.template)
        data[self.slot] = question
        return {"data": data, "fn_index": self.fn_index, "session_hash": session, "event_data": None, "trigger_id": self.trigger}


class Browser:
    """One session's HTTP, as lean as a client can be: each request on its own connection, the cookies the
    app sets kept (with `serve --workers` its router keeps a browser with one process by a cookie). httpx
    spent ~6 ms of CPU per question on this side of a 2-core machine, CPU the app then did not get."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.root = parts.hostname, parts.port or 80, parts.path.rstrip("/")
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, body: bytes = b""):
        """(status, reader) with the head read; the caller reads the body from `reader` (de-chunked)."""
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=2**20)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"{method} {self.root}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n"
        head += f"Cookie: {cookie}\r\n" if cookie else ""
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body else ""
        writer.write(head.encode() + b"\r\n" + body)
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        chunked = False
        for line in lines:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                key, _, val = value.strip().split(";")[0].partition("=")
                self.cookies[key] = val
            chunked |= name.lower() == "transfer-encoding" and "chunked" in value.lower()
        return int(status_line.split(" ")[1]), _Body(reader, writer, chunked)


class _Body:
    def __init__(self, reader, writer, chunked: bool):
        self.reader, self.writer, self.chunked = reader, writer, chunked

    async def chunks(self):
        try:
            if not self.chunked:
                while data := await self.reader.read(65536):
                    yield data
                return
            while True:
                size = int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                yield await self.reader.readexactly(size)
                await self.reader.readexactly(2)
        finally:
            self.writer.close()

    async def read(self) -> bytes:
        return b"".join([c async for c in self.chunks()])

    async def lines(self):
        pending = b""
        async for chunk in self.chunks():
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line


async def _ask(browser: Browser, endpoint: AskEndpoint, session: str, question: str) -> bool:
    status, body = await browser.request(
        "POST", f"{endpoint.prefix}/queue/join", json.dumps(endpoint.payload(question, session)).encode()
    )
    answer = await body.read()
    if status != 200:
        return False
    event = json.loads(answer)["event_id"]
    status, body = await browser.request("GET", f"{endpoint.prefix}/queue/data?session_hash={session}")
    async for line in body.lines():
        if not line.startswith(b"data:"):
            continue
        message = json.loads(line[5:])
        if message.get("event_id") == event and message.get("msg") == "process_completed":
            body.writer.close()
            return bool(message.get("success"))
    return False


async def _drive(base: str, sessions: int, per_session: int, pool: QuestionPool) -> dict:
    """Each session is one browser: its own connections and cookies. All open the page's config first (a
    page load, timed apart as `opened`); then the clock runs while they ask."""
    probe = Browser(base)
    status, body = await probe.request("GET", "/config")
    endpoint = AskEndpoint(base, json.loads(await body.read()))
    latencies: list[float] = []
    errors = 0
    asked = pool.take(sessions * per_session)

    async def open_page(browser: Browser) -> bool:
        try:
            status, body = await browser.request("GET", "/config")
            await body.read()
            return status == 200
        except OSError:
            return False

    async def session(number: int, browser: Browser) -> None:
        nonlocal errors
        hash_ = uuid.uuid4().hex[:11]
        for j in range(per_session):
            question = asked[number * per_session + j]
            start = time.perf_counter()
            try:
                ok = await _ask(browser, endpoint, hash_, question)
            except Exception:  # noqa: BLE001 -- counted, reported; the run goes on
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    browsers = [Browser(base) for _ in range(sessions)]
    start = time.perf_counter()
    opened = await asyncio.gather(*(open_page(b) for b in browsers))
    opening = time.perf_counter() - start
    errors += per_session * opened.count(False)
    start = time.perf_counter()
    await asyncio.gather(*(session(i, b) for i, b in enumerate(browsers) if opened[i]))
    wall = time.perf_counter() - start
    rate = len(latencies) / wall if latencies else 0.0
    return {"rate": rate, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "errors": errors, "opened": opening}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """`datalessen serve` in a subprocess (with `workers` > 1: its router and that many app processes),
    with the settings of this process's environment, but its conversations in a scratch database removed by
    `stop`: every question asked is saved as a turn (~25 KB), and a benchmark's thousands of them belong
    neither in the user's conversation list nor in their data home."""

    def __init__(self, extra_env: dict | None = None, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.scratch = Path(tempfile.mkdtemp(prefix="datalessen-bench-"))
        scratch_db = {"DATALESSEN_DATABASE_URL": f"sqlite:///{self.scratch / 'conversations.sqlite'}"}
        env = {**os.environ, **(extra_env or {}), **scratch_db}
        command = [sys.executable, "-m", "ui.cli", "serve", "--no-ingest", "--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait(self, timeout: float = 180.0) -> float:
        """Seconds until every app process answers (a request without cookie goes to the next one that is up)."""
        import httpx

        start, seen = time.perf_counter(), set()
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise click.ClickException(f"the app stopped: {self.proc.stderr.read()[-2000:]}")
            try:
                response = httpx.get(self.url + "/config", timeout=2)
                if response.status_code == 200:
                    seen.add(response.cookies.get("datalessen_replica", "0"))
                    if len(seen) >= self.workers:
                        return time.perf_counter() - start
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise click.ClickException(f"the app did not answer within {timeout:.0f} s")

    def rss_mb(self) -> float:
        """The memory of the app's processes together (the router and its app processes)."""
        pids = [self.proc.pid] + [int(p) for p in _children(self.proc.pid)]
        pages = 0
        for pid in pids:
            with contextlib.suppress(OSError):
                pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _children(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return []


# -- the library, in this process -----------------------------------------------------------


def library_rate(assistant, threads: int, total: int, pool: QuestionPool) -> dict:
    latencies: list[float] = []
    asked = pool.take(total)

    def one(i: int) -> None:
        start = time.perf_counter()
        assistant.ask(asked[i])
        latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(total)))
    wall = time.perf_counter() - start
    return {"rate": total / wall, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "errors": 0}


def embed_latency(embeddings, n: int = 100) -> dict:
    times = []
    for i in range(n):
        start = time.perf_counter()
        embeddings.embed_query(f"{QUESTIONS[i % len(QUESTIONS)]} {i}")
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(times), "p95": percentile(times, 95)}


def embed_latency_apart(n: int = 100) -> dict:
    """Query-embedding latency in a process of its own session, as `serve` runs the app (ui/replicas.py): what
    a load started from the benchmark's session leaves the app, rather than this process."""
    probe = subprocess.run(
        [sys.executable, "-m", "evals.bench_serve", "--probe", str(n)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        start_new_session=True,
    )
    if probe.returncode != 0:
        raise click.ClickException(f"the query-embedding probe failed: {probe.stderr[-2000:]}")
    return json.loads(probe.stdout.strip().splitlines()[-1])


def _probe(n: int) -> None:
    from assistant.embeddings import load_embeddings
    from assistant.settings import Settings, quiet_offline_environment

    quiet_offline_environment()
    embeddings = load_embeddings(Settings.load())
    embed_latency(embeddings, 20)  # warm-up
    print(json.dumps({**embed_latency(embeddings, n), "leads_its_session": os.getsid(0) == os.getpid()}))


class BackgroundLoad:
    """Another process embedding passages in batches with every core, as an ingest does: at normal priority
    (any other busy program) or at the priority `datalessen ingest` gives itself (setting ingest_nice).

    `own_session`: the load runs in a session of its own, as a program started from another terminal or by
    a service manager does. Linux shares the CPU between sessions (autogroups; between services, their
    cgroups) before it shares it between their threads, so a load in another session takes at most its
    share, while one started from the app's own session (its shell, its parent) competes thread by thread:
    both are measured (docs/benchmarks.md)."""

    def __init__(self, nice: int = 0, own_session: bool = False):
        self.nice = nice
        self.own_session = own_session

    def __enter__(self):
        command = [sys.executable, "-m", "evals.bench_serve", "--load", str(self.nice)]
        self.proc = subprocess.Popen(command, env=dict(os.environ), start_new_session=self.own_session)
        time.sleep(8)  # let it load its model and start spinning
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def _background_load(nice: int) -> None:
    from assistant.embeddings import load_embeddings
    from assistant.settings import Settings, quiet_offline_environment
    from ingest.pipeline import lower_priority

    lower_priority(nice)
    quiet_offline_environment()
    settings = Settings.load().replace(torch_threads=0)
    embeddings = load_embeddings(settings)
    texts = [f"Passage {i}: gemeenten werken met data aan veiligheid, zorg en de openbare ruimte." * 4 for i in range(32)]
    while True:
        embeddings.embed_documents(texts)


# -- the command ----------------------------------------------------------------------------


def _row(label: str, r: dict) -> str:
    return f"{label:44s} {r['rate']:7.1f} {r['p50'] * 1000:8.0f} {r['p95'] * 1000:8.0f} {r['errors']:6d}"


@click.command("serve")
@click.option("--sessions", default="20,50", show_default=True, help="Concurrent sessions, comma-separated.")
@click.option("--questions", "per_session", default=5, show_default=True, help="Questions per session.")
@click.option("--threads", default=8, show_default=True, help="Threads asking the library in-process.")
@click.option("--workers", default="1,2", show_default=True, help="App processes (`serve --workers`), comma-separated.")
@click.option("--no-load", is_flag=True, help="Only the quiet runs.")
@click.option(
    "--repeat-questions",
    is_flag=True,
    help="Ask eight fixed questions in a loop (query vectors cached after the first round) instead of the gold "
    "questions, each once.",
)
@click.pass_obj
def bench_serve(obj, sessions, per_session, threads, workers, no_load, repeat_questions):
    """Answers per second through the real app (20 and 50 sessions; one app process and several behind
    the router) beside the library in-process, quiet and beside a background load (normal priority, and
    at ingest's own lower priority); query-embedding latency quiet and under each load; the app's memory.
    The app saves its conversations in a scratch database, removed afterwards: yours stay as they are."""
    counts = [int(s) for s in sessions.split(",") if s.strip()]
    worker_counts = [int(w) for w in workers.split(",") if w.strip()]
    assistant = obj.assistant
    settings = assistant.settings
    pool = QuestionPool(distinct=not repeat_questions)
    click.echo(
        f"datalessen bench serve: {os.cpu_count()} cores, load average {load_average()}, store {settings.store_dir} "
        f"({assistant.store.count():,} chunks), precision {settings.embedding_precision}, app concurrency from settings; "
        + (f"{len(pool.questions)} distinct gold questions" if pool.distinct else "8 questions in a loop")
    )
    apps = {}
    try:
        for w in worker_counts:
            apps[w] = App(workers=w)
            started = apps[w].wait()
            click.echo(f"app with {w} process(es) answering after {started:.1f} s; RSS {apps[w].rss_mb():,.0f} MB")
            asyncio.run(_drive(apps[w].url, 2 * w, 2, pool))  # warm-up, every process
        rows, quiet_p95 = [], None
        nice = settings.ingest_nice
        loads = [("load, own session", BackgroundLoad(0, own_session=True)), ("load, same session", BackgroundLoad(0))]
        loads += [(f"ingest at nice {nice}", BackgroundLoad(nice))] if nice > 0 else []
        phases = [("quiet", None)] + ([] if no_load else loads)
        for phase, load in phases:
            context = load or _Nothing()
            with context:
                embed = embed_latency(assistant.embeddings)
                apart = embed_latency_apart()
                lib = library_rate(assistant, threads, max(counts) * per_session // 2, pool)
                rows.append(_row(f"library, {threads} threads ({phase})", lib))
                for w, app in apps.items():
                    for n in counts:
                        result = asyncio.run(_drive(app.url, n, per_session, pool))
                        rows.append(_row(f"app x{w}, {n} sessions x {per_session} ({phase})", result))
                        rows[-1] += (
                            f"   {result['rate'] / lib['rate']:.2f} of the library; pages opened in {result['opened']:.2f} s"
                        )
                quiet_p95 = quiet_p95 if load else {"here": embed["p95"], "apart": apart["p95"]}
                for where, label, latency in (("here", "in this process", embed), ("apart", "the app's session", apart)):
                    rows.append(
                        f"{'query embedding, ' + label + ' (' + phase + ')':44s} p50 {latency['p50']:.1f} ms, "
                        f"p95 {latency['p95']:.1f} ms" + (f" ({latency['p95'] / quiet_p95[where]:.1f}x quiet)" if load else "")
                    )
            rows.append(f"load average after: {load_average()}")
        click.echo(f"{'':44s} {'q/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'errors':>6s}")
        click.echo("\n".join(rows))
        for w, app in apps.items():
            click.echo(f"app x{w} RSS after the runs: {app.rss_mb():,.0f} MB (all its processes)")
    finally:
        for app in apps.values():
            app.stop()


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        _background_load(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    elif sys.argv[1:2] == ["--probe"]:
        _probe(int(sys.argv[2]))
