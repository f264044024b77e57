"""The gold sets' names and roles live in one table (evals/sets.py); reports say which set they are."""

from __future__ import annotations

import json
import tomllib

from evals.gate import DEFAULT_THRESHOLDS
from evals.gold import GOLD_DIR
from evals.run import ANSWER_METRICS, RETRIEVAL_METRICS
from evals.sets import (
    DEVELOPMENT,
    SETS,
    TUNING,
    UNSEEN,
    gold_set,
    set_for_questions_file,
    set_of_report,
    targets,
)


def test_every_shipped_gold_file_has_one_row():
    assert sorted(s.name for s in SETS) == sorted(p.stem for p in GOLD_DIR.glob("*.jsonl"))
    assert all(s.path.is_file() for s in SETS)
    assert len({s.id_prefix for s in SETS}) == len(SETS)
    assert gold_set("questions").role == TUNING
    assert {s.name for s in SETS if s.role == UNSEEN} == {"test41", "real-test39"}
    assert gold_set("test2").role == DEVELOPMENT  # its failures were studied: no longer unseen
    for s in SETS:
        assert s.thresholds_path is None or s.thresholds_path.is_file()


def test_targets_come_from_the_thresholds_files():
    declared = tomllib.loads(gold_set("test2").thresholds_path.read_text(encoding="utf-8"))["target"]
    assert targets(gold_set("test2")) == declared
    default = tomllib.loads(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))["target"]
    assert targets(gold_set("test5")) == default  # no gate of its own: the default file's targets
    assert targets(None)["min"]["recall@5"] == default["min"]["recall@5"]


def test_which_set_a_report_is(tmp_path):
    assert set_for_questions_file(GOLD_DIR / "heldout.jsonl").name == "heldout"
    assert set_for_questions_file(tmp_path / "mijn.jsonl") is None
    # written since reports name their set; "" is an evaluator's own file, whatever its folder
    assert set_of_report({"gold_set": "test5"}, tmp_path).name == "test5"
    assert set_of_report({"gold_set": "", "records": [{"id": "q001"}]}, tmp_path / "heldout") is None
    # older reports: the folder under evals/report, the shipped root, or the ids' letters
    assert set_of_report({}, tmp_path / "test2").name == "test2"
    assert set_of_report({}, tmp_path, shipped_root=tmp_path).name == "questions"
    records = [{"id": "r001"}, {"id": "r017"}]
    assert set_of_report({"records": records}, tmp_path / "real-before-tuning").name == "real"
    assert set_of_report({"records": records + [{"id": "q001"}]}, tmp_path / "gemengd") is None
    # once the single letters are taken, ids get two: 'aa001' is test13's, not the a-set's (test5)
    assert set_of_report({"records": [{"id": "aa001"}]}, tmp_path / "nieuw").name == "test13"
    assert set_of_report({"records": [{"id": "zz001"}]}, tmp_path / "nieuw") is None


def test_a_written_report_names_its_set(tmp_path):
    from evals.report import write_report

    results = _tiny_results()
    write_report(results, tmp_path, gold_set="heldout", questions_file=GOLD_DIR / "heldout.jsonl")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["gold_set"] == "heldout" and data["questions_file"].endswith("heldout.jsonl")
    assert set_of_report(data, tmp_path).name == "heldout"


def _tiny_results() -> dict:
    summary = {name: {"mean": 1.0, "ci": None, "n": 1} for name in (*RETRIEVAL_METRICS, *ANSWER_METRICS)}
    summary["words"] = {"median": 10, "p90": 12, "median_ci": None, "n": 1}
    summary["abstention"] = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "f1_ci": None, "n": 1}
    record = {
        "id": "h001",
        "variant": "hybrid",
        "question": "Vraag?",
        "type": "factual",
        "language": "nl",
        "history": [],
        "answerable": True,
        "key_facts": [["feit"]],
        "metrics": {"words": 10, "abstained": False, "hit@5": 1.0, "key_facts_found": [True]},
    }
    return {
        "variants": ["hybrid"],
        "k": 10,
        "corpus": {"documents": 1, "chunks": 1},
        "settings": {},
        "questions": {"total": 1, "answerable": 1, "unanswerable": 0, "followups": 0},
        "data_errors": [],
        "notes": [],
        "timing_s": {"hybrid": 0.1},
        "summary": {"hybrid": summary},
        "comparisons": {},
        "records": [record],
    }
