"""Gradio's per-event work the app switches off (ui/gradio_tuning.py) changes nothing a browser receives."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

gr = pytest.importorskip("gradio")

from ui import gradio_tuning  # noqa: E402


def _session_config(demo) -> dict:
    from gradio.state_holder import SessionState

    return dict(SessionState(demo).config_values.items())  # built, whether or not they are built on read


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
    applied = ["no event summary", "signatures remembered", "session configs on read", "values processed in place"]
    assert gradio_tuning.tune(demo) == applied  # and again: idempotent


def _deep_link_after_two_questions(home: Path, fake_embeddings) -> tuple[list[dict], int, int]:
    """A browser's session asks two questions, then its deep link is saved: the components it holds (ids and
    addresses that differ from run to run masked), and how many of its configs were built before that."""
    import re

    import httpx
    from gradio_client import Client

    from assistant.api import Assistant
    from assistant.settings import Settings
    from ingest.pipeline import ingest_into
    from tests.ui_support import free_port
    from ui.app import build_app, queued
    from ui.settings import AppSettings

    bot = Assistant(Settings(home=home, min_dense_similarity=0.0, min_sentence_similarity=0.0), embeddings=fake_embeddings)
    assert ingest_into(bot, [CASE]).ok
    demo = queued(build_app(bot, AppSettings()), AppSettings())
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        client = Client(url, verbose=False)
        for question in ("Wat is het doel van slim vegen?", "Wie deed er mee?"):
            client.predict(question, "", "", "", "", api_name="/ask")
        configs = demo.state_holder.session_data[client.session_hash].config_values
        built = sum(not isinstance(c, gradio_tuning._Later) for c in dict.values(configs))
        link = httpx.get(url + "gradio_api/deep_link", params={"session_hash": client.session_hash}).json()
        saved = (Path(demo.server_app.uploaded_file_dir) / "deep_links" / link / "state.json").read_text()
    finally:
        demo.close()
    saved = re.sub(r"[0-9a-f]{32}|0x[0-9a-f]+", "<id>", saved)
    saved = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "<time>", saved)  # the two runs may straddle a minute
    components = json.loads(saved)
    base = min(c["id"] for c in components)  # block ids count on across the apps of one process
    for c in components:
        c.update({k: c[k] - base for k in ("id", "rendered_in", "renderable") if isinstance(c.get(k), int)})
    return components, built, len(configs)


CASE = Path(__file__).resolve().parents[1] / "corpus" / "documenten" / "case-01-slim-vegen-utrecht.md"


def test_session_configs_built_on_read_are_those_gradio_builds(tmp_path, monkeypatch, fake_embeddings):
    """The configs a session keeps (read only for a deep link) are built when read, and are then exactly what
    Gradio builds at every event: same two questions, with the change and with Gradio's own methods."""
    from gradio.blocks import BlocksConfig
    from gradio.state_holder import SessionState

    assert gradio_tuning.build_session_configs_on_read()
    tuned, built, kept = _deep_link_after_two_questions(tmp_path / "tuned", fake_embeddings)
    assert kept > 50 and built < 5  # almost nothing was built while the questions were answered

    for name in gradio_tuning._SESSION_METHODS:  # Gradio as it ships
        monkeypatch.setattr(SessionState, name, getattr(SessionState, name).__wrapped__)
    monkeypatch.setattr(BlocksConfig, "config_for_block", staticmethod(BlocksConfig.config_for_block.__wrapped__))
    monkeypatch.setattr(gradio_tuning, "build_session_configs_on_read", lambda: False)
    shipped, built, kept = _deep_link_after_two_questions(tmp_path / "shipped", fake_embeddings)
    assert built == kept
    assert len(tuned) == len(shipped) > 50
    assert tuned == shipped


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


def test_a_serving_process_lets_the_event_loop_in_every_millisecond(monkeypatch, fake_settings, fake_embeddings):
    """`datalessen serve` shortens the GIL's switch interval before it serves (answers in worker threads held
    the event loop that streams every browser's messages for 5 ms slices: docs/benchmarks.md)."""
    import sys

    from assistant.api import Assistant
    from ui import app as app_module
    from ui.settings import AppSettings

    served = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda demo, **kwargs: served.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    try:
        app_module.launch(Assistant(fake_settings, embeddings=fake_embeddings), AppSettings())
    finally:
        sys.setswitchinterval(before)
    assert served == [pytest.approx(app_module.GIL_SWITCH_SECONDS)] and app_module.GIL_SWITCH_SECONDS < before


def _processed_where(monkeypatch) -> tuple[dict, list]:
    """A small app asked three times: where the HTML output's postprocess and the event's function ran (a
    worker thread or not), what came back, and the errors a browser got."""
    import functools
    import threading

    from gradio_client import Client

    from tests.ui_support import free_port

    ran = {}
    original = gr.HTML.postprocess

    @functools.wraps(original)
    def postprocess(self, value):
        ran["postprocess"] = type(threading.current_thread()).__name__
        return original(self, value)

    monkeypatch.setattr(gr.HTML, "postprocess", postprocess)

    def fn(text, choice):
        ran["function"] = type(threading.current_thread()).__name__
        if text == "kapot":
            raise gr.Error("Kapot gegaan")
        return f"<p>{text} {choice}</p>", text.upper()

    with gr.Blocks() as demo:
        box, choice = gr.Textbox(), gr.Dropdown(["a", "b"], value="a")
        html, out = gr.HTML(), gr.Textbox()
        box.submit(fn, [box, choice], [html, out], api_name="go")
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    results = []
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        results.append(client.predict("hallo", "b", api_name="/go"))
        for text, value in (("kapot", "a"), ("hallo", "c")):  # the function's error; a choice the dropdown lacks
            try:
                client.predict(text, value, api_name="/go")
            except Exception as exc:  # noqa: BLE001 -- what the browser is told
                results.append(type(exc).__name__ + ": " + str(exc)[:60])
    finally:
        demo.close()
    return ran, results


def test_listed_components_process_values_in_place_and_answer_the_same(monkeypatch):
    """A listed component's processing no longer travels to a worker thread and back; the event's function
    still runs in one, and what a browser gets back (answers and errors) is what Gradio itself gives."""
    import anyio
    import gradio.blocks

    assert gradio_tuning.process_values_in_place()
    ran, tuned = _processed_where(monkeypatch)
    assert ran["function"] == "WorkerThread" and ran["postprocess"] != "WorkerThread"
    monkeypatch.setattr(gradio.blocks, "anyio", anyio)  # Gradio as it ships
    ran, shipped = _processed_where(monkeypatch)
    assert ran == {"postprocess": "WorkerThread", "function": "WorkerThread"}
    assert tuned == shipped and tuned[0] == ("<p>hallo b</p>", "HALLO") and len(tuned) == 3
    assert "Kapot gegaan" in tuned[1] and "not in the list of choices" in tuned[2]
