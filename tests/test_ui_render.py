"""The app's HTML: document text is always shown as text, quotes are marked in their passage."""

from __future__ import annotations

from assistant.schema import Answer, Citation, Passage
from ui import render
from ui.lessons import SAYS, UNKNOWN, LessonRow, ThemeLessons

EVIL = '<script>alert(1)</script> en <img src=x onerror=alert(2)>'


def _citation(n=1, text=f"Eerste zin. {EVIL} Slot.", quotes=(EVIL,), title="Titel <b>vet</b>"):
    return Citation(
        n=n,
        chunk_id="c",
        doc_id="d",
        title=title,
        section=f"{title} > Aanpak",
        page="p. 3",
        quote=" … ".join(quotes),
        score=0.1,
        source="/x/doc.md",
        passage_text=text,
        quotes=list(quotes),
    )


def test_markdown_text_is_inert():
    out = render.md_text("**vet** _schuin_ [link](http://x) $x$ " + EVIL)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "\\*\\*vet\\*\\*" in out and "\\[link\\]" in out and "\\$x\\$" in out


def test_answer_message_links_known_citations_only():
    answer = Answer(question="q", text=f"Volgens de bronnen:\n- „{EVIL}” [1]\n- iets [7]", citations=[_citation()])
    msg = render.answer_message(answer, turn=3)
    assert '<a class="bron-link" href="#bron-3-1"' in msg
    assert "[7]" not in msg.replace("\\[7\\]", "")  # an unknown number stays escaped text, not a link
    assert "<script>" not in msg and "&lt;img src=x onerror=alert(2)&gt;" in msg
    assert "onthouding-label" not in msg
    abstained = Answer(question="q", text="Dat staat niet in de beschikbare bronnen.", abstained=True)
    assert "onthouding-label" in render.answer_message(abstained, 1)


def test_highlight_marks_each_quote_and_escapes_the_rest():
    html = render.highlight("A <b> B. Tweede zin. Derde zin.", ["Tweede zin.", "A <b> B.", "ontbreekt"])
    assert html == "<mark>A &lt;b&gt; B.</mark> <mark>Tweede zin.</mark> Derde zin."
    assert render.highlight("abcabc", ["bc", "cab"]) == "a<mark>bcabc</mark>"  # overlaps merge


def test_sources_html_cards_with_ids_and_escaped_text():
    turns = [
        ("eerste", Answer(question="eerste", text="x [1]", citations=[_citation()])),
        (
            "tweede",
            Answer(
                question="tweede",
                text="geen",
                abstained=True,
                citations=[_citation(n=1, text="Iets anders.", quotes=("Iets anders.",))],
            ),
        ),
    ]
    html = render.sources_html(turns)
    assert html.index('id="vraag-2"') < html.index('id="vraag-1"')  # newest first
    assert 'id="bron-1-1"' in html and 'id="bron-2-1"' in html
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt; en &lt;img src=x onerror=alert(2)&gt;</mark>" in html
    assert "<script>" not in html and "<img" not in html and "<b>vet</b>" not in html
    assert "Titel &lt;b&gt;vet&lt;/b&gt;" in html and "Aanpak · p. 3" in html  # section without the title
    assert 'class="onthouding"' in html
    assert "bronnen-leeg" in render.sources_html([])


def test_lessons_documents_and_reading_escape_everything():
    row = LessonRow(
        title=EVIL,
        document="a.md",
        doc_id="d",
        gemeente="Utrecht",
        domein="fysiek",
        quotes=[(EVIL, 1)],
        citations=[_citation()],
        status=SAYS,
    )
    empty = LessonRow(title="Leeg", document="b.md", doc_id="e")
    unknown = LessonRow(title="Onbekend", document="c.md", doc_id="f", quotes=[("Dat is niet bekend.", 2)], status=UNKNOWN)
    report = LessonRow(title=f"Rapport {EVIL}", document="r.pdf", doc_id="r", kind="report", quotes=[(EVIL, 3)], status=SAYS)
    html = render.lessons_html(
        [ThemeLessons("thema <i>", report_rows=[report], case_rows=[row, empty, unknown]), ThemeLessons("tweede")]
    )
    assert html.count('class="les-rij') == 3 and html.count('class="rapport-rij') == 1
    assert html.index('class="rapport-rij') < html.index('class="les-rij')  # the report first
    assert 'data-case="b.md"' in html and "les-nothing" in html and "les-unknown" in html
    assert "Geen passage over dit thema in deze bron." in html and "De bron zegt zelf dat dit onbekend is." in html
    assert "1 van de 3 cases zegt iets over dit thema; 1 zegt alleen dat het onbekend is; 1 heeft" in html
    assert "Het rapport zelf is niet ingelezen" in html  # neither theme has the report itself
    assert "Titel &lt;b&gt;vet&lt;/b&gt;" not in html and "Aanpak · p. 3 · doc.md" in html  # the source once, with file
    assert html.count('class="lessen-thema"') == 2 and "Er zijn geen case-documenten ingelezen." in html
    assert "<script>" not in html and "<img" not in html and "thema &lt;i&gt;" in html
    docs = [{"doc_id": "d", "title": EVIL, "kind": "document", "gemeente": "", "domein": "", "chunks": 2, "document": "x.md"}]
    assert "<script>" not in render.documents_html(docs) and "&lt;script&gt;" in render.documents_html(docs)
    passage = Passage(chunk_id="c", doc_id="d", text=EVIL, title=EVIL, section=f"{EVIL} > Deel", page_start=2)
    reading = render.document_html(docs[0], [passage])
    assert "<script>" not in reading and "<img" not in reading and "p. 2" in reading and "Deel" in reading
    assert render.document_choices(docs) == [(f"{EVIL} (x.md)", "d")]


def test_filter_choices_start_with_all():
    facets = {"gemeente": ["Utrecht"], "domein": [], "kind": ["case"], "document": ["a.md"], "document_titles": ["Case A"]}
    choices = render.filter_choices(facets)
    assert list(choices) == ["gemeente", "domein", "kind", "document"]  # the facets as they come, then the document
    assert choices["gemeente"] == [("Alle", ""), ("Utrecht", "Utrecht")] and choices["domein"] == [("Alle", "")]
    assert choices["document"] == [("Alle documenten", ""), ("Case A (a.md)", "a.md")]
    assert render.filter_choices({"document": [], "document_titles": []}) == {"document": [("Alle documenten", "")]}


def test_active_filters_line_uses_the_labels_it_is_given():
    labels = render.filter_labels({"jaar": "Jaar"})
    assert labels == {"jaar": "Jaar", "document": "Document"}
    html = render.active_filters_html({"jaar": "2021", "document": "a.md"}, labels, {"a.md": "<b>Case A</b>"})
    assert "Jaar: 2021" in html and "Document: &lt;b&gt;Case A&lt;/b&gt;" in html
    assert render.active_filters_html({"jaar": "", "document": ""}, labels) == ""


def test_unknowns_and_feedback_html():
    html = render.unknowns_html("- een `code` punt\n  vervolg\n- <b>twee</b>")
    assert "<li>een <code>code</code> punt vervolg</li>" in html and "&lt;b&gt;twee&lt;/b&gt;" in html
    assert "onbekend-leeg" in render.unknowns_html(None)
    # the digest's gaps may be answered by a report the user adds: the note does not promise "not in the sources"
    assert "tenzij een document dat u zelf toevoegt" in html
    summary = {"juist": 1, "onjuist": 0, "verkeerd bewijs": 0, "onvolledig": 0, "totaal": 1}
    assert "Nog geen feedback" in render.feedback_html(summary, [])
