"""An English question over Dutch documents: BM25 matches their words only by accident, so it gets a
smaller vote in the fusion (`cross_language_bm25_weight`), unless the corpus profile's glossary
translates the question's words."""

from __future__ import annotations

import pytest

from assistant.profile import CorpusProfile
from assistant.retrieval import language_shares
from assistant.schema import Passage
from assistant.settings import Settings
from ingest.pipeline import ingest_into

ANSWER = "mantelzorg.md"
ACCIDENT = "handleiding.md"
QUESTION = "What share of caregivers help with personal care such as medication?"

DOCUMENTS = {
    # e5 must prefer the answer by a clear margin (0.824 against 0.805 in int8): written as "Wat mantelzorgers
    # doen", the question was barely closer to it than to the page of English words, and int8 arithmetic on
    # another CPU (AVX-512 VNNI) put that page first (0.8045 against 0.8048)
    ANSWER: """# Mantelzorg in Nederland

## Persoonlijke verzorging en medicijnen

Van alle mantelzorgers helpt 41 procent met persoonlijke verzorging, zoals wassen en aankleden.
Ruim een kwart van de mantelzorgers geeft medicijnen of houdt bij wanneer die genomen moeten worden.
De meeste mantelzorgers zorgen voor een ouder of een partner.
""",
    ACCIDENT: """# Handleiding van het rekenprogramma

## Bestanden delen

Kies in het menu Share om een bestand te delen. Via Help vindt u de personal settings van uw account.
Bij Care en Medication staan de voorbeeldbestanden die het programma meelevert. Klik op Share care
om de share met een collega te openen; de share blijft open tot u hem sluit.
""",
    "vergaderen.md": """# Vergaderen in de raad

## Agenda

De gemeenteraad vergadert elke maand. De agenda staat een week vooraf online.
Onder Help staat hoe u de share van de agenda opent. Inwoners mogen inspreken over onderwerpen die op de agenda staan.
""",
}


def _store(tmp_path, model_path, real_embeddings, **settings):
    from assistant.api import Assistant

    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    bot = Assistant(
        Settings(home=tmp_path / "home", embedding_model=str(model_path), corpus_profile="", **settings),
        embeddings=real_embeddings,
    )
    report = ingest_into(bot, [folder])
    assert report.ok, report.summary()
    return bot


def _files(passages) -> list[str]:
    return [p.source.rsplit("/", 1)[-1] for p in passages]


@pytest.mark.slow
def test_an_english_question_finds_the_dutch_answer_before_a_page_that_shares_its_words(tmp_path, model_path, real_embeddings):
    bot = _store(tmp_path, model_path, real_embeddings)
    assert bot.retriever.languages == {"nl": 1.0}
    top = _files(bot.retrieve(QUESTION, k=3))
    assert top[0] == ANSWER, top
    # the same store with BM25's full vote: the page that happens to use the question's words comes first
    # (BM25 ranks it first and the answer third, behind a page that shares two of its words: no tie to break)
    equal = bot.retriever.settings.replace(cross_language_bm25_weight=1.0)
    bot.retriever.settings = equal
    assert _files(bot.retrieve(QUESTION, k=3))[0] == ACCIDENT
    # a Dutch question keeps BM25's full vote either way
    assert bot.retriever.fusion_weights("Hoeveel mantelzorgers helpen met persoonlijke verzorging?") == {}


@pytest.mark.slow
def test_an_english_question_is_answered_although_a_page_beside_the_answer_uses_its_words(tmp_path, model_path, real_embeddings):
    """The manual makes the question's English words 'known' to the store, so the floor on how much of
    them the best sentence covers used to refuse: no Dutch sentence holds 'share' or 'care'."""
    bot = _store(tmp_path, model_path, real_embeddings)
    answer = bot.ask(QUESTION)
    assert not answer.abstained, answer.text
    assert answer.text.startswith("According to the sources")
    assert _files([bot.retriever.passages[bot.retriever.by_id[c.chunk_id]] for c in answer.citations])[0] == ANSWER
    assert "41 procent" in answer.text
    # a question the documents do not answer is still refused
    assert bot.ask("What does a building permit for a dormer window cost?").abstained


def _passage(text: str) -> Passage:
    return Passage(chunk_id=text[:8], doc_id="d", text=text, source="x.md", title="x", section="")


def test_the_documents_languages_are_counted_from_their_passages():
    dutch = [_passage(f"De gemeente en het rapport van de wijk {i}.") for i in range(9)]
    english = [_passage("What the report of the municipality says.")]
    assert language_shares(dutch + english) == {"nl": 0.9, "en": 0.1}
    assert language_shares(dutch + english, sample=5) == {"nl": 1.0}  # every second passage
    assert language_shares([]) == {}


def test_only_a_question_in_a_language_few_documents_share_loses_bm25_votes(fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    retriever = bot.retriever
    retriever.profile = CorpusProfile()  # no glossary
    english, dutch = "Which lessons does the report give?", "Welke lessen noemt het rapport?"
    retriever.languages = {"nl": 0.95, "en": 0.05}
    assert retriever.fusion_weights(english) == {"bm25": fake_settings.cross_language_bm25_weight}
    assert retriever.fusion_weights(dutch) == {}
    retriever.languages = {"nl": 0.7, "en": 0.3}  # enough English documents for English words to mean something
    assert retriever.fusion_weights(english) == {}
    retriever.languages = {"nl": 1.0}
    retriever.profile = CorpusProfile(glossary={"lessons": "lessen"})  # the profile translates its words
    assert retriever.fusion_weights(english) == {}


def test_a_dutch_question_over_english_documents_is_not_called_off_topic_for_its_words(fake_settings):
    """The Dutch off-topic check (most of the question's weight in words the documents never use) would
    refuse every Dutch question over English documents: there it is the question's language, not its topic."""
    from assistant.extractive import MIN_KNOWN_SHARE, ExtractiveAnswerer, Ranking

    ranking = Ranking([], 0.9, 0.5, "other", MIN_KNOWN_SHARE / 2, None)
    same = ExtractiveAnswerer(fake_settings, vocabulary_size=lambda: 10_000)
    crossing = ExtractiveAnswerer(fake_settings, vocabulary_size=lambda: 10_000, crosses_language=lambda q: True)
    assert not same._on_topic([], ranking, "nl", "Welke lessen noemt het rapport?")
    assert crossing._on_topic([], ranking, "nl", "Welke lessen noemt het rapport?")
