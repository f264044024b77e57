"""The same questions over a second corpus: five real documents, no corpus profile, nothing tuned for them.

`evals/gold/real.jsonl` is asked over a store of ../shared/fixtures/real ingested with an empty
profile, with the real model: every quote verbatim and every citation valid, and the answers
hold the key facts about as well as the ranker's cross-validation measured (0.54 with the
ranker not trained on these questions; the gate below sits under that).
"""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from evals.gold import GOLD_DIR, load_questions
from evals.run import evaluate
from ingest.pipeline import ingest_into
from tests.loader_files import real_fixtures_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_assistant(tmp_path_factory, model_path, real_embeddings):
    folder = real_fixtures_dir()
    if folder is None:
        pytest.skip("the real documents are absent: set DATALESSEN_FIXTURES or put shared/fixtures/real beside the repo")
    from assistant.api import Assistant

    settings = Settings(home=tmp_path_factory.mktemp("real-home"), embedding_model=str(model_path), corpus_profile="")
    bot = Assistant(settings, embeddings=real_embeddings)
    report = ingest_into(bot, [folder])
    assert report.ok, report.summary()
    return bot


def test_the_real_documents_questions_get_verbatim_cited_answers(real_assistant):
    questions = load_questions(GOLD_DIR / "real.jsonl", corpus_dir=None)
    results = evaluate(real_assistant, questions, ("hybrid",))
    summary = results["summary"]["hybrid"]
    assert results["data_errors"] == []
    assert summary["citation_validity"]["mean"] == 1.0
    assert summary["faithfulness"]["mean"] == 1.0
    assert summary["key_fact_recall"]["mean"] >= 0.45  # measured 0.513
    assert summary["abstention"]["f1"] >= 0.3  # measured 0.625
    assert summary["words"]["median"] <= 85 and summary["words"]["p90"] <= 150  # measured 81 and 88


def test_an_english_question_over_dutch_documents_without_a_glossary_is_answered(real_assistant):
    """No glossary maps its words to Dutch, so it matches almost nothing lexically: the learned model and
    the e5 similarity decide. It used to be refused by the lexical coverage floor, as every such question."""
    answer = real_assistant.ask("During the pandemic, which age group lost most trust in the municipality?")
    assert not answer.abstained and answer.text.startswith("The sources")
    assert "jongvolwassenen" in answer.text and "18 en 29" in answer.text
    for off_topic in ("What is the capital of France?", "Which recipe does the report give for apple pie?"):
        assert real_assistant.ask(off_topic).abstained  # the similarity floors still hold


def test_a_how_many_question_is_refused_when_no_number_counts_what_it_asks(real_assistant):
    """The Arnhem plan describes its data team at length and holds numbers, but never its size: any number
    used to count as an answer to 'hoeveel'. A number question the documents do answer still gets it."""
    refused = real_assistant.ask("Hoeveel medewerkers krijgt het data-team in Arnhem?")
    assert refused.abstained, refused.text
    answered = real_assistant.ask("Hoeveel procent van de inwoners voelt zich thuis in de eigen buurt?")
    assert not answered.abstained and "%" in answered.text, answered.text


def test_a_wanneer_question_about_a_procedure_is_answered_by_its_moment(real_assistant):
    """A 'wanneer' question over a plan or protocol asks for a moment, a period or a frequency ('een nachtelijke
    verversing', 'na drie weken'), not a calendar date; while only years and months had its shape, both of these
    were refused (docs/answering.md, fifty-ninth session)."""
    answer = real_assistant.ask("Wanneer wordt het Arnhemse dataplatform ververst?")
    assert not answer.abstained and "nachtelijke verversing" in answer.citations[0].quote
    answer = real_assistant.ask("Wanneer verschijnen de resultaten op Waarstaatjegemeente.nl?")
    assert not answer.abstained and "2 maanden na afronding" in answer.text


@pytest.mark.xfail(
    reason="near the threshold: the answering sentence ('minimaal 500 afgeronde ... vragenlijsten') ranks third "
    "behind one about a reminder letter, and the answerable probability sits at the threshold (0.517 with the "
    "weights of 2026-12-04, 0.469 against 0.49 with the forty-sixth session's, 0.504 against 0.50 with the "
    "forty-ninth's, which answer it, 0.496 against 0.50 with the fifty-first's; docs/answering.md)",
    strict=False,
)
def test_a_number_question_whose_answer_ranks_third_is_answered(real_assistant):
    answered = real_assistant.ask("Hoeveel ingevulde vragenlijsten moet een gemeente minimaal terugkrijgen voor de peiling?")
    assert not answered.abstained and "500" in answered.text, answered.text


def test_a_docx_bulleted_list_announced_by_its_count_is_quoted_whole(real_assistant):
    """The Burgerpeiling protocol lists its privacy rules as Word bullets under 'Er zijn 6 belangrijke regels
    ...', no colon: the answer quoted that sentence and one or two rules. Now the six follow it."""
    question = "Aan welke privacyregels moet je je houden bij het verwerken van persoonsgegevens in de Burgerpeiling?"
    answer = real_assistant.ask(question)
    items = [line for line in answer.text.split("\n") if line.startswith("  - ")]
    assert len(items) == 6, answer.text
    assert "niet langer dan noodzakelijk" in items[0] and "identificeerbaar" in items[-1]
