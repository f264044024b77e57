"""The evaluation metrics on hand-made cases (fast, no model, no store)."""

from __future__ import annotations

import math

import pytest

from assistant.schema import Passage
from evals import metrics as m
from evals.gold import Evidence, EvidenceMatcher, normalize, quote_in_text

# ranks 1..4: chunk 2 holds evidence 0, chunk 4 holds evidence 1 (and 0 again)
HITS = [set(), {0}, set(), {0, 1}]


def test_recall_at_k_counts_evidence_items():
    assert m.recall_at_k(HITS, 2, 1) == 0.0
    assert m.recall_at_k(HITS, 2, 3) == 0.5
    assert m.recall_at_k(HITS, 2, 5) == 1.0
    assert m.first_ranks(HITS, 3) == [2, 4, None]
    with pytest.raises(ValueError):
        m.recall_at_k(HITS, 0, 5)


def test_reciprocal_rank():
    assert m.reciprocal_rank(HITS) == 0.5
    assert m.reciprocal_rank([set(), set()]) == 0.0
    assert m.reciprocal_rank([{1}]) == 1.0


def test_ndcg_rewards_new_evidence_only():
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at_k([{0}, {1}], 2) == pytest.approx(1.0)
    assert m.ndcg_at_k(HITS, 2) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    # a second chunk with the same evidence earns nothing
    assert m.ndcg_at_k([{0}, {0}], 2) == pytest.approx(1 / ideal)
    assert m.ndcg_at_k([set()] * 10 + [{0}], 1, k=10) == 0.0


def test_location_hit():
    top = [{("a.md", "A > x")}, {("b.md", "B")}]
    assert m.location_hit(top, [{("a.md", "A > x")}, {("a.md", "A > y")}]) == 0.5
    assert m.location_hit(top, [set()]) is None  # no pages in Markdown: not judged
    assert m.location_hit([], [{("a.md", 3)}]) == 0.0


def test_citation_markers_and_validity():
    assert m.citation_markers("a [1] b [2, 3] c [x]") == [1, 2, 3]
    assert m.citation_validity("x [1] y [2]", [1, 2], ["c1", "c2"], ["c1", "c2", "c3"])
    assert not m.citation_validity("x [1] y [3]", [1, 2], ["c1", "c2"], ["c1", "c2"])  # [3] dangles
    assert not m.citation_validity("x [1]", [1], ["c9"], ["c1"])  # cites an unretrieved chunk
    assert m.citation_validity("Geen bronnen.", [], [], [])


def test_quote_faithfulness_tolerates_whitespace_only():
    source = "De gemeente  Utrecht\nveegt slim. Daarna niets."
    assert m.quote_faithfulness([("Utrecht veegt slim.", source)]) == 1.0
    assert m.quote_faithfulness([("Utrecht veegt slim.", source), ("Utrecht veegt dom.", source)]) == 0.5
    assert m.quote_faithfulness([("utrecht veegt slim.", source)]) == 0.0  # case matters: verbatim
    assert m.quote_faithfulness([]) is None
    assert m.share([True, False, True, True]) == 0.75 and m.share([]) is None


@pytest.mark.parametrize(
    "fact, text",
    [
        ("A&O fonds", "Het a&o Fonds Gemeenten"),
        ("2015–2020", "de periode 2015 - 2020"),
        ("2 miljoen", "een budget van 2.000.000 euro"),
        ("2.000.000", "ruim 2 miljoen"),
        ("2000000", "twee miljoen"),
        ("2,5 miljoen", "2.500.000"),
        ("18", "achttien cases"),
        ("achttien", "de 18 cases"),
        ("acht gemeenten", "bij 8 gemeenten"),
        ("21", "eenentwintig"),
        ("1 project", "één project"),
        ("coöperatie", "Cooperatie"),
        ("veegwagen", "de veegwagens"),
        ("25.000 jongeren", "25000 jongeren"),
        ("10%", "10 procent"),
    ],
)
def test_key_facts_match_with_dutch_normalisation(fact, text):
    assert m.fact_found(fact, text)


@pytest.mark.parametrize(
    "fact, text",
    [
        ("18", "in 2018"),
        ("18", "180 cases"),
        ("acht", "de achtergrond"),
        ("2 miljoen", "20 miljoen"),
        ("een project", "één project"),  # 'een' is the article, 'één' the number
    ],
)
def test_key_facts_do_not_match_falsely(fact, text):
    assert not m.fact_found(fact, text)


def test_key_fact_recall_with_alternatives():
    facts = [["vijf dagen", "5 dagen"], "DPIA", "Zaanstad"]
    assert m.key_fact_recall(facts, "Binnen 5 dagen volgt een DPIA.") == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        m.key_fact_recall([], "x")


def test_length_stats():
    assert m.word_count(" een  twee\ndrie ") == 3
    stats = m.length_stats(list(range(1, 11)))
    assert stats["median"] == 5.5 and stats["p90"] == pytest.approx(9.1)


def test_abstention_scores_positive_class_is_should_abstain():
    should = [True, True, False, False, False]
    did = [True, False, True, False, False]
    s = m.abstention_scores(should, did)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)
    assert s["precision"] == 0.5 and s["recall"] == 0.5 and s["f1"] == 0.5
    assert m.abstention_scores([False], [False])["f1"] == 0.0


def test_bootstrap_is_reproducible_and_brackets_the_mean():
    data = [0, 1] * 50
    lo, hi = m.bootstrap_ci(data)
    assert lo < 0.5 < hi and (lo, hi) == m.bootstrap_ci(data)
    assert m.bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert m.bootstrap_ci([]) is None
    pairs = [(True, True), (False, False)] * 20
    lo, hi = m.bootstrap_ci(pairs, lambda rows: m.abstention_scores(*zip(*rows))["f1"])
    assert lo == hi == 1.0


def test_paired_comparison():
    a = {"q1": 1.0, "q2": 0.5, "q3": 0.0, "q4": None}
    b = {"q1": 0.0, "q2": 0.5, "q3": 1.0, "q4": 1.0, "q5": 1.0}
    c = m.paired_comparison(a, b)
    assert (c["n"], c["wins"], c["ties"], c["losses"]) == (3, 1, 1, 1)
    assert c["mean_diff"] == 0.0 and c["ci"][0] <= 0 <= c["ci"][1]


# --------------------------------------------------------------------------- relevance rule


def _passage(text, document="a.md", chunk_id="c"):
    return Passage(chunk_id=chunk_id, doc_id="d", text=text, metadata={"document": document})


def test_relevance_whole_quote_after_markdown_stripping():
    raw = "---\ntitle: x\n---\n# Kop\n\nDe **gemeente** Utrecht\nveegt [slim](https://x) met data.\n"
    quote = "De gemeente Utrecht veegt slim met data."
    assert quote in normalize(raw)
    matcher = EvidenceMatcher()
    assert matcher.relevant(Evidence("a.md", quote), _passage(raw))
    assert not matcher.relevant(Evidence("b.md", quote), _passage(raw))  # other document


def test_relevance_straddling_quote_needs_a_head_or_tail_of_60_percent():
    quote = "een twee drie vier vijf zes zeven acht negen tien"
    assert quote_in_text(quote, "bla een twee drie vier vijf zes")  # head, 6/10
    assert quote_in_text(quote, "vijf zes zeven acht negen tien. Verder")  # tail, 6/10
    assert not quote_in_text(quote, "bla een twee drie vier vijf")  # 5/10
    assert not quote_in_text(quote, "twee drie vier vijf zes zeven acht")  # middle only
    assert not quote_in_text(quote, "eenn twee drie vier vijf zes")  # whole words only


def test_best_sentences_recall_is_the_most_facts_n_sentences_hold_together():
    facts = [("DPIA",), ("5 dagen", "vijf dagen"), ("Utrecht",), ("2020",)]
    sentences = ["Een DPIA volgde.", "Binnen vijf dagen, in 2020.", "Utrecht begon.", "Niets hier.", "DPIA en Utrecht."]
    assert m.best_sentences_recall(facts, sentences, 1) == pytest.approx(2 / 4)
    assert m.best_sentences_recall(facts, sentences, 2) == pytest.approx(4 / 4)
    assert m.best_sentences_recall(facts, ["Niets."], 3) == 0.0
