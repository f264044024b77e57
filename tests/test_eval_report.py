"""Evaluation reports for evaluators: any report folder opens; the unseen sets come first and every figure
with a target is flagged against it; every question of every set, filterable by outcome, with its answer
and gold key facts. Unseen-set reports are synthetic here (their questions are not to be read)."""

from __future__ import annotations

import json
from pathlib import Path

from evals.sets import DEVELOPMENT, SETS, TUNING, UNSEEN
from ui import render
from ui.eval_report import (
    ALL,
    CORRECT,
    DEFAULT_REPORT_DIR,
    FAILING,
    MISSED_FACTS,
    RETRIEVAL_MISS,
    SHOULD_ABSTAIN,
    WRONGLY_ABSTAINED,
    known_folders,
    open_reports,
    outcome_matches,
    outcomes,
)

# the unseen sets of the moment (evals/sets.py): a fresh pair replaces them without touching these tests
NEW = next(s for s in SETS if s.role == UNSEEN and s.corpus == "shipped")
NEW_REAL = next(s for s in SETS if s.role == UNSEEN and s.corpus == "real")

EVIL = "<script>alert(1)</script>"


def record(qid, *, answerable=True, abstained=False, found=(True,), hit=1.0, facts=(("feit",),), answer="Antwoord."):
    metrics = {"words": len(answer.split()), "abstained": abstained}
    if answerable:
        metrics.update({"hit@5": hit, "key_facts_found": list(found)})
    r = {
        "id": qid,
        "variant": "hybrid",
        "question": f"Vraag {qid}?",
        "type": "factual",
        "language": "nl",
        "history": [],
        "answerable": answerable,
        "answer": answer,
        "relevant_ranks": [2] if hit else [],
        "citations": [{"n": 1, "document": "case-01.md", "quotes": ["x"]}],
        "metrics": metrics,
    }
    if facts is not None:
        r["key_facts"] = [list(f) for f in facts] if answerable else []
    return r


def write(folder: Path, records: list[dict], *, recall=0.9, f1=0.85, median=80, **meta) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "date": meta.pop("date", "2026-11-28 10:00 UTC"),
        "commit": "abc123",
        **meta,
        "variants": ["bm25", "hybrid"],
        "questions": {"total": len(records)},
        "summary": {
            v: {
                "recall@5": {"mean": recall},
                "citation_validity": {"mean": 1.0},
                "faithfulness": {"mean": 1.0},
                "key_fact_recall": {"mean": 0.6},
                "abstention": {"f1": f1},
                "words": {"median": median, "p90": 120},
            }
            for v in ("bm25", "hybrid")
        },
        "records": records + [dict(records[0], variant="bm25", answer="bm25 hoort hier niet")],
    }
    (folder / "report.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "report.md").write_text("# Evaluatie\n\n## Gate (hybrid): PASS\n\n![plot](a.png)\n", encoding="utf-8")
    return folder


def test_outcomes_of_a_question():
    assert outcomes(record("a")) == [CORRECT]
    assert outcomes(record("b", found=(True, False))) == [MISSED_FACTS]
    assert outcomes(record("c", abstained=True)) == [WRONGLY_ABSTAINED]
    assert outcomes(record("d", found=(False,), hit=0.0)) == [MISSED_FACTS, RETRIEVAL_MISS]
    assert outcomes(record("e", found=(True,), hit=0.0)) == [RETRIEVAL_MISS]  # right, but not from the evidence
    assert outcomes(record("f", answerable=False, abstained=True)) == [CORRECT]
    assert outcomes(record("g", answerable=False)) == [SHOULD_ABSTAIN]
    assert outcome_matches(record("b", found=(False,)), FAILING) and not outcome_matches(record("a"), FAILING)
    assert outcome_matches(record("a"), ALL) and outcome_matches(record("d", hit=0.0), RETRIEVAL_MISS)


def test_any_folder_opens_least_flattering_set_first(tmp_path):
    write(tmp_path, [record("q001")], gold_set="questions", recall=0.95, f1=0.93)
    write(tmp_path / "test2", [record("v001")])  # an older report: its folder says which set it is
    write(
        tmp_path / "nieuw",
        [record(f"{NEW.id_prefix}001", found=(False,)), record(f"{NEW.id_prefix}002")],
        gold_set=NEW.name,
        recall=0.8,
        f1=0.5,
    )
    write(tmp_path / "mijn", [record("q001")], gold_set="", questions_file=str(tmp_path / "mijn-vragen.jsonl"))
    folder = open_reports(tmp_path)
    assert [(r.key, r.role) for r in folder.reports] == [
        ("nieuw", UNSEEN),
        ("test2", DEVELOPMENT),
        (".", TUNING),
        ("mijn", ""),
    ]
    unseen = folder.unseen[0]
    assert unseen.name == f"nieuw ({NEW.name})" and folder.reports[-1].name == "mijn (mijn-vragen)"
    assert unseen.date == "2026-11-28 10:00 UTC" and unseen.variant == "hybrid"
    assert [r["id"] for r in unseen.records] == [f"{NEW.id_prefix}001", f"{NEW.id_prefix}002"]  # the main variant's answers only
    flagged = {f.name: f.met for f in unseen.figures}
    assert flagged == {
        "recall@5": False,
        "citation_validity": True,
        "faithfulness": True,
        "abstention_f1": False,
        "key_fact_recall": None,  # no target for it
        "median_words": True,
    }
    assert [f.name for f in unseen.missed_targets] == ["recall@5", "abstention_f1"]
    assert "Gate" in unseen.markdown() and "![plot]" not in unseen.markdown()
    assert folder.report("test2").key == "test2" and folder.report("ontbreekt").key == "nieuw"


def test_a_median_just_over_its_target_does_not_read_as_meeting_it(tmp_path):
    write(tmp_path / NEW.name, [record(f"{NEW.id_prefix}001")], median=80.5)
    html = render.eval_overview_html(open_reports(tmp_path), [NEW.name])
    assert "mediaan woorden 80.5 (doel ≤ 80)" in html and "80.500" not in html
    assert '<td class="doel-gemist">80.5<small class="doel">boven doel (≤ 80)' in html


def test_the_newest_unseen_set_comes_first(tmp_path):
    """Unseen sets are measured once each: the freshest is the current honest estimate, the older ones
    were measured on an older system, so the overview leads with the newest."""
    write(tmp_path / NEW.name, [record(f"{NEW.id_prefix}001")], date="2026-11-29 03:53 UTC")
    write(tmp_path / NEW_REAL.name, [record(f"{NEW_REAL.id_prefix}001")], date="2026-11-29 03:54 UTC")
    write(tmp_path / "test4", [record("y001")], date="2026-11-29 00:38 UTC")  # replaced by test5: development
    write(tmp_path / "heldout", [record("h001")], date="2026-11-29 01:00 UTC")
    names = [r.name for r in open_reports(tmp_path).reports]
    assert names == [NEW_REAL.name, NEW.name, "heldout", "test4"]


def test_overview_puts_unseen_first_and_flags_it(tmp_path):
    write(tmp_path, [record("q001")], gold_set="questions", recall=0.95, f1=0.93)
    write(tmp_path / NEW.name, [record(f"{NEW.id_prefix}001")], recall=0.8, f1=0.5)
    html = render.eval_overview_html(open_reports(tmp_path), [NEW.name, NEW_REAL.name])
    assert html.index("Ongeziene vragen") < html.index('<table class="evaluatie-sets"')
    assert "doelen niet gehaald: recall@5 0.800 (doel ≥ 0.9), onthouding F1 0.500 (doel ≥ 0.75)" in html
    assert html.index(f'data-set="{NEW.name}"') < html.index('data-set="."')
    assert html.count("doel-gemist") == 2 and "onder doel (≥ 0.9)" in html
    assert html.count("2026-11-28 10:00 UTC") == 3  # one date per report: the one it was measured on
    only_tuning = write(tmp_path / "ander", [record("q001")], gold_set="questions")
    html = render.eval_overview_html(open_reports(only_tuning), [NEW.name, NEW_REAL.name])
    assert f"Geen rapport van een ongeziene set</strong> ({NEW.name}, {NEW_REAL.name})" in html
    empty = render.eval_overview_html(open_reports(tmp_path / "nergens"), [NEW.name])
    assert "Geen evaluatierapport" in empty and "datalessen eval --report" in empty


def test_questions_show_answer_and_gold_facts_escaped(tmp_path):
    records = [
        record(
            f"{NEW.id_prefix}001",
            found=(True, False),
            facts=(("twee", "2"), ("DPIA",)),
            answer=f"Het antwoord {EVIL}\n- „citaat” [1]",
        ),
        record(f"{NEW.id_prefix}002"),
        record(f"{NEW.id_prefix}003", answerable=False),
    ]
    report = open_reports(write(tmp_path / NEW.name, records)).reports[0]
    html = render.eval_questions_html(report, FAILING)
    assert html.count('class="eval-vraag"') == 2 and f'data-id="{NEW.id_prefix}002"' not in html
    assert "juist: 1 · kernfeiten gemist: 1 · onterecht onthouden: 0 · had moeten onthouden: 1" in html
    assert "Het antwoord &lt;script&gt;" in html and "<script>" not in html
    assert "twee" in html and "(of: 2)" in html and "in het antwoord" in html and "DPIA</span>" not in html
    assert "DPIA — <span class=\"feit-nee\">ontbreekt</span>" in html
    assert "niet uit de bronnen te beantwoorden" in html  # the unanswerable one has no facts, and says why
    assert render.eval_questions_html(report, ALL).count('class="eval-vraag"') == 3
    assert "Geen vragen met deze uitkomst." in render.eval_questions_html(report, WRONGLY_ABSTAINED)


def test_key_facts_of_older_reports_come_from_their_questions_file(tmp_path):
    questions = tmp_path / "mijn-vragen.jsonl"
    questions.write_text(
        json.dumps({"id": "q001", "question": "Vraag q001?", "key_facts": [["vijf", "5"], "Utrecht"]})
        + "\n"
        + json.dumps({"id": "q002", "question": "Een andere vraag dan in het rapport?", "key_facts": ["x"]})
        + "\n",
        encoding="utf-8",
    )
    records = [record("q001", facts=None, found=(True, False)), record("q002", facts=None)]
    write(tmp_path / "r", records, gold_set="", questions_file=str(questions))
    first, second = open_reports(tmp_path / "r").reports[0].records
    assert first["key_facts"] == [["vijf", "5"], ["Utrecht"]]
    assert "key_facts" not in second  # the file asks another question under that id: not guessed
    html = render.eval_questions_html(open_reports(tmp_path / "r").reports[0], ALL)
    assert "Dit rapport noemt de kernfeiten zelf niet; 1 van 1 staan in het antwoord." in html


def test_the_shipped_reports_open_with_every_question(tmp_path):
    folder = open_reports(DEFAULT_REPORT_DIR)
    names = {r.name for r in folder.reports}
    assert {"questions", "heldout", "heldout2", "test", "test2"} <= names
    for report in folder.reports:
        assert len(report.records) == report.questions and report.date
        answerable = [r for r in report.records if r["answerable"]]
        assert all("key_facts" in r for r in answerable), report.name  # from the gold files where reports lack them
    assert known_folders(tmp_path / "x", tmp_path)[0] == str(tmp_path / "x")
    (tmp_path / "evaluatie").mkdir()
    assert known_folders(DEFAULT_REPORT_DIR, tmp_path) == [str(DEFAULT_REPORT_DIR), str(tmp_path / "evaluatie")]


def test_a_pooled_report_is_named_after_its_sets(tmp_path):
    """`eval --questions A --questions B` writes one report for several files: the evaluator view names
    them, not 'eigen vragen', and takes no single set's role or targets."""
    files = [f"evals/gold/test{n}.jsonl" for n in range(21, 33)]
    write(tmp_path / "twaalf", [record("as001")], gold_set="", questions_file="", questions_files=files)
    write(tmp_path / "twee", [record("as001")], gold_set="", questions_file="", questions_files=files[:2])
    reports = {r.key: r for r in open_reports(tmp_path).reports}
    assert reports["twaalf"].name == "twaalf (test21 … test32 (12 sets))"
    assert reports["twee"].name == "twee (test21 + test22)"
    assert reports["twaalf"].gold is None and reports["twaalf"].role == ""
