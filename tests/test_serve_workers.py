"""`datalessen serve --workers 2`: two real app processes behind the router, one data home (issue 16).

Started as a user starts it (a subprocess, the real model, a small document in the store). Two API
clients are placed on different processes and both answer; a document uploaded through one process is
answered from by the other; a conversation begun on one is listed on the other; a process killed with
SIGKILL is replaced while the other goes on answering; Chromium asks through the router; Ctrl+C on the
router stops every process it started, each in a session of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from assistant.api import CATCH_UP_EVERY
from tests.conftest import PROJECT_ROOT
from tests.ui_support import KAMPEN_DOC, free_port

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

pytestmark = pytest.mark.slow  # subprocesses with the real model

ZWOLLE = (
    "---\ntitle: Kademuren Zwolle\nkind: context\ngemeente: Zwolle\n---\n\n# Kademuren Zwolle\n\n## Meten\n\n"
    "In Zwolle bewaken zevenendertig trillingssensoren sinds 2019 de kademuren van de Thorbeckegracht.\n"
)


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def text(message) -> str:
    content = message["content"]
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


def placed(url: str) -> Client:
    return Client(url, verbose=False)


def process_of(client: Client) -> int:
    return int(client.cookies["datalessen_replica"])


def wait_for_processes(url: str, count: int, router: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    """Until `count` different processes have answered (a request without cookie goes to the next one up)."""
    seen, deadline = set(), time.monotonic() + seconds
    while len(seen) < count and time.monotonic() < deadline:
        if router.poll() is not None:
            pytest.fail(f"serve --workers exited with {router.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            response = httpx.get(f"{url}/config", timeout=5)
            if response.status_code in (200, 401):  # 401: a login is asked, the process answers
                seen.add(response.cookies.get("datalessen_replica"))
                continue
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    assert len(seen) >= count, f"only {len(seen)} of {count} processes answered:\n{log.read_text(errors='replace')[-3000:]}"


def kampen_home(home: Path, model_path, real_embeddings, **settings) -> dict:
    """A one-document store in `home`, and the environment a `datalessen serve` over it runs with (extra
    `DATALESSEN_*` settings from `settings`)."""
    from assistant.api import Assistant
    from assistant.settings import Settings
    from ingest.pipeline import ingest_into

    doc = home / "kampen.md"
    doc.write_text(KAMPEN_DOC, encoding="utf-8")
    assert ingest_into(Assistant(Settings(home=home, embedding_model=str(model_path)), embeddings=real_embeddings), [doc]).ok
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATALESSEN_HOME": str(home),
        "DATALESSEN_EMBEDDING_MODEL": str(model_path),
        "DATALESSEN_TORCH_THREADS": "1",
        **{f"DATALESSEN_{k.upper()}": v for k, v in settings.items()},
    }


@contextmanager
def serving(home: Path, model_path, real_embeddings, **settings):
    """`serve --workers 2` over a small store in `home`, with extra `DATALESSEN_*` settings; stopped after."""
    env = kampen_home(home, model_path, real_embeddings, **settings)
    port = free_port()
    log_path = home / "serve.log"
    with open(log_path, "wb") as log:
        router = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "serve", "--workers", "2", "--no-ingest", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_processes(url, 2, router, log_path)
            yield url, router, home, log_path
        finally:
            if router.poll() is None:
                router.terminate()
                router.wait(30)


@pytest.fixture(scope="module")
def served(tmp_path_factory, model_path, real_embeddings):
    with serving(tmp_path_factory.mktemp("workers-home"), model_path, real_embeddings) as running:
        yield running


def test_two_clients_on_two_processes_share_the_store_and_the_conversations(served, tmp_path):
    url, _, _, _ = served
    clients = [placed(url) for _ in range(4)]
    first = clients[0]
    second = next(c for c in clients if process_of(c) != process_of(first))
    for client in (first, second):
        chat, *_ = client.predict("Hoeveel boeien meten het waterpeil in Kampen?", "", "", "", "", api_name="/ask")
        assert "zeven boeien" in text(chat[-1])
    # a document uploaded through one process is answered from by the other (one store on disk)
    doc = tmp_path / "kademuren-zwolle.md"
    doc.write_text(ZWOLLE, encoding="utf-8")
    status, documents, *_ = first.predict([handle_file(str(doc))], api_name="/upload")
    assert "kademuren-zwolle.md" in documents, status
    time.sleep(CATCH_UP_EVERY + 0.2)  # a process looks for another's changes at most this often
    chat, *_ = second.predict(
        "Hoeveel trillingssensoren bewaken de kademuren van de Thorbeckegracht?", "", "", "", "", api_name="/ask"
    )
    assert "zevenendertig trillingssensoren" in text(chat[-1])
    # and the conversations are one list (one database in the data home)
    listed = {c["id"] for c in first.predict("", api_name="/conversations")}
    assert listed == {c["id"] for c in second.predict("", api_name="/conversations")} and len(listed) == 2


def test_a_killed_process_is_replaced_and_the_other_goes_on(served):
    url, router, _, log_path = served
    before = children(router.pid)
    assert len(before) == 2
    victim = before[1]
    os.kill(victim, signal.SIGKILL)
    client = placed(url)  # meanwhile: answered by the one left
    chat, *_ = client.predict("Hoeveel boeien meten het waterpeil in Kampen?", "", "", "", "", api_name="/ask")
    assert "zeven boeien" in text(chat[-1])
    wait_for_processes(url, 2, router, log_path)  # the replacement answers
    after = children(router.pid)
    assert len(after) == 2 and victim not in after
    assert "opnieuw gestart" in log_path.read_text(errors="replace")


def test_chromium_asks_through_the_router(served):
    from tests.ui_support import browser_or_skip

    playwright = browser_or_skip()
    from tests.test_ui_chat_browser import ask, open_app
    from tests.ui_support import CHROMIUM, CHROMIUM_ARGS

    url, _, _, _ = served
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_app(browser, url + "/")
            ask(page, "Hoeveel boeien meten het waterpeil in Kampen?")
            assert "zeven boeien" in page.locator("#bronnen-paneel").inner_text()
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
            assert cookies.get("datalessen_replica") in {"0", "1"}
            ask(page, "Welke les trekt Kampen?")  # a follow-up in the same session, the same process
            assert page.locator("#bronnen-paneel section.bron-beurt").count() == 2
        finally:
            browser.close()


def test_ctrl_c_on_the_router_stops_every_process_each_in_a_session_of_its_own(served):
    """Each app process has a session of its own, so a busy program started from the router's terminal
    shares the CPU with it as one group, not thread by thread (docs/benchmarks.md); the terminal's Ctrl+C
    then reaches only the router, which must stop them."""
    _, router, _, _ = served
    started = children(router.pid)
    assert len(started) == 2
    assert all(os.getsid(pid) == pid != os.getsid(router.pid) for pid in started)
    router.send_signal(signal.SIGINT)
    router.wait(60)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


def test_a_process_that_cannot_start_stops_the_whole_and_says_why(tmp_path):
    """A broken setting: the first process fails while starting; the router does not retry for ever but
    exits 1 with a Dutch line, after the process's own reason, and leaves no process behind."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATALESSEN_HOME": str(tmp_path / "home"),
        "DATALESSEN_EMBEDDING_MODEL": str(tmp_path / "geen-model"),
    }
    port = free_port()
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "serve", "--workers", "2", "--no-ingest", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1
    assert "werkproces 1 stopte tijdens het starten" in result.stderr
    assert "geen-model" in result.stderr  # the process's own reason, above it
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/config", timeout=2)


def test_with_login_each_user_stays_logged_in_on_a_process_and_sees_only_their_own(tmp_path, model_path, real_embeddings):
    """Gradio keeps a login in the process that checked it: the router's cookie, set on the login's
    response, keeps the user there. Two users on two processes each ask and see only their own
    conversation; a wrong password is refused."""
    from gradio_client.exceptions import AuthenticationError

    with serving(tmp_path, model_path, real_embeddings, auth="anna:a1geheim,bob:b2geheim") as (url, *_):
        users = {}
        for _ in range(6):  # logins take turns over the processes: find one user on each
            anna, bob = (
                Client(url, auth=("anna", "a1geheim"), verbose=False),
                Client(url, auth=("bob", "b2geheim"), verbose=False),
            )
            if process_of(anna) != process_of(bob):
                users = {"anna": anna, "bob": bob}
                break
        assert users, "the two logins never landed on different processes"
        asked = {
            "anna": ("Hoeveel boeien meten het waterpeil in Kampen?", "zeven boeien"),
            "bob": ("Wat is de les uit Kampen?", "waterschappen"),
        }
        for name, client in users.items():
            question, fact = asked[name]
            chat, *_ = client.predict(question, "", "", "", "", api_name="/ask")
            assert fact in text(chat[-1])
        for name, client in users.items():
            listed = client.predict("", api_name="/conversations")
            assert [c["title"] for c in listed] == [asked[name][0]]  # their own conversation only
        with pytest.raises((AuthenticationError, ValueError)):
            Client(url, auth=("anna", "fout"), verbose=False)
