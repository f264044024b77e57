"""`datalessen train-ranker`: the weights come from a command, reproducibly, with their cross-validation."""

from __future__ import annotations

import json
import re
import zlib
from types import SimpleNamespace

import pytest
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


def test_quoting_only_cross_validates_what_is_quoted_and_writes_nothing(corpus_assistant, tmp_path):
    """A change to the features or the composition is tried in minutes: each fold refits only the quoting
    ranker beside the model file's answerable part, and neither that file nor the report is written."""
    from assistant.sentence_ranker import DEFAULT_MODEL

    obj = SimpleNamespace(assistant=corpus_assistant, settings=corpus_assistant.settings)
    model, cv = tmp_path / "model.json", tmp_path / "cv.md"
    data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    # an answerable part no fold could learn: above every probability, so every question is refused
    data["threshold"] = {kind: 1.01 for kind in data["threshold"]}
    model.write_text(json.dumps(data), encoding="utf-8")
    before = model.read_bytes()
    args = ["--sets", "heldout,test", "--out", str(model), "--cv-report", str(cv), "--quoting-only"]
    result = CliRunner().invoke(train_ranker, args, obj=obj)
    assert result.exit_code == 0, result.output
    rows = {
        m.group(1): m.groups()[1:]
        for m in re.finditer(r"^  (heldout|test) \| \d+ \| ([\d.]+) \|.*/ ([\d.]+)\) \|", result.output, re.M)
    }
    assert set(rows) == {"heldout", "test"}, result.output  # each set held out in turn
    for key_facts, refused in rows.values():  # the file's answerable part decided: every question refused
        assert float(refused) == 1.0 and float(key_facts) < 0.1, result.output  # (a source's "not known" may hold a fact)
    assert re.search(r"^all \d+ questions over .*: key facts [\d.]+", result.output, re.M), result.output
    assert model.read_bytes() == before and not cv.exists()

    records = tmp_path / "held-out.json"
    result = CliRunner().invoke(train_ranker, [*args, "--cv-groups", "2", "--cv-records", str(records)], obj=obj)
    assert result.exit_code == 0 and "sets held out in 2 groups a corpus" in result.output, result.output
    # every held-out answer, question by question, to compare two trainings: here each one refused
    held_out = json.loads(records.read_text(encoding="utf-8"))["records"]
    assert sorted(r["id"] for r in held_out) == sorted(q.id for q in gold_questions(["heldout", "test"]))
    assert all(r["metrics"]["abstained"] and r["fold"] in ("heldout", "test") for r in held_out)
    assert {r["corpus"] for r in held_out} == {"shipped"}  # what `datalessen compare-folds` pairs them by
    assert set(re.findall(r"^  (heldout|test) \| \d+ \|", result.output, re.M)) == {"heldout", "test"}, result.output
    result = CliRunner().invoke(train_ranker, [*args, "--cv-groups", "1"], obj=obj)
    assert result.exit_code == 1  # one group a corpus leaves nothing to train on: said before any fold runs
    assert "cannot cross-validate what is quoted: without heldout, test," in result.output, result.output

    result = CliRunner().invoke(train_ranker, [*args, "--folds", "documents"], obj=obj)
    assert result.exit_code == 0, result.output
    held = re.findall(r"^  (\S+\.md) \| (\d+) \|", result.output, re.M)
    assert len(held) >= 5 and "leave-one-document-out" in result.output, result.output  # each document in turn
    questions = len(gold_questions(["heldout", "test"]))
    assert sum(int(n) for _, n in held) <= questions  # each question tested at most once
    assert model.read_bytes() == before and not cv.exists()


def test_document_folds_keep_every_question_about_the_held_out_document_out_of_training():
    """The sets ask about the same documents in other words: held out by set, a question's paraphrase in
    another set is still trained on; held out by document, no question about it is."""
    from evals.train_ranker import fold_plan

    def asked(gold_set, qid, documents, first_passage="x.md", corpus="digest"):
        evidence = tuple(SimpleNamespace(document=d) for d in documents)
        question = SimpleNamespace(id=qid, evidence=evidence, answerable=bool(documents))
        passages = [SimpleNamespace(metadata={"document": first_passage}, source="")] if first_passage else []
        return SimpleNamespace(gold_set=gold_set, question=question, passages=passages, extra={"corpus": corpus})

    first = asked("s1", "a1", ["a.md"])
    paraphrase = asked("s2", "b1", ["a.md"])
    both = asked("s2", "b2", ["b.md", "a.md"])
    unanswerable = asked("s2", "b3", [], first_passage="b.md")
    namesake = asked("r1", "c1", ["a.md"], corpus="real")  # another store's file of the same name
    unretrieved = asked("s2", "b4", [], first_passage=None)  # nothing retrieved: still held out once
    examples = [first, paraphrase, both, unanswerable, namesake, unretrieved]

    by_set = {held: (trained, tested) for held, trained, tested in fold_plan(examples, "sets")}
    assert paraphrase in by_set["s1"][0]  # the leak a set's fold has

    folds = fold_plan(examples, "documents")
    assert [held for held, _, _ in folds] == ["a.md", "b.md", "a.md", "(no passage retrieved)"]
    trained, tested = folds[0][1:]
    assert tested == [first, paraphrase] and trained == [unanswerable, namesake, unretrieved]  # `both` names a.md
    trained, tested = folds[1][1:]
    assert tested == [both, unanswerable] and trained == [first, paraphrase, namesake, unretrieved]
    trained, tested = folds[2][1:]
    assert tested == [namesake] and trained == [first, paraphrase, both, unanswerable, unretrieved]
    assert folds[3][2] == [unretrieved]
    held_out = [e for _, _, tested in folds for e in tested]
    assert sorted(map(id, held_out)) == sorted(map(id, examples))  # every question is held out exactly once
    with pytest.raises(ValueError, match="folds by 'pages'"):
        fold_plan(examples, "pages")


def test_grouped_folds_hold_out_each_question_once_and_never_train_on_a_held_out_set_or_document():
    """Sixty-eight sets one at a time took hours (the answerable model is refitted inside every fold): grouped,
    each corpus's sets are dealt into N folds, and a group trains on nothing any of its sets or documents asks."""
    from evals.train_ranker import fold_plan

    def asked(gold_set, documents, corpus):
        evidence = tuple(SimpleNamespace(document=d) for d in documents)
        question = SimpleNamespace(id=f"{gold_set}-{'-'.join(documents)}", evidence=evidence, answerable=True)
        return SimpleNamespace(gold_set=gold_set, question=question, passages=[], extra={"corpus": corpus})

    digest = [asked(f"s{i}", [f"d{i % 3}.md", "d9.md"][: 1 + i % 2], "digest") for i in range(1, 6)]
    real = [asked(f"r{i}", [f"p{i}.pdf"], "real") for i in range(1, 4)]
    examples = digest + real

    folds = fold_plan(examples, "sets", groups=2)
    assert [held for held, _, _ in folds] == ["s1, s3, s5", "s2, s4", "r1, r3", "r2"]  # dealt in turn, per corpus
    for held, trained, tested in folds:
        names = set(held.split(", "))
        assert {e.gold_set for e in tested} == names and not names & {e.gold_set for e in trained}
        assert len(trained) + len(tested) == len(examples)
    assert sorted(id(e) for _, _, tested in folds for e in tested) == sorted(map(id, examples))

    for held, trained, tested in fold_plan(examples, "documents", groups=2):
        documents = set(held.split(", "))
        assert all(documents.isdisjoint(ev.document for ev in e.question.evidence) for e in trained), held
        assert all(not documents.isdisjoint(ev.document for ev in e.question.evidence) for e in tested), held
    assert fold_plan(examples, "sets", groups=0) == fold_plan(examples, "sets")  # 0: one fold a set


def test_the_pooled_lines_name_the_corpus_a_reader_knows_not_the_data_home_that_trained():
    """The report outlives the machine's scratch homes: '/tmp/h8' tells a reader nothing."""
    from evals.train_ranker import Fold, corpus_name

    folds = [
        Fold("heldout", 45, {}, None, corpus="/tmp/h8/chroma", sets=("heldout",)),
        Fold("a.md", 9, {}, None, corpus="/tmp/h8/chroma", sets=("test", "test2")),
        Fold("real", 48, {}, None, corpus="/tmp/r14/chroma", sets=("real",)),
        Fold("mine", 20, {}, None, corpus="/home/me/own/chroma", sets=("my-own-set",)),
    ]
    assert corpus_name(folds, "/tmp/h8/chroma") == "the shipped corpus"
    assert corpus_name(folds, "/tmp/r14/chroma") == "the real documents"
    assert corpus_name(folds, "/home/me/own/chroma") == "the store in /home/me/own"  # a set of one's own (--extra)


def gold_questions(names):
    """Every question of the named shipped gold sets."""
    from evals.train_ranker import gold_sets

    return [q for questions in gold_sets(names).values() for q in questions]


def test_the_cli_lists_the_command():
    from ui.cli import cli

    result = CliRunner().invoke(cli, ["train-ranker", "--help"])
    assert result.exit_code == 0 and "--extra" in result.output


def test_real_home_trains_on_every_development_set_of_the_real_documents(tmp_path, monkeypatch):
    """One option instead of an --extra per set: a set added later is not forgotten, an unseen one not taken."""
    import evals.train_ranker as training
    from evals.sets import SETS, UNSEEN

    store = SimpleNamespace(count=lambda: 1)
    homes, asked = [], []
    other = SimpleNamespace(store=store, settings=SimpleNamespace(home=tmp_path))
    monkeypatch.setattr(training, "other_corpus", lambda home: homes.append(home) or other)
    monkeypatch.setattr(training, "gold_sets", lambda names: asked.extend(names) or {})
    monkeypatch.setattr(training, "collect", lambda assistant, sets: [])
    monkeypatch.setattr(training, "untrainable", lambda examples: "")
    monkeypatch.setattr(training, "train", lambda examples, *rest: (_ for _ in ()).throw(SystemExit(3)))
    shipped = SimpleNamespace(assistant=SimpleNamespace(store=store))
    result = CliRunner().invoke(train_ranker, ["--sets", "heldout", "--real-home", str(tmp_path)], obj=shipped)
    assert result.exit_code == 3, result.output
    real = [s.name for s in SETS if s.corpus == "real" and s.role != UNSEEN]
    assert asked == ["heldout", *real] and "real" in real
    assert homes == [str(tmp_path)]  # one store opened for them all
    assert not {s.name for s in SETS if s.role == UNSEEN} & set(asked)


def test_an_unseen_set_is_never_trained_on(tmp_path):
    """Training on the unseen set would make its once-measured figures flatter what new questions get."""
    from evals.sets import SETS, UNSEEN

    digest, real = (next(s.name for s in SETS if s.role == UNSEEN and s.corpus == c) for c in ("shipped", "real"))
    for args in (["--sets", f"heldout,{digest}"], ["--sets", "heldout", "--extra", f"{real}={tmp_path}"]):
        result = CliRunner().invoke(train_ranker, [*args, "--out", str(tmp_path / "m.json")], obj=SimpleNamespace())
        assert result.exit_code == 2 and "unseen set" in result.output
        assert not (tmp_path / "m.json").exists()


def _example(gold_set, answerable, answering=True, corpus="digest", n=0):
    """A question with four candidate sentences of random features; the first answers it, if any does.
    The features depend only on the arguments (`n` tells otherwise equal examples apart), not on which
    tests ran before."""
    import numpy as np

    from assistant.sentence_features import FEATURES

    seed = zlib.crc32(f"{gold_set}/{answerable}/{answering}/{corpus}/{n}".encode())
    labels = np.array([int(answerable and answering), 0, 0, 0], dtype=np.int8)
    return SimpleNamespace(
        gold_set=gold_set,
        question=SimpleNamespace(answerable=answerable, id=f"{gold_set}-{answerable}"),
        features=np.random.default_rng(seed).random((4, len(FEATURES))).astype(np.float32),
        similarity=None,
        sentences=["a", "b", "c", "d"],
        labels=labels,
        facts=[frozenset({0}) if label else frozenset() for label in labels],
        extra={"corpus": corpus, "english": False, "known_share": 1.0, "kind": "other"},
    )


@pytest.mark.parametrize(
    "examples, says",
    [
        ([_example("eigen", True), _example("eigen", True, n=1)], "every question of eigen is answerable"),
        ([_example("eigen", False), _example("eigen", False, n=1)], "no question of eigen is answerable"),
        ([_example("eigen", True, answering=False), _example("eigen", False)], "no retrieved sentence answers"),
    ],
)
def test_questions_of_one_kind_get_a_clear_error_and_no_model_file(examples, says, tmp_path, monkeypatch):
    """A user's own gold set may hold only answerable questions: sklearn's 'needs samples of at least 2
    classes' traceback said nothing about what to add, and the old weights must stay."""
    import evals.train_ranker as training

    monkeypatch.setattr(training, "collect", lambda assistant, sets: list(examples))
    monkeypatch.setattr(training, "gold_sets", lambda names: [])
    store = SimpleNamespace(store=SimpleNamespace(count=lambda: 3))
    out = tmp_path / "m.json"
    out.write_text('{"the weights": "trained before"}', encoding="utf-8")
    result = CliRunner().invoke(train_ranker, ["--sets", "heldout", "--out", str(out)], obj=SimpleNamespace(assistant=store))
    assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == '{"the weights": "trained before"}'  # the old weights stay
    with pytest.raises(ValueError, match=says):
        training.train(list(examples))


@pytest.mark.parametrize(
    "b_answerable, says", [(True, "every question of b is answerable"), (False, "no question of b is answerable")]
)
def test_a_fold_that_cannot_train_skips_the_cross_validation_but_keeps_the_model(b_answerable, says, tmp_path, monkeypatch):
    """Only one of two sets has questions of both kinds: trained on all, fine; without it, the other cannot train."""
    import evals.train_ranker as training

    examples = [_example("a", i % 2 == 0, n=i) for i in range(8)] + [_example("b", b_answerable, n=i) for i in range(4)]
    monkeypatch.setattr(training, "collect", lambda assistant, sets: list(examples))
    monkeypatch.setattr(training, "gold_sets", lambda names: [])
    monkeypatch.setattr(training, "file_digest", lambda path: "-")
    store = SimpleNamespace(store=SimpleNamespace(count=lambda: 3))
    out, report = tmp_path / "m.json", tmp_path / "cv.md"
    args = ["--sets", "heldout,heldout2", "--out", str(out), "--cv-report", str(report)]
    result = CliRunner().invoke(train_ranker, args, obj=SimpleNamespace(assistant=store))
    assert result.exit_code == 0, result.output
    assert f"cross-validation skipped: without a, {says}" in result.output
    assert load_model(out).threshold and not report.exists()


def test_quoting_only_says_which_fold_cannot_train_instead_of_failing_inside_it(tmp_path, monkeypatch):
    """Set b asks only what the documents do not answer: without a, nothing is left to learn what to quote from."""
    import evals.train_ranker as training

    examples = [_example("a", i % 2 == 0, n=i) for i in range(8)] + [_example("b", False, n=i) for i in range(4)]
    monkeypatch.setattr(training, "collect", lambda assistant, sets: list(examples))
    monkeypatch.setattr(training, "gold_sets", lambda names: [])
    store = SimpleNamespace(store=SimpleNamespace(count=lambda: 3))
    out = tmp_path / "m.json"
    args = ["--sets", "heldout,heldout2", "--out", str(out), "--quoting-only"]
    result = CliRunner().invoke(train_ranker, args, obj=SimpleNamespace(assistant=store))
    assert result.exit_code == 1, result.output
    assert "cannot cross-validate what is quoted: without a, no question of b is answerable" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_each_corpus_weighs_alike_in_the_answerable_model(monkeypatch):
    """Without it the corpus with most gold questions decides when to abstain, on its own signals."""
    import evals.train_ranker as training
    from assistant.sentence_ranker import ANSWERABLE_FEATURES

    digest = [_example(s, i % 2 == 0, n=i) for s in ("d1", "d2", "d3") for i in range(4)]
    real = [_example("r1", True, corpus="real"), _example("r1", False, corpus="real")]
    seen = []
    fit = training.fit_logistic

    def recording(rows, labels, features, c, **kw):
        if tuple(features) == ANSWERABLE_FEATURES:
            seen.append(kw.get("weights"))
        return fit(rows, labels, features, c, **kw)

    monkeypatch.setattr(training, "fit_logistic", recording)
    training.train(digest + real)
    weights = seen[-1]  # rows in held-out set order: d1, d2, d3 (12 digest questions), then r1 (2 real)
    assert len(weights) == 14 and weights[:12].sum() == pytest.approx(weights[12:].sum()) == 7.0


def test_the_quoting_ranker_puts_first_the_answering_sentence_that_holds_most_key_facts():
    """Two sentences answer each question: one holds two key facts, the other only echoes the evidence
    quote. Across all sentences pooled, the mark of the first says nothing (the non-answering ones carry it
    half the time too); within a question it decides which to quote first."""
    import numpy as np

    from assistant.sentence_features import FEATURES
    from evals.train_ranker import fit_rankers

    rng = np.random.default_rng(3)
    answers, holds_facts = 0, 1  # two feature columns; the rest is noise

    def example(i):
        rows = rng.normal(0, 0.3, (6, len(FEATURES)))
        rows[:, answers] = [1, 1, 0, 0, 0, 0]
        rows[:, holds_facts] = [1, 0, 1, 0, 1, 0] if i % 2 else [1, 0, 0, 1, 0, 1]
        return SimpleNamespace(
            gold_set="s",
            question=SimpleNamespace(answerable=True),
            features=rows,
            similarity=None,
            sentences=list("abcdef"),
            labels=np.array([1, 1, 0, 0, 0, 0], dtype=np.int8),
            facts=[frozenset({0, 1}), frozenset(), frozenset(), frozenset(), frozenset(), frozenset()],
            extra={"corpus": "digest"},
        )

    ranker = fit_rankers([example(i) for i in range(60)])["lexical"]
    probe = np.zeros((3, len(FEATURES)))
    probe[:, [answers, holds_facts]] = [[1, 1], [1, 0], [0, 1]]
    full, echo, other = ranker.probability(probe)
    assert full > echo > other  # the fact-holding answer first, then the other answer, then the rest
    assert 0 < other < echo < full < 1  # probabilities still, for the answerer's share floor


def test_the_corpus_with_fewer_questions_still_teaches_what_to_quote():
    """In one corpus the answer is the sentence with mark A, in the other (a quarter as many questions) the
    one with mark B. Weighed by question alone, the larger corpus's mark decides what a real report's
    answer leads with; weighed by corpus, the smaller corpus's mark counts for more."""
    import numpy as np

    from assistant.sentence_features import FEATURES
    from evals.train_ranker import fit_listwise

    rng = np.random.default_rng(5)
    a, b = 0, 1

    def example(mark, corpus):
        rows = rng.normal(0, 0.3, (5, len(FEATURES)))
        rows[:, [a, b]] = 0
        rows[0, mark] = 1
        rows[rng.integers(1, 5), a + b - mark] = 1  # the other corpus's mark on a sentence that does not answer
        return SimpleNamespace(
            gold_set=corpus,
            question=SimpleNamespace(answerable=True),
            features=rows,
            similarity=None,
            sentences=list("abcde"),
            labels=np.array([1, 0, 0, 0, 0], dtype=np.int8),
            facts=[frozenset({0}), frozenset(), frozenset(), frozenset(), frozenset()],
            extra={"corpus": corpus},
        )

    examples = [example(a, "digest") for _ in range(80)] + [example(b, "real") for _ in range(20)]
    probe = np.zeros((2, len(FEATURES)))
    probe[0, a] = probe[1, b] = 1

    def odds_of_b(power):
        with_a, with_b = fit_listwise(examples, "lexical", FEATURES, corpus_power=power).probability(probe)
        return with_b / with_a

    assert odds_of_b(0.0) < odds_of_b(0.75) < odds_of_b(1.0)


UNRELATED = {
    "soep.md": "# Erwtensoep\n\nWeek de spliterwten een nacht in koud water. Kook ze met de bouillon, de prei en de "
    "knolselderij twee uur zachtjes tot de soep dik is, en voeg op het laatst de rookworst toe.\n",
    "fiets.md": "# Een band plakken\n\nHaal de binnenband uit de buitenband, zoek het gat in een emmer water, maak de "
    "plek ruw met schuurpapier, smeer solutie uit en druk de plakker stevig aan.\n",
    "tabel.md": "# Een tabel invoegen\n\nKies Invoegen en dan Tabel. Geef het aantal kolommen en rijen op; met de "
    "tabeleigenschappen stelt u de randen, de achtergrond en de uitlijning in.\n",
}


@pytest.mark.slow  # the real model, twice over two gold sets
def test_distractors_teach_the_answerable_model_and_leave_the_store_and_what_is_quoted_alone(corpus_assistant, tmp_path):
    """`--distractors`: the questions are retrieved again from a copy of the store with unrelated documents
    beside it, and only the abstention decision learns from them; the user's store is never touched."""
    folder = tmp_path / "onverwant"
    folder.mkdir()
    for name, text in UNRELATED.items():
        (folder / name).write_text(text, encoding="utf-8")
    obj = SimpleNamespace(assistant=corpus_assistant, settings=corpus_assistant.settings)
    stored = corpus_assistant.store.count()
    plain, crowded = tmp_path / "plain.json", tmp_path / "crowded.json"
    args = ["--sets", "heldout,test", "--no-cv"]
    assert CliRunner().invoke(train_ranker, [*args, "--out", str(plain)], obj=obj).exit_code == 0
    result = CliRunner().invoke(train_ranker, [*args, "--out", str(crowded), "--distractors", str(folder)], obj=obj)
    assert result.exit_code == 0, result.output

    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (plain, crowded))
    from evals.train_ranker import gold_sets

    asked = sum(len(questions) for questions in gold_sets(["heldout", "test"]).values())
    assert b["training"]["distractors"]["questions"] == asked and b["training"]["distractors"]["folders"] == [str(folder)]
    assert a["rankers"] == b["rankers"], "what is quoted is learned from the user's own kind of store only"
    assert a["answerable"] != b["answerable"]
    assert corpus_assistant.store.count() == stored, "the distractors went into a copy, not the store"
    from assistant.store import ChunkStore
    from evals.distractors import scratch_settings

    copy, _ = scratch_settings(corpus_assistant.settings, corpus_assistant.store, [folder])
    sources = {p.source for p in ChunkStore(copy).all_passages()}
    assert {str((folder / name).resolve()) for name in UNRELATED} <= sources


def test_a_kind_the_training_questions_mostly_leave_unanswered_does_not_outweigh_a_sentence_that_answers():
    """In the gold sets most 'welke gemeente' questions are gaps their authors wrote; at full weight that kind
    alone refused "Welke gemeente voerde slim vegen uit?". The kind enters the answerable model with a heavier
    penalty (`ANSWERABLE_KIND_WEIGHT`), so a name question whose best sentence is likely enough is answered."""
    import numpy as np

    from assistant.sentence_ranker import ANSWERABLE_FEATURES
    from evals.train_ranker import ANSWERABLE_C, KIND_WEIGHTS, fit_logistic

    rng = np.random.default_rng(7)
    n = 600
    rows = np.zeros((n, len(ANSWERABLE_FEATURES)))
    best, name = ANSWERABLE_FEATURES.index("best_logit"), ANSWERABLE_FEATURES.index("kind_name")
    answerable = rng.random(n) < 0.75
    rows[:, best] = np.where(answerable, 1.0, -1.0) + rng.normal(0, 1.2, n)
    # a quarter of the questions ask for a name, and most of those are gaps: the authors' habit
    rows[:, name] = rng.random(n) < np.where(answerable, 0.12, 0.75)
    full = fit_logistic(rows, answerable.astype(int), ANSWERABLE_FEATURES, ANSWERABLE_C)
    weighed = fit_logistic(rows, answerable.astype(int), ANSWERABLE_FEATURES, ANSWERABLE_C, column_weights=KIND_WEIGHTS)
    assert set(KIND_WEIGHTS) == {f for f in ANSWERABLE_FEATURES if f.startswith("kind_")}
    assert abs(weighed.coef[name]) < 0.5 * abs(full.coef[name])

    name_question = np.zeros(len(ANSWERABLE_FEATURES))
    name_question[best] = 0.5  # its best sentence below a typical answered question's (0.9) and far above a gap's (-1)
    name_question[name] = 1.0
    assert full.probability(name_question[None])[0] < 0.5 < weighed.probability(name_question[None])[0]


def test_training_weighs_the_question_kind_down_in_the_answerable_model_only(monkeypatch):
    """The weighed-down kind must reach the answerable model `train` writes, and nothing else it fits."""
    import evals.train_ranker as training
    from assistant.sentence_ranker import ANSWERABLE_FEATURES

    examples = [_example(s, i % 2 == 0, n=i) for s in ("d1", "d2") for i in range(4)]
    calls = []
    fit = training.fit_logistic

    def recording(rows, labels, features, c, **kw):
        calls.append((tuple(features), kw.get("column_weights")))
        return fit(rows, labels, features, c, **kw)

    monkeypatch.setattr(training, "fit_logistic", recording)
    training.train(examples)
    answerable = [weights for features, weights in calls if features == ANSWERABLE_FEATURES]
    assert answerable and all(w == training.KIND_WEIGHTS for w in answerable)
    assert all(weights is None for features, weights in calls if features != ANSWERABLE_FEATURES)
    assert training.KIND_WEIGHTS and all(w == training.ANSWERABLE_KIND_WEIGHT < 1 for w in training.KIND_WEIGHTS.values())
