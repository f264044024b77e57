"""`datalessen train-ranker`: the weights come from a command, reproducibly, with their cross-validation."""

from __future__ import annotations

import json
from types import SimpleNamespace

from click.testing import CliRunner

from assistant.sentence_ranker import load_model
from evals.train_ranker import train_ranker


def test_training_writes_loadable_weights_the_same_each_time_and_a_fold_per_set(corpus_assistant, tmp_path):
    obj = SimpleNamespace(assistant=corpus_assistant, settings=corpus_assistant.settings)
    first, again, cv = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "cv.md"
    args = ["--sets", "heldout,test"]
    result = CliRunner().invoke(train_ranker, [*args, "--out", str(first), "--cv-report", str(cv)], obj=obj)
    assert result.exit_code == 0, result.output
    model = load_model(first)  # refused if its features were not the code's
    assert set(model.rankers) == {"similarity", "lexical"} and 0 < model.threshold["similarity"] < 1
    report = cv.read_text(encoding="utf-8")
    assert "| heldout |" in report and "| test |" in report  # each set held out in turn

    result = CliRunner().invoke(train_ranker, [*args, "--out", str(again), "--no-cv"], obj=obj)
    assert result.exit_code == 0, result.output
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, again))
    assert a["training"]["data_sha256"] == b["training"]["data_sha256"]
    assert a["rankers"] == b["rankers"] and a["answerable"] == b["answerable"]  # deterministic


def test_the_cli_lists_the_command():
    from ui.cli import cli

    result = CliRunner().invoke(cli, ["train-ranker", "--help"])
    assert result.exit_code == 0 and "--extra" in result.output


def test_an_unseen_set_is_never_trained_on(tmp_path):
    """Training on the unseen set would make its once-measured figures flatter what new questions get."""
    from evals.sets import SETS, UNSEEN

    digest, real = (next(s.name for s in SETS if s.role == UNSEEN and s.corpus == c) for c in ("shipped", "real"))
    for args in (["--sets", f"heldout,{digest}"], ["--sets", "heldout", "--extra", f"{real}={tmp_path}"]):
        result = CliRunner().invoke(train_ranker, [*args, "--out", str(tmp_path / "m.json")], obj=SimpleNamespace())
        assert result.exit_code == 2 and "unseen set" in result.output
        assert not (tmp_path / "m.json").exists()


def test_each_corpus_weighs_alike_in_the_answerable_model():
    """Without it the corpus with most gold questions decides when to abstain, on its own signals."""
    from evals.train_ranker import corpus_weights

    examples = [SimpleNamespace(extra={"corpus": "digest"}) for _ in range(3)] + [SimpleNamespace(extra={"corpus": "real"})]
    weights = corpus_weights(examples)
    assert sum(weights[id(e)] for e in examples[:3]) == weights[id(examples[3])] == 2.0
