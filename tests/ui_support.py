"""Start the real app in-process on a free loopback port, and clean up what a test uploaded."""

from __future__ import annotations

import socket
from contextlib import contextmanager

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
