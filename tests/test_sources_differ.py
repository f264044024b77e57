"""A source's own "not known" speaks for that source: a user who adds the report beside the digest that
says "onbekend" of a detail must see the report's sentence, not "it is not in the available sources"."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from assistant.settings import Settings
from ingest.pipeline import ingest_into
from tests.loader_files import make_pdf
from ui.render import answer_message

QUESTION = "Sinds wanneer draait het strooimodel van Heuvelrand?"
REPORT_SENTENCE = "Heuvelrand gebruikt het strooimodel sinds de winter van 2019."

CASE = """# Case: Slim strooien – gemeente Heuvelrand

## Aanpak en data

- **Doel:** voorspellen welke wegen bij gladheid het eerst gestrooid moeten worden.
- Het strooimodel gebruikt gegevens van wegdeksensoren en de weersverwachting.
- **Onbekend:** sinds wanneer het strooimodel draait en wie het bouwde.

## Resultaat

- Geen kwantitatieve resultaten gevonden in de geraadpleegde bronnen.
"""

OTHER = """# Vergaderen in de raad

## Agenda

De gemeenteraad van Heuvelrand vergadert elke maand. De agenda staat een week vooraf online.
Inwoners mogen inspreken over onderwerpen die op de agenda staan.
"""

REPORT_LINES = [
    ("Slim strooien in Heuvelrand", 16, True),
    (REPORT_SENTENCE, 11, False),
    ("Het strooimodel werd gebouwd door het eigen datateam van de gemeente.", 11, False),
    ("De strooiwagens reden daardoor een vijfde minder kilometers.", 11, False),
]


# the same digest's other file on the case, which gives the year: of one source by the profile below
TIMELINE = """---
title: "Context: tijdlijn Heuvelrand"
kind: context
---

# Context: tijdlijn Heuvelrand

## Winterdienst

- Heuvelrand gebruikt het strooimodel sinds de winter van 2019.
- De gemeente kocht in 2021 twee nieuwe strooiwagens.
"""

PROFILE = """[sources]
one_source_kinds = ["case", "context"]
"""


def _bot(tmp_path, model_path, real_embeddings, *, with_report: bool = False, timeline: bool = False, profile: str = ""):
    from assistant.api import Assistant

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "case-slim-strooien.md").write_text("---\nkind: case\n---\n\n" + CASE, encoding="utf-8")
    (folder / "raad.md").write_text(OTHER, encoding="utf-8")
    if timeline:
        (folder / "context-tijdlijn.md").write_text(TIMELINE, encoding="utf-8")
    if with_report:
        page = [(text, 72, 100 + 24 * i, size, bold) for i, (text, size, bold) in enumerate(REPORT_LINES)]
        (folder / "rapport.pdf").write_bytes(make_pdf([page]))
    if profile:
        (tmp_path / "profile.toml").write_text(profile, encoding="utf-8")
    settings = Settings(
        home=tmp_path / "home", embedding_model=str(model_path), corpus_profile=str(tmp_path / "profile.toml") if profile else ""
    )
    bot = Assistant(settings, embeddings=real_embeddings)
    report = ingest_into(bot, [folder])
    assert report.ok, report.summary()
    return bot


def _documents(answer) -> set[str]:
    return {c.source.rsplit("/", 1)[-1] for c in answer.citations}


@pytest.mark.slow
def test_a_report_beside_a_source_that_says_not_known_is_quoted_with_it(tmp_path, model_path, real_embeddings):
    answer = _bot(tmp_path, model_path, real_embeddings, with_report=True).ask(QUESTION)
    assert answer.abstention_reason == "sources_differ", answer.text
    assert answer.abstained  # which of the two is right is the reader's to judge
    lines = [line for line in answer.text.split("\n") if line]
    assert lines[0] == "Eén bron noemt dit onbekend:"
    assert "Onbekend:" in lines[1] and "[1]" in lines[1]
    assert lines[2] == "Wat een andere bron er het dichtst bij zegt:"
    assert REPORT_SENTENCE in lines[3] and "[2]" in lines[3]
    assert _documents(answer) == {"case-slim-strooien.md", "rapport.pdf"}
    for c in answer.citations:
        assert all(" ".join(q.split()) in " ".join(c.passage_text.split()) for q in c.quotes)
    # as the chat shows it (Markdown): the other source's line is a paragraph of its own, not the end of a bullet
    html = MarkdownIt("commonmark").render(answer_message(answer, 1))
    assert "<p>Wat een andere bron er het dichtst bij zegt:</p>" in html


@pytest.mark.slow
def test_without_another_document_the_source_s_not_known_is_the_answer(tmp_path, model_path, real_embeddings):
    answer = _bot(tmp_path, model_path, real_embeddings, with_report=False).ask(QUESTION)
    assert answer.abstention_reason == "sources_say_unknown", answer.text
    assert answer.text.startswith("Dat staat niet in de beschikbare bronnen. Wat de bronnen er zelf over zeggen:")
    assert "andere bron" not in answer.text
    assert _documents(answer) == {"case-slim-strooien.md"}


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["", PROFILE])
def test_files_the_profile_calls_one_source_do_not_answer_each_other_s_not_known(tmp_path, model_path, real_embeddings, profile):
    """Without a profile the timeline is another source, quoted beside the case's "onbekend"; the digest's
    profile says its case and context files are one source, whose "onbekend" stands."""
    answer = _bot(tmp_path, model_path, real_embeddings, timeline=True, profile=profile).ask(QUESTION)
    if profile:
        assert answer.abstention_reason == "sources_say_unknown", answer.text
        assert _documents(answer) == {"case-slim-strooien.md"}
    else:
        assert answer.abstention_reason == "sources_differ", answer.text
        assert _documents(answer) == {"case-slim-strooien.md", "context-tijdlijn.md"}
        assert REPORT_SENTENCE in answer.text


def test_the_other_source_s_sentence_is_looked_for_below_the_best_three_and_above_the_floor():
    """Ranked fifth, the other source's sentence is still the one quoted: "not in the available sources" is said
    only when no other source has a sentence above `MIN_SHARE` of the unknown's score; a sentence of the same
    source, one that says "not known" itself, and one without the year a 'when' question asks are passed over."""
    from assistant.answer_types import sentence_cues
    from assistant.extractive import MIN_SHARE, Ranking, said_elsewhere
    from assistant.profile import EMPTY
    from assistant.schema import Passage
    from assistant.sentence_features import Candidate

    passages = [Passage(f"c{i}", doc, "tekst") for i, doc in enumerate(("case", "case", "raad", "rapport", "rapport"))]
    rows = [  # passage, score, sentence, best first
        (0, 0.40, "Onbekend: sinds wanneer het strooimodel draait."),
        (1, 0.30, "Het strooimodel draait sinds 2018 in de proef."),  # the same document as the unknown
        (3, 0.25, "Of het strooimodel al in 2017 draaide, is niet bekend."),  # another source, but "not known"
        (2, 0.20, "De raad vergadert elke maand."),  # no year or date: no answer to 'sinds wanneer'
        (4, 0.10, "Heuvelrand gebruikt het strooimodel sinds de winter van 2019."),
    ]
    ranked = [Candidate(p, 0, s, frozenset(), score=score, cues=sentence_cues(s, QUESTION)) for p, score, s in rows]
    unknown = {id(c) for c in ranked if "bekend" in c.sentence.lower()}
    ranking = Ranking(ranked, 0.02, 0.5, "when", 1.0, None, unknown)
    assert [c.sentence for c in said_elsewhere(ranking, ranked[:1], passages, EMPTY)] == [rows[4][2]]
    ranked[4].score = MIN_SHARE * 0.40 * 0.9  # under the floor: nothing elsewhere comes close enough
    assert said_elsewhere(ranking, ranked[:1], passages, EMPTY) == []
