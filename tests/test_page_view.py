"""The cited page of a real PDF, drawn offline with the quote highlighted where it stands on the page."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ingest.loaders import load_file
from tests.loader_files import make_pdf, real_fixture
from ui.page_view import best_cited_page, cited_page_png, page_numbers, quote_boxes

QUOTE = "Deze toename sluit aan bij de trend van een versnelde toename van ouderen (80-plussers)"


def _word(text, x0, top, width=30):
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + 10}


def test_page_numbers_from_labels():
    assert page_numbers("p. 3") == [3] and page_numbers("p. 3-4") == [3, 4] and page_numbers("") == []


def test_quote_words_found_in_order_across_a_line_end_hyphen():
    words = [_word("Het", 10, 10), _word("model", 50, 10), _word("kan", 90, 10), _word("voor-", 130, 10)]
    words += [_word("spellen", 10, 30), _word("welke", 50, 30), _word("routes.", 90, 30), _word("Verder", 130, 30)]
    boxes = quote_boxes(words, ["kan voorspellen welke routes"])
    # one stroke per line: "kan voor-" on the first, "spellen welke routes." on the second; "Verder" not marked
    assert boxes == [(90, 10, 160, 20), (10, 30, 120, 40)]
    assert quote_boxes(words, ["iets dat er niet staat"]) == []


def test_real_pdf_page_with_the_quote_marked(tmp_path):
    pdf = real_fixture("Mantelzorg.pdf")
    block = next(b for b in load_file(pdf).blocks if QUOTE in b.text)
    image = best_cited_page(pdf, f"p. {block.page}", [QUOTE + "."], tmp_path / "paginas")
    assert image is not None and image.page == block.page == 2 and image.pages == 10 and image.marks >= 1
    png = Image.open(image.path).convert("RGB")
    assert png.width > 800
    pixels = np.asarray(png).reshape(-1, 3).astype(int)
    yellow = int(((pixels[:, 0] > 240) & (pixels[:, 1] > 220) & (pixels[:, 2] < 190)).sum())  # the highlight's tint
    assert yellow > 5000
    # the same request again comes from the cache in the data home, unchanged
    again = cited_page_png(pdf, 2, [QUOTE + "."], tmp_path / "paginas")
    assert again.path == image.path and again.path.stat().st_mtime == image.path.stat().st_mtime
    # a quote that is not on the page: the page is still shown, nothing is marked
    plain = cited_page_png(pdf, 3, [QUOTE + "."], tmp_path / "paginas")
    assert plain.marks == 0
    assert cited_page_png(pdf, 99, [QUOTE], tmp_path / "paginas") is None


def test_quote_marked_in_a_pdf_printed_without_space_glyphs(tmp_path):
    """The page view reads the words as ingest does: a quote 'Informatiegestuurd Arnhem ...' is found on a
    page whose writer printed no spaces (read with a fixed 3 pt tolerance it was one word there)."""
    pdf = tmp_path / "zonder-spaties.pdf"
    line = "Informatiegestuurd Arnhem begon met een experiment in het sociaal domein."
    pdf.write_bytes(make_pdf([[(line, 72, 100, 10)]], word_gap_em=0.2))
    quote = next(b.text for b in load_file(pdf).blocks if "sociaal domein" in b.text)
    assert quote == line
    image = cited_page_png(pdf, 1, [quote], tmp_path / "paginas")
    assert image is not None and image.marks >= 1
