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
