"""Gradio's per-event work the app switches off (ui/gradio_tuning.py) changes nothing a browser receives."""

from __future__ import annotations

import inspect

import pytest

gr = pytest.importorskip("gradio")

from ui import gradio_tuning  # noqa: E402


def _session_config(demo) -> dict:
    from gradio.state_holder import SessionState

    return SessionState(demo).config_values


def test_remembered_signatures_give_every_component_the_same_config(monkeypatch, fake_settings, fake_embeddings):
    import gradio.blocks
    import gradio.component_meta

    from assistant.api import Assistant
    from ui.app import build_app

    monkeypatch.setattr(gradio.blocks, "inspect", inspect)  # as Gradio ships it, whatever ran before
    monkeypatch.setattr(gradio.component_meta, "inspect", inspect)
    demo = build_app(Assistant(fake_settings, embeddings=fake_embeddings))
    before = _session_config(demo)
    assert gradio_tuning.cache_signatures()
    after, again = _session_config(demo), _session_config(demo)
    assert after == before and again == before
    update = gr.Dropdown(choices=[("1", 1), ("2", 2)], value=2, render=False)
    assert update.get_config()["choices"] == [("1", 1), ("2", 2)]


def test_the_served_app_is_tuned_with_this_gradio(fake_settings, fake_embeddings):
    """Both changes apply to the pinned Gradio; after an upgrade that renames what they change, this fails
    and says so (the app still works, only slower: docs/benchmarks.md)."""
    from assistant.api import Assistant
    from ui.app import build_app, queued
    from ui.settings import AppSettings

    demo = queued(build_app(Assistant(fake_settings, embeddings=fake_embeddings)), AppSettings())
    assert demo._queue.ANALYTICS_MAX_EVENTS == gradio_tuning.KEPT_EVENTS
    assert gradio_tuning.tune(demo) == ["no event summary", "signatures remembered"]  # and again: idempotent


def test_a_waiting_browser_hears_its_place_every_second():
    """The queue tells waiting browsers their place and wait once a second (not all of them after every
    event that starts, which cost the app ~10-15% at 20-50 sessions): one that waits 3 s behind another
    answer hears it at joining and again while it waits."""
    import json
    import time

    import httpx

    from tests.ui_support import free_port
    from ui.app import queued
    from ui.settings import AppSettings

    with gr.Blocks() as demo:
        box = gr.Textbox()
        out = gr.Textbox()
        box.submit(lambda text: time.sleep(3) or text, inputs=box, outputs=out, api_name="slow")
    queued(demo, AppSettings(concurrency=1))
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        base = f"http://127.0.0.1:{port}/gradio_api"
        payload = {"data": ["x"], "fn_index": 0, "event_data": None, "trigger_id": None}
        with httpx.Client(timeout=30) as http:
            http.post(f"{base}/queue/join", json={**payload, "session_hash": "eerste"}).raise_for_status()
            time.sleep(0.3)  # the first is running
            http.post(f"{base}/queue/join", json={**payload, "session_hash": "tweede"}).raise_for_status()
            heard = []
            with http.stream("GET", f"{base}/queue/data", params={"session_hash": "tweede"}) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data:"):
                        message = json.loads(line[5:])
                        heard.append(message["msg"])
                        if message["msg"] in ("process_starts", "process_completed"):
                            break
        assert heard.count("estimation") >= 2, heard
        assert heard[-1] == "process_starts"
    finally:
        demo.close()
