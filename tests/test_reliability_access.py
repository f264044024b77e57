"""Reliability (issue 14, items 9, 10): the app's routes as a hostile but fair tester probes them.

The real app with a login (anna is an admin, bob is not), hash embeddings, probed over plain HTTP
(httpx) with and without a session cookie:

- gradio's raw upload routes store nothing for bob (403) nor for a visitor without login (401);
  anna's upload works; the file routes give no file of the server to anyone;
- login attempts are slowed down: wrong passwords cost a second each, five lock the account (the
  right password fails then, another account still logs in), twenty from one address stop that
  address for five minutes (429), and all accounts together are checked at most ten times a second;
- `datalessen serve` on a non-loopback address without login says so in one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from ingest.pipeline import ingest_into
from tests.chroma_support import free_port
from tests.conftest import PROJECT_ROOT
from tests.ui_support import running_app
from ui.access import exposure_warning, is_loopback
from ui.settings import AppSettings

pytestmark = pytest.mark.slow  # a real server

LOCKED = AppSettings(auth="anna:a1-geheim,bob:b2-geheim", admin_users="anna")


@pytest.fixture
def app_url(tmp_path, fake_settings, fake_embeddings):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    doc = tmp_path / "kademuren.md"
    doc.write_text("# Kademuren\n\nIn Zwolle bewaken sensoren de kademuren.\n", encoding="utf-8")
    assert ingest_into(bot, [doc]).ok
    with running_app(bot, app=LOCKED) as url:
        yield url


def session(url: str, user: str | None = None, password: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    if user:
        response = client.post("/login", data={"username": user, "password": password})
        assert response.status_code == 200, response.text
    return client


def gradio_cache() -> set[Path]:
    folder = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    return set(folder.rglob("*")) if folder.exists() else set()


def test_the_raw_upload_routes_store_nothing_for_non_admins(app_url, tmp_path):
    payload = {"files": ("notitie.md", b"# Notitie\n\nGeheim plan " + os.urandom(8).hex().encode(), "text/markdown")}
    visitor, bob, anna = session(app_url), session(app_url, "bob", "b2-geheim"), session(app_url, "anna", "a1-geheim")
    before = gradio_cache()
    probes = {  # (client, method, route, expected status)
        "upload, bob": (bob, "/gradio_api/upload", 403),
        "upload, no login": (visitor, "/gradio_api/upload", 401),
        "upload/, bob": (bob, "/gradio_api/upload/", 403),
        "recording, bob": (bob, "/gradio_api/process_recording", 403),
        "multipart elsewhere, bob": (bob, "/gradio_api/component_server", 403),
    }
    for name, (client, route, status) in probes.items():
        response = client.post(route, files=payload)
        assert response.status_code == status, f"{name}: {response.status_code} {response.text[:200]}"
        assert "beheerders" in response.text, name
    assert gradio_cache() == before, "nothing of theirs reached the disk"

    response = anna.post("/gradio_api/upload", files=payload)
    assert response.status_code == 200 and len(response.json()) == 1
    stored = Path(response.json()[0])
    assert stored.is_file()

    # the file routes: no login, no file; with a login, nothing outside what the app handed out
    assert visitor.get(f"/gradio_api/file={stored}").status_code in (401, 403)
    for path in ("/etc/passwd", str(PROJECT_ROOT / "pyproject.toml"), "../../../../etc/passwd"):
        for client in (visitor, bob):
            response = client.get(f"/gradio_api/file={path}")
            assert response.status_code in (401, 403, 404) and "root:" not in response.text, (path, response.status_code)
    for route in ("/config", "/gradio_api/info", "/gradio_api/openapi.json"):
        assert visitor.get(route).status_code == 401, route


def test_login_attempts_are_slowed_and_an_account_is_locked(app_url):
    def attempt(user: str, password: str) -> httpx.Response:
        with httpx.Client(base_url=app_url, timeout=120) as client:
            return client.post("/login", data={"username": user, "password": password})

    started = time.monotonic()
    assert [attempt("anna", f"fout-{i}").status_code for i in range(5)] == [400] * 5
    assert time.monotonic() - started >= 5 * 0.9, "a wrong password costs about a second"
    assert attempt("anna", "a1-geheim").status_code == 400, "five wrong ones lock the account: even the right password fails"
    assert attempt("bob", "b2-geheim").status_code == 200, "another account is not locked"

    names = [f"gast{i}" for i in range(40)]  # many names at once from one address
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=40) as pool:
        responses = list(pool.map(lambda name: attempt(name, "raden"), names))
    seconds = time.monotonic() - started
    statuses = [r.status_code for r in responses]
    checked = statuses.count(400)
    assert set(statuses) == {400, 429} and checked <= 20 - 6, f"{checked} passwords checked before the address was stopped"
    assert checked / seconds <= 12, f"{checked / seconds:.1f} passwords checked a second (gradio alone: hundreds)"
    refused = next(r for r in responses if r.status_code == 429)
    assert "Te veel mislukte inlogpogingen vanaf dit adres" in refused.json()["detail"] and refused.headers["retry-after"]
    assert attempt("bob", "b2-geheim").status_code == 429, "the address waits, whoever tries"


def test_serving_beyond_loopback_without_login_warns(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert exposure_warning(AppSettings()) is None
    assert exposure_warning(AppSettings(host="0.0.0.0", auth="anna:a1")) is None
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATALESSEN_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "ui.cli", "serve", "--host", "0.0.0.0", "--port", str(free_port()), "--no-ingest"]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        first = proc.stderr.readline().strip()
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
    assert first == exposure_warning(AppSettings(host="0.0.0.0"))
    assert first.startswith("Let op: de app luistert op 0.0.0.0 zonder login")
