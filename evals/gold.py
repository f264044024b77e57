"""Gold questions as objects, and which stored chunks hold their evidence.

The rules of a valid gold item live in `evals/gold/check_gold.py` (a stand-alone
script, so that anyone can validate a set without the project installed); this
module loads that script instead of repeating it.

Relevance is decided by document + quote, never by chunk id, so the judgements
survive any re-chunking and apply to chunks that are not even in the store (the
naive LangChain baseline). The rule, for one evidence item and one chunk:

  * the chunk comes from the evidence's document (file name), and
  * after whitespace collapsing and Markdown stripping of both sides, the chunk
    contains the whole quote, OR the quote's first or last words, in order and
    contiguous, making up at least 60% of its words. The second arm is for a quote
    that straddles a chunk boundary: a cut leaves a head of the quote in one chunk
    and a tail in the next, and a side holding most of it counts; a chunk that
    merely shares some words from the middle does not.

A quote that no chunk of the store holds is a data error (wrong file name, a
document missing from the store, or an edited source), reported, never ignored.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from assistant.schema import Passage
from ingest.loaders import SUPPORTED_SUFFIXES, load_file

GOLD_DIR = Path(__file__).resolve().parent / "gold"
DEFAULT_QUESTIONS = GOLD_DIR / "questions.jsonl"
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}  # what check_gold.py reads itself
STRADDLE_SHARE = 0.6


def _load_checker():
    """`evals/gold/check_gold.py` as a module (the folder shares the name of this module, so no import path)."""
    name = "evals._check_gold"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, GOLD_DIR / "check_gold.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


checker = _load_checker()
DEFAULT_CORPUS = checker.DEFAULT_CORPUS


class GoldError(ValueError):
    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        shown = "\n  - ".join(problems[:20]) + ("\n  - …" if len(problems) > 20 else "")
        super().__init__(f"{path}: {len(problems)} problem(s):\n  - {shown}")


@dataclass(frozen=True)
class Evidence:
    document: str
    quote: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    language: str
    persona: str
    type: str
    answerable: bool
    evidence: tuple[Evidence, ...] = ()
    key_facts: tuple[tuple[str, ...], ...] = ()  # each fact: its acceptable alternatives
    notes: str = ""
    history: tuple[str, ...] = ()

    @property
    def should_abstain(self) -> bool:
        return not self.answerable

    @classmethod
    def from_dict(cls, item: dict) -> "Question":
        return cls(
            id=item["id"],
            question=item["question"],
            language=item["language"],
            persona=item["persona"],
            type=item["type"],
            answerable=item["answerable"],
            notes=item["notes"],
            evidence=tuple(Evidence(e["document"], e["quote"]) for e in item["evidence"]),
            key_facts=tuple(tuple(f) if isinstance(f, list) else (f,) for f in item["key_facts"]),
            history=tuple(item.get("history") or ()),
        )


def loaded_blocks(corpus_dir: Path, suffixes: set[str] | None = None) -> dict[str, list[str]]:
    """{file name: [block texts]} as the project's loaders read a folder (PDF, DOCX, HTML, ...).

    `check_gold.py` reads Markdown only; a gold set over real documents must be checked against
    the text the store will actually hold, so it goes through `load_file`. Block texts are
    whitespace-collapsed, as the checker's are. `suffixes` limits which files are read.
    """
    wanted = SUPPORTED_SUFFIXES if suffixes is None else suffixes
    docs: dict[str, list[str]] = {}
    for path in sorted(Path(corpus_dir).iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in wanted:
            docs[path.name] = [text for block in load_file(path).blocks if (text := checker.collapse(block.text))]
    return docs


def corpus_blocks(corpus_dir: Path | str) -> dict[str, list[str]]:
    """The checker's reading of the Markdown files, and the loaders' reading of every other file.

    A Markdown-only folder gives exactly `checker.load_corpus`; Markdown in a mixed folder keeps the
    checker's rules too, so whether a quote is valid never depends on which files lie beside it.
    """
    corpus_dir = Path(corpus_dir)
    docs = checker.load_corpus(corpus_dir)
    others = SUPPORTED_SUFFIXES - TEXT_SUFFIXES
    if any(p.is_file() and p.suffix.lower() in others for p in corpus_dir.iterdir()):
        docs.update(loaded_blocks(corpus_dir, others))
    return docs


def load_questions(
    path: Path | str = DEFAULT_QUESTIONS,
    *,
    corpus_dir: Path | str | None = DEFAULT_CORPUS,
    min_questions: int = 1,
    enforce_shares: bool = False,
) -> list[Question]:
    """A validated question file. With `corpus_dir`, quotes are checked against its files too
    (Markdown by the checker's rules, PDF/DOCX/HTML as the loaders read them); with None only
    the schema is (the store lookup below still checks every quote).
    The set-design rules (≥ 60 items, shares of followups/unanswerable) are opt-in: a small
    set of one's own can still be evaluated."""
    path = Path(path)
    items, problems = checker.read_items(path)
    docs = corpus_blocks(corpus_dir) if corpus_dir is not None else None
    problems += checker.check_set(items, docs, min_questions=min_questions, enforce_shares=enforce_shares)
    if problems:
        raise GoldError(path, problems)
    return [Question.from_dict({k: v for k, v in item.items() if k != "_line"}) for item in items]


# --------------------------------------------------------------------------- relevance


def normalize(text: str) -> str:
    """Text as read: Markdown blocks (markup stripped) joined, whitespace collapsed. Works on raw
    Markdown (the naive baseline's chunks) and on stored chunks, which are plain text already."""
    return " ".join(checker.markdown_blocks(text.replace("\r\n", "\n")))


def passage_document(passage: Passage) -> str:
    """The file name a passage comes from, as gold evidence names it."""
    return str(passage.metadata.get("document") or Path(passage.source or "").name)


def _holds(phrase: str, text: str) -> bool:
    """The phrase occurs starting at a word start and not running on into a letter or digit."""
    return re.search(r"(?<!\S)" + re.escape(phrase) + r"(?!\w)", text) is not None


def straddle_words(quote_words: list[str], text: str) -> int:
    """How many of the quote's words, as a head or as a tail of it, occur contiguously in the text."""
    n = len(quote_words)
    for k in range(n, 0, -1):
        if _holds(" ".join(quote_words[:k]), text) or _holds(" ".join(quote_words[n - k :]), text):
            return k
    return 0


def quote_in_text(quote: str, normalized_text: str, share: float = STRADDLE_SHARE) -> bool:
    """The rule of this module's docstring, on already-normalised text."""
    q = checker.collapse(quote)
    if q in normalized_text:
        return True
    words = q.split(" ")
    return straddle_words(words, normalized_text) >= math.ceil(share * len(words))


@dataclass
class EvidenceMatcher:
    """Relevance judgements, cached per (evidence, chunk) so that every variant pays once."""

    share: float = STRADDLE_SHARE
    _norm: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def relevant(self, evidence: Evidence, passage: Passage) -> bool:
        if passage_document(passage) != evidence.document:
            return False
        key = (evidence, passage.chunk_id, passage.text)
        if key not in self._cache:
            norm = self._norm.get(passage.text)
            if norm is None:
                norm = self._norm[passage.text] = normalize(passage.text)
            self._cache[key] = quote_in_text(evidence.quote, norm, self.share)
        return self._cache[key]

    def locate(self, questions: list[Question], passages: list[Passage]) -> "EvidenceMap":
        """Which chunks of `passages` hold each evidence item; unlocated quotes are data errors."""
        by_doc: dict[str, list[Passage]] = {}
        for p in passages:
            by_doc.setdefault(passage_document(p), []).append(p)
        located: dict[Evidence, list[Passage]] = {}
        errors: list[str] = []
        for q in questions:
            for n, ev in enumerate(q.evidence, 1):
                if ev not in located:
                    located[ev] = [p for p in by_doc.get(ev.document, []) if self.relevant(ev, p)]
                if not located[ev]:
                    where = "document not in the store" if ev.document not in by_doc else "quote in no chunk"
                    errors.append(f"{q.id} evidence {n}: {where}: {ev.document}: {ev.quote[:80]!r}")
        return EvidenceMap(located, errors)


@dataclass
class EvidenceMap:
    """Evidence item -> the stored chunks that hold it, with their sections and pages."""

    chunks: dict[Evidence, list[Passage]]
    data_errors: list[str]

    def sections(self, evidence: Evidence) -> set[tuple[str, str]]:
        return {(passage_document(p), p.section) for p in self.chunks.get(evidence, [])}

    def pages(self, evidence: Evidence) -> set[tuple[str, int]]:
        """(document, page) pairs of the evidence; empty for documents without pages."""
        out = set()
        for p in self.chunks.get(evidence, []):
            if p.page_start is not None:
                last = p.page_end if p.page_end is not None else p.page_start
                out.update((passage_document(p), page) for page in range(int(p.page_start), int(last) + 1))
        return out
