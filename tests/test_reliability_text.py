"""Reliability (issue 14, items 11 and 13, and footnote markers): what a loader reads is what the file says.

- A link whose URL holds ")" (Wikipedia's ".../Vegen_(schoonmaak)") leaves no stray ")" in the text,
  so a "verbatim" quote is verbatim.
- Front matter that is not strict YAML (a title with ": ") no longer costs the whole page: the text is
  read, the front matter parsed line by line or kept as text, with one warning.
- A PDF or DOCX footnote reference is raised ("18%⁽³⁾"), never "[3]", and the citation parsers (the
  evaluation's and the app's linker) leave a [n] inside a quote „…” alone: it is the source's text.
"""

from __future__ import annotations

import re

import pytest

from assistant.api import Assistant
from assistant.schema import Answer, Citation
from evals.metrics import citation_markers, citation_validity
from ingest.loaders import load_file
from ingest.pipeline import ingest_into
from tests.loader_files import real_fixture, report_pdf
from ui.render import answer_message

BRACKET_MARK = re.compile(r"\[\d+\]")


def test_a_link_with_parentheses_in_its_url_leaves_no_stray_parenthesis(tmp_path):
    page = tmp_path / "vegen.md"
    page.write_text(
        "# Vegen\n\nZie [Slim vegen](https://nl.wikipedia.org/wiki/Vegen_(schoonmaak)) voor de aanpak in Utrecht.\n\n"
        '- ook [een bron](https://example.org/a_(b)_c_(d) "titel") en ![logo](logo_(klein).png) hier\n',
        encoding="utf-8",
    )
    texts = [b.text for b in load_file(page).blocks]
    assert texts == ["Vegen", "Zie Slim vegen voor de aanpak in Utrecht.", "ook een bron en logo hier"]


FRONT_MATTERS = {
    # (front matter, expected metadata subset, expected warning fragment)
    "colon-in-title": (
        "title: Datagedreven werken: de lessen van Zaanstad\ngemeente: Zaanstad\ndatum: 2021-03-01\ntags:\n  - data\n  - ethiek",
        {"title": "Datagedreven werken: de lessen van Zaanstad", "gemeente": "Zaanstad", "tags": "data; ethiek"},
        "read line by line",
    ),
    "unquoted-hash-and-bracket": (
        "title: [Concept] Wijkaanpak #3: wat werkte\nbron: https://example.org/a?b=c",
        {"title": "[Concept] Wijkaanpak #3: wat werkte", "bron": "https://example.org/a?b=c"},
        "read line by line",
    ),
    "a-list": ("- een\n- twee", {}, "kept as text"),
}


@pytest.mark.parametrize("case", sorted(FRONT_MATTERS))
def test_front_matter_that_is_not_strict_yaml_costs_no_text(case, tmp_path, fake_settings, fake_embeddings):
    front, metadata, warning = FRONT_MATTERS[case]
    page = tmp_path / f"{case}.md"
    page.write_text(
        f"---\n{front}\n---\n\n# Wijkaanpak\n\nDe wijkaanpak in Zaanstad verbindt data over {case} met gesprekken.\n",
        encoding="utf-8",
    )
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    report = ingest_into(bot, [page])
    assert report.ok and report.added == [str(page)], report.summary()
    assert len(report.warnings) == 1 and warning in report.warnings[0][1], report.warnings
    (document,) = bot.documents()
    assert {k: document[k] for k in metadata} == metadata
    assert any(f"data over {case} met gesprekken" in p.text for p in bot.passages)
    if case == "a-list":  # kept as text: nothing of the file is lost
        assert any("- een" in p.text or "een" in p.text.split() for p in bot.passages)


def test_an_unclosed_front_matter_is_read_as_text(tmp_path):
    page = tmp_path / "open.md"
    page.write_text("---\ntitle: nooit gesloten\n\n# Kop\n\nDe tekst telt.\n", encoding="utf-8")
    doc = load_file(page)
    assert "De tekst telt." in [b.text for b in doc.blocks]
    assert doc.warnings == ["front matter starts with '---' but is never closed; read as text"]


def test_pdf_footnote_references_are_raised_not_bracketed(tmp_path):
    path = tmp_path / "slim-vegen.pdf"
    path.write_bytes(report_pdf())
    doc = load_file(path)
    assert not [b.text for b in doc.blocks if BRACKET_MARK.search(b.text)]
    assert any(b.text.endswith("de planning. ⁽¹⁾") for b in doc.blocks)
    assert [b.text for b in doc.blocks if b.kind == "footnote"] == ["⁽¹⁾ Bron: jaarverslag Stadsbeheer 2020."]


def test_real_pdf_footnotes_read_as_raised_marks():
    doc = load_file(real_fixture("Vertrouwen_in_de_gemeente.pdf"))
    text = "\n".join(b.text for b in doc.blocks)
    assert "stabiel op 18%⁽³⁾. Sinds" in text and "eenzaamheid⁽⁴⁾ met zich mee" in text
    assert not BRACKET_MARK.search(text)


def test_a_marker_inside_a_quote_is_not_a_citation():
    text = "Het aandeel bleef gelijk: „Tussen 2014 tot aan de pandemie bleef dit percentage stabiel op 18%[3].” [1]"
    assert citation_markers(text) == [1]
    assert citation_validity(text, [1], ["c1"], ["c1"])
    assert citation_markers("„a” [1] en „b[2], c” [2, 3]") == [1, 2, 3]


def test_the_app_links_only_the_answers_own_citations():
    quote = "stabiel op 18%[3]."
    citations = [
        Citation(n=n, chunk_id=f"c{n}", doc_id="d", title="Vertrouwen", section="", page="", quote=quote, score=1.0)
        for n in (1, 2, 3)
    ]
    answer = Answer(question="Hoe stabiel?", text=f"„{quote}” [1]", citations=citations)
    html = answer_message(answer, turn=1)
    assert html.count('class="bron-link"') == 1 and 'href="#bron-1-1"' in html
    assert 'href="#bron-1-3"' not in html and "18%\\[3\\]" in html
