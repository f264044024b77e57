"""Spreading a 'lessons across cases' result: cases are capped, the report is not."""

from __future__ import annotations

from assistant.retrieval import spread_over_documents
from assistant.schema import Passage


def passage(doc: str, n: int, kind: str) -> Passage:
    return Passage(chunk_id=f"{doc}-{n}", doc_id=doc, text=f"{doc} {n}", metadata={"kind": kind})


def test_one_long_case_cannot_fill_the_list_but_the_report_can_lead_it():
    ranked = (
        [passage("rapport", i, "document") for i in range(3)]
        + [passage("case-a", i, "case") for i in range(4)]
        + [passage("case-b", 0, "case (kandidaat)")]
    )
    chosen = [p.chunk_id for p in spread_over_documents(ranked, 6, "case")]
    assert chosen == ["rapport-0", "rapport-1", "rapport-2", "case-a-0", "case-a-1", "case-b-0"]


def test_capped_passages_fill_up_the_list_when_nothing_else_is_left():
    ranked = [passage("case-a", i, "case") for i in range(4)]
    assert [p.chunk_id for p in spread_over_documents(ranked, 4, "case")] == [f"case-a-{i}" for i in range(4)]
