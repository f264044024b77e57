"""The lessons view: the report-level statements on a theme first, then every case, each row saying
honestly what its source says (quotes, only that it is unknown, or nothing); several themes share one
numbering; a theme's own 'opties voor acties' are quoted where a source has them."""

from __future__ import annotations

import shutil

import pytest

from ingest.pipeline import ingest_into
from tests.conftest import FIXTURES
from ui.lessons import (
    NOTHING,
    PRESETS,
    SAYS,
    UNKNOWN,
    case_documents,
    lessons,
    report_documents,
    split_themes,
    theme_queries,
    workshop,
)

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
OVERVIEW = (
    "---\ntitle: Overzicht\nkind: overview\n---\n\n# Overzicht\n\n## Thema's\n\n"
    "Menselijke tussenkomst is een thema in het hele rapport.\n"
)
REPORT = """---
title: "Het rapport"
kind: report
---

# Het rapport

## 4 Opschaling naar andere gemeenten

Opschaling lukt alleen wanneer andere gemeenten de innovatie zelf willen gebruiken.

### Opties voor acties

- Deel de broncode van het model met andere gemeenten.
- Zoek een regio die hetzelfde probleem heeft.
- Begroot het beheer na de pilot.

## 5 Menselijke tussenkomst

Bij elke beslissing blijft menselijke tussenkomst door een medewerker verplicht.

### Opties voor acties

- Laat een medewerker elke voorspelling beoordelen.
"""


def _write_corpus(folder, with_report: bool = False):
    folder.mkdir()
    for name, (title, gemeente, domein, body) in CASES.items():
        (folder / name).write_text(
            f'---\ntitle: "{title}"\nkind: case\ngemeente: {gemeente}\ndomein: {domein}\n---\n\n# {title}\n\n{body}',
            encoding="utf-8",
        )
    (folder / "overzicht.md").write_text(OVERVIEW, encoding="utf-8")
    if with_report:
        (folder / "rapport.md").write_text(REPORT, encoding="utf-8")
    return folder


@pytest.fixture
def small_assistant(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [_write_corpus(tmp_path / "corpus")]).ok
    return bot


@pytest.fixture
def report_assistant(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [_write_corpus(tmp_path / "corpus", with_report=True)]).ok
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
    assert split_themes(" open data; ; Ruimte, vertrouwen en budget\nprivacy ") == [
        "open data",
        "Ruimte, vertrouwen en budget",
        "privacy",
    ]


def test_every_case_row_says_what_its_source_says(small_assistant):
    assert [d["document"] for d in case_documents(small_assistant)] == list(CASES)  # the overview is no case
    theme = lessons(small_assistant, "Menselijke tussenkomst")
    assert [r.document for r in theme.report_rows] == ["overzicht.md"]
    assert [r.document for r in theme.case_rows] == list(CASES)
    overview = theme.report_rows[0]
    assert overview.status == SAYS and overview.quotes[0] == ("Menselijke tussenkomst is een thema in het hele rapport.", 1)
    vegen, haven, honden = theme.case_rows
    assert vegen.status == SAYS and vegen.gemeente == "Utrecht" and vegen.note == ""
    quote, n = vegen.quotes[0]
    assert quote.startswith("Menselijke tussenkomst blijft nodig") and n == 2  # numbered after the report rows
    assert quote in vegen.citations[0].passage_text and vegen.citations[0].n == 2
    # nothing on the theme: no quotes, and a note that does not point at passages that are not there
    assert haven.status == NOTHING and not haven.quotes and not haven.citations
    assert haven.note == "Geen passage over dit thema in deze bron." and "hieronder" not in haven.note
    # a source that says it does not know: quoted, but not counted as saying something
    assert honden.status == UNKNOWN and not honden.found and "onbekend" in honden.note
    assert honden.citations[0].n == 3 and "niet bekend" in honden.quotes[0][0]
    assert (theme.count(SAYS), theme.count(UNKNOWN), theme.count(NOTHING)) == (1, 1, 1)
    assert theme.count_sentence().startswith("1 van de 3 cases zegt iets over dit thema; 1 zegt alleen")
    assert not theme.report_ingested and theme.options == []  # only the overview: the report itself is absent


def test_free_text_theme_and_empty_theme(small_assistant):
    theme = lessons(small_assistant, "havengeld via een app")
    assert [r.found for r in theme.case_rows] == [False, True, False]
    assert theme.case_rows[1].query == "havengeld via een app"
    with pytest.raises(ValueError):
        lessons(small_assistant, "  ")
    with pytest.raises(ValueError):
        workshop(small_assistant, [" ", ""])


def test_an_ingested_report_comes_first_with_its_own_options_for_action(report_assistant):
    assert [d["document"] for d in report_documents(report_assistant)] == ["rapport.md", "overzicht.md"]
    opschaling, tussenkomst = workshop(report_assistant, ["Opschaling", "Menselijke tussenkomst", "opschaling"])
    assert opschaling.report_ingested and opschaling.report_rows[0].document == "rapport.md"
    assert (
        opschaling.report_rows[0].quotes[0][0]
        == "Opschaling lukt alleen wanneer andere gemeenten de innovatie zelf willen gebruiken."
    )
    # the theme's own 'opties voor acties', verbatim, from the chapter on that theme only
    [options] = opschaling.options
    assert [q for q, _ in options.quotes] == [
        "Deel de broncode van het model met andere gemeenten.",
        "Zoek een regio die hetzelfde probleem heeft.",
        "Begroot het beheer na de pilot.",
    ]
    assert all(q in options.citations[0].passage_text for q, _ in options.quotes)
    assert [q for q, _ in tussenkomst.options[0].quotes] == ["Laat een medewerker elke voorspelling beoordelen."]
    # one numbering across both themes (the repeated theme is asked once)
    numbers = [c.n for t in (opschaling, tussenkomst) for c in t.citations]
    assert numbers == list(range(1, len(numbers) + 1))


def test_which_sections_hold_options_for_action_is_the_profiles_knowledge(tmp_path, fake_settings, fake_embeddings):
    """Without a corpus profile no heading is taken for 'opties voor acties': the theme's rows stay, the
    options are not guessed."""
    from assistant.api import Assistant

    bot = Assistant(fake_settings.replace(corpus_profile=""), embeddings=fake_embeddings)
    assert ingest_into(bot, [_write_corpus(tmp_path / "corpus", with_report=True)]).ok
    [opschaling] = workshop(bot, ["Opschaling"])
    assert opschaling.report_ingested and opschaling.report_rows[0].document == "rapport.md"
    assert opschaling.options == []


def test_a_real_pdf_as_report_document_speaks_first(tmp_path, fake_settings, fake_embeddings):
    """The Arnhem data-team plan (a real municipal PDF) ingested beside the cases: kind `document`,
    so its own statements on the theme come before any case's, with their pages."""
    from assistant.api import Assistant

    pdf = FIXTURES / "Informatiegestuurd-werken-Arnhem.pdf"
    if not pdf.is_file():
        pytest.skip(f"the real fixture {pdf} is not here (../shared/fixtures/real)")
    folder = _write_corpus(tmp_path / "corpus")
    shutil.copy(pdf, folder / pdf.name)
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(bot, [folder]).ok
    theme = lessons(bot, "Privacy en ethiek")
    first = theme.report_rows[0]
    assert first.document == pdf.name and first.kind == "document" and theme.report_ingested
    assert first.status == SAYS and first.quotes[0][1] == 1
    assert any("privacy" in q.casefold() for q, _ in first.quotes)
    for c in first.citations:
        assert c.page.startswith("p.") and c.source.endswith(pdf.name)
        assert all(q in c.passage_text for q in c.quotes)


@pytest.mark.slow
def test_lessons_on_the_real_corpus(corpus_assistant):
    """Without the report itself: the overview's statement about scaling comes first, and every case
    row is quotes, the source's own 'not known', or a plain note that nothing was found."""
    theme = lessons(corpus_assistant, "Opschaling")
    assert not theme.report_ingested and [r.kind for r in theme.report_rows] == ["overview"]
    said = " ".join(q for q, _ in theme.report_rows[0].quotes)
    assert "bij zes van de cases werd de innovatie ook door andere gemeenten gebruikt" in said
    assert len(theme.case_rows) == 13  # case-01 .. case-13
    for r in theme.case_rows:
        assert (r.status == NOTHING) == (not r.quotes)
        assert r.status != SAYS or r.note == ""
        for c in r.citations:
            assert all(q in c.passage_text for q in c.quotes)
    assert theme.count(UNKNOWN) >= 5  # most cases' sources only say it is not known: counted as such
    assert theme.count(SAYS) + theme.count(UNKNOWN) + theme.count(NOTHING) == 13
    tussenkomst = lessons(corpus_assistant, "Menselijke tussenkomst")
    vegen = next(r for r in tussenkomst.case_rows if r.document == "case-01-slim-vegen-utrecht.md")
    assert vegen.found and any("menselijke tussenkomst" in q.casefold() for q, _ in vegen.quotes)
    assert tussenkomst.count(NOTHING) >= 8  # most cases say nothing about it: shown, not invented
    privacy = lessons(corpus_assistant, "Privacy en ethiek")
    assert all("hieronder" not in r.note for r in privacy.report_rows + privacy.case_rows)  # no passages that are not there
