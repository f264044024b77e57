"""PDF loading checked the way a reader checks a citation: right page, right section, clean text."""

from __future__ import annotations

import re

import pytest

from ingest.loaders import load_file
from ingest.loaders.common import clean_inline
from ingest.loaders.hyphenation import LineJoiner
from tests.loader_files import make_pdf, real_fixture, report_pdf


def block_with(doc, fragment: str):
    matches = [b for b in doc.blocks if fragment in b.text]
    assert matches, f"no block contains {fragment!r}"
    return matches[0]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "slim-vegen.pdf"
    path.write_bytes(report_pdf())
    return load_file(path)


@pytest.fixture(scope="module")
def vertrouwen():
    return load_file(real_fixture("Vertrouwen_in_de_gemeente.pdf"))


@pytest.fixture(scope="module")
def mantelzorg():
    return load_file(real_fixture("Mantelzorg.pdf"))


@pytest.fixture(scope="module")
def burenhulp():
    return load_file(real_fixture("Verbondenheid_door_burenhulp.pdf"))


# --- generated report: every feature with known input --------------------------------------------


def test_report_metadata_and_pages(report):
    assert report.pages == 3
    assert report.title == "Slim vegen"
    assert report.metadata["author"] == "Team Data"
    assert report.metadata["created"] == "2021-03-15T09:30:00+01:00"
    assert report.metadata["kind"] == "document"
    assert all(b.page in (1, 2, 3) for b in report.blocks)


def test_report_headings_and_levels_by_size(report):
    headings = [(b.text, b.level) for b in report.blocks if b.kind == "heading"]
    assert headings == [
        ("Slim vegen in Utrecht", 1),
        ("Aanleiding", 2),
        ("Resultaten", 2),
        ("Lessen", 2),
        ("Samenwerking", 3),
    ]  # bold at body size ranks below every larger size
    assert block_with(report, "Werk samen met de veegploegen").section_path == ("Slim vegen in Utrecht", "Lessen", "Samenwerking")
    assert block_with(report, "daalde met 20 procent").section_path[-1] == "Resultaten"


def test_report_running_header_footer_and_page_numbers_dropped(report):
    text = "\n".join(b.text for b in report.blocks)
    assert "Datagedreven werken in gemeenten" not in text
    assert "Pagina" not in text


def test_report_line_end_hyphens(report):
    text = block_with(report, "openbare ruimte").text
    assert "In veel gemeenten is de openbare ruimte" in text  # a word break: joined
    assert "De data-applicatie van Utrecht" in text  # joining would make "aa": a real hyphen
    assert "Noord-Holland" in text  # capital after the hyphen: a real hyphen
    assert "de werk- en gezinsbalans" in block_with(report, "gezinsbalans").text  # shared word part


def test_report_footnote_marked_not_merged(report):
    note = block_with(report, "jaarverslag Stadsbeheer")
    assert note.kind == "footnote" and note.page == 1
    assert note.text == "⁽¹⁾ Bron: jaarverslag Stadsbeheer 2020."
    assert block_with(report, "maar wel de planning").text.endswith("⁽¹⁾")  # raised, never [n]: see test_reliability_text


def test_small_numbered_lines_are_notes_only_when_the_text_refers_to_them(tmp_path):
    """Small print at the foot of a page opens with numbers in a ranked table or a code listing too: those
    lines are text, and only a number the page's text refers to (raised) opens a footnote."""
    prose = [
        "De respons per gemeente verschilde sterk tussen de deelnemers aan de peiling van dit jaar.",
        "Gemeenten die vooraf een brief stuurden, kregen meer ingevulde vragenlijsten terug dan de rest.",
        "Ook een herinnering na twee weken hielp, vooral bij inwoners tussen de twintig en veertig jaar.",
    ]
    body = [(text, 72, 100 + 13 * i, 10) for i, text in enumerate(prose)]
    ranking = [("Rangorde van de gemeenten naar respons:", 72, 700, 8)]
    ranking += [
        (f"{n} {name} {pct} procent", 72, 712 + 11 * n, 8)
        for n, name, pct in ((1, "Utrecht", 45), (2, "Zaanstad", 38), (3, "Dordrecht", 31))
    ]
    noted = [*body, ("2", 72 + 5 * len(prose[0]), 99, 6), ("2 Bron: eigen berekening op basis van de peiling.", 72, 760, 8)]
    path = tmp_path / "rangorde.pdf"
    path.write_bytes(make_pdf([[*body, *ranking], noted]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "footnote"] == ["⁽²⁾ Bron: eigen berekening op basis van de peiling."]
    table = block_with(doc, "Utrecht")
    assert table.kind != "footnote" and table.page == 1
    assert "1 Utrecht 45 procent 2 Zaanstad 38 procent 3 Dordrecht 31 procent" in table.text


def test_report_list_items(report):
    items = [b.text for b in report.blocks if b.kind == "list_item"]
    assert items == ["sensoren op afvalbakken", "een dashboard voor de planners"]


def test_report_sentence_across_page_turn_stays_whole_on_its_first_page(report):
    first = block_with(report, "Na een jaar bleek")
    assert first.page == 1
    assert first.text.endswith("dat de bewoners minder klachten meldden over zwerfafval.")
    assert block_with(report, "Dit is de tweede zin.").page == 2


def test_a_browser_s_header_and_footer_on_a_single_page_are_dropped(tmp_path):
    """A web page printed to PDF carries the date and title above it and its address and "1/1" below; with
    one page nothing repeats, so they stood in its text. In the paper's outer 4%, small and well apart
    from the body, they go; small print close to the text it belongs to stays."""
    path = tmp_path / "pagina.pdf"
    body = [
        "Utrecht voorspelt met een algoritme welke rijroutes",
        "voor de veegwagens het meest zinvol zijn. Een medewerker",
        "beslist zelf en mag van de voorgestelde route afwijken.",
    ]
    page = [("12/6/26, 2:20 AM Case: Slim vegen", 20, 12, 8), ("Slim vegen", 72, 60, 16, True)]
    page += [(text, 72, 90 + 14 * i, 11) for i, text in enumerate(body)]
    page += [("Bron: gemeente Utrecht, 2021.", 72, 136, 8)]
    page += [("file:///tmp/slim-vegen.html 1/1", 20, 828, 8)]
    path.write_bytes(make_pdf([page]))
    text = " ".join(b.text for b in load_file(path).blocks)
    assert "12/6/26" not in text and "file://" not in text
    assert " ".join(body) in text and "Bron: gemeente Utrecht, 2021." in text


def test_page_without_text_layer_is_reported(tmp_path):
    path = tmp_path / "half-scanned.pdf"
    path.write_bytes(make_pdf([[("Tekst op de eerste pagina.", 72, 100, 11)], []], drawings={1: "72 400 300 200 re f"}))
    doc = load_file(path)
    assert [b.page for b in doc.blocks] == [1]
    assert any("page(s) 2 have no text layer" in w for w in doc.warnings)


def test_a_chapter_s_own_running_header_goes_and_a_heading_opening_several_pages_stays(tmp_path):
    """Each chapter prints its name at the top of its pages (three of twelve: under the half that marks a
    header of the whole report); each opens a page with the same bold 'Aanleiding'. The running headers
    go, and a sentence that runs over a page turn no longer has one in its middle; the headings stay."""
    words = "gemeente project data team inwoners wijk model aanpak resultaat leren bestuur sensor melding route".split()
    pages = []
    for i in range(12):
        chapter = ["Slim vegen", "Ondermijning", "Funderingen", "Schooluitval"][i // 3]
        items = [(f"{chapter} | casusbeschrijving", 300, 30, 8)]
        top = 90 if i == 5 else 70
        if i % 3 == 0:
            items += [(f"Casus {chapter}", 72, 70, 18, True), ("Aanleiding", 72, 100, 11, True)]
            top = 130
        items += [
            (" ".join(words[(i + j + k) % len(words)] for k in range(9)) + f" {i}{j}", 72, top + 16 * j, 11) for j in range(6)
        ]
        items.append(("en de zin loopt door op de volgende" if i == 4 else "en zo verder.", 72, top + 16 * 6, 11))
        pages.append(items)
    pages[5].insert(1, ("bladzijde waar hij eindigt.", 72, 70, 11))
    path = tmp_path / "casussen.pdf"
    path.write_bytes(make_pdf(pages))
    doc = load_file(path)
    text = "\n".join(b.text for b in doc.blocks)
    assert "casusbeschrijving" not in text
    assert [b.text for b in doc.blocks if b.text == "Aanleiding" and b.kind == "heading"] == ["Aanleiding"] * 4
    assert "en de zin loopt door op de volgende bladzijde waar hij eindigt." in block_with(doc, "loopt door").text


def test_a_pull_quote_in_large_type_is_text_not_a_heading(tmp_path):
    """A pull quote set large between paragraphs read as a heading: never quotable, and the section of the
    paragraphs after it. Large type in quotation marks or of two sentences is prose; a numbered heading and
    one that asks a question stay headings."""
    body = [
        "Dit is de gewone tekst van het rapport met veel woorden op elke regel van de pagina hier.",
        "Nog een regel gewone tekst die doorgaat over de aanpak van het onderzoek bij de gemeenten.",
        "En een derde regel die de alinea afsluit met een punt aan het einde van deze zin.",
    ]

    def paragraph(top):
        return [(text, 72, top + 13 * i, 10) for i, text in enumerate(body)]

    page = [
        ("1. Inleiding", 72, 60, 16, True),
        *paragraph(90),
        ("\u201cData is geen doel op zich, maar een middel om de stad beter te maken.\u201d \u2013 wethouder", 100, 150, 15),
        *paragraph(180),
        ("Wat leerden de gemeenten?", 72, 240, 16, True),
        *paragraph(270),
        ("Het team begon klein. Daarna volgde de hele stad.", 72, 330, 15),
        *paragraph(360),
    ]
    path = tmp_path / "citaat.pdf"
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["1. Inleiding", "Wat leerden de gemeenten?"]
    quote = block_with(doc, "geen doel op zich")
    assert quote.kind == "paragraph" and quote.section_path == ("1. Inleiding",)
    assert [b.section_path[-1] for b in doc.blocks if b.text.startswith("Dit is de gewone")] == ["1. Inleiding"] * 2 + [
        "Wat leerden de gemeenten?"
    ] * 2
    assert block_with(doc, "Het team begon klein.").kind == "paragraph"


def test_table_of_contents_and_index_are_not_passages(tmp_path):
    """A report's contents page repeats every heading with leader dots: as a passage it matched questions
    about any chapter. The entries go (a page number read apart from its entry with them); the body, an
    ellipsis in a sentence and a form's empty field stay."""
    leaders = " ." * 30
    contents = [("Inhoud", 72, 60, 16, True)]
    for i, (title, page) in enumerate([("1 Inleiding", "3"), ("2 Aanpak", "3"), ("2.1 Data verzamelen", "4"), ("3 Lessen", "4")]):
        contents.append((f"{title}{leaders}", 72, 100 + 16 * i, 11))
        contents.append((page, 520, 100 + 16 * i, 11))
    contents.append((f"Bijlage A{leaders}", 72, 180, 11))  # its number printed where it is read apart
    body = [
        ("1 Inleiding", 72, 60, 16, True),
        ("De gemeente begon in 2019 met een proef ... en breidde die later uit.", 72, 100, 11),
        ("2 Aanpak", 72, 140, 16, True),
        ("Het team verzamelde meldingen uit drie systemen.", 72, 180, 11),
        ("Naam: ..........................", 72, 220, 11),
        (f"Zie ook de begrippenlijst{leaders} 9", 72, 260, 11),
    ]
    path = tmp_path / "met-inhoud.pdf"
    path.write_bytes(make_pdf([[("Datagedreven werken", 72, 300, 24, True)], contents, body]))
    doc = load_file(path)
    text = "\n".join(b.text for b in doc.blocks)
    assert ". . . ." not in text and "begrippenlijst" not in text
    assert not any("Inhoud" in b.text or "Inhoud" in b.section_path for b in doc.blocks)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Datagedreven werken", "1 Inleiding", "2 Aanpak"]
    assert {b.page for b in doc.blocks} == {1, 3}
    assert "een proef ... en breidde" in block_with(doc, "proef").text
    assert block_with(doc, "Naam:").section_path[-1] == "2 Aanpak"


def test_a_contents_page_without_leader_dots_goes_and_a_sorted_table_stays(tmp_path):
    """Set without leaders ("2 Aanpak   6"), a contents page is told by its titles, the headings they
    point to, and its rising page numbers; a table sorted by its last column has those numbers, not the
    titles, and stays."""
    chapters = [("1 Inleiding", 3), ("2 Aanpak", 3), ("2.1 Data verzamelen", 4), ("3 Lessen", 4), ("Bijlage", 4)]
    contents = [("Inhoud", 72, 60, 16, True)]
    contents += [
        item
        for i, (title, page) in enumerate(chapters)
        for item in ((title, 72, 100 + 16 * i, 11), (str(page), 520, 100 + 16 * i, 11))
    ]
    table = [("Meldingen per wijk in 2022:", 72, 60, 11)]
    rows = [("Noord", 3), ("Oost", 4), ("Zuid", 4), ("West", 5), ("Centrum", 5)]
    table += [item for i, (wijk, n) in enumerate(rows) for item in ((wijk, 72, 80 + 14 * i, 11), (str(n), 300, 80 + 14 * i, 11))]
    body = []
    for i, (title, _page) in enumerate(chapters):
        body.append((title, 72, 60 + 90 * i, 14, True))
        body.append((f"Dit hoofdstuk gaat over {title.split()[-1].lower()} en wat het team ervan leerde.", 72, 90 + 90 * i, 11))
    path = tmp_path / "inhoud-zonder-puntjes.pdf"
    path.write_bytes(make_pdf([contents, table, body[:4], body[4:]]))
    doc = load_file(path)
    assert not any("Inhoud" in b.text or "Inhoud" in b.section_path for b in doc.blocks)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [title for title, _ in chapters]
    assert {b.page for b in doc.blocks} == {2, 3, 4}
    table_text = " ".join(b.text for b in doc.blocks if b.page == 2)
    assert all(f"{wijk} {n}" in table_text for wijk, n in rows), table_text


def test_bold_body_text_is_not_all_headings(tmp_path):
    path = tmp_path / "vet.pdf"
    lines = ["Deze hele tekst is vet gezet", "door de opmaak van het sjabloon", "en blijft gewoon lopende tekst"]
    path.write_bytes(
        make_pdf([[("Titel", 72, 60, 16, True), *[(text, 72, 100 + 13 * i, 10, True) for i, text in enumerate(lines)]]])
    )
    doc = load_file(path)
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Titel"), ("paragraph", " ".join(lines))]


def test_list_right_under_its_heading_is_items(tmp_path):
    """Bullets that start on the line after a heading, at the margin and the body's line pitch, with
    no closing punctuation: each is an item (they were read as one paragraph, 'a • b • c')."""
    path = tmp_path / "taken.pdf"
    tasks = ["\u2022 Werken vanuit een opdracht", "\u2022 Verzamelen en valideren van gegevens", "\u2022 Trainen van modellen"]
    page = [
        ("Wat zijn de taken van een data-analist", 72, 60, 10, True),
        *[(text, 72, 73 + 13 * i, 10) for i, text in enumerate(tasks)],
        ("Samenwerking", 72, 125, 10, True),
        ("De analist werkt samen met de product-eigenaar.", 72, 138, 10),
    ]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == [
        "Werken vanuit een opdracht",
        "Verzamelen en valideren van gegevens",
        "Trainen van modellen",
    ]
    assert block_with(doc, "De analist werkt samen").kind == "paragraph"


def _two_columns(left: list[str], right: list[str], top: float = 120, gutter_x: float = 310, shift: float = 0) -> list[tuple]:
    """Two columns of 10 pt lines; `shift` lowers the right column's baselines against the left's."""
    return [(text, 72, top + 13 * i, 10) for i, text in enumerate(left)] + [
        (text, gutter_x, top + shift + 13 * i, 10) for i, text in enumerate(right)
    ]


def test_two_columns_are_read_one_after_the_other(tmp_path):
    """Lines of two columns that share a baseline used to become one line ('... het continu De opzet ...');
    each column is read whole, left first, and a sentence that runs on into the next column stays whole."""
    path = tmp_path / "kolommen.pdf"
    left = [
        "Het datateam werkt vanuit de vragen",
        "van de afdelingen en begint elk",
        "traject met een korte verkenning.",
        "Daarna bouwt het team een eerste",
        "dashboard dat de afdeling zelf",
    ]
    right = [
        "kan gebruiken en aanpassen.",
        "Privacy staat bij elk project voorop",
        "en de functionaris gegevens-",
        "bescherming kijkt vanaf het begin mee.",
        "Zo blijft elke stap controleerbaar.",
    ]
    page = [("Werkwijze van het datateam", 72, 60, 16, True), *_two_columns(left, right)]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    text = " ".join(b.text for b in doc.blocks if b.kind == "paragraph")
    assert "met een korte verkenning. Daarna bouwt het team" in text
    assert "een eerste dashboard dat de afdeling zelf kan gebruiken en aanpassen." in block_with(doc, "Daarna bouwt").text
    assert "functionaris gegevensbescherming kijkt vanaf het begin mee" in text
    assert "vragen Privacy" not in text and "elk kan" not in text
    assert text.index("Het datateam") < text.index("Privacy staat")


def test_two_columns_whose_long_lines_reach_into_the_gutter_are_read_column_by_column(tmp_path):
    """Where the columns' lines stop sharing baselines (a heading in one of them), the longer lines of
    the left column reach into the gutter. The gutter was put at the first x that split the most rows,
    which those lines cross: read as rows of the full width, they let the right column's lines in between
    ("... een logboek dat de raad team evalueert elke maand ..."). A browser's two-column PDF reads so."""
    path = tmp_path / "kolommen.pdf"
    left_short = [
        "Het datateam werkt vanuit de vragen",
        "van de afdelingen en begint elk",
        "traject met een korte verkenning",
        "van de gegevens die er al zijn bij",
        "de afdelingen van de gemeente en",
        "bij haar partners in de regio.",
    ]
    left_long = [
        "Daarna bouwt het team een eerste dashboard",
        "dat de afdeling zelf kan gebruiken, en het",
        "team evalueert elke maand met de afdeling",
        "of het dashboard nog de goede vragen beantwoordt",
        "en welke gegevens erbij moeten komen.",
        "Zo groeit het dashboard mee met het werk",
        "van de afdeling en blijft het in gebruik",
        "ook als het project is afgerond.",
    ]
    right_first = [
        "Privacy staat bij elk project voorop:",
        "de functionaris gegevensbescherming",
        "kijkt vanaf het begin mee en toetst",
        "elke nieuwe koppeling van gegevens",
        "aan de AVG en aan de regels die de",
        "gemeente zelf heeft vastgesteld.",
    ]
    right_then = [
        "Het team legt elke keuze vast",
        "in een logboek dat de raad",
        "kan inzien, zodat elke stap",
        "controleerbaar blijft voor",
        "inwoners en toezichthouders",
        "en voor de accountant",
        "die jaarlijks meekijkt",
        "naar de verwerkingen.",
    ]
    page = [("Werkwijze van het datateam", 72, 60, 16, True)]
    page += _two_columns(left_short + left_long, right_first, top=100, gutter_x=330)
    page += _two_columns([], right_then, top=100 + 13 * 6, gutter_x=330, shift=6.5)  # baselines shifted
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [
        " ".join(left_short + left_long),
        " ".join(right_first),
        " ".join(right_then),
    ]


def test_two_columns_whose_baselines_never_meet_are_read_column_by_column(tmp_path):
    """Under a table or a heading that shifts one column half a line, no row holds both columns: the gutter
    is seen in the lines that stand on either side of it alone, or the page was read line by line across."""
    path = tmp_path / "verschoven.pdf"
    left = [
        "Dat monitoren dezelfde case is als",
        "de monitor van de Drechtsteden en",
        "dat de veiligheidscase de applicatie",
        "van Zaanstad is, zijn koppelingen",
        "tussen de lijsten van de bronnen.",
    ]
    right = [
        "Gemeenten: bevestigd zijn Utrecht",
        "met vier cases, Zaanstad met twee,",
        "Amsterdam, Dordrecht en Rotterdam,",
        "vijf van de acht gemeenten. Drie",
        "gemeenten zijn nog onbekend.",
    ]
    page = [("Toelichting bij de tabel", 72, 60, 14, True), *_two_columns(left, right, top=100, gutter_x=320, shift=6.5)]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [" ".join(left), " ".join(right)]


def test_columns_that_start_in_the_top_margin_are_read_column_by_column(tmp_path):
    """A page set with narrow margins starts its columns within the band where running headers stand, and
    their first lines were read as one ("Selectie van de cases en werkwijze best; over de simulatie ...").
    A line there that runs on into its column at the ordinary spacing is the column's; a running header
    stands apart and stays whole."""
    path = tmp_path / "smalle-marge.pdf"
    left = ["Selectie van de cases", "gebeurde samen met de", "gemeenten zelf, op basis van", "drie vaste criteria."]
    right = ["best; over de simulatie", "meldt het bericht dat die", "breed navolging kreeg, ook", "in het buitenland."]
    page = [("Datagedreven werken", 72, 18, 8), ("Hoofdstuk 2", 470, 18, 8)]  # a running header, apart
    page += [(text, 72, 45 + 13 * i, 10) for i, text in enumerate(left)]
    page += [(text, 320, 45 + 13 * i, 10) for i, text in enumerate(right)]
    page += [(f"regel {n} van de linkerkolom met wat meer tekst", 72, 100 + 13 * n, 10) for n in range(4)]
    page += [(f"regel {n} van de rechterkolom met wat meer tekst", 320, 100 + 13 * n, 10) for n in range(4)]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    text = "\n".join(b.text for b in doc.blocks)
    assert "Datagedreven werken Hoofdstuk 2" in text
    assert "Selectie van de cases gebeurde samen met de gemeenten zelf" in text
    assert "best; over de simulatie meldt het bericht dat die breed navolging kreeg" in text


def test_a_bullet_opens_an_item_after_a_line_without_a_full_stop(tmp_path):
    """An item that ends in a web address has no full stop: where the address ran over the page turn, the
    next bullet was read as its sentence going on, and the overview's 27 sources became one item. A dash may
    go on a sentence ("2015 / – 2020"), a bullet never does."""
    path = tmp_path / "bronnen.pdf"
    page1 = [
        ("Feiten en bronnen", 72, 60, 14, True),
        ("\u2022 F1: Utrecht koos een sandwich-aanpak. \u2014 https://www.binnenlandsbestuur.nl/", 72, 90, 10),
        ("\u2022 F2: De kwartiermaker ondersteunde pilots. \u2014 https://ibestuur.nl/artikel/negen-", 72, 770, 10),
    ]
    page2 = [
        ("succesfactoren-voor-datagedreven-innovatieprojecten/", 82, 72, 10),
        ("\u2022 F3: Zestien organisatieonderdelen deden mee. \u2014 https://www.utrecht.nl/", 72, 85, 10),
        ("De periode liep van 2015", 72, 110, 10),
        ("\u2013 2020 en daarna.", 72, 123, 10),
    ]
    path.write_bytes(make_pdf([page1, page2]))
    doc = load_file(path)
    assert [b.text[:3] for b in doc.blocks if b.kind == "list_item"] == ["F1:", "F2:", "F3:"]
    assert block_with(doc, "F2:").text.endswith("negen-succesfactoren-voor-datagedreven-innovatieprojecten/")
    assert block_with(doc, "De periode").text == "De periode liep van 2015 \u2013 2020 en daarna."


def _disc(x: float, top: float, size: float, page_height: float = 842) -> str:
    """A filled circle drawn as four curves, as a browser draws a list's bullet, centred on a text line."""
    r, k = size * 0.18, size * 0.18 * 0.5523
    cx, cy = x + r, page_height - top - size * 0.45
    return (
        f"{cx + r} {cy} m {cx + r} {cy + k} {cx + k} {cy + r} {cx} {cy + r} c "
        f"{cx - k} {cy + r} {cx - r} {cy + k} {cx - r} {cy} c {cx - r} {cy - k} {cx - k} {cy - r} {cx} {cy - r} c "
        f"{cx + k} {cy - r} {cx + r} {cy - k} {cx + r} {cy} c f"
    )


def test_bullets_drawn_as_shapes_open_list_items(tmp_path):
    """A browser's (and many a designer's) PDF draws each item's bullet as a shape, not a character: the
    text alone ran every item of the list into one paragraph, 'DPIA genoemd. Doel: ... Menselijke ...'."""
    path = tmp_path / "lijst.pdf"
    items = [
        ["Als impacttoets wordt een DPIA genoemd."],
        ["Doel: voorspellen welke rijroutes voor de", "veegwagens het meest zinvol zijn."],
        ["Menselijke tussenkomst: de medewerker beslist."],
    ]
    page, shapes, top = [("Aanpak en data", 72, 60, 14, True), ("Het register noemt drie punten.", 72, 90, 10)], [], 103
    for n, lines in enumerate(items):
        # a disc before the first two items, a square before the third, left of the item's text
        shapes.append(_disc(74, top, 10) if n < 2 else f"74 {842 - top - 6.3} 3.6 3.6 re f")
        page += [(text, 86, top + 13 * i, 10) for i, text in enumerate(lines)]
        top += 13 * len(lines)
    page.append(("Daarna volgt gewone tekst.", 72, top + 8, 10))
    path.write_bytes(make_pdf([page], drawings={0: "\n".join(shapes)}))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == [" ".join(lines) for lines in items]
    assert block_with(doc, "Het register noemt").kind == "paragraph"
    assert block_with(doc, "Daarna volgt").text == "Daarna volgt gewone tekst."


def test_bold_words_are_a_heading_only_where_they_do_not_go_on_a_sentence(tmp_path):
    """Bulleted items set in bold ("• Product-eigenaar"), bold words that go on a sentence from the line
    before ("betrokkenheid van eindgebruikers: de" after "... gaat over"), and a bold lead-in ending in a colon
    ("Vragen die het onderzoek oproept:" / "waarom is ...") were headings; a heading of two lines whose
    second opens in lower case ("Business" / "data-analist") stays one heading."""
    path = tmp_path / "vet.pdf"
    page = [
        ("Rollen", 72, 60, 14, True),
        ("\u2022 Product-eigenaar", 72, 90, 10, True),
        ("\u2022 Data-analist", 72, 103, 10, True),
        ("Business", 72, 130, 10, True),
        ("data-analist", 72, 143, 10, True),
        ("De analist vertaalt vragen naar data. Eén thema gaat over", 72, 160, 10),
        ("betrokkenheid van eindgebruikers: de", 72, 173, 10, True),
        ("pagina noemt die factor als laatste.", 72, 186, 10),
        ("Vragen die het onderzoek oproept:", 72, 210, 10, True),
        ("waarom is opschalen zo moeilijk tussen gemeenten.", 72, 223, 10),
    ]
    body = [
        "Het team werkt vanuit de vragen",
        "van de afdelingen en begint",
        "elk traject met een verkenning",
        "van de gegevens die er zijn.",
    ]
    page += [(text, 72, 250 + 13 * i, 10) for i, text in enumerate(body)]  # most body text is not bold
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Rollen", "Business data-analist"]
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Product-eigenaar", "Data-analist"]
    assert "gaat over betrokkenheid van eindgebruikers: de pagina noemt" in block_with(doc, "De analist").text
    assert block_with(doc, "Vragen die").text == (
        "Vragen die het onderzoek oproept: waarom is opschalen zo moeilijk tussen gemeenten."
    )


def test_a_list_item_over_a_page_turn_keeps_its_sentence(tmp_path):
    """An item whose sentence the page turn breaks ('... werkt THOR gebiedsgericht en informatiegestuurd:
    data' / 'worden geregistreerd, ...') was quoted cut in two; like a paragraph's, the end of its
    sentence goes back to the item, on the item's page."""
    path = tmp_path / "item.pdf"
    page1 = [("Aanpak", 72, 60, 14, True), ("\u2022 Werkwijze: de afdeling werkt informatiegestuurd: data", 72, 770, 10)]
    page2 = [
        ("worden geregistreerd en geanalyseerd. Per gebied kiest men de inzet.", 84, 72, 10),
        ("Daarna volgt gewone tekst.", 72, 100, 10),
    ]
    path.write_bytes(make_pdf([page1, page2]))
    doc = load_file(path)
    item = block_with(doc, "Werkwijze")
    assert (item.kind, item.page) == ("list_item", 1)
    assert item.text == "Werkwijze: de afdeling werkt informatiegestuurd: data worden geregistreerd en geanalyseerd."
    assert block_with(doc, "Per gebied kiest").page == 2


def test_a_bold_lead_in_is_part_of_its_item_not_a_heading(tmp_path):
    """'**1. Een vaardige projectleider en een gedreven** / innovatieteam – een ...': the first line in
    bold was a heading and the item's text a paragraph that started mid-sentence. A bold line of body
    size that runs on into a lower-case next line is the item's opening words; a bold heading followed by
    a new sentence stays a heading."""
    path = tmp_path / "themas.pdf"
    page = [
        ("De negen thema's", 72, 60, 14, True),
        ("Twee thema's zijn bekend.", 72, 90, 10),
        ("1. Een vaardige projectleider en een gedreven", 72, 110, 10, True),
        ("innovatieteam maken het verschil in elk project.", 84, 123, 10),
        ("2. Ruimte van het management om te experimenteren.", 72, 143, 10),
        ("Opties voor acties", 72, 170, 10, True),
        ("Elk thema sluit af met opties voor acties.", 72, 183, 10),
    ]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    item = block_with(doc, "vaardige projectleider")
    assert item.kind == "list_item"
    assert item.text == "1. Een vaardige projectleider en een gedreven innovatieteam maken het verschil in elk project."
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["De negen thema's", "Opties voor acties"]


def _rules(xs: list[float], tops: list[float], height: float = 842) -> str:
    """A table's drawn rules: a line under every row boundary, one at every column boundary."""
    lines = [f"{xs[0]} {height - top} m {xs[-1]} {height - top} l S" for top in tops]
    lines += [f"{x} {height - tops[0]} m {x} {height - tops[-1]} l S" for x in xs]
    return "0.5 w\n" + "\n".join(lines)


def test_a_ruled_table_is_read_cell_by_cell(tmp_path):
    """Read line by line across the page, a cell of two lines beside one of one interleaved ("Dienst
    Gezondheid & Jeugd Zuid- sociaal bevestigd Holland Zuid (Parell)"), and a quote from one cell was in no
    passage. A table with drawn rules (Word's, a browser's) is one block, a row per line, as DOCX tables are."""
    path = tmp_path / "tabel.pdf"
    xs, tops = [72, 130, 300, 400, 540], [140, 160, 195, 230]
    cells = [
        [("#", 76, 145), ("Organisatie", 134, 145), ("Domein", 304, 145), ("Status", 404, 145)],
        [("4", 76, 165), ("Dienst Gezondheid & Jeugd Zuid-", 134, 165), ("Holland Zuid", 134, 178), ("sociaal", 304, 165)],
        [("5", 76, 200), ("Gemeenschappelijke regeling", 134, 200), ("Drechtsteden", 134, 213), ("sociaal", 304, 200)],
    ]
    cells[1] += [("bevestigd", 404, 165), ("(Parell)", 404, 178)]
    cells[2] += [("bevestigd", 404, 200)]
    page = [("De cases", 72, 60, 14, True), ("Tabel 1: de organisaties per case", 72, 100, 10)]
    page += [(text, x, top, 9) for row in cells for text, x, top in row]
    page += [("Na de tabel gaat de tekst verder.", 72, 250, 10)]
    # a frame of one row around a note is no table
    page += [("Let op: de domeinen zijn afgeleid.", 80, 300, 10)]
    drawings = _rules(xs, tops) + "\n72 545 468 -20 re S"
    path.write_bytes(make_pdf([page], drawings={0: drawings}))
    doc = load_file(path)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [t.text for t in tables] == [
        "| # | Organisatie | Domein | Status |\n"
        "| 4 | Dienst Gezondheid & Jeugd Zuid-Holland Zuid | sociaal | bevestigd (Parell) |\n"
        "| 5 | Gemeenschappelijke regeling Drechtsteden | sociaal | bevestigd |"
    ]
    assert [b.kind for b in doc.blocks] == ["heading", "caption", "table", "paragraph", "paragraph"]  # named above it
    assert doc.blocks[3].text == "Na de tabel gaat de tekst verder."
    assert block_with(doc, "Let op").text == "Let op: de domeinen zijn afgeleid."


def test_a_shaded_box_in_a_paragraph_is_read_after_it(tmp_path):
    """A box floated into a paragraph ("Kader 1: wat is een DPIA?") shares its rows; read across the page they
    interleaved line by line ("Medewerkers mogen afwijken van de brengt vooraf de risico's van een ..."). Text
    on a shaded box that the running text flows beside is read apart, after the paragraph it stands in."""
    path = tmp_path / "kader.pdf"
    beside = [
        "Het algoritme levert alleen informatie",
        "aan een medewerker, die zelf beslist wat",
        "de volgende stap is. Medewerkers mogen",
        "afwijken van de voorgestelde route als",
        "de situatie ter plekke daar om vraagt.",
    ]
    below = ["Dit principe is vastgelegd in het Utrechtse kader voor interne richtlijnen bij algoritmegebruik."]
    box = [
        "Kader 1: wat is een DPIA? Een",
        "effectbeoordeling brengt vooraf de",
        "risico's van een verwerking van",
        "persoonsgegevens in kaart.",
    ]
    page = [("Slim vegen", 72, 60, 14, True), ("Utrecht voorspelt welke rijroutes het meest zinvol zijn.", 72, 90, 10)]
    page += [(text, 72, 103 + 13 * i, 10) for i, text in enumerate(beside)]
    page += [(text, 72, 168 + 13 * i, 10) for i, text in enumerate(below)]
    page += [(text, 330, 106 + 12 * i, 9) for i, text in enumerate(box)]
    shading = f"0.91 0.93 0.96 rg 322 {842 - 160} 200 60 re f 0 g"  # a light blue box behind the box's text
    path.write_bytes(make_pdf([page], drawings={0: shading}))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [
        " ".join(["Utrecht voorspelt welke rijroutes het meest zinvol zijn.", *beside, *below]),
        " ".join(box),
    ]


def test_a_float_without_shading_is_read_after_its_paragraph_and_a_table_between_paragraphs_stays_in_rows(tmp_path):
    """A pull quote floated into a paragraph, set smaller than the running text, shares its rows like a shaded
    box and has no box to tell it by: the rows beside it keep clear of one x, and one side is set like the
    rows around them, the other not. A table without rules between two paragraphs sets both sides alike, in
    its own type, and is read row by row."""
    path = tmp_path / "citaat.pdf"
    beside = [
        "Het algoritme levert alleen informatie",
        "aan een medewerker, die zelf beslist wat",
        "de volgende stap is. Medewerkers mogen",
        "afwijken van de voorgestelde route als",
    ]
    quote = ["Data is geen doel op zich, het", "is een middel om de stad schoon", "te houden, zegt de wethouder."]
    page = [
        ("Slim vegen", 72, 60, 14, True),
        ("Utrecht voorspelt welke rijroutes het meest zinvol zijn voor de veegwagens.", 72, 90, 10),
    ]
    page += [(text, 72, 103 + 13 * i, 10) for i, text in enumerate(beside)]
    page += [(text, 330, 106 + 12 * i, 9) for i, text in enumerate(quote)]
    page += [("de situatie ter plekke daar om vraagt, zo staat in het Utrechtse kader voor algoritmen.", 72, 155, 10)]
    rows = [("Slim vegen in gebruik", "sinds 2020 in de hele stad"), ("Afvalbakken met sensor", "sinds 2021 in het centrum")]
    rows += [("Meldingen openbare ruimte", "sinds 2019 via de app")]
    for i, (name, since) in enumerate(rows):
        page += [(name, 72, 190 + 12 * i, 8), (since, 330, 190 + 12 * i, 8)]
    after = [
        "Na de tabel volgt een gewone alinea over de resultaten van de projecten in de stad, die",
        "in de geraadpleegde bronnen niet in cijfers zijn beschreven. Wel meldt de gemeente dat de",
        "medewerkers de voorspelde routes in de praktijk gebruiken en er waar nodig van afwijken,",
        "zoals het kader voor algoritmen voorschrijft. Een evaluatie is voor volgend jaar gepland.",
    ]
    page += [(text, 72, 240 + 13 * i, 10) for i, text in enumerate(after)]  # a page of running text
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    text = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert " ".join(beside) + " de situatie ter plekke daar om vraagt" in text[0]
    assert text[1] == " ".join(quote)
    assert "Slim vegen in gebruik sinds 2020 in de hele stad" in " ".join(text[2:])
    assert "Afvalbakken met sensor sinds 2021 in het centrum" in " ".join(text[2:])


def test_a_table_stays_in_rows(tmp_path):
    """Cells side by side are a table, not two columns of prose: each row stays one line."""
    path = tmp_path / "tabel.pdf"
    rows = [("Gemeente", "Aantal sensoren"), ("Utrecht", "37"), ("Zwolle", "12"), ("Kampen", "7"), ("Deventer", "19")]
    page = [("Sensoren per gemeente", 72, 60, 14, True)]
    for i, (name, count) in enumerate(rows):
        page += [(name, 72, 100 + 13 * i, 10), (count, 320, 100 + 13 * i, 10)]
    path.write_bytes(make_pdf([page]))
    doc = load_file(path)
    text = " ".join(b.text for b in doc.blocks)
    assert "Utrecht 37" in text and "Kampen 7" in text


def _slide_with_diagram(boxed_prose: bool = False) -> bytes:
    """A slide: a diagram on the left (labels in boxes, set between the prose's lines) beside a column of
    prose on the right, as the Arnhem plan's pages are."""
    prose = [
        "Als gemeente hebben we een grote verantwoordelijkheid voor de privacy van",
        "persoonsgegevens. Het dataplatform bevat allerlei gevoelige gegevens die in",
        "informatieproducten worden gebruikt door de afnemers die daarvoor bestemd",
        "zijn. Data-analisten en data-ontwikkelaars werken met deze gegevens om",
        "analyses uit te voeren en modellen te ontwikkelen voor de hele organisatie.",
        "Dit vraagt om een veilige omgeving en om afspraken over het gebruik ervan.",
    ]
    page = [("Samenwerking met informatieveiligheid", 40, 30, 16, True)]
    page += [(text, 400, 100 + 14 * i, 12) for i, text in enumerate(prose)]
    labels = [("Privacy Officer", 120, 122.5), ("Security Officer", 120, 136.5), ("Data-team", 120, 150.5)]
    page += [(text, x, top, 9) for text, x, top in labels]
    boxes = [f"{x - 6} {540 - top - 12} 110 16 re S" for _, x, top in labels]
    if boxed_prose:
        boxes.append("392 300 470 150 re S")
    return make_pdf([page], width=960, height=540, drawings={0: "\n".join(boxes)})


def test_prose_beside_a_diagram_keeps_its_sentences(tmp_path):
    """A diagram's labels set between the lines of the prose beside it were read into its sentences
    ('... die in / Privacy Officer / informatieproducten worden ...'): the diagram is read apart."""
    path = tmp_path / "dia.pdf"
    path.write_bytes(_slide_with_diagram())
    doc = load_file(path)
    prose = block_with(doc, "Als gemeente hebben we").text
    assert "gevoelige gegevens die in informatieproducten worden gebruikt door de afnemers" in prose
    assert "Officer" not in prose and "Data-team" not in prose
    assert "Data-team" in " ".join(b.text for b in doc.blocks)


def test_text_in_boxes_on_both_sides_is_no_diagram_beside_prose(tmp_path):
    """With the prose itself in a box (a table's cells, a framed text) nothing tells diagram from prose:
    the page is read top to bottom as before."""
    path = tmp_path / "kader.pdf"
    path.write_bytes(_slide_with_diagram(boxed_prose=True))
    doc = load_file(path)
    assert "gevoelige gegevens die in informatieproducten" not in " ".join(b.text for b in doc.blocks)


def test_real_prose_beside_a_diagram():
    """The Arnhem plan's page 22: its sentences no longer carry the diagram's labels ('(BIO) Team en aan')."""
    doc = load_file(real_fixture("Informatiegestuurd-werken-Arnhem.pdf"))
    text = " ".join(b.text for b in doc.blocks if b.page == 22)
    assert "gevoelige gegevens die in informatieproducten worden gebruikt naar bestemde afnemers" in text
    assert "Overheid (BIO) en aan de Algemene Verordening" in text
    assert "De Information Security Officer (ISO)" in text


def test_words_printed_without_space_glyphs_stay_words(tmp_path):
    """Many PDF writers print no spaces: the next word just starts 0.2-0.3 em further on. Read with a
    fixed 3 pt tolerance, a 10 pt line became one word ('Hetdatateamwerkt...') and search found nothing in it."""
    path = tmp_path / "zonder-spaties.pdf"
    lines = [
        "Het datateam werkt vanuit de vragen van de afdelingen.",
        "Elk traject begint met een korte verkenning.",
        "Informatiegestuurd Arnhem werkt opgavegericht.",
    ]
    page = [("Werkwijze van het datateam", 72, 60, 16, True), *[(text, 72, 100 + 13 * i, 10) for i, text in enumerate(lines)]]
    path.write_bytes(make_pdf([page], word_gap_em=0.2))
    doc = load_file(path)
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["Werkwijze van het datateam"]
    text = " ".join(b.text for b in doc.blocks if b.kind != "heading")
    assert " ".join(lines) in text


def test_real_words_set_close_are_apart():
    """The Arnhem plan sets some word spaces at 2.4-3 pt in 12 pt text: 57 word pairs were read as one."""
    doc = load_file(real_fixture("Informatiegestuurd-werken-Arnhem.pdf"))
    text = " ".join(b.text for b in doc.blocks)
    assert "Informatiegestuurd werken is een middel" in text
    assert "data-team is zelforganisatie het uitgangpunt" in text
    assert not re.search(r"InformatiegestuurdArnhem|gestuurdwerken|data-teamen\b|backlogen", text)


def test_line_joiner_rules():
    joiner = LineJoiner({"corona-pandemie", "coronapandemie"})
    assert joiner.join("de gemeen-", "ten") == "de gemeenten"
    assert joiner.join("het informatie-", "uitwisseling") == "het informatie-uitwisseling"
    assert joiner.join("COVID-19-", "pandemie") == "COVID-19-pandemie"
    assert joiner.join("de 75-", "plussers") == "de 75-plussers"
    assert joiner.join("de Corona-", "pandemie") == "de Corona-pandemie"  # the document spells it so
    assert joiner.join("de gemeen\u00ad", "ten") == "de gemeenten"
    assert joiner.join("einde van de zin.", "Nieuwe") == "einde van de zin. Nieuwe"
    assert LineJoiner({"niet-overbelaste"}).join("niet-", "overbelaste") == "niet-overbelaste"
    # an address or a file name is never hyphenated by a typesetter: its hyphen is its own
    assert joiner.join("zie https://parell.nl/datagedreven-", "innovatie-bij-gemeenten/") == (
        "zie https://parell.nl/datagedreven-innovatie-bij-gemeenten/"
    )
    assert joiner.join("Zie context-utrecht-", "datagedreven-sturing.md") == "Zie context-utrecht-datagedreven-sturing.md"
    assert joiner.join('een "sandwich"-', "aanpak met") == 'een "sandwich"-aanpak met'
    assert joiner.join("uit de periode 2015\u2013", "2020.") == "uit de periode 2015\u20132020."  # a range
    assert joiner.join("de periode \u2013", "kort") == "de periode \u2013 kort"


def test_a_document_set_without_hyphenation_keeps_its_line_end_hyphens():
    """Word and browsers do not hyphenate: where a document's line ends show real hyphens and no word
    break, a hyphen without evidence stays ('business-intelligence-' + 'ontwikkelaar' was joined)."""
    unhyphenated = [
        "het data-",
        "team van de gemeente en de data-team leden",
        "werken met een business-intelligence-",
        "ontwikkelaar en de product-",
        "eigenaar, de product-eigenaar beslist",
    ]
    joiner = LineJoiner.for_lines(unhyphenated)
    assert joiner.keeps_hyphens
    assert joiner.join("een business-intelligence-", "ontwikkelaar") == "een business-intelligence-ontwikkelaar"
    hyphenated = ["de gemeen-", "ten en de gemeenten", "het data-", "team en het data-team", "zijn informa-", "tie"]
    joiner = LineJoiner.for_lines(hyphenated)
    assert not joiner.keeps_hyphens
    assert joiner.join("een business-intelligence-", "ontwikkelaar") == "een business-intelligenceontwikkelaar"


def test_ligatures_and_invisible_characters():
    assert clean_inline("\ufb01nanci\u00eble \ufb02exibiliteit, e\ufb00ect") == "financiële flexibiliteit, effect"
    assert clean_inline("ge\u00admeen\u200bten  en\n data") == "gemeenten en data"


# --- real Word-made PDFs ---------------------------------------------------------------------------


def test_real_page_numbers(vertrouwen, mantelzorg, burenhulp):
    assert (vertrouwen.pages, mantelzorg.pages, burenhulp.pages) == (7, 10, 4)
    # each sentence was checked on the printed page with pdfplumber's raw text
    assert block_with(vertrouwen, "Vertrouwen is de onzichtbare kracht die een gemeenschap bijeenhoudt").page == 1
    assert block_with(vertrouwen, "Tijdens de pandemie verloor vooral de leeftijdsgroep").page == 4
    assert block_with(vertrouwen, "Na de pandemie zijn vooral inwoners van 75 jaar en ouder").page == 5
    assert block_with(vertrouwen, "gloort er hoop voor de toekomst").page == 6
    assert block_with(mantelzorg, "De betrokkenheid bij de zorg voor een hulpbehoevende naaste kan").page == 4
    assert block_with(mantelzorg, "overbelaste mantelzorgers een hogere score van 7,3 behalen").page == 6
    assert block_with(burenhulp, "Slechts 8% van de buurtbewoners is bereid").page == 3


def test_real_sentence_across_page_turn(mantelzorg):
    # "(respijtzorg). Dit" ends page 3, "vergroot het risico op overbelasting" starts page 4
    block = block_with(mantelzorg, "vergroot het risico op overbelasting")
    assert block.page == 3
    assert "(respijtzorg). Dit vergroot het risico op overbelasting en vereenzaming" in block.text
    assert block_with(mantelzorg, "Ongeveer één op de tien volwassenen (9%)").page == 4


def test_real_titles_and_sections(vertrouwen, mantelzorg, burenhulp):
    assert vertrouwen.title == "Impact van de COVID-19-Pandemie op vertrouwen van inwoners in de gemeente"
    assert mantelzorg.title == "De impact van de Coronapandemie op eenzaamheid en sociale veerkracht"  # metadata
    assert burenhulp.title == "Verbondenheid door burenhulp"
    block = block_with(vertrouwen, "Responsiviteit heeft betrekking op hoe goed de gemeente luistert")
    assert block.section_path == (vertrouwen.title, "Betrouwbaarheid als kern van vertrouwen")
    heading = block_with(mantelzorg, "Gezondheid")
    assert heading.kind == "heading" and heading.level == 3  # 12 pt italic under 13 pt headings
    assert heading.section_path[-2:] == ("Naastenzorg onder druk", "Gezondheid")
    assert block_with(burenhulp, "Slechts 8%").section_path[-1] == "De drempel beslechten met persoonlijke ondersteuning"


def test_real_no_page_furniture_in_text(vertrouwen, mantelzorg, burenhulp):
    for doc in (vertrouwen, mantelzorg, burenhulp):
        for block in doc.blocks:
            assert not re.fullmatch(r"[\d\s]+", block.text), f"page number left as text on page {block.page}"
        assert not any(b.text == str(b.page) for b in doc.blocks)


def test_real_hyphens_at_line_ends_are_kept_when_real(mantelzorg):
    # all of these are hyphenated at a line end in the PDF; none is a word break
    text = " ".join(b.text for b in mantelzorg.blocks)
    assert "combineren met werk- en gezinsverplichtingen" in text
    assert "terwijl niet-overbelaste mantelzorgers een hogere score" in text
    assert "40% van de 75-plussers niet in staat" in text
    assert "Coronapandemie" in text and "Corona-pandemie" in text  # both as the author wrote them


def test_real_footnotes_marked(vertrouwen, mantelzorg):
    note = block_with(vertrouwen, "Vertrouwen in de lokale overheid (2019), Jannes Blokstra")
    assert note.kind == "footnote" and note.page == 1 and note.text.startswith("⁽²⁾ ")
    assert block_with(vertrouwen, "Voor gedetailleerde uiteenzetting").kind == "footnote"  # 10 pt note
    assert "Burgerpeilingen⁽¹⁾ om te ontdekken" in block_with(vertrouwen, "om te ontdekken hoe de relatie").text
    body = [b for b in vertrouwen.blocks if b.kind != "footnote"]
    assert not any("Jannes Blokstra" in b.text for b in body)
    two_lines = block_with(mantelzorg, "Typologie vitaliteit van inwoners")
    assert two_lines.kind == "footnote" and two_lines.text.endswith("vormen 11% van de volwassen bevolking.")
    assert sum(b.kind == "footnote" for b in mantelzorg.blocks) == 13


def test_real_list_items(vertrouwen):
    items = [b.text for b in vertrouwen.blocks if b.kind == "list_item"]
    assert len(items) == 5
    assert items[1] == (
        "2. Luisteren naar inwoners: Inwoners hechten veel waarde aan het gevoel dat hun stem wordt gehoord door de gemeente."
    )


def test_real_list_under_a_heading():
    """The Arnhem plan lists a data scientist's tasks as bullets right under a heading."""
    doc = load_file(real_fixture("Informatiegestuurd-werken-Arnhem.pdf"))
    heading = block_with(doc, "Wat zijn de taken van een data-wetenschapper")
    after = doc.blocks[doc.blocks.index(heading) + 1 :][:7]
    assert [b.kind for b in after] == ["list_item"] * 7
    assert after[0].text == "Werken vanuit een opdracht"
    assert after[-1].text == "Het beveiligen van gegevens en het borgen van privacy en ethische omgang"


def test_real_two_column_page():
    """Page 2 of the Arnhem plan has two columns; their lines were interleaved."""
    doc = load_file(real_fixture("Informatiegestuurd-werken-Arnhem.pdf"))
    headings = [b.text for b in doc.blocks if b.kind == "heading" and b.page == 2]
    assert "Aanleiding" in headings and "Afbakening en leeswijzer" in headings
    assert "op het continu verbeteren met behulp van gegevens" in block_with(doc, "way-of-working").text
    assert block_with(doc, "De opzet en implementatie van het data-team").text.startswith("De opzet")


@pytest.mark.parametrize(
    "placeholder", ["about:blank", "About:Blank", "Untitled-1", "file:///C:/temp/x.html", "http://example.org/"]
)
def test_placeholder_metadata_title_is_ignored(tmp_path, placeholder):
    """A PDF printed from a browser says "about:blank" in its metadata: the title comes from the page instead."""
    path = tmp_path / "kademuren.pdf"
    page = [("Kademuren in Zwolle", 72, 72, 20, True), ("Zevenendertig sensoren bewaken de kademuren.", 72, 120, 11)]
    path.write_bytes(make_pdf([page], info={"Title": placeholder}))
    assert load_file(path).title == "Kademuren in Zwolle"
