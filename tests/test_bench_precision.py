"""The precision benchmark's comparison: recall@5 per path, their difference, and top-10 overlap."""

from __future__ import annotations

import pytest

from evals.bench_precision import compare, top_k_overlap


def record(qid: str, retrieved: list[str], recall: float | None) -> dict:
    metrics = {} if recall is None else {"recall@5": recall}
    return {"id": qid, "retrieved": retrieved, "metrics": metrics}


def test_overlap_counts_shared_ids_in_the_top_k():
    assert top_k_overlap(list("abcdefghij"), list("abcdefghij")) == 1.0
    assert top_k_overlap(list("abcdefghij"), list("abcdefghXY")) == 0.8
    assert top_k_overlap(list("abcdefghijKLM"), list("jihgfedcbaZZZ")) == 1.0, "order inside the top 10 does not count"
    assert top_k_overlap([], []) == 0.0


def test_compare_holds_only_within_both_goals():
    fp32 = [record("q1", list("abcdefghij"), 1.0), record("q2", list("klmnopqrst"), 0.5), record("q3", list("uvwxyzABCD"), None)]
    same = compare({"fp32": fp32, "int8": fp32})
    assert same["recall@5"] == {"fp32": 0.75, "int8": 0.75} and same["overlap@10"] == 1.0 and same["holds"]

    int8 = [record("q1", list("abcdefghXY"), 1.0), record("q2", list("klmnopqrst"), 0.5), record("q3", list("uvwxyzABCD"), None)]
    assert compare({"fp32": fp32, "int8": int8})["overlap@10"] == pytest.approx((0.8 + 1 + 1) / 3)
    assert compare({"fp32": fp32, "int8": int8})["holds"], "0.93 overlap and the same recall hold"

    worse = [record("q1", list("abcdefghij"), 0.5), *fp32[1:]]
    row = compare({"fp32": fp32, "int8": worse})
    assert row["delta"] == pytest.approx(-0.25) and not row["holds"], "a recall drop beyond 0.01 fails"
    assert (row["better"], row["worse"]) == (0, 1) and row["delta_ci"][0] < 0
    scattered = [record(r["id"], list("0123456789"), r["metrics"].get("recall@5")) for r in fp32]
    assert not compare({"fp32": fp32, "int8": scattered})["holds"], "an overlap below 0.9 fails"
