"""The corpus profile: the shipped corpus's own knowledge, out of the library's code."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.bm25 import BM25Index
from assistant.profile import EMPTY, load_profile
from assistant.settings import Settings
from assistant.text import STOPWORDS, passage_sentences, tokenize
from tests.conftest import PROJECT_ROOT


def test_the_shipped_profile_is_the_default_and_an_empty_setting_means_none():
    shipped = load_profile(Settings())
    assert Path(shipped.path) == (PROJECT_ROOT / "corpus" / "profile.toml").resolve()
    assert shipped.glossary["sweepers"] == "veegwagens" and shipped.examples and shipped.facets
    assert load_profile(Settings(corpus_profile="")) is EMPTY
    with pytest.raises(FileNotFoundError, match="corpus_profile"):
        load_profile(Settings(corpus_profile="/nergens/profile.toml"))


def test_the_glossary_adds_dutch_words_to_a_question_and_never_rewrites_indexed_text():
    profile = load_profile(Settings())
    assert tokenize("the street sweepers") == tokenize("street sweepers")  # the tokeniser translates nothing
    terms = profile.query_terms("Which data decide the routes of the street sweepers?")
    assert set(tokenize("veegwagens")) <= set(terms) and set(tokenize("sweepers")) <= set(terms)
    index = BM25Index(["De veegwagens rijden vaker.", "Het afval wordt opgehaald.", "The sweepers' strike."])
    assert set(tokenize("sweepers")) <= set(index.vocabulary)  # indexed as written, not as 'veegwagens'
    assert {row for row, _ in index.top(terms, 3)} == {0, 2}  # the Dutch passage, found through the added word
    assert [row for row, _ in index.top(EMPTY.query_terms("street sweepers"), 3)] == [2]
    assert "rapport" not in " ".join(profile.query_terms("Wat zegt het rapport over opschaling?"))


def test_the_digest_is_one_source_and_a_document_a_user_adds_is_another():
    """Every kind of the shipped digest's files is in the profile's one source (a kind added to the digest and
    not here would make its files answer the others' "onbekend"); an uploaded document is a source of its own."""
    from assistant.schema import Passage

    profile = load_profile(Settings())
    kinds = {
        m.group(1).strip()
        for f in (PROJECT_ROOT / "corpus" / "documenten").glob("*.md")
        if (m := re.search(r"^kind:\s*(.+)$", f.read_text(encoding="utf-8"), re.M))
    }
    assert kinds and kinds <= profile.one_source_kinds
    case, context = (Passage(f"c{i}", f"d{i}", "tekst", metadata={"kind": k}) for i, k in enumerate(("case", "context")))
    report = Passage("r", "rapport", "tekst", metadata={"kind": "document"})
    assert profile.source_of(case) == profile.source_of(context) != profile.source_of(report) == "rapport"
    assert EMPTY.source_of(case) == "d0" != EMPTY.source_of(context)


def test_layout_markers_come_from_the_profile():
    profile = load_profile(Settings())
    assert profile.quotable("F3: Utrecht investeerde jaarlijks.") == "Utrecht investeerde jaarlijks."
    assert EMPTY.quotable("F3: Utrecht investeerde jaarlijks.") == "F3: Utrecht investeerde jaarlijks."
    assert profile.is_pointer("Zie context-zaanstad-datagestuurd-werken.md voor de achtergrond.")
    assert not profile.is_pointer("Zienswijzen kwamen binnen.") and not EMPTY.is_pointer("Zie bijlage 2.")
    assert profile.is_reference_section("Case: Slim vegen > Feiten en bronnen")
    assert EMPTY.is_reference_section("Plan > Literatuur") and not EMPTY.is_reference_section("Plan > Aanpak")
    assert profile.asks_across_documents("Welke lessen trekken de cases?") and not EMPTY.asks_across_documents("lessen")


def _regex_sources(path: Path) -> list[str]:
    """The pattern text of every re.compile(...) in a module."""
    patterns = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile" and node.args:
            patterns += [c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return patterns


def test_no_pattern_in_the_library_quotes_the_shipped_corpus():
    """A run of three or more words (two of them content words) from a regex of assistant/ that also
    stands in a corpus sentence is wording copied from the corpus (the old 'geen bron legt' kind of rule)."""
    corpus = " ".join(
        " ".join(passage_sentences(p.read_text(encoding="utf-8"))).lower() for p in (PROJECT_ROOT / "corpus").rglob("*.md")
    )
    corpus = re.sub(r"\s+", " ", corpus)
    copied = []
    for module in sorted((PROJECT_ROOT / "assistant").glob("*.py")):
        for pattern in _regex_sources(module):
            for fragment in re.split(r"[|()\[\]?*+^$\\]|\(\?:", pattern):
                words = re.findall(r"[a-zà-ÿ']+", fragment.lower())
                content = [w for w in words if w not in STOPWORDS]
                if len(words) >= 3 and len(content) >= 2 and " ".join(words) in corpus:
                    copied.append(f"{module.name}: {' '.join(words)!r}")
    assert not copied, copied


@pytest.mark.slow
def test_the_profile_and_the_ranker_weights_ship_in_the_wheel(tmp_path):
    """Installed (not only from the source tree), the default paths still hold the files."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to export the tracked files")
    tree = tmp_path / "src"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "ls-files", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in archive.stdout.split():
        if name.startswith(("assistant/", "ingest/", "ui/", "evals/", "corpus/")) or name in ("pyproject.toml", "README.md"):
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, target)
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(tree), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "corpus/profile.toml" in names and "assistant/profile.py" in names
    assert "assistant/models/sentence_ranker.json" in names  # the ranker's weights, read at run time
