"""`datalessen bench serve`'s client (evals/bench_serve.py) against the real app, directly and through the
router of `serve --workers`: every question comes back answered (0 errors), and a session keeps the
process the router gave it.

The figures themselves are printed by the benchmark, never asserted (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from assistant.api import Assistant
from evals.bench_serve import Browser, QuestionPool, _drive
from ingest.pipeline import ingest_into
from tests.ui_support import KAMPEN_DOC, router_in_thread, running_app
from ui.router import COOKIE, Router


def test_the_client_answers_through_the_app_and_through_the_router(tmp_path, fake_settings, fake_embeddings):
    doc = tmp_path / "kampen.md"
    doc.write_text(KAMPEN_DOC, encoding="utf-8")
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [doc]).ok
    with running_app(bot) as url, running_app(bot) as other:
        pool = QuestionPool()
        direct = asyncio.run(_drive(url.rstrip("/"), 3, 2, pool))
        assert direct["errors"] == 0 and direct["rate"] > 0 and direct["p95"] >= direct["p50"] > 0

        ports = [int(u.rstrip("/").rsplit(":", 1)[1]) for u in (url, other)]
        base = router_in_thread(Router(ports, up={0, 1}))
        routed = asyncio.run(_drive(base, 4, 2, pool))
        assert routed["errors"] == 0 and routed["rate"] > 0

        async def placed() -> set[str]:
            browser = Browser(base)
            for _ in range(3):
                status, body = await browser.request("GET", "/config")
                await body.read()
                assert status == 200
            return {browser.cookies[COOKIE]}

        assert asyncio.run(placed()) in ({"0"}, {"1"})  # one cookie, kept


def test_each_question_is_asked_once_before_any_comes_back_and_none_is_unseen():
    """Eight questions in a loop let the query-vector cache answer the library from memory; users ask new ones."""
    from evals.gold import load_questions
    from evals.sets import SETS, UNSEEN

    pool = QuestionPool()
    first, second = pool.take(100), pool.take(len(pool.questions) - 100)
    assert len(set(first + second)) == len(pool.questions) > 300
    assert pool.take(1) == first[:1]  # then it starts over
    unseen = {q.question for s in SETS if s.role == UNSEEN for q in load_questions(s.path, corpus_dir=None)}
    asked_unseen = len(unseen & set(pool.questions))
    assert asked_unseen == 0, f"{asked_unseen} unseen questions in the pool"  # a count: their texts stay unread
    assert QuestionPool(distinct=False).take(9)[8] == QuestionPool(distinct=False).take(1)[0]


def test_the_benchmark_s_app_saves_its_conversations_apart_from_the_user_s(tmp_path, model_path, real_embeddings):
    """`bench serve` asks thousands of questions through a real `datalessen serve`: none of them may land in
    the user's conversation list (nor grow their data home), and the scratch database goes when it stops."""
    import sqlite3

    from assistant.settings import Settings
    from evals.bench_serve import App

    home = tmp_path / "home"
    home.mkdir()
    doc = home / "kampen.md"
    doc.write_text(KAMPEN_DOC, encoding="utf-8")
    assert ingest_into(Assistant(Settings(home=home, embedding_model=str(model_path)), embeddings=real_embeddings), [doc]).ok
    root = Path(__file__).resolve().parents[1]
    env = {"DATALESSEN_HOME": str(home), "DATALESSEN_EMBEDDING_MODEL": str(model_path), "PYTHONPATH": str(root)}
    env["DATALESSEN_DATABASE_URL"] = f"sqlite:///{home / 'mine.sqlite'}"  # the user's own, even when configured
    app = App(extra_env=env)
    try:
        app.wait()
        result = asyncio.run(_drive(app.url, 2, 2, QuestionPool()))
        assert result["errors"] == 0
        (scratch,) = app.scratch.glob("*.sqlite")
        assert sqlite3.connect(scratch).execute("select count(*) from turns").fetchone() == (4,)
    finally:
        app.stop()
    assert not app.scratch.exists()
    assert not (home / "mine.sqlite").exists() and not (home / "datalessen.sqlite").exists()


def test_the_query_embedding_probe_runs_as_the_app_does_in_a_session_of_its_own(monkeypatch, tmp_path, model_path):
    """`bench serve` times query embedding also where `serve` runs the app (a process leading its own session),
    since a load started from the benchmark's session competes with that process as one group."""
    from evals.bench_serve import embed_latency_apart

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("DATALESSEN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATALESSEN_EMBEDDING_MODEL", str(model_path))
    monkeypatch.setenv("PYTHONPATH", str(root))
    timed = embed_latency_apart(5)
    assert timed["leads_its_session"] is True
    assert timed["p95"] >= timed["p50"] > 0
