"""An ingest inside the app gives way to questions: it runs on its own thread at lower priority, and so
does every thread it starts (the model's batch threads), while the app's own threads keep theirs."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from ingest.pipeline import ingest_beside_answers, run_niced

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_the_ingest_thread_and_what_it_starts_run_lower_and_the_caller_does_not():
    before = _nice()

    def probe():
        started = []
        child = threading.Thread(target=lambda: started.append(_nice()))
        child.start()
        child.join()
        return _nice(), started[0]

    own, child = run_niced(3, probe)
    assert own == min(19, before + 3)
    assert child == own, "a thread started from the ingest thread inherits its priority"
    assert _nice() == before, "the calling (answering) thread keeps its priority"
    assert run_niced(3, probe)[0] == own, "one long-lived thread: lowered once, not again per ingest"


def test_an_ingest_error_reaches_the_caller():
    def fails():
        raise ValueError("kapot.pdf: geen tekst")

    with pytest.raises(ValueError, match="kapot.pdf"):
        run_niced(2, fails)
    assert run_niced(2, lambda: "daarna gewoon verder") == "daarna gewoon verder"


def test_the_app_ingests_at_the_setting(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    doc = tmp_path / "kampen.md"
    doc.write_text("# Kampen\n\nDe gemeente Kampen meet het waterpeil van de IJssel met zeven boeien.\n", encoding="utf-8")
    bot = Assistant(fake_settings.replace(ingest_nice=4), embeddings=fake_embeddings)
    seen = []
    real_embed = fake_embeddings.embed_documents

    def embed(texts):
        seen.append(_nice())
        return real_embed(texts)

    fake_embeddings.embed_documents = embed
    try:
        report = ingest_beside_answers(bot, [doc])
    finally:
        del fake_embeddings.embed_documents
    assert report.ok and bot.store.count() > 0
    assert seen and set(seen) == {min(19, _nice() + 4)}, "the model is asked from the lowered thread"
