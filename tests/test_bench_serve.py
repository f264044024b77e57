"""`datalessen bench serve`'s client (evals/bench_serve.py) against the real app, directly and through the
router of `serve --workers`: every question comes back answered (0 errors), and a session keeps the
process the router gave it.

The figures themselves are printed by the benchmark, never asserted (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio

from assistant.api import Assistant
from evals.bench_serve import Browser, _drive
from ingest.pipeline import ingest_into
from tests.ui_support import KAMPEN_DOC, router_in_thread, running_app
from ui.router import COOKIE, Router


def test_the_client_answers_through_the_app_and_through_the_router(tmp_path, fake_settings, fake_embeddings):
    doc = tmp_path / "kampen.md"
    doc.write_text(KAMPEN_DOC, encoding="utf-8")
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [doc]).ok
    with running_app(bot) as url, running_app(bot) as other:
        direct = asyncio.run(_drive(url.rstrip("/"), 3, 2))
        assert direct["errors"] == 0 and direct["rate"] > 0 and direct["p95"] >= direct["p50"] > 0

        ports = [int(u.rstrip("/").rsplit(":", 1)[1]) for u in (url, other)]
        base = router_in_thread(Router(ports, up={0, 1}))
        routed = asyncio.run(_drive(base, 4, 2))
        assert routed["errors"] == 0 and routed["rate"] > 0

        async def placed() -> set[str]:
            browser = Browser(base)
            for _ in range(3):
                status, body = await browser.request("GET", "/config")
                await body.read()
                assert status == 200
            return {browser.cookies[COOKIE]}

        assert asyncio.run(placed()) in ({"0"}, {"1"})  # one cookie, kept
