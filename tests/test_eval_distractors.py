"""`datalessen eval --distractors`: the same questions beside unrelated documents, in a copy of the store,
every metric side by side with how many questions moved and the change's interval."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from evals.distractors import per_file_changes, side_by_side
from evals.gold import GOLD_DIR
from evals.run import summarize
from ui.cli import cli


def _record(qid: str, answerable: bool, recall: float | None, abstained: bool, words: int = 60) -> dict:
    metrics = {"words": words, "abstained": abstained, "citation_validity": 1.0, "faithfulness": 1.0}
    for name in ("recall@1", "recall@3", "recall@5", "recall@10", "mrr", "ndcg@10", "key_fact_recall"):
        if answerable:
            metrics[name] = recall
    return {"id": qid, "variant": "hybrid", "answerable": answerable, "metrics": metrics}


def _run(records: list[dict]) -> dict:
    return {"summary": {"hybrid": summarize(records)}, "records": records}


def _row(table: str, metric: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(f"| hybrid | {metric} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_each_change_says_how_many_questions_moved_and_how_sure_it_is():
    # twenty answerable questions: four lose their evidence beside the distractors, none gain it;
    # four unanswerable ones: one that was refused gets answered
    without = [_record(f"q{i}", True, 1.0, False) for i in range(20)] + [_record(f"u{i}", False, None, True) for i in range(4)]
    with_ = [_record(f"q{i}", True, 0.0 if i < 4 else 1.0, False) for i in range(20)]
    with_ += [_record(f"u{i}", False, None, i != 0) for i in range(4)]
    table, over = side_by_side(_run(without), _run(with_), corpus_chunks=100, total_chunks=3100)
    assert "3,000 chunks beside the corpus' 100 (30.0x)" in table
    variant, metric, before, after, change, interval, moved = _row(table, "recall@5")
    assert (before, after, change, moved) == ("1.000", "0.800", "-0.200", "4 / 0")
    low, high = (float(x) for x in interval.strip("[]").split(","))
    assert low <= -0.2 <= high and high < 0  # four of twenty is more than noise
    assert _row(table, "abstention_f1")[-1] == "1 / 0"  # one question now answered that should be refused
    assert _row(table, "median_words")[-1] == "–"
    assert over == ["hybrid recall@5 fell 0.200 (> 0.03)", "hybrid key_fact_recall fell 0.200 (> 0.03)"]


def test_one_question_lost_is_a_change_whose_interval_holds_zero():
    without = [_record(f"q{i}", True, 1.0, False) for i in range(24)]
    with_ = [_record(f"q{i}", True, 0.0 if i == 0 else 1.0, False) for i in range(24)]
    table, _ = side_by_side(_run(without), _run(with_), corpus_chunks=100, total_chunks=3100)
    row = _row(table, "recall@5")
    assert row[4] == "-0.042" and row[6] == "1 / 0"
    low, high = (float(x) for x in row[5].strip("[]").split(","))
    assert low < 0 and high == 0.0


def test_several_question_files_show_where_the_pooled_change_comes_from():
    """Pooled, one set's loss hides among the others': each file's own change is listed beside it."""
    without = [_record(f"a{i}", True, 1.0, False) for i in range(10)] + [_record(f"b{i}", True, 1.0, False) for i in range(10)]
    with_ = [_record(f"a{i}", True, 0.0 if i < 2 else 1.0, False) for i in range(10)]
    with_ += [_record(f"b{i}", True, 1.0, False) for i in range(10)]
    files = {"setA": {f"a{i}" for i in range(10)}, "setB": {f"b{i}" for i in range(10)}}
    table = per_file_changes(_run(without), _run(with_), files)
    lines = [line for line in table.splitlines()[4:] if line.startswith("|")]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.strip("|").split("|")] for line in lines}
    assert rows["setA"] == ["setA", "10", "1.000 / 0.800", "-0.200", "1.000 / 0.800", "-0.200"]
    assert rows["setB"] == ["setB", "10", "1.000 / 1.000", "+0.000", "1.000 / 1.000", "+0.000"]


def _files_losing(losses: list[int], size: int = 30) -> tuple[dict, dict, dict]:
    """Runs over len(losses) files of `size` answerable questions, file i losing losses[i] of them."""
    without, with_, files = [], [], {}
    for f, lost in enumerate(losses):
        ids = [f"f{f}q{i}" for i in range(size)]
        files[f"set{f}"] = set(ids)
        without += [_record(q, True, 1.0, False) for q in ids]
        with_ += [_record(q, True, 0.0 if i < lost else 1.0, False) for i, q in enumerate(ids)]
    return _run(without), _run(with_), files


def _chance_line(table: str, metric: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(f"{metric}:"))


def test_files_over_the_limit_by_their_size_alone_are_told_apart_from_a_file_hit_harder():
    """One question moves a file of 30 by 0.033: losses scattered the way chance scatters them put several
    files over 0.03 without any of them being hit harder than the rest; a file that lost a third is."""
    scattered = per_file_changes(*_files_losing([1, 0, 2, 1, 0, 1, 3, 1, 0, 1]))
    line = _chance_line(scattered, "recall@5")
    assert line.startswith("recall@5: 7 of 10 files fell more than 0.03")
    assert "no file beyond chance (lowest p: set6 -0.100" in line

    hit = per_file_changes(*_files_losing([10, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
    line = _chance_line(hit, "key_fact_recall")
    assert line.startswith("key_fact_recall: 10 of 10 files fell more than 0.03")
    assert "beyond chance: set0 (-0.333" in line and "set1" not in line.split("beyond chance:")[1]


@pytest.mark.slow
def test_eval_with_distractors_scores_a_copy_and_leaves_the_store_alone(corpus_assistant, tmp_path):
    questions = tmp_path / "vragen.jsonl"
    lines = (GOLD_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    standalone = [line for line in lines if line.strip() and not json.loads(line).get("history")]
    chosen = standalone[:6]
    questions.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    folder = tmp_path / "ander"
    folder.mkdir()
    for i, subject in enumerate(("het afvalbeleid", "de parkeervergunning", "de bibliotheek")):
        (folder / f"pagina{i}.md").write_text(
            f"# Over {subject}\n\nDe gemeente regelt {subject} voor haar inwoners. Meer informatie staat op de website.\n",
            encoding="utf-8",
        )
    settings = corpus_assistant.settings
    env = {"DATALESSEN_HOME": str(settings.home), "DATALESSEN_EMBEDDING_MODEL": settings.embedding_model}
    stored = corpus_assistant.store.count()
    other = tmp_path / "meer.jsonl"
    other.write_text(standalone[6] + "\n", encoding="utf-8")
    args = ["eval", "--questions", str(questions), "--questions", str(other), "--variants", "hybrid", "--no-gate"]
    args += ["--distractors", str(folder), "--report", str(tmp_path / "rapport")]
    before = set((settings.home / "distractors").glob("*")) if (settings.home / "distractors").exists() else set()
    try:
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
        table = (tmp_path / "rapport" / "distractors.md").read_text(encoding="utf-8")
        assert "chunks beside the corpus'" in table
        cells = _row(table, "recall@5")
        assert len(cells) == 7 and cells[6].count("/") == 1
        assert "| vragen | 6 |" in table and "| meer | 1 |" in table  # each file's change below the pooled one
        assert (tmp_path / "rapport" / "distractors" / "report.json").exists()  # every answer beside them, for study
        assert corpus_assistant.store.count() == stored, "the distractors went into a copy, not the store"
        again = CliRunner().invoke(cli, args, env=env)
        assert again.exit_code == 0 and "distractors: reusing" in again.output
    finally:
        for made in set((settings.home / "distractors").glob("*")) - before:
            shutil.rmtree(made, ignore_errors=True)
