"""`datalessen compare-folds`: two cross-validations' held-out answers, question by question, per corpus."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ui.cli import cli


def record(qid, corpus, fold, *, answerable=True, key_facts=1.0, abstained=False, question="Wat is het doel?"):
    return {
        "id": qid,
        "question": question,
        "variant": "hybrid",
        "answerable": answerable,
        "key_facts": [["x"]] if answerable else [],
        "metrics": {"key_fact_recall": key_facts if answerable else None, "abstained": abstained},
        "fold": fold,
        **({"corpus": corpus} if corpus else {}),
    }


def write(path, records):
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    return str(path)


def test_a_change_is_shown_per_corpus_with_the_questions_it_moved(tmp_path):
    before = [record(f"d{i}", "shipped", "test", key_facts=0.5) for i in range(8)]
    before += [record("g1", "shipped", "test", answerable=False), record("g2", "shipped", "test", answerable=False)]
    before += [record(f"r{i}", "real", "real-test", key_facts=1.0) for i in range(4)]
    after = [dict(r, metrics=dict(r["metrics"])) for r in before]
    after[0]["metrics"]["key_fact_recall"] = 1.0  # one digest answer better
    after[8]["metrics"]["abstained"] = True  # one gap refused now
    after[10]["metrics"]["key_fact_recall"] = 0.0  # one real-document answer worse
    result = CliRunner().invoke(cli, ["compare-folds", write(tmp_path / "a.json", before), write(tmp_path / "b.json", after)])
    assert result.exit_code == 0, result.output
    shipped, real = result.output.strip().split("\n")
    assert shipped.startswith("shipped: 10 questions; key facts 0.5000 -> 0.5625 (+0.0625 [")
    assert "1 better, 0 worse" in shipped and "abstention F1 0.000 (0.00 / 0.00) -> 0.667 (1.00 / 0.50), 1 switched" in shipped
    assert real.startswith("real: 4 questions; key facts 1.0000 -> 0.7500 (-0.2500 [") and "0 better, 1 worse" in real


def test_records_written_before_they_named_their_corpus_are_told_by_their_fold(tmp_path):
    old = [record("d1", "", "case-01-slim-vegen-utrecht.md"), record("r1", "", "Mantelzorg.pdf"), record("r2", "", "real-test2")]
    path = write(tmp_path / "old.json", old)
    result = CliRunner().invoke(cli, ["compare-folds", path, path])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("shipped: 1 questions;") and "\nreal: 2 questions;" in result.output


def test_a_file_that_is_not_held_out_answers_is_named(tmp_path):
    good = write(tmp_path / "good.json", [record("d1", "shipped", "test")])
    bad = tmp_path / "report.md"
    bad.write_text("# not records\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare-folds", good, str(bad)])
    assert result.exit_code != 0 and f"{bad}: not the records of `train-ranker --cv-records`" in result.output
    other = write(tmp_path / "other.json", [record("x9", "shipped", "test")])
    result = CliRunner().invoke(cli, ["compare-folds", good, other])
    assert result.exit_code != 0 and "share no question" in result.output


def test_by_kind_shows_which_questions_moved_first(tmp_path):
    """A change to what is quoted for one kind of question shows as that kind's line, before the unchanged ones."""
    before = [
        record("d1", "shipped", "test", key_facts=0.5, question="Hoeveel cases zijn er?"),
        record("d2", "shipped", "test", key_facts=0.5, question="Waarom stopte het project?"),
    ]
    after = [dict(before[0], metrics=dict(before[0]["metrics"], key_fact_recall=1.0)), before[1]]
    args = ["compare-folds", "--by-kind", write(tmp_path / "a.json", before), write(tmp_path / "b.json", after)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert lines[1:] == [
        "  number: 1 questions, key facts 0.500 -> 1.000 (+0.500)",
        "  why: 1 questions, key facts 0.500 -> 0.500 (+0.000)",
    ]
