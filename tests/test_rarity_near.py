"""Unrelated documents beside a report do not change how its answer weighs the question's words: the
answerer counts a word's rarity in the documents that hold the chunks nearest the question
(`rarity_nearest`), not in the whole store, where thousands of other pages made the report's everyday
words weigh most."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.bm25 import BM25Index
from assistant.text import tokenize
from tests.fakes import report_beside_pages as report_beside_pages_in

# every section uses the report's everyday words; one sentence answers. Each section is a chunk of its own.
SECTIONS = {
    "Wat inwoners het zwaarst laten wegen": "Betrouwbaarheid en ontvankelijkheid zijn de twee aspecten die "
    "het zwaarst wegen. Inwoners van de gemeente noemen die twee het vaakst in de peiling.",
    "Hoe de gemeente inwoners betrekt": "De gemeente betrekt inwoners bij besluiten. Inwoners krijgen bericht "
    "over elk besluit van de gemeente, zodat inwoners weten wat de gemeente met hun inbreng doet.",
    "Vertrouwen na de pandemie": "Na de pandemie vertrouwen minder inwoners hun gemeente. De gemeente ziet "
    "dat inwoners vaker twijfelen; inwoners die de gemeente vertrouwen doen vaker mee aan de peiling.",
    "Communicatie": "De gemeente van vandaag wil dat inwoners haar vertrouwen. De gemeente communiceert open "
    "met inwoners over het vertrouwen van inwoners in de gemeente en beantwoordt vragen binnen een week.",
    "De nieuwsbrief": "Inwoners lezen de nieuwsbrief van de gemeente. In de nieuwsbrief vertelt de gemeente "
    "inwoners over plannen, en inwoners vertrouwen de gemeente meer als zij de plannen kennen.",
    "Wijkavonden": "De gemeente houdt wijkavonden voor inwoners. Op een wijkavond spreken inwoners de "
    "gemeente aan op wat beter kan, en de gemeente legt inwoners uit wat zij met het vertrouwen doet.",
}
REPORT = "# Vertrouwen in de gemeente\n\n" + "\n\n".join(
    f"## {title}\n\n" + " ".join([text] * 3) for title, text in SECTIONS.items()
)
QUESTION = "Welke twee aspecten wegen voor inwoners het zwaarst bij vertrouwen in de gemeente?"
ANSWER = "Betrouwbaarheid en ontvankelijkheid zijn de twee aspecten die het zwaarst wegen."


def help_page(n: int) -> str:
    """A page of a software manual: two of the question's general words ('twee', 'aspecten'), never the
    report's own ('gemeente', 'inwoners')."""
    return f"""# Menu {n}: opmaak van pagina {n}

Kies in menu {n} de twee aspecten van de pagina die u wilt wijzigen: marges en kolommen. Het venster
toont de twee aspecten naast elkaar, met een voorbeeld van de pagina. Klik op Opslaan om de wijzigingen
van pagina {n} te bewaren. Met Annuleren sluit u het venster zonder iets te wijzigen; de twee aspecten
blijven dan zoals ze waren in sjabloon {n}, en het voorbeeld toont de oude pagina.
"""


def test_rarity_among_some_rows_counts_only_those_rows():
    index = BM25Index(["gemeente inwoners", "gemeente peiling", "menu twee", "menu twee", "menu twee"])
    rows = np.array([0, 1])
    among = index.rarity_among(rows)
    assert among(tokenize("gemeente")[0]) < among(tokenize("peiling")[0]), "in both rows against one"
    assert among(tokenize("menu")[0]) > among(tokenize("peiling")[0]), "in none of the rows weighs most"
    assert among("onbekendwoord") > among(tokenize("menu")[0]), "a word the store lacks weighs more still"
    assert index.rarity(tokenize("gemeente")[0]) > index.rarity(tokenize("menu")[0]), "the whole store differs"


@pytest.fixture
def report_beside_pages(tmp_path, fake_settings, fake_embeddings):
    """An assistant over the report alone, and one over the report with 40 help pages beside it."""
    make, report, pages = report_beside_pages_in(tmp_path, fake_settings, fake_embeddings, "vertrouwen.md", REPORT, help_page)
    return (lambda home, folders, nearest: make(home, folders, rarity_nearest=nearest)), report, pages


def answer_text(bot) -> str:
    answer = bot.ask(QUESTION)
    assert not answer.abstained, answer.text
    return answer.text


def test_the_answer_beside_unrelated_pages_is_the_answer_without_them(report_beside_pages):
    assistant, report, pages = report_beside_pages
    alone = assistant("alone", [report], 3)
    chunks = alone.store.count()
    crowded = assistant("crowded", [report, pages], 3)
    assert crowded.store.count() > 6 * chunks
    assert ANSWER in answer_text(alone).splitlines()[1]
    assert answer_text(crowded) == answer_text(alone)

    terms = tokenize(QUESTION)
    held = [t for t in terms if t in alone.retriever.bm25.vocabulary]
    assert len(held) >= 5
    # the report is the neighbourhood, all of it, though only its three nearest chunks were asked for
    near = crowded.retriever.rarity_near(QUESTION)
    assert [near(t) for t in held] == pytest.approx([alone.retriever.bm25.rarity(t) for t in held])
    after_retrieval = [crowded.retriever.rarity_near(QUESTION)(t) for t in terms]
    crowded.retriever.forget_query_vectors()  # asked without a retrieval first (the lessons view, `quote`)
    assert [crowded.retriever.rarity_near(QUESTION)(t) for t in terms] == pytest.approx(after_retrieval)
    everyday, asked = tokenize("gemeente")[0], tokenize("aspecten")[0]
    assert crowded.term_weight(everyday) > crowded.term_weight(asked), "in the whole store the pages made it rare"


def test_without_the_neighbourhood_the_unrelated_pages_change_the_answer(report_beside_pages):
    """What the neighbourhood prevents: with the whole store's rarity, the report's everyday words weigh
    most beside the pages, and the answer quotes a sentence that only repeats them."""
    assistant, report, pages = report_beside_pages
    alone = assistant("alone", [report], 0)
    crowded = assistant("crowded", [report, pages], 0)
    assert answer_text(crowded) != answer_text(alone)
    assert "communiceert open" in answer_text(crowded)


def test_a_document_filter_does_not_narrow_the_documents_around_the_question(report_beside_pages):
    """A filter decides what may be quoted, not what is rare: narrowed to the one document asked about,
    the words of its own title and sections were in every chunk, weighed nothing, and a question in them
    was refused as uncovered."""
    assistant, report, pages = report_beside_pages
    crowded = assistant("crowded", [report, pages], 3)
    terms = tokenize(QUESTION)
    crowded.retrieve(QUESTION)
    unfiltered = [crowded.retriever.rarity_near(QUESTION)(t) for t in terms]
    for document in ("vertrouwen.md", "page-05.md"):
        crowded.retriever.forget_query_vectors()
        assert crowded.retrieve(QUESTION, filters={"document": document})
        assert [crowded.retriever.rarity_near(QUESTION)(t) for t in terms] == pytest.approx(unfiltered), document
