"""The app's temporary copies: a browser's upload lands in Gradio's temporary folder, and without a
schedule every document anyone uploaded stayed there for good (2,800 folders on a test machine). With
`temp_file_minutes` they go after their time, and all when the app stops; the real app, over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from assistant.api import Assistant
from tests.ui_support import running_app
from ui.settings import AppSettings

pytestmark = pytest.mark.slow  # a real server


def _upload(url: str, name: str) -> Path:
    with httpx.Client(base_url=url, timeout=30) as client:
        payload = {"files": (name, b"# Notitie\n\nVertrouwelijk plan.\n", "text/markdown")}
        response = client.post("/gradio_api/upload", files=payload)
    assert response.status_code == 200, response.text
    stored = Path(response.json()[0])
    assert stored.is_file()
    return stored


def test_an_uploads_temporary_copy_goes_after_its_time_while_the_app_runs(fake_settings, fake_embeddings):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    with running_app(bot, app=AppSettings(temp_file_minutes=0.05)) as url:  # 3 s, checked every second
        stored = _upload(url, "notitie.md")
        deadline = time.monotonic() + 30
        while stored.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not stored.exists(), f"{stored} outlived its 3 s"


def test_the_temporary_copies_go_when_the_app_stops_and_stay_while_it_runs(fake_settings, fake_embeddings):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    with running_app(bot, app=AppSettings()) as url:  # the default: an hour
        stored = _upload(url, "notulen.md")
        time.sleep(2)
        assert stored.is_file(), "a fresh upload is kept while the app runs"
    assert not stored.exists(), f"{stored} outlived the app"


def test_zero_keeps_them():
    assert AppSettings(temp_file_minutes=0).temp_file_schedule() is None
    assert AppSettings().temp_file_schedule() == (600, 3600)
