"""HTML loading: the article, not the website around it, and text, never markup."""

from __future__ import annotations

import pytest

from ingest.loaders import load_file

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Slim vegen | Gemeente Utrecht</title>
<meta name="author" content="Team Data"><meta name="dcterms.created" content="2021-03-15">
<style>p { color: red }</style><script>var tracker = "track()";</script></head>
<body>
<header><a href="/">Gemeente Utrecht</a><nav><ul><li>Home</li><li>Nieuws</li></ul></nav></header>
<div class="cookie" hidden>Wij gebruiken cookies</div>
<main>
  <article>
    <header><h1>Slim vegen in Utrecht</h1></header>
    <div role="navigation">Snelmenu</div>
    <p>Utrecht zet <strong>sensoren</strong> in op <a href="/afval">afvalbakken</a>.</p>
    <h2>Aanpak</h2>
    <ul><li>Sensoren plaatsen<ul><li>eerst in het centrum</li></ul></li><li><p>Routes aanpassen</p></li></ul>
    <div>Tekst zonder alinea-element.</div>
    <table><caption>Tabel 1: Meldingen</caption>
      <tr><th>Jaar</th><th>Meldingen</th></tr><tr><td>2019</td><td>1.200</td></tr><tr><td>2020</td><td>960</td></tr>
    </table>
    <h3>Lessen</h3>
    <blockquote><p>Begin klein.</p></blockquote>
    <figure><img src="kaart.png" alt="kaart"><figcaption>Figuur 1: Veegroutes</figcaption></figure>
    <p style="display:none">Verborgen tekst</p>
    <form><label>Zoek</label><input name="q"></form>
    <footer>Gepubliceerd door de afdeling Stadsbeheer</footer>
  </article>
  <aside>Lees ook: ander nieuws</aside>
</main>
<footer>© Gemeente Utrecht</footer>
</body></html>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "slim-vegen.html"
    path.write_text(PAGE, encoding="utf-8")
    return load_file(path)


def texts(doc):
    return [b.text for b in doc.blocks]


def test_title_and_metadata(page):
    assert page.title == "Slim vegen | Gemeente Utrecht"
    assert page.metadata["author"] == "Team Data"
    assert page.metadata["created"] == "2021-03-15"
    assert page.metadata["language"] == "nl"
    assert page.pages == 0 and all(b.page is None for b in page.blocks)


def test_only_main_content(page):
    joined = "\n".join(texts(page))
    for chrome in (
        "Home",
        "Nieuws",
        "cookies",
        "ander nieuws",
        "© Gemeente Utrecht",
        "Stadsbeheer",
        "Zoek",
        "Verborgen tekst",
        "track()",
        "color: red",
        "Snelmenu",
    ):
        assert chrome not in joined, chrome
    assert texts(page)[0] == "Slim vegen in Utrecht"  # the article's own header is kept


def test_headings_give_section_paths(page):
    assert [(b.text, b.level) for b in page.blocks if b.kind == "heading"] == [
        ("Slim vegen in Utrecht", 1),
        ("Aanpak", 2),
        ("Lessen", 3),
    ]
    by_text = {b.text: b for b in page.blocks}
    assert by_text["Utrecht zet sensoren in op afvalbakken."].section_path == ("Slim vegen in Utrecht",)
    assert by_text["Begin klein."].section_path == ("Slim vegen in Utrecht", "Aanpak", "Lessen")


def test_blocks_by_kind(page):
    kinds = [(b.kind, b.text) for b in page.blocks]
    assert ("list_item", "Sensoren plaatsen") in kinds
    assert ("list_item", "eerst in het centrum") in kinds
    assert ("list_item", "Routes aanpassen") in kinds
    assert ("paragraph", "Tekst zonder alinea-element.") in kinds
    assert ("paragraph", "Begin klein.") in kinds
    assert ("caption", "Figuur 1: Veegroutes") in kinds


def test_table_is_one_block_after_its_caption(page):
    index = next(i for i, b in enumerate(page.blocks) if b.kind == "table")
    assert page.blocks[index - 1].kind == "caption"
    assert page.blocks[index - 1].text == "Tabel 1: Meldingen"
    assert page.blocks[index].text == "| Jaar | Meldingen |\n| 2019 | 1.200 |\n| 2020 | 960 |"


def test_page_without_main_drops_page_chrome(tmp_path):
    path = tmp_path / "simple.htm"
    path.write_text(
        "<html><body><header>Menu</header><h1>Rapport</h1><p>Inhoud.</p><footer>Voet</footer></body></html>", encoding="utf-8"
    )
    doc = load_file(path)
    assert texts(doc) == ["Rapport", "Inhoud."]
    assert doc.title == "Rapport"  # no <title>: the first heading


def test_declared_charset_is_used(tmp_path):
    path = tmp_path / "latin.html"
    path.write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>Caf\u00e9 \u2018De Gemeente\u2019 \u20ac 5</p></body></html>".encode("cp1252")
    )
    doc = load_file(path)
    assert texts(doc) == ["Caf\u00e9 \u2018De Gemeente\u2019 \u20ac 5"]  # latin-1 read as windows-1252
    assert doc.warnings == []


def test_wrong_declared_charset_falls_back_with_warning(tmp_path):
    path = tmp_path / "wrong.html"
    path.write_bytes('<meta charset="utf-8"><p>Co\u00f6peratie</p>'.encode("latin-1"))
    doc = load_file(path)
    assert texts(doc) == ["Co\u00f6peratie"]
    assert "does not match its declared charset 'utf-8'" in doc.warnings[0]
