"""The shipped corpus printed by a browser reads as its Markdown does: what a user's report PDF meets.

Chromium prints each Markdown document (evals/corpus_as_pdf.py) in one justified column with the
browser's header and footer, and in two columns. Every evidence quote of the development sets must
be found in the PDF's text as read, and each document's list items must stay items. Before the PDF
loader knew drawn bullets, ruled tables, the gutter the fewest lines cross and documents set without
hyphenation, the two layouts read 10 and 9 list items of the Markdown's 452, and lost 2 and 23 of its
538 quotes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from evals.corpus_as_pdf import CORPUS, chromium, print_corpus
from evals.gold import normalize, quote_in_text
from evals.sets import SETS, UNSEEN
from ingest.loaders import load_file

pytestmark = pytest.mark.skipif(chromium() is None, reason="no chromium to print the corpus (apt-get install chromium)")


def development_quotes() -> set[tuple[str, str]]:
    """(document, quote) of every evidence item of the shipped corpus's gold sets, the unseen one left out."""
    quotes = set()
    for gold in SETS:
        if gold.corpus == "shipped" and gold.role != UNSEEN:
            for line in gold.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    quotes.update((ev["document"], ev["quote"]) for ev in json.loads(line)["evidence"])
    return quotes


@pytest.fixture(scope="module", params=["plain", "columns"])
def printed(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    return request.param, {pdf.stem + ".md": load_file(pdf) for pdf in print_corpus(folder, request.param)}


def test_every_quote_of_the_gold_sets_is_read_from_the_pdf(printed):
    layout, documents = printed
    texts = {name: normalize(" ".join(b.text for b in doc.blocks)) for name, doc in documents.items()}
    quotes = development_quotes()
    missing = sorted((document, quote) for document, quote in quotes if not quote_in_text(quote, texts[document]))
    assert len(quotes) > 500
    assert not missing, f"{layout}: {len(missing)} quotes not read:\n" + "\n".join(
        f"{document}: {quote[:100]}" for document, quote in missing
    )


def test_lists_stay_lists_and_headings_headings(printed):
    layout, documents = printed
    pdf_kinds, markdown_kinds = Counter(), Counter()
    for name, doc in documents.items():
        pdf_kinds.update(b.kind for b in doc.blocks)
        markdown_kinds.update(b.kind for b in load_file(CORPUS / name).blocks)
    # bullets are drawn by the browser: without them every section's list was one paragraph
    assert pdf_kinds["list_item"] >= 0.95 * markdown_kinds["list_item"], (layout, pdf_kinds, markdown_kinds)
    # the overview's one table, read cell by cell (a part per page it runs over)
    assert 1 <= pdf_kinds["table"] <= 3, (layout, pdf_kinds)
    # the browser's date, title, address and page number are no headings or text (on a document of one page
    # too, where they do not repeat)
    assert abs(pdf_kinds["heading"] - markdown_kinds["heading"]) <= 2, (layout, pdf_kinds, markdown_kinds)
    printed_by_browser = re.compile(r"file://|\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}")
    for doc in documents.values():
        assert not printed_by_browser.search(" ".join(b.text for b in doc.blocks)), doc.title
    assert set(documents) == {path.name for path in Path(CORPUS).glob("*.md")}
