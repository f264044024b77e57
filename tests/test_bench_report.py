"""The retrieval benchmark's report and verdicts, from made-up figures (nothing is timed here)."""

from __future__ import annotations

from click.testing import CliRunner

from evals.bench_retrieval import QUERIES, report
from ui.cli import cli


def _result(size: int, hybrid_p95: float, ask_p95: float | None) -> dict:
    wall = {m: {"n": 100, "p50": 10.0, "p95": 20.0, "max": 30.0} for m in ("embed", "bm25", "chroma", "chroma_texts")}
    wall["hybrid"] = {"n": 100, "p50": 30.0, "p95": hybrid_p95, "max": hybrid_p95 + 5}
    if ask_p95 is not None:
        wall["ask"] = {"n": 100, "p50": 60.0, "p95": ask_p95, "max": ask_p95 + 5}
    return {
        "size": size,
        "queries": 50,
        "rounds": 2,
        "load_before": [1.0],
        "load_after": [1.0],
        "model_load_seconds": 3.0,
        "assistant_seconds": 3.0,
        "ids_seconds": 0.5,
        "assistant_cached_seconds": 1.0,
        "cache_mb": 20.0,
        "bm25_terms": 10,
        "bm25_postings": 100,
        "bm25_arrays_mb": 1.0,
        "rss_passages_and_bm25_mb": 50.0,
        "rss_after_startup_mb": 900.0,
        "rss_model_mb": 800.0,
        "peak_rss_mb": 950.0,
        "python_peak_per_query_mb": {"hybrid": 0.5},
        "first_query_ms": 100.0,
        "wall": wall,
        "cpu_p50": {m: 5.0 for m in wall},
    }


def _build(size: int) -> dict:
    return {
        "documents": 10,
        "words_p50": 130,
        "words_p95": 150,
        "generate_seconds": 1.0,
        "upsert_seconds": 10.0,
        "count": size,
        "store_mb": 100.0,
        "peak_rss_mb": 1000.0,
        "sentence_vectors_cached": True,
        "sentence_embed_seconds": 0.0,
    }


def test_verdicts_against_targets():
    results = {10_000: _result(10_000, 40.0, 350.0), 100_000: _result(100_000, 120.0, None)}
    text, verdicts = report({s: _build(s) for s in results}, results)
    assert [(name, verdict) for name, _, _, verdict in verdicts] == [
        ("retrieval p95 @ 10,000", "PASS"),
        ("retrieval p95 @ 100,000", "PASS"),
        ("answer p95 @ 10,000", "FAIL"),
    ]
    assert "hybrid / embed_query 3.00x" in text


def test_enough_fixed_questions_and_command_registered():
    assert len(set(QUERIES)) == len(QUERIES) >= 50
    assert sum(len(q.split()) <= 3 for q in QUERIES) >= 20  # short keyword queries
    assert sum(len(q.split()) >= 10 for q in QUERIES) >= 20  # long questions
    result = CliRunner().invoke(cli, ["bench", "retrieval", "--help"], obj=None)
    assert result.exit_code == 0 and "--sizes" in result.output
