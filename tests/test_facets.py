"""Filters come from the corpus profile's [facets]: the shipped ones, none, or a field of one's own (fast:
hash embeddings)."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.profile import load_profile
from assistant.retrieval import Filters
from assistant.schema import Passage
from ingest.pipeline import ingest_into
from tests.ui_support import running_app
from ui.app import build_app

DOCS = {
    "vegen.md": "kind: case\ngemeente: Utrecht\ndomein: fysiek\njaar: 2019",
    "fundering.md": "kind: case\ngemeente: Zaanstad (kandidaat)\ndomein: fysiek\njaar: 2021",
    "rapport.md": "kind: overview\njaar: 2021",
}


def write_docs(folder):
    folder.mkdir()
    for name, meta in DOCS.items():
        title = name.removesuffix(".md")
        body = f"De {title} bespreekt hoe de gemeente data over straten en kademuren gebruikt voor onderhoud."
        (folder / name).write_text(f"---\ntitle: {title}\n{meta}\n---\n\n# {title}\n\n## Aanpak\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture
def make_assistant(tmp_path, fake_settings, fake_embeddings):
    def make(**changes):
        from assistant.api import Assistant

        bot = Assistant(fake_settings.replace(**changes), embeddings=fake_embeddings)
        report = ingest_into(bot, [write_docs(tmp_path / "docs")])
        assert report.ok, report.summary()
        return bot

    return make


def filter_dropdowns(bot) -> list[gr.Dropdown]:
    demo = build_app(bot)
    return [b for b in demo.blocks.values() if isinstance(b, gr.Dropdown) and (b.elem_id or "").startswith("filter-")]


def files(passages) -> set[str]:
    return {p.metadata["document"] for p in passages}


def test_the_shipped_profile_offers_its_facets_with_their_labels(make_assistant):
    bot = make_assistant()
    profile = load_profile(bot.settings)
    assert bot.facet_labels() == profile.facets == {"gemeente": "Gemeente", "domein": "Domein", "kind": "Soort"}
    facets = bot.facets()
    assert list(facets) == [*profile.facets, "document", "document_titles"]
    assert facets["gemeente"] == ["Utrecht", "Zaanstad"] and facets["kind"] == ["case", "overview"]
    dropdowns = filter_dropdowns(bot)
    assert [d.label for d in dropdowns] == ["Gemeente", "Domein", "Soort", "Document"]
    assert dropdowns[0].choices == [("Alle", ""), ("Utrecht", "Utrecht"), ("Zaanstad", "Zaanstad")]
    # a facet value matches as the filters always did: the part before " (", any case
    assert files(bot.retrieve("data straten", filters={"gemeente": "zaanstad", "kind": "case"})) == {"fundering.md"}
    with pytest.raises(ValueError, match=r"unknown filter\(s\) \['jaar'\]; known: gemeente, domein, kind, document, doc_id"):
        bot.retrieve("data", filters={"jaar": "2021"})


def test_without_a_profile_only_the_document_filters(make_assistant):
    bot = make_assistant(corpus_profile="")
    assert bot.facet_labels() == {}
    assert list(bot.facets()) == ["document", "document_titles"]
    assert bot.facets()["document"] == sorted(DOCS)
    assert files(bot.retrieve("data straten", filters={"document": "vegen.md"})) == {"vegen.md"}
    doc_id = bot.retrieve("data", filters={"document": "rapport.md"})[0].doc_id
    assert files(bot.retrieve("data", filters={"doc_id": doc_id})) == {"rapport.md"}
    with pytest.raises(ValueError, match="known: document, doc_id"):
        bot.ask("Wat doet de gemeente?", filters={"gemeente": "Utrecht"})
    assert [d.label for d in filter_dropdowns(bot)] == ["Document"]


def test_a_profile_of_ones_own_offers_and_applies_its_facet(make_assistant, tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text('[facets]\njaar = "Jaar"\n', encoding="utf-8")
    bot = make_assistant(corpus_profile=str(profile))
    assert bot.facet_labels() == {"jaar": "Jaar"}
    assert bot.facets()["jaar"] == ["2019", "2021"] and "gemeente" not in bot.facets()
    assert files(bot.retrieve("data straten", filters={"jaar": "2021"})) == {"fundering.md", "rapport.md"}
    assert files(bot.ask("Hoe gebruikt de gemeente data?", filters={"jaar": "2019"}).passages) == {"vegen.md"}
    with pytest.raises(ValueError, match="known: jaar, document, doc_id"):
        bot.retrieve("data", filters={"gemeente": "Utrecht"})
    dropdowns = filter_dropdowns(bot)
    assert [d.label for d in dropdowns] == ["Jaar", "Document"]
    assert dropdowns[0].choices == [("Alle", ""), ("2019", "2019"), ("2021", "2021")]

    from gradio_client import Client

    with running_app(bot) as url:  # the API names the filter after the facet
        _, sources, *_ = Client(url, verbose=False).predict("Hoe gebruikt de gemeente data?", jaar="2019", api_name="/ask")
    assert "vegen.md" in sources and "fundering.md" not in sources and "rapport.md" not in sources


def test_filters_hold_any_metadata_field_but_say_which_are_known():
    passage = Passage("c", "d1", "tekst", metadata={"document": "a.md", "gemeente": "Utrecht (kandidaat)", "jaar": 2021})
    assert Filters.from_dict({"gemeente": "utrecht", "jaar": "2021"}).matches(passage)
    assert not Filters.from_dict({"gemeente": "Utrecht (kandidaat)"}).matches(passage)  # as before: the value's name
    assert Filters.from_dict({"document": "A.md", "doc_id": "d1"}).matches(passage)
    assert not Filters.from_dict({"jaar": "2019"}).matches(passage)
    assert not Filters.from_dict({"gemeente": "", "document": ""}).active()
    with pytest.raises(ValueError, match="metadata field name"):
        Filters.from_dict({"jaar; drop": "x"})
    with pytest.raises(ValueError, match=r"\['kind'\]; known: jaar, document, doc_id"):
        Filters.from_dict({"kind": "case"}, allowed={"jaar": "Jaar"})


def test_a_facet_that_cannot_be_a_filter_is_refused(tmp_path, fake_settings):
    profile = tmp_path / "profile.toml"
    profile.write_text('[facets]\ndocument = "Bestand"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"facet\(s\) \['document'\] cannot be filters"):
        load_profile(fake_settings.replace(corpus_profile=str(profile)))
