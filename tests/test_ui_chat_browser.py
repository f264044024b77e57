"""The chat as a practitioner uses it, in headless Chromium at desktop and phone size (issue 12).

Each defect the issue lists has its test here: an empty question, filters that stay active unseen,
filter values that are metadata prose, copy and aria-labels with raw HTML, contrast below 4.5:1,
the phone layout, Gradio's own English texts, no stop button, an example that abstains, an answer
without passages that points "below", and a PDF titled "about:blank". The last test walks the
whole path (ask, follow-up, reload, reopen, the cited PDF page, copy) and refreshes the screenshots
(DATALESSEN_SCREENSHOT_DIR=docs/screenshots). The browser's language is English on purpose: the
app must be Dutch whatever the browser says.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.llm_fakes import ScriptedOpenAI, pieces
from tests.loader_files import make_pdf, real_fixture
from tests.ui_support import CHROMIUM, CHROMIUM_ARGS, browser_or_skip, remove_uploads, running_app, screenshot_folder

playwright = browser_or_skip()

pytestmark = pytest.mark.slow
TIMEOUT = 90_000
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
SLIM_VEGEN = "Wat is het doel van slim vegen in Utrecht?"

# WCAG contrast of every element matching `selector` that holds text, against the background it is drawn
# on (composited up the tree, as the eye sees it); returns how many were checked and those below `least`
CONTRAST_JS = """
([selector, least]) => {
  function rgba(text) {
    const p = text.match(/[\\d.]+/g).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function over(top, base) {
    return {r: top.r * top.a + base.r * (1 - top.a), g: top.g * top.a + base.g * (1 - top.a),
            b: top.b * top.a + base.b * (1 - top.a), a: 1};
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let base = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  }
  function luminance(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  const bad = [];
  let checked = 0;
  for (const el of document.querySelectorAll(selector)) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    checked += 1;
    if (ratio < least) bad.push(el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return {checked, bad};
}
"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def app_url(corpus_assistant):
    with running_app(corpus_assistant) as url:
        yield url
    remove_uploads(corpus_assistant)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_app(browser, url: str, viewport=DESKTOP, dark: bool = False, context=None):
    """A fresh page (its own browser storage unless `context` is given) on the app, loaded."""
    context = context or browser.new_context(viewport=viewport, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url + ("?__theme=dark" if dark else ""))
    page.wait_for_selector("#vraag textarea")
    page.wait_for_timeout(500)  # the page script (ui.style.HEAD) is in
    return page


# every element of a source card whose text runs past the card's edge (a long web address unbroken)
OVERFLOW_JS = """
() => {
  const out = [];
  for (const card of document.querySelectorAll('#bronnen-paneel .bron-kaart')) {
    const edge = card.getBoundingClientRect().right;
    for (const el of [card, ...card.querySelectorAll('*')]) {
      if (el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > edge + 1) {
        out.push(card.id + ' ' + el.className + ': ' + (el.textContent || '').slice(0, 60));
      }
    }
  }
  return out;
}
"""


def answers(page) -> int:
    return page.locator("#bronnen-paneel section.bron-beurt").count()


def ask(page, question: str | None = None, click=None) -> None:
    """Ask by typing (or by clicking `click`) and wait until the answer and its sources are in."""
    before = answers(page)
    if click is None:
        page.locator("#vraag textarea").fill(question)
        page.locator("#verstuur").click()
    else:
        click.click()
    page.wait_for_function(f"document.querySelectorAll('#bronnen-paneel section.bron-beurt').length > {before}")
    page.wait_for_timeout(300)


def last_answer(page):
    return page.locator("#chat .message-row, #chat .message-wrap > div").last


def open_filters(page) -> None:
    page.locator("#filters").get_by_text("Filters").first.click()


def pick(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    page.wait_for_timeout(300)


# -- the defects ---------------------------------------------------------------------------------


def test_empty_question_gives_a_hint_not_an_error(browser, app_url):
    page = open_app(browser, app_url)
    page.locator("#verstuur").click()
    page.locator("#vraag-hint").get_by_text("Typ eerst een vraag").wait_for(state="visible")
    assert page.locator(".error").count() == 0  # no red "Fout" overlay, no English "Error" toast
    box = page.locator("#vraag textarea")
    box.fill("Welke succesfactoren noemt het rapport?")
    assert box.input_value() == "Welke succesfactoren noemt het rapport?"
    page.context.close()


def test_active_filters_are_shown_and_reset_in_one_click(browser, app_url):
    page = open_app(browser, app_url)
    open_filters(page)
    options = page.get_by_label("Gemeente", exact=True)
    options.click()
    offered = [o.inner_text() for o in page.get_by_role("option").all()]
    assert "Utrecht" in offered and not any(o.startswith(("niet bevestigd", "niet ")) for o in offered), offered
    page.get_by_role("option", name="Utrecht", exact=True).click()
    pick(page, "Soort", "case")
    open_filters(page)  # closed again: the filters must still be visible
    line = page.locator("#actieve-filters")
    line.get_by_text("Gemeente: Utrecht").wait_for(state="visible")
    assert "Soort: case" in line.inner_text()
    page.locator("#filters-wissen").click()
    line.wait_for(state="hidden")
    assert page.get_by_label("Gemeente", exact=True).input_value() == "Alle"
    # "Nieuw gesprek" clears them as well
    open_filters(page)
    pick(page, "Gemeente", "Zaanstad")
    line.get_by_text("Gemeente: Zaanstad").wait_for(state="visible")
    page.locator("#nieuw-gesprek").click()
    line.wait_for(state="hidden")
    assert page.get_by_label("Gemeente", exact=True).input_value() == "Alle"
    page.context.close()


def test_no_passage_within_filters_says_so_and_not_below(browser, app_url):
    page = open_app(browser, app_url)
    open_filters(page)
    pick(page, "Gemeente", "Zaanstad")
    pick(page, "Document", "case-01-slim-vegen-utrecht.md")
    ask(page, SLIM_VEGEN)
    bubble = page.locator("#chat").get_by_text("gekozen filters", exact=False).last
    bubble.wait_for(state="visible")
    chat_text = page.locator("#chat").inner_text()
    assert "hieronder" not in chat_text and "Er zijn geen passages" in page.locator("#bronnen-paneel").inner_text()
    page.context.close()


def test_copy_gives_clean_text_and_labels_hold_no_html(browser, app_url):
    page = open_app(browser, app_url)
    ask(page, SLIM_VEGEN)
    page.locator("#chat").get_by_role("button", name=re.compile("kopi|copy", re.I)).last.click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "voorspellen welke rijroutes" in copied and re.search(r"\[\d\]", copied)
    assert "\nBronnen:\n[1] Case: Slim vegen – gemeente Utrecht" in copied
    assert not re.search(r"<[a-z/!]|&quot;|&amp;|&#|\\\[", copied), copied
    labels = page.evaluate("[...document.querySelectorAll('#chat [aria-label]')].map(e => e.getAttribute('aria-label'))")
    messages = [label for label in labels if label.startswith(("Vraag:", "Antwoord:")) or "message" in label]
    assert any(label.startswith("Antwoord: ") and "voorspellen welke rijroutes" in label for label in messages), messages
    assert not any(re.search(r"<[a-z/!]|&quot;|&amp;", label) for label in messages), messages
    page.context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["licht", "donker"])
def test_contrast_at_least_4_5_to_1(browser, app_url, dark):
    page = open_app(browser, app_url, dark=dark)
    ask(page, SLIM_VEGEN)
    ask(page, "Hoeveel kost een kop koffie op Mars?")  # an abstention: its label and its banner
    page.locator("#bronnen-paneel .onthouding").first.wait_for(state="visible")
    # every text of the sources panel (titles, sections, file names, banners), and the chat's own markup
    for selector in ("#bronnen-paneel *", "#chat .onthouding-label", "#chat .bron-link"):
        result = page.evaluate(CONTRAST_JS, [selector, 4.5])
        assert result["checked"] > 0 and result["bad"] == [], (selector, result)
    page.context.close()


def test_phone_layout(browser, app_url):
    page = open_app(browser, app_url, viewport=PHONE)
    for name in ("Chat", "Lessen", "Bronnen", "Evaluatie"):  # every tab in sight, none behind a "⋯" menu
        tab = page.get_by_role("tab", name=name)
        assert tab.is_visible() and tab.bounding_box()["x"] + tab.bounding_box()["width"] <= PHONE["width"]
    ask(page, SLIM_VEGEN)
    assert page.evaluate(OVERFLOW_JS) == []  # its sources hold web addresses: each breaks within its card
    link = page.locator("#chat a.bron-link").last
    link.scroll_into_view_if_needed()
    link.click()
    card = page.locator(link.get_attribute("href"))
    page.wait_for_timeout(500)
    box = card.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] / 2, box  # the source is on screen, over the answer ...
    centre = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.bron-kaart')?.id", [box["x"] + 20, box["y"] + 40]
    )
    assert centre == link.get_attribute("href")[1:]
    page.get_by_role("button", name="Terug naar het antwoord").click()  # ... and there is a way back
    page.wait_for_timeout(300)
    back = link.bounding_box()
    assert 0 <= back["y"] < PHONE["height"], back
    page.get_by_role("tab", name="Lessen").click()
    page.get_by_label("Of eigen thema's (scheid met ;)").fill("Opschaling")
    page.locator("#toon-lessen").click()
    tables = page.locator(".lessen-tabel")
    tables.first.wait_for(state="visible")
    for table in tables.all():  # one table per theme: none runs off the screen
        box = table.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_gradio_texts_are_dutch_in_an_english_browser(browser, app_url):
    page = open_app(browser, app_url)
    ask(page, SLIM_VEGEN)
    names = page.evaluate("[...document.querySelectorAll('#chat button[aria-label]')].map(b => b.getAttribute('aria-label'))")
    assert "Bericht kopiëren" in names and not any("Copy" in n for n in names), names
    page.get_by_role("tab", name="Bronnen").click()
    page.wait_for_timeout(500)
    body = page.locator("body").inner_text()
    for english in ("Drop File Here", "Click to Upload", "Use via API", "Copy message", "Built with Gradio"):
        assert english not in body
    assert "Gebruik via API" in body and "Sleep een bestand hier" in body
    page.context.close()


def test_examples_are_answered(browser, app_url, corpus_settings):
    from assistant.profile import load_profile

    examples = load_profile(corpus_settings).examples
    assert examples, "the shipped corpus profile names example questions"
    page = open_app(browser, app_url)
    for example in examples:
        ask(page, click=page.get_by_role("button", name=example, exact=True))
        newest = page.locator("#bronnen-paneel section.bron-beurt").first
        assert newest.locator(".onthouding").count() == 0, example  # answered, not "niet gevonden"
    page.context.close()


def test_uploaded_pdf_is_not_titled_about_blank(browser, app_url, corpus_assistant, tmp_path):
    pdf = tmp_path / "kademuren-zwolle.pdf"
    page_text = [
        ("Kademuren in Zwolle", 72, 72, 20, True),
        ("Zevenendertig sensoren bewaken de kademuren van Zwolle.", 72, 120, 11),
    ]
    pdf.write_bytes(make_pdf([page_text], info={"Title": "about:blank"}))  # as a browser's "print to PDF" writes it
    page = open_app(browser, app_url)
    page.get_by_role("tab", name="Bronnen").click()
    page.locator("input[type=file]").set_input_files(str(pdf))
    page.get_by_text(pdf.name).first.wait_for(state="visible")
    page.locator("#inlezen").click()
    page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('toegevoegd 1'))")
    documents = page.locator("#documenten").inner_text()
    assert "Kademuren in Zwolle" in documents and "about:blank" not in documents
    page.context.close()
    remove_uploads(corpus_assistant)


def test_a_question_is_one_trip_through_the_queue(browser, app_url):
    """The browser asks once per question: no second queued event after every answer (the server's work per
    answer doubles with each, and a waiting browser waits behind them)."""
    page = open_app(browser, app_url)
    joins = []
    page.on("request", lambda r: joins.append(r.url) if r.method == "POST" and "/queue/join" in r.url else None)
    ask(page, SLIM_VEGEN)
    page.wait_for_timeout(1000)  # a chained event would follow the answer at once
    assert len(joins) == 1, joins
    assert not page.get_by_role("button", name="Stop", exact=True).is_visible()
    page.context.close()


# -- stop: a language model that streams slowly ---------------------------------------------------


class SlowOpenAI(ScriptedOpenAI):
    """A scripted OpenAI-compatible server that streams its reply a few characters per `PAUSE` seconds;
    `BROKEN_AFTER` pieces, when set, are followed by a chunk no client can read (the answer fails half-way)."""

    PAUSE, BROKEN_AFTER = 0.3, None

    def respond(self, handler, body, reply):
        if not body.get("stream"):
            return super().respond(handler, body, reply)
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        for piece in pieces(reply, 4)[: self.BROKEN_AFTER]:
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "traag", "choices": []}
            chunk["choices"] = [{"index": 0, "delta": {"content": piece}, "finish_reason": None, "logprobs": None}]
            try:
                handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                handler.wfile.flush()
            except OSError:  # the app stopped listening: the user pressed stop
                return
            time.sleep(self.PAUSE)
        handler.wfile.write(b"data: {kapot\n\n" if self.BROKEN_AFTER else b"data: [DONE]\n\n")
        handler.wfile.flush()


class BrokenOpenAI(SlowOpenAI):
    PAUSE, BROKEN_AFTER = 0.5, 4


@contextmanager
def streaming_app(server_class, browser, tmp_path, fake_settings, fake_embeddings):
    """The app with an LLM backend that streams (`server_class`) over one small document; yields a page that
    has just asked about it."""
    from assistant.api import Assistant
    from ingest.pipeline import ingest_into

    doc = tmp_path / "kampen.md"
    doc.write_text(
        "# Kampen\n\n## Meten\n\nDe gemeente Kampen meet het waterpeil met zeven boeien langs de kade.\n", encoding="utf-8"
    )
    reply = "De gemeente Kampen meet het waterpeil met zeven boeien langs de kade [1]. " * 6
    with server_class(default=reply) as server:
        settings = fake_settings.replace(answer_backend="openai", llm_base_url=f"{server.url}/v1", llm_model="traag")
        bot = Assistant(settings, embeddings=fake_embeddings)
        assert ingest_into(bot, [doc]).ok
        with running_app(bot) as url:
            page = open_app(browser, url)
            page.locator("#vraag textarea").fill("Hoe meet Kampen het waterpeil?")
            page.locator("#verstuur").click()
            yield page
            page.context.close()


def test_stop_button_while_an_answer_streams(browser, tmp_path, fake_settings, fake_embeddings):
    with streaming_app(SlowOpenAI, browser, tmp_path, fake_settings, fake_embeddings) as page:
        page.locator("#chat").get_by_text("Voorlopig antwoord", exact=False).wait_for(state="visible")
        stop = page.get_by_role("button", name="Stop", exact=True)
        assert stop.is_visible()
        stop.click()
        page.locator("#vraag-hint").get_by_text("Gestopt").wait_for(state="visible")
        page.wait_for_timeout(1500)
        assert page.locator("#chat").get_by_text("Voorlopig antwoord", exact=False).count() == 0
        assert not stop.is_visible() and page.locator("#verstuur").is_visible()


def test_an_answer_that_fails_half_way_hides_the_stop_button(browser, tmp_path, fake_settings, fake_embeddings):
    with streaming_app(BrokenOpenAI, browser, tmp_path, fake_settings, fake_embeddings) as page:
        stop = page.get_by_role("button", name="Stop", exact=True)
        stop.wait_for(state="visible")
        stop.wait_for(state="hidden")
        assert page.locator("#verstuur").is_visible()


# -- the whole path --------------------------------------------------------------------------------

MANTELZORG_QUESTION = "Hoeveel volwassen Nederlanders bieden ondersteuning aan een naaste met gezondheidsproblemen?"


@pytest.mark.parametrize("size", ["desktop", "telefoon"])
def test_practitioners_path(browser, app_url, corpus_assistant, shots, size):
    """Upload a PDF, ask, follow up, reload, reopen an earlier conversation, open the cited PDF page, copy."""
    pdf = real_fixture("Mantelzorg.pdf")
    viewport = DESKTOP if size == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, locale="en-US")
    try:
        page = open_app(browser, app_url, context=context)
        suffix = "" if size == "desktop" else "-telefoon"
        if size == "telefoon":
            page.get_by_role("button", name="Gesprekken tonen of verbergen").wait_for(state="visible")
        page.get_by_role("tab", name="Bronnen").click()  # the practitioner adds a report of their own
        page.locator("input[type=file]").set_input_files(str(pdf))
        page.get_by_text(pdf.name).first.wait_for(state="visible")
        page.locator("#inlezen").click()
        page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('toegevoegd 1'))")
        page.get_by_role("tab", name="Chat").click()
        # an earlier conversation, to come back to later
        ask(page, SLIM_VEGEN)
        page.locator("#nieuw-gesprek").click()
        page.wait_for_function("document.querySelectorAll('#bronnen-paneel section.bron-beurt').length == 0")

        open_filters(page)
        pick(page, "Document", "Mantelzorg.pdf")
        ask(page, MANTELZORG_QUESTION)
        assert page.locator("#bronnen-paneel .bron-bekijk", has_text="in de PDF").count() >= 1
        suggestion = page.locator("#chat button.option").first
        assert suggestion.is_visible()
        if size == "desktop":
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / "gesprek.png"))
        ask(page, click=suggestion)  # the follow-up: a suggestion drawn from the document's sections
        assert answers(page) == 2

        page.reload()  # the conversation is still there
        page.wait_for_selector("#vraag textarea")
        page.wait_for_function("document.querySelectorAll('#bronnen-paneel section.bron-beurt').length == 2")

        # reopen the earlier one from the sidebar, then come back to this one
        if size == "telefoon":
            page.get_by_role("button", name="Gesprekken tonen of verbergen").click()
        listing = page.locator("#gesprekslijst")
        listing.get_by_text(SLIM_VEGEN).first.wait_for(state="visible")
        if size == "desktop":
            page.screenshot(path=str(shots / "gesprekken.png"))
        listing.get_by_text(SLIM_VEGEN).first.click()
        page.wait_for_function("document.querySelectorAll('#bronnen-paneel section.bron-beurt').length == 1")
        assert "voorspellen welke rijroutes" in page.locator("#bronnen-paneel").inner_text()
        if size == "telefoon":  # the sidebar got out of the way once a conversation was picked
            page.wait_for_selector("#gesprekken:not(.open)", state="attached")
            page.get_by_role("button", name="Gesprekken tonen of verbergen").click()
            page.wait_for_selector("#gesprekken.open", state="attached")
        page.get_by_label("Zoeken in gesprekken").fill("ondersteuning aan een naaste")  # found by a word of it
        page.wait_for_function(  # only conversations about it are left (this one is the newest)
            "[...document.querySelectorAll('#gesprekslijst label')].every(l => l.textContent.includes('ondersteuning'))"
        )
        listing.get_by_text(MANTELZORG_QUESTION[:40]).first.click()
        page.wait_for_function("document.querySelectorAll('#bronnen-paneel section.bron-beurt').length == 2")
        if size == "telefoon":
            page.wait_for_timeout(500)  # the sidebar closes itself on a phone

        # the cited page of the PDF, the quote highlighted
        button = page.locator("#bronnen-paneel .bron-bekijk", has_text="in de PDF").last
        button.scroll_into_view_if_needed()
        button.click()
        image = page.locator("#pagina img")
        image.wait_for(state="visible")
        assert "Pagina" in image.get_attribute("alt") and "gemarkeerd" in page.locator("#pagina figcaption").inner_text()
        assert page.evaluate("document.querySelector('#pagina img').naturalWidth") > 800
        page.screenshot(path=str(shots / f"pagina{suffix}.png"))
        page.get_by_role("button", name="Terug naar de bronnen").click()
        image.wait_for(state="hidden")

        # copy the answer: clean text with its numbers and sources
        page.locator("#chat").get_by_role("button", name="Bericht kopiëren").last.click()
        page.wait_for_timeout(300)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert re.search(r"\[\d\]", copied) and "Bronnen:" in copied and "<" not in copied
        if size == "telefoon":
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / "chat-telefoon.png"))
    finally:
        context.close()
        remove_uploads(corpus_assistant)
