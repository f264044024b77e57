"""The facilitator's and the evaluator's paths through the app, in headless Chromium (issue 15).

Facilitator: a real municipal PDF is in the store beside the corpus (kind `document`); two themes
into one handout; its own statements come first; the DOCX is downloaded and opened with
python-docx (column widths, repeated header rows, page numbers, sources with file and page).
Evaluator: `datalessen eval --report DIR` writes a report from eight questions of a development
set; the app opens that folder; a copy labelled as the current unseen set (unseen-set reports may
not exist yet, and their questions are not to be read here) comes first, and a failing question
opens to its answer and gold key facts.

Screenshots go to a temporary folder, or to DATALESSEN_SCREENSHOT_DIR (docs/screenshots).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from evals.gold import GOLD_DIR
from evals.sets import SETS, UNSEEN
from tests.conftest import FIXTURES
from tests.ui_support import CHROMIUM, CHROMIUM_ARGS, browser_or_skip, running_app, screenshot_folder
from ui.eval_report import FAILING, outcome_matches

# the unseen sets of the moment (evals/sets.py): a fresh pair replaces them without touching these tests
NEW = next(s for s in SETS if s.role == UNSEEN and s.corpus == "shipped")
NEW_REAL = next(s for s in SETS if s.role == UNSEEN and s.corpus == "real")

playwright = browser_or_skip()

pytestmark = pytest.mark.slow
TIMEOUT = 120_000
PLAN = "Informatiegestuurd-werken-Arnhem.pdf"  # the Arnhem data-team plan, 26 pages


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshot_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def report_folder(corpus_assistant, tmp_path_factory) -> Path:
    """`datalessen eval --report DIR` over the heldout questions, and a copy of that report labelled as the
    current unseen set. All of them, so some fail whatever this store answers: with eight chosen as failing in
    the shipped report, one full run never showed a question in the list of failing ones (most likely none
    failed here: the shipped report is another store's answers)."""
    from ui.cli import Context, cli

    root = tmp_path_factory.mktemp("rapporten")
    questions = root / "mijn-vragen.jsonl"
    shutil.copyfile(GOLD_DIR / "heldout.jsonl", questions)
    context = Context()
    context._assistant = corpus_assistant
    args = ["eval", "--questions", str(questions), "--report", str(root / "eigen"), "--variants", "hybrid", "--no-gate"]
    result = CliRunner().invoke(cli, args, obj=context)
    assert result.exit_code == 0, result.output
    shutil.copytree(root / "eigen", root / NEW.name)
    data = json.loads((root / NEW.name / "report.json").read_text(encoding="utf-8"))
    (root / NEW.name / "report.json").write_text(json.dumps({**data, "gold_set": NEW.name}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plan_in_store(corpus_assistant, tmp_path_factory):
    """The real PDF ingested as a report-level document, taken out again afterwards."""
    from ingest.pipeline import Ingestor, ingest_into

    source = FIXTURES / PLAN
    if not source.is_file():
        pytest.skip(f"the real fixture {source} is not here (../shared/fixtures/real)")
    path = tmp_path_factory.mktemp("plan") / PLAN
    shutil.copy(source, path)
    assert ingest_into(corpus_assistant, [path]).ok
    yield path
    ingestor = Ingestor(corpus_assistant.settings, store=corpus_assistant.store, embeddings=corpus_assistant.embeddings)
    ingestor.remove(str(path.resolve()))
    corpus_assistant.refresh()


@pytest.fixture(scope="module")
def page(corpus_assistant, report_folder, plan_in_store):
    with running_app(corpus_assistant) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        page.wait_for_selector("#vraag textarea")
        yield page
        browser.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_facilitator_two_themes_into_one_handout(page, shots, tmp_path):
    _tab(page, "Lessen")
    themes = page.locator("#themas")
    themes.locator("input").click()
    page.get_by_role("option", name="Privacy en ethiek").click()
    page.keyboard.press("Escape")
    chosen = themes.locator('[data-testid="dropdown-option"][aria-selected="true"]')
    assert chosen.count() == 2  # the preset already chosen stays
    page.locator("#toon-lessen").click()
    page.locator(".lessen-thema").nth(1).wait_for(state="visible")
    sections = page.locator(".lessen-thema")
    assert sections.count() == 2
    privacy = page.locator('.lessen-thema[data-thema="Privacy en ethiek"]')
    # the plan speaks first, before the overview and before any case, with its pages
    assert privacy.locator("tr.rapport-rij").first.get_attribute("data-document") == PLAN
    first_row = privacy.locator("tr.rapport-rij").first
    assert "privacy" in first_row.locator("li").first.inner_text().casefold()
    assert PLAN in first_row.inner_text() and "p. " in first_row.inner_text()
    assert privacy.locator("tr.les-rij").count() == 13
    counted = privacy.locator(".lessen-kop").inner_text()
    assert "van de 13 cases" in counted and "iets over dit thema" in counted and "alleen dat het onbekend is" in counted
    page.locator("#toon-lessen").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "lessen.png"))

    link = page.locator('#hand-out a[download$=".docx"]')
    link.wait_for(state="visible")
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(str(path))
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Thema's: Vaardige projectleider, Privacy en ethiek" in text and "Vragen voor de groep" in text
    assert len(doc.tables) == 4  # per theme: the report-level documents, then the cases
    for table in doc.tables:
        widths = [col.width for col in table.columns]
        assert widths[-1] == max(widths) and widths[-1] > sum(widths[:-1])  # the quotes column widest
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header row on every page
    assert doc.tables[2].rows[1].cells[0].text == "Informatiegestuurde organisatie"  # privacy: the plan first
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    sources = text.split("\nBronnen\n")[1].split("\n")
    plan = [line for line in sources if PLAN in line]
    assert plan and all(" · p. " in line for line in plan)  # file and page
    assert any("case-01-slim-vegen-utrecht.md" in line for line in sources)


def test_evaluator_opens_a_report_folder_and_a_failing_question(page, shots, report_folder):
    _tab(page, "Evaluatie")
    overview = page.locator("#evaluatie-overzicht")
    # the shipped reports: the unseen sets' figures come first
    overview.get_by_text("Ongeziene vragen", exact=False).wait_for(state="visible")
    assert overview.locator("tr.set-rij").first.get_attribute("data-set") in (NEW.name, NEW_REAL.name)
    page.locator("#vraagset input").click()
    page.get_by_role("option", name="test2 — ontwikkeling: fouten bestudeerd", exact=True).click()
    page.locator("#evaluatie-vragen").get_by_text("test2", exact=False).first.wait_for(state="visible")
    page.locator("#evaluatie-vragen .eval-vraag summary").first.click()
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "evaluatie.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1400, "height": 1500})

    # a folder written by `datalessen eval --report DIR`, opened by typing its path
    box = page.locator("#rapportmap input")
    box.fill(str(report_folder))
    box.press("Enter")
    page.locator("#open-rapport").click()
    overview.locator('tr.set-rij[data-set="eigen"]').wait_for(state="visible")
    assert overview.locator("tr.set-rij").first.get_attribute("data-set") == NEW.name
    assert overview.locator("tr.set-rij").nth(1).get_attribute("data-set") == "eigen"
    assert page.locator("#vraagset input").input_value().startswith(NEW.name)
    failing = page.locator("#evaluatie-vragen .eval-vraag")
    data = json.loads((report_folder / NEW.name / "report.json").read_text(encoding="utf-8"))
    # the list of the set shown before may still be on the page for a moment (seen once in CI): wait for this set's
    ids = sorted({r["id"] for r in data["records"]})
    page.wait_for_function(
        "ids => { const q = document.querySelector('#evaluatie-vragen .eval-vraag'); return q && ids.includes(q.dataset.id); }",
        arg=ids,
    )
    qid = failing.first.get_attribute("data-id")
    failing.first.locator("summary").click()
    record = next(r for r in data["records"] if r["id"] == qid and r["variant"] == "hybrid")
    assert outcome_matches(record, FAILING)
    # a late redraw of the list closes the question again (seen once in a full run, its answer read as ''): as a
    # user would, open it again until it stays open with its answer
    page.wait_for_function(
        """id => {
            const q = document.querySelector(`#evaluatie-vragen .eval-vraag[data-id="${id}"]`);
            if (q && !q.open) q.querySelector('summary').click();
            return q && q.open && q.querySelector('.eval-antwoord').innerText.trim().length > 0;
        }""",
        arg=qid,
        polling=500,
    )
    answer = page.locator(f'#evaluatie-vragen .eval-vraag[data-id="{qid}"] .eval-antwoord')
    assert " ".join(answer.inner_text().split()) == " ".join(record["answer"].split())
    shown = page.locator(f'#evaluatie-vragen .eval-vraag[data-id="{qid}"] .kernfeiten li').all_inner_texts()
    assert len(shown) == len(record["key_facts"]) and record["key_facts"]
    for text, fact, found in zip(shown, record["key_facts"], record["metrics"]["key_facts_found"]):
        assert text.startswith(fact[0]) and text.endswith("in het antwoord" if found else "ontbreekt")
