"""`datalessen bench single-document`: each corpus document alone in a store, its own and others' questions."""

from __future__ import annotations

import pytest

from evals.bench_single_document import Tally, questions_by_document, run


def test_abstention_counts_another_documents_question_as_the_one_to_refuse():
    tally = Tally()
    for should_answer, answered in [(True, True), (True, False), (False, False), (False, False), (False, True)]:
        tally.add(should_answer, answered)
    assert (tally.answerable, tally.refused, tally.others, tally.answered_others) == (2, 1, 3, 1)
    a = tally.abstention()
    assert a["precision"] == pytest.approx(2 / 3) and a["recall"] == pytest.approx(2 / 3) and a["f1"] == pytest.approx(2 / 3)
    assert Tally().abstention()["f1"] == 0.0


def test_only_questions_answered_by_one_document_and_never_the_unseen_sets():
    from evals.gold import load_questions
    from evals.sets import SETS, UNSEEN

    by_document = questions_by_document()
    asked = {q.id for qs in by_document.values() for q in qs}
    unseen = {q.id for s in SETS if s.role == UNSEEN for q in load_questions(s.path, corpus_dir=None)}
    assert asked and not asked & unseen
    assert all(q.answerable and {e.document for e in q.evidence} == {name} for name, qs in by_document.items() for q in qs)


@pytest.mark.slow  # the real model, one small store
def test_a_document_alone_answers_most_of_its_own_questions(model_path, tmp_path):
    """A user who uploads one document and asks about it should mostly get answers, not refusals."""
    from assistant.sentence_ranker import DEFAULT_MODEL, load_model
    from assistant.settings import Settings

    settings = Settings(home=tmp_path / "home", embedding_model=str(model_path))
    lines = []
    tallies = run(settings, {"shipped": load_model(DEFAULT_MODEL)}, documents=2, others=4, echo=lines.append)
    tally = tallies["shipped"]
    first_two = list(questions_by_document().values())[:2]
    assert tally.answerable == sum(map(len, first_two)) and tally.others == 8 and len(lines) == 2
    assert tally.refused <= 0.35 * tally.answerable, f"{tally.refused} of {tally.answerable} own questions refused"
