"""Start the real app in-process on a free loopback port, clean up what a test uploaded, and what the
browser tests share: Debian's Chromium, its flags, the screenshot folder."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from pathlib import Path

from ui.uploads import upload_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(assistant, report_dir=None, app=None, **overrides):
    """The app as `launch()` starts it (same settings-derived arguments), not blocking; yields its URL."""
    from ui.app import build_app, launch_kwargs, queued
    from ui.settings import AppSettings

    app = app or AppSettings()
    demo = queued(build_app(assistant, app, report_dir=report_dir), app)
    kwargs = {
        **launch_kwargs(app),
        "server_name": "127.0.0.1",
        "server_port": free_port(),
        "quiet": True,
        **overrides,
    }
    demo.launch(prevent_thread_lock=True, **kwargs)
    try:
        yield f"http://127.0.0.1:{kwargs['server_port']}/"
    finally:
        demo.close()


def router_in_thread(router) -> str:
    """`ui.router.Router` listening on a free loopback port, on an event loop of its own (a daemon
    thread, gone with the test process); returns its URL once it accepts connections."""
    import asyncio
    import threading

    port, ready = free_port(), threading.Event()

    async def serve():
        server = await asyncio.start_server(router.handle, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    threading.Thread(target=asyncio.new_event_loop().run_until_complete, args=(serve(),), daemon=True).start()
    if not ready.wait(10):
        raise RuntimeError("the router did not start")
    return f"http://127.0.0.1:{port}"


def remove_uploads(assistant) -> None:
    """Take documents added through the app out of the shared store again, so other tests see the corpus."""
    from ingest.pipeline import Ingestor

    folder = upload_dir(assistant.settings)
    if not folder.is_dir():
        return
    ingestor = Ingestor(assistant.settings, store=assistant.store, embeddings=assistant.embeddings)
    for path in folder.iterdir():
        ingestor.remove(str(path.resolve()))
        path.unlink()
    assistant.retriever.refresh()


# a small document with two facts, for the tests that need a quick store of their own
KAMPEN_DOC = """---
title: Waterpeil Kampen
kind: context
gemeente: Kampen
---

# Waterpeil Kampen

## Meten

De gemeente Kampen meet het waterpeil van de IJssel met zeven boeien langs de kade.

## Lessen

Een les uit Kampen: deel de meetgegevens elke ochtend met de waterschappen.
"""

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_or_skip():
    """playwright's sync API, or the calling test module skipped when Chromium or playwright is missing."""
    import pytest

    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium) for the browser test", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed")


def screenshot_folder(tmp_path_factory) -> Path:
    """DATALESSEN_SCREENSHOT_DIR (e.g. docs/screenshots to refresh them), else a temporary folder."""
    folder = Path(os.environ.get("DATALESSEN_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
