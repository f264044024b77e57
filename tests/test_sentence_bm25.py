"""A detail stated once, inside a passage about something else, still reaches the top: the retrieved
passages' best sentences vote beside BM25 and e5 (`sentence_bm25_weight`)."""

from __future__ import annotations

from assistant.bm25 import BM25Index
from assistant.schema import Passage
from assistant.sentence_bm25 import SentenceRanking
from assistant.settings import Settings
from ingest.pipeline import ingest_into

# the answer: one sentence in a section about the archivist
ARCHIEF = """# Rollen in het datateam

## De archivaris

De archivaris bewaakt de bewaartermijnen van alle dossiers en adviseert teams over vernietiging.
Zij beheert de toegang tot het digitale depot en ziet toe op de metadata van elk archiefstuk.
Het dashboard wordt elke maandag bijgewerkt met cijfers uit het zaaksysteem.
Bij twijfel over openbaarheid vraagt zij advies aan de jurist van de afdeling.
"""
# passages that use the question's words more often, but never together
SPREAD = {
    "dashboard.md": """# Het wijkdashboard

## Gebruik

Het dashboard toont cijfers over de wijken en de meldingen van inwoners. Teams bespreken het dashboard
in hun overleg. De cijfers komen uit verschillende bronnen, waaronder het zaaksysteem en de basisregistraties.
Wie het dashboard wil gebruiken, volgt eerst een training. Vragen over cijfers gaan naar de analisten.
""",
    "zaaksysteem.md": """# Het zaaksysteem

## Inrichting

Het zaaksysteem legt elke zaak vast, van melding tot besluit. Cijfers over doorlooptijden komen uit het
zaaksysteem. Een nieuw dashboard voor de doorlooptijden is in voorbereiding. Het zaaksysteem is in 2020
vervangen; de oude cijfers zijn overgezet. Bijgewerkt worden de handleidingen van het zaaksysteem elk jaar.
""",
    "meldingen.md": """# Meldingen openbare ruimte

## Afhandeling

Meldingen komen binnen via de app en worden in het zaaksysteem gezet. Het team bekijkt de cijfers van
de meldingen elke week. Op het dashboard van de wijkmanager staan de open meldingen. Het zaaksysteem
stuurt de melder een bericht zodra de melding is afgehandeld; de cijfers gaan mee naar het dashboard.
""",
    "cijfers.md": """# Cijfers en monitors

## Werkwijze

Monitors tonen cijfers per wijk. Het dashboard voor de raad bevat cijfers over veiligheid en zorg.
Cijfers worden gecontroleerd voordat ze op een dashboard verschijnen. Het zaaksysteem en de
registraties leveren de meeste cijfers. Een dashboard is nooit beter dan de cijfers eronder.
""",
}
QUESTION = "Hoe vaak wordt het dashboard bijgewerkt met de cijfers uit het zaaksysteem?"


def passage(chunk_id: str, text: str, section: str = "") -> Passage:
    return Passage(chunk_id=chunk_id, doc_id=chunk_id, text=text, section=section)


def test_the_passage_with_every_asked_word_in_one_sentence_comes_first():
    passages = [
        passage("spread", "Het dashboard toont cijfers. Teams bespreken het dashboard. De cijfers komen uit het zaaksysteem."),
        passage(
            "together",
            "De archivaris bewaakt dossiers. Het dashboard wordt elke maandag bijgewerkt met cijfers uit het zaaksysteem.",
        ),
        passage("elsewhere", "De gemeenteraad vergadert elke maand over de begroting."),
    ]
    bm25 = BM25Index([p.text for p in passages])
    ranking = SentenceRanking().rank(bm25, ["dashboard", "bijgewerkt", "cijfers", "zaaksysteem"], passages)
    assert ranking == ["together", "spread"]  # a passage without any of the words gets no vote


def test_sentences_are_counted_in_their_section_and_kept_for_the_next_question():
    ranking = SentenceRanking(kept=1)
    first = passage("a", "Zij beheert het depot.", section="De archivaris")
    counts = ranking.sentences(first)
    terms, length = counts[0]
    assert terms["archivaris"] == 1 and length == sum(terms.values()) and ranking.sentences(first) is counts
    ranking.sentences(passage("b", "Iets anders."))
    assert ranking.sentences(first) is not counts  # only the most recent ones stay


def test_a_passage_ingested_anew_under_the_same_chunk_id_is_counted_anew():
    ranking = SentenceRanking()
    assert ranking.sentences(passage("a", "Zij beheert het depot."))[0][0]["depot"] == 1
    terms, _ = ranking.sentences(passage("a", "Zij beheert het archief."))[0]  # the file changed, its chunk id did not
    assert terms["archief"] == 1 and "depot" not in terms


def test_a_detail_stated_once_reaches_the_top_three(tmp_path, model_path, real_embeddings):
    from assistant.api import Assistant

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "archief.md").write_text(ARCHIEF, encoding="utf-8")
    for name, text in SPREAD.items():
        (folder / name).write_text(text, encoding="utf-8")

    def top(weight: float) -> list[str]:
        settings = Settings(
            home=tmp_path / "home", embedding_model=str(model_path), corpus_profile="", sentence_bm25_weight=weight
        )
        bot = Assistant(settings, embeddings=real_embeddings)
        assert ingest_into(bot, [folder]).ok
        return [p.metadata.get("document") for p in bot.retriever.retrieve(QUESTION, k=3)]

    assert "archief.md" in top(Settings().sentence_bm25_weight)
    assert "archief.md" not in top(0.0)  # without the sentences' vote the spread-out passages fill the top
