"""The gold checker and `datalessen eval` agree on an evaluator's own small set: the set-design
rules (>= 60 questions, >= 15% followups and unanswerable) apply only when asked for."""

from __future__ import annotations

import json

import pytest

from evals.gold import DEFAULT_QUESTIONS, GoldError, checker, load_questions


@pytest.fixture
def own_set(tmp_path):
    """Eight answerable, non-followup questions, as an evaluator would write for a quick check."""
    items = [json.loads(line) for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [i for i in items if i["answerable"] and i["type"] != "followup"][:8]
    path = tmp_path / "mijn-vragen.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in chosen), encoding="utf-8")
    return path


def test_an_own_small_set_passes_the_checker_as_it_passes_eval(own_set, capsys):
    assert len(load_questions(own_set)) == 8  # what `datalessen eval --questions` reads
    assert checker.main([str(own_set)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "set design not checked" in out
    assert "0 followups (0%, a shipped set has >= 15%)" in out and "8 questions (a shipped set has >= 60)" in out


def test_set_design_on_request(own_set, capsys):
    assert checker.main([str(own_set), "--set-design"]) == 1
    err = capsys.readouterr().err
    assert "only 8 questions, need at least 60" in err and "followups 0/8 < 15% (set design)" in err
    assert checker.main([str(own_set), "--set-design", "--min-questions", "5"]) == 1  # the shares still apply
    assert "need at least" not in capsys.readouterr().err
    with pytest.raises(GoldError, match="set design"):
        load_questions(own_set, enforce_shares=True)


def test_item_errors_fail_without_set_design(own_set, capsys):
    item = json.loads(own_set.read_text(encoding="utf-8").splitlines()[0])
    item["evidence"][0]["quote"] = "Deze zin staat in geen enkel document van het corpus."
    own_set.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    assert checker.main([str(own_set)]) == 1
    assert "quote not found" in capsys.readouterr().err


def test_the_shipped_tuning_set_meets_the_set_design(capsys):
    assert checker.main([str(DEFAULT_QUESTIONS), "--set-design"]) == 0


def test_the_checker_explains_its_options(capsys):
    with pytest.raises(SystemExit) as done:
        checker.main(["--help"])
    assert done.value.code == 0
    assert ">= 15% followups" in capsys.readouterr().out


def test_ids_may_start_with_two_letters_once_the_single_letters_are_taken(own_set, capsys):
    items = [json.loads(line) for line in own_set.read_text(encoding="utf-8").splitlines()]
    own_set.write_text(
        "".join(json.dumps(dict(item, id=f"aa{n:03d}"), ensure_ascii=False) + "\n" for n, item in enumerate(items, 1)),
        encoding="utf-8",
    )
    assert checker.main([str(own_set)]) == 0
    assert [q.id for q in load_questions(own_set)][:2] == ["aa001", "aa002"]
