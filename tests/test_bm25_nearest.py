"""Unrelated pages beside a report do not reorder the report's own passages: BM25 ranks within the documents
that hold the chunks nearest the question in e5, with a word's rarity counted there (`bm25_nearest`), not in
the whole store, where a manual's pages made the question's most telling words common."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.bm25 import BM25Index
from assistant.text import tokenize
from tests.fakes import report_beside_pages

# one section answers; the others repeat the question's other words. Each section is a chunk of its own.
SECTIONS = {
    "Het dashboard": "Het dashboard van de wijkteams wordt elke maandag bijgewerkt met de cijfers uit het zaaksysteem.",
    "Het zaaksysteem": "Het zaaksysteem levert cijfers over meldingen. Cijfers uit het zaaksysteem gaan naar de "
    "analisten; het zaaksysteem bewaart de cijfers tien jaar.",
    "De analisten": "De analisten bespreken de cijfers met de wijkteams. Zij leggen uit hoe cijfers uit het "
    "zaaksysteem tot stand komen.",
    "Privacy": "Het zaaksysteem bevat persoonsgegevens; alleen de analisten zien de cijfers per adres.",
}
REPORT = "# Informatiegestuurd werken\n\n" + "\n\n".join(
    f"## {title}\n\n" + " ".join([text] * 3) for title, text in SECTIONS.items()
)
QUESTION = "Hoe vaak wordt het dashboard bijgewerkt met de cijfers uit het zaaksysteem?"
ANSWER = "Het dashboard van de wijkteams wordt elke maandag bijgewerkt"


def manual_page(n: int) -> str:
    """A software manual's page: full of 'dashboard' and 'bijgewerkt', never 'cijfers' or 'zaaksysteem'."""
    return f"""# Venster {n}: het dashboard

Het dashboard in venster {n} wordt bijgewerkt zodra u op Vernieuwen klikt. Een bijgewerkt dashboard toont
de nieuwe grafieken van werkblad {n}. Het dashboard wordt ook bijgewerkt bij het openen van het bestand,
en een dashboard dat niet is bijgewerkt krijgt een gele rand in venster {n}.
"""


@pytest.fixture
def report_beside_manual(tmp_path, fake_settings, fake_embeddings):
    make, report, manual = report_beside_pages(tmp_path, fake_settings, fake_embeddings, "rapport.md", REPORT, manual_page)

    def assistant(home: str, folders, nearest: int):
        return make(home, folders, bm25_nearest=nearest, chunk_size=500, min_chunk_chars=100)

    return assistant, report, manual


def report_order(bot) -> list[str]:
    """The report's passages among the first four retrieved, in order (the manual's left out)."""
    return [p.text[:40] for p in bot.retrieve(QUESTION, k=4) if p.metadata.get("document") == "rapport.md"]


def test_the_report_keeps_its_order_beside_a_manual(report_beside_manual):
    assistant, report, manual = report_beside_manual
    alone = assistant("alone", [report], 3)
    assert alone.store.count() == 4
    crowded = assistant("crowded", [report, manual], 3)
    assert crowded.store.count() == 44
    order = report_order(alone)
    assert order[0].startswith(ANSWER[:40])
    beside = report_order(crowded)
    assert beside[0] == order[0], "the answering passage stays first"
    assert beside == [text for text in order if text in beside]


def test_with_the_whole_store_rarity_the_manual_pushes_the_answer_down(report_beside_manual):
    """What `bm25_nearest` prevents: with rarity over the whole store the manual made 'dashboard' and
    'bijgewerkt' common, and a passage that only repeats 'cijfers' and 'zaaksysteem' comes first."""
    assistant, report, manual = report_beside_manual
    assert report_order(assistant("alone", [report], 0))[0].startswith(ANSWER[:40])
    crowded = assistant("crowded", [report, manual], 0)
    assert crowded.retrieve(QUESTION, k=1)[0].text.startswith("Het zaaksysteem")


def test_a_filter_still_ranks_over_what_it_keeps(report_beside_manual):
    """A document filter is the user's choice of where to look: BM25 then ranks within it, whatever the
    documents around the question are."""
    assistant, report, manual = report_beside_manual
    crowded = assistant("crowded", [report, manual], 3)
    passages = crowded.retrieve(QUESTION, filters={"document": "page-07.md"})
    assert [p.metadata["document"] for p in passages] == ["page-07.md"]
    assert passages[0].ranks.get("bm25") == 1, "BM25 found the page, though it lies outside the report's neighbourhood"


def test_bm25_scores_with_another_rarity():
    index = BM25Index(["dashboard cijfers", "dashboard menu", "dashboard menu", "dashboard menu"])
    rows = np.array([0])
    dashboard, cijfers = tokenize("dashboard")[0], tokenize("cijfers")[0]
    store_wide = index.scores([dashboard, cijfers])
    around = index.scores([dashboard, cijfers], index.rarity_among(rows))
    assert 0 < around[0] < store_wide[0], "'cijfers' is rare in the store, not among the chosen rows"
    # within the one row both words are in every text: neither is rarer than the other
    assert index.rarity_among(rows)(dashboard) == pytest.approx(index.rarity_among(rows)(cijfers))
    assert index.rarity(dashboard) < index.rarity(cijfers)
    assert index.top([dashboard], 4, allowed=np.array([False, True, True, False]))[0][0] in (1, 2)
