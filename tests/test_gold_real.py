"""The second gold set, `real.jsonl`, over the five real documents in ../shared/fixtures/real.

Its quotes are checked against the text as the project's loaders read the PDFs and the
DOCX, which is the text the store will hold. The documents live outside the repository,
so these tests skip (saying where to put them) when the folder is absent.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from evals.gold import DEFAULT_CORPUS, GOLD_DIR, GoldError, checker, corpus_blocks, load_questions
from tests.loader_files import real_fixtures_dir

REAL_SET = GOLD_DIR / "real.jsonl"
DOCUMENTS = {
    "Informatiegestuurd-werken-Arnhem.pdf",
    "Vertrouwen_in_de_gemeente.pdf",
    "Mantelzorg.pdf",
    "Verbondenheid_door_burenhulp.pdf",
    "WSJG-Burgerpeiling-protocol-2020.docx",
}


def _themes_item(document: str, quote: str) -> dict:
    """One list question over the protocol's themes, quoting `quote` from `document`."""
    return {
        "id": "x001",
        "question": "Welke themavelden?",
        "language": "nl",
        "persona": "evaluator",
        "type": "list",
        "answerable": True,
        "evidence": [{"document": document, "quote": quote}],
        "key_facts": ["Leefklimaat"],
        "notes": "test",
    }


@pytest.fixture(scope="module")
def real_dir():
    folder = real_fixtures_dir()
    if folder is None or not all((folder / name).is_file() for name in DOCUMENTS):
        pytest.skip("the five real documents are absent: set DATALESSEN_FIXTURES or put shared/fixtures/real beside the repo")
    return folder


@pytest.fixture(scope="module")
def real_docs(real_dir):
    return corpus_blocks(real_dir)


def test_real_set_is_valid_against_the_loaded_documents(real_dir):
    questions = load_questions(REAL_SET, corpus_dir=real_dir, min_questions=40, enforce_shares=True)
    assert len(questions) == 48
    cited = Counter(ev.document for q in questions for ev in q.evidence)
    assert set(cited) == DOCUMENTS
    assert min(cited.values()) >= 3, cited
    assert sum(q.type == "followup" for q in questions) >= 8
    assert sum(not q.answerable for q in questions) >= 9


def test_a_quote_the_loaders_do_not_produce_is_reported(real_docs):
    """The check is not vacuous: one altered word in one PDF quote makes the set invalid."""
    items, problems = checker.read_items(REAL_SET)
    assert problems == []
    target = next(i for i in items if i["evidence"] and i["evidence"][0]["document"].endswith(".pdf"))
    target["evidence"][0]["quote"] = target["evidence"][0]["quote"].replace(" ", " nietbestaand ", 1)
    problems = checker.check_set(items, real_docs, min_questions=40)
    assert len(problems) == 1 and "quote not found" in problems[0] and target["id"] in problems[0]


def test_a_quote_across_two_loaded_blocks_is_refused(tmp_path, real_dir):
    """Blocks come from the loader: a quote that joins two DOCX list items spans two blocks."""
    protocol = Path(shutil.copy(real_dir / "WSJG-Burgerpeiling-protocol-2020.docx", tmp_path))
    item = _themes_item(protocol.name, "Leefklimaat (incl. veiligheid) Welzijn en zorg (incl. gezondheid)")
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match="spans more than one block"):
        load_questions(path, corpus_dir=tmp_path)


def test_markdown_keeps_the_checkers_reading_beside_other_files(tmp_path, real_dir):
    shutil.copy(real_dir / "WSJG-Burgerpeiling-protocol-2020.docx", tmp_path)
    (tmp_path / "notitie.md").write_text("---\ntitle: x\n---\n# Kop\n\n- een **vet** lijstitem\n", encoding="utf-8")
    docs = corpus_blocks(tmp_path)
    assert docs["notitie.md"] == ["Kop", "een vet lijstitem"]
    assert "Leefklimaat (incl. veiligheid)" in docs["WSJG-Burgerpeiling-protocol-2020.docx"]


def test_paths_may_be_given_as_strings(tmp_path, real_dir):
    """A user of the Python API types paths as strings: the set is read and its quotes checked alike."""
    protocol = Path(shutil.copy(real_dir / "WSJG-Burgerpeiling-protocol-2020.docx", tmp_path))
    item = _themes_item(protocol.name, "Leefklimaat (incl. veiligheid)")
    blocks = corpus_blocks(str(tmp_path))[protocol.name]
    item["evidence"][0]["quote"] = next(b for b in blocks if 6 <= len(b.split()) <= 30 and "Leefklimaat" in b)
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    assert [q.id for q in load_questions(str(path), corpus_dir=str(tmp_path))] == ["x001"]
    item["evidence"][0]["quote"] = item["evidence"][0]["quote"].replace(" ", " nietbestaand ", 1)
    path.write_text(json.dumps(item) + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match="quote not found"):
        load_questions(str(path), corpus_dir=str(tmp_path))


def test_a_markdown_corpus_is_read_exactly_as_before():
    assert corpus_blocks(DEFAULT_CORPUS) == checker.load_corpus(DEFAULT_CORPUS)
