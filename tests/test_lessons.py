"""The lessons view: one theme across all case documents, verbatim quotes or an honest 'nothing'."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest_into
from ui.lessons import NOTHING, PRESETS, case_documents, lessons, theme_queries

CASES = {
    "case-a-vegen.md": (
        "Case: Slim vegen",
        "Utrecht",
        "fysiek",
        (
            "## Aanpak\n\nMenselijke tussenkomst blijft nodig: de medewerker beslist zelf welke route "
            "de veegwagen rijdt.\n\nDe veegwagens rijden elke ochtend door de binnenstad van Utrecht.\n"
        ),
    ),
    "case-b-haven.md": (
        "Case: Havenmeester",
        "Utrecht",
        "fysiek",
        (
            "## Aanpak\n\nCamera's registreren schepen in de binnenhaven en berekenen het havengeld "
            "automatisch.\n\nSchippers betalen het havengeld voortaan via een app.\n"
        ),
    ),
    "case-c-honden.md": (
        "Case: Hondenoverlast",
        "Dordrecht",
        "fysiek",
        (
            "## Lessen\n\nOf de aanpak door andere gemeenten is overgenomen, is in de bronnen niet te "
            "vinden.\n\nMenselijke tussenkomst bij de handhaving is niet bekend.\n"
        ),
    ),
}


@pytest.fixture
def small_assistant(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, (title, gemeente, domein, body) in CASES.items():
        (folder / name).write_text(
            f'---\ntitle: "{title}"\nkind: case\ngemeente: {gemeente}\ndomein: {domein}\n---\n\n# {title}\n\n{body}',
            encoding="utf-8",
        )
    (folder / "overzicht.md").write_text(
        "---\ntitle: Overzicht\nkind: overview\n---\n\n# Overzicht\n\nMenselijke tussenkomst is een thema in het hele rapport.\n",
        encoding="utf-8",
    )
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [folder]).ok
    return bot


def test_presets_name_the_success_factors():
    labels = " ".join(PRESETS).casefold()
    for factor in (
        "projectleider",
        "multidisciplinair innovatieteam",
        "drijfveren",
        "leren van de markt",
        "informeel en cyclisch leren",
        "betrokkenheid van eindgebruikers",
        "management",
        "opschaling",
        "privacy en ethiek",
        "menselijke tussenkomst",
        "samenwerking",
    ):
        assert factor in labels
    assert theme_queries("menselijke TUSSENKOMST") == PRESETS["Menselijke tussenkomst"]
    assert theme_queries("  open   data ") == ("open data",)
    assert theme_queries(" ") == ()


def test_one_row_per_case_with_quotes_or_a_note(small_assistant):
    assert [d["document"] for d in case_documents(small_assistant)] == list(CASES)  # the overview is no case
    rows = lessons(small_assistant, "Menselijke tussenkomst")
    assert [r.document for r in rows] == list(CASES)
    vegen, haven, honden = rows
    assert vegen.found and not vegen.abstained and vegen.gemeente == "Utrecht"
    quote, n = vegen.quotes[0]
    assert quote.startswith("Menselijke tussenkomst blijft nodig") and n == 1
    assert quote in vegen.citations[0].passage_text and vegen.citations[0].n == 1
    assert not haven.found and haven.abstained and haven.note.startswith(NOTHING)
    assert "Dat staat niet in de beschikbare bronnen" in haven.note
    # a source that says it does not know is shown as such, numbered after the first case
    assert honden.found and honden.abstained and "onbekend" in honden.note
    assert honden.citations[0].n == 2 and "niet bekend" in honden.quotes[0][0]


def test_free_text_theme_and_empty_theme(small_assistant):
    rows = lessons(small_assistant, "havengeld via een app")
    assert [r.found for r in rows] == [False, True, False]
    assert rows[1].query == "havengeld via een app"
    with pytest.raises(ValueError):
        lessons(small_assistant, "  ")


@pytest.mark.slow
def test_lessons_on_the_real_corpus(corpus_assistant):
    rows = lessons(corpus_assistant, "Menselijke tussenkomst")
    assert len(rows) == 13  # case-01 .. case-13
    by_file = {r.document: r for r in rows}
    vegen = by_file["case-01-slim-vegen-utrecht.md"]
    assert vegen.found and any("menselijke tussenkomst" in q.casefold() for q, _ in vegen.quotes)
    for r in rows:
        for c in r.citations:
            assert all(q in c.passage_text for q in c.quotes)
    assert sum(not r.found for r in rows) >= 8  # most cases say nothing about it: shown, not invented
