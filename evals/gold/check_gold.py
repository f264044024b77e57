#!/usr/bin/env python3
"""Validate a gold question set (questions.jsonl) against the corpus.

Standard library + pyyaml only; deliberately independent of the rest of the project,
so that the rules below are the single definition of what a valid gold item is.

Usage:
    python evals/gold/check_gold.py [QUESTIONS.jsonl] [--corpus DIR] [--set-design] [--min-questions N]

Checks:
  * schema of every item (fields, types, allowed values, unique ids);
  * followups have 1-2 earlier user turns in `history`, other items none;
  * unanswerable items have no evidence and no key facts, answerable ones 1-3 / 1-4;
  * every evidence quote (6-30 words, no URL) occurs in its document after inline Markdown
    markup is stripped, inside ONE block (heading, paragraph, list item or table row);
  * every key fact (or one of its alternatives) occurs in at least one evidence quote
    (case-insensitive, diacritics and dash variants ignored);
  * unique ids and no duplicate (history, question) pairs;
  * with --set-design only (the rules for a set the project ships; `datalessen eval` does not
    apply them either): >= 60 questions, >= 15% followups, >= 15% unanswerable.
Exits 1 and lists every problem if anything fails; prints a summary either way.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_QUESTIONS = ROOT / "evals" / "gold" / "questions.jsonl"
DEFAULT_CORPUS = ROOT / "corpus" / "documenten"

LANGUAGES = {"nl", "en"}
PERSONAS = {"practitioner", "facilitator", "evaluator"}
TYPES = {"factual", "list", "synthesis", "case", "followup", "unanswerable"}
REQUIRED = ("id", "question", "language", "persona", "type", "answerable", "evidence", "key_facts", "notes")
OPTIONAL = ("history",)
ID_PATTERN = re.compile(r"^[a-z]{1,2}\d{3,}$")  # q001 for the tuning set, h001 for the held-out one; aa001 once a-z are taken
QUOTE_MIN_WORDS, QUOTE_MAX_WORDS = 6, 30
FACT_MAX_WORDS = 4
MIN_FOLLOWUP_SHARE = 0.15
MIN_UNANSWERABLE_SHARE = 0.15
SET_DESIGN_MIN_QUESTIONS = 60

# --------------------------------------------------------------------------- Markdown -> blocks

_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def strip_front_matter(text: str) -> str:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if text.startswith("---"):
        match = _FRONT_MATTER.match(text)
        if match:
            yaml.safe_load(match.group(1))  # must at least be valid YAML
            return text[match.end() :]
    return text


def strip_inline(text: str) -> str:
    """Remove inline Markdown markup but keep the words."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images -> alt text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [text](url) -> text
    text = re.sub(r"`+([^`]*?)`+", r"\1", text)  # `code` -> code
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)  # **bold**, __bold__
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)  # *em*
    text = re.sub(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", r"\1", text)  # _em_ (not in_words)
    text = text.replace("`", "")
    return text


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def markdown_blocks(body: str) -> list[str]:
    """Split a Markdown body into blocks: headings, paragraphs, list items (with continuation
    lines) and table rows; inline markup stripped, whitespace collapsed."""
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            text = collapse(strip_inline(" ".join(buffer)))
            if text:
                blocks.append(text)
            buffer.clear()

    in_code = False
    for raw in body.split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            flush()
            in_code = not in_code
            continue
        if in_code:
            buffer.append(line)
            continue
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            buffer.append(heading.group(2))
            flush()
            continue
        if _TABLE_ROW.match(line):
            flush()
            if not _TABLE_RULE.match(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                buffer.append(" | ".join(cells))
                flush()
            continue
        stripped = line.lstrip()
        if stripped.startswith(">"):
            line = stripped[1:]
            line = line.removeprefix(" ")
            if not line.strip():
                flush()
                continue
        if _LIST_ITEM.match(line):
            flush()
            buffer.append(_LIST_ITEM.sub("", line, count=1))
            continue
        buffer.append(line)  # paragraph line or continuation of a list item
    flush()
    return blocks


def load_corpus(corpus_dir: Path) -> dict[str, list[str]]:
    docs: dict[str, list[str]] = {}
    for path in sorted(corpus_dir.iterdir()):
        if path.is_file() and path.suffix.lower() in {".md", ".markdown", ".txt"}:
            docs[path.name] = markdown_blocks(strip_front_matter(path.read_text(encoding="utf-8")))
    return docs


# --------------------------------------------------------------------------- key facts

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")


def fold(text: str) -> str:
    """Case-, diacritics- and dash-insensitive form, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.translate(_DASHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return collapse(text.casefold())


# --------------------------------------------------------------------------- checks


def check_item(item: dict, docs: dict[str, list[str]] | None, where: str) -> list[str]:
    """Problems of one item; with `docs=None` the quotes are not looked up in corpus files
    (an evaluation over a store that holds other documents locates them in its chunks)."""
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    for key in REQUIRED:
        if key not in item:
            bad(f"missing field '{key}'")
    for key in item:
        if key not in REQUIRED and key not in OPTIONAL:
            bad(f"unknown field '{key}'")
    if problems:
        return problems

    if not isinstance(item["id"], str) or not ID_PATTERN.match(item["id"]):
        bad(f"id {item['id']!r} should look like 'q001'")
    if not isinstance(item["question"], str) or not item["question"].strip():
        bad("question must be a non-empty string")
    if item["language"] not in LANGUAGES:
        bad(f"language {item['language']!r} not in {sorted(LANGUAGES)}")
    if item["persona"] not in PERSONAS:
        bad(f"persona {item['persona']!r} not in {sorted(PERSONAS)}")
    if item["type"] not in TYPES:
        bad(f"type {item['type']!r} not in {sorted(TYPES)}")
    if not isinstance(item["answerable"], bool):
        bad("answerable must be true or false")
    if not isinstance(item["notes"], str) or not item["notes"].strip():
        bad("notes must be a non-empty string")

    history = item.get("history", [])
    if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
        bad("history must be a list of non-empty strings")
        history = []
    if item["type"] == "followup":
        if not 1 <= len(history) <= 2:
            bad("a followup needs 1-2 earlier user questions in 'history'")
    elif history:
        bad("only followups (type 'followup') may have a history")
    if item["type"] == "unanswerable" and item["answerable"] is not False:
        bad("type 'unanswerable' requires answerable: false")

    evidence, facts = item["evidence"], item["key_facts"]
    if not isinstance(evidence, list) or not isinstance(facts, list):
        bad("evidence and key_facts must be lists")
        return problems
    if item["answerable"] is False:
        if evidence or facts:
            bad("unanswerable items must have empty evidence and key_facts")
        return problems
    if not 1 <= len(evidence) <= 3:
        bad(f"answerable items need 1-3 evidence items (got {len(evidence)})")
    if not 1 <= len(facts) <= 4:
        bad(f"answerable items need 1-4 key facts (got {len(facts)})")

    quotes: list[str] = []
    for n, ev in enumerate(evidence, 1):
        tag = f"evidence {n}"
        if not isinstance(ev, dict) or set(ev) != {"document", "quote"}:
            bad(f"{tag} must be an object with exactly 'document' and 'quote'")
            continue
        doc, quote = ev["document"], ev["quote"]
        if not isinstance(doc, str) or not isinstance(quote, str):
            bad(f"{tag}: document and quote must be strings")
            continue
        if "/" in doc or "\\" in doc:
            bad(f"{tag}: document must be a bare file name, got {doc!r}")
            continue
        if docs is not None and doc not in docs:
            bad(f"{tag}: unknown document {doc!r}")
            continue
        q = collapse(quote)
        quotes.append(q)
        words = len(q.split())
        if not QUOTE_MIN_WORDS <= words <= QUOTE_MAX_WORDS:
            bad(f"{tag}: quote has {words} words, should be {QUOTE_MIN_WORDS}-{QUOTE_MAX_WORDS}")
        if "http://" in q or "https://" in q:
            bad(f"{tag}: quote must stop before the source URL")
        if docs is None or any(q in block for block in docs[doc]):
            continue
        if q in " ".join(docs[doc]):
            bad(f"{tag}: quote spans more than one block (paragraph/list item/heading/table row) in {doc}")
            continue
        # report the longest prefix that does occur, to make fixing easy
        words_q = q.split(" ")
        best = 0
        for k in range(len(words_q), 0, -1):
            prefix = " ".join(words_q[:k])
            if any(prefix in block for block in docs[doc]):
                best = k
                break
        hints = []
        if best:
            hints.append(f"matches up to: {' '.join(words_q[:best])!r} | then: {' '.join(words_q[best : best + 6])!r}")
        if re.search(r"\*\*|__|`|\]\(", quote):
            hints.append("the quote contains Markdown markup: quote the text as read, without ** _ ` or links")
        bad(f"{tag}: quote not found in {doc} (after stripping markup)" + "".join(f"; {h}" for h in hints))

    folded_quotes = [fold(q) for q in quotes]
    for n, fact in enumerate(facts, 1):
        alternatives = fact if isinstance(fact, list) else [fact]
        if not alternatives or not all(isinstance(a, str) and a.strip() for a in alternatives):
            bad(f"key fact {n} must be a non-empty string or a non-empty list of strings")
            continue
        for alt in alternatives:
            if len(alt.split()) > FACT_MAX_WORDS:
                bad(f"key fact {alt!r} is longer than {FACT_MAX_WORDS} words")
        if quotes and not any(fold(alt) in fq for alt in alternatives for fq in folded_quotes):
            bad(f"key fact {fact!r} occurs in none of the evidence quotes")
    return problems


def read_items(path: Path) -> tuple[list[dict], list[str]]:
    """The JSON objects of a JSON Lines file, and the lines that are not one."""
    problems: list[str] = []
    items: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            if not isinstance(item, dict):
                problems.append(f"line {lineno}: not a JSON object")
                continue
            item["_line"] = lineno
            items.append(item)
    return items, problems


def check_set(
    items: list[dict], docs: dict[str, list[str]] | None, *, min_questions: int = 60, enforce_shares: bool = True
) -> list[str]:
    """Every item's problems plus the whole-file rules: unique ids and questions, counts, shares."""
    problems: list[str] = []
    for item in items:
        fields = {k: v for k, v in item.items() if k != "_line"}
        problems += check_item(fields, docs, f"line {item.get('_line', '?')} ({item.get('id', '?')})")
    ids = Counter(i.get("id") for i in items)
    problems += [f"duplicate id {i!r} ({n}x)" for i, n in ids.items() if n > 1]
    turns = Counter((tuple(i.get("history") or []), fold(str(i.get("question", "")))) for i in items)
    problems += [f"duplicate question {q!r}" for (h, q), n in turns.items() if n > 1]

    total = len(items)
    followups = sum(1 for i in items if i.get("type") == "followup")
    unanswerable = sum(1 for i in items if i.get("answerable") is False)
    if total < min_questions:
        problems.append(f"only {total} questions, need at least {min_questions}")
    if enforce_shares and total and followups / total < MIN_FOLLOWUP_SHARE:
        problems.append(f"followups {followups}/{total} < {MIN_FOLLOWUP_SHARE:.0%} (set design)")
    if enforce_shares and total and unanswerable / total < MIN_UNANSWERABLE_SHARE:
        problems.append(f"unanswerable {unanswerable}/{total} < {MIN_UNANSWERABLE_SHARE:.0%} (set design)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--set-design",
        action="store_true",
        help=f"also apply the rules for a shipped set: >= {SET_DESIGN_MIN_QUESTIONS} questions, "
        # argparse formats help with %: a literal percent sign is written %%
        f">= {MIN_FOLLOWUP_SHARE:.0%}% followups, >= {MIN_UNANSWERABLE_SHARE:.0%}% unanswerable",
    )
    parser.add_argument(
        "--min-questions",
        type=int,
        default=None,
        help=f"at least N questions (default 1; {SET_DESIGN_MIN_QUESTIONS} with --set-design)",
    )
    args = parser.parse_args(argv)
    min_questions = args.min_questions if args.min_questions is not None else (SET_DESIGN_MIN_QUESTIONS if args.set_design else 1)

    if not args.corpus.is_dir():
        print(f"corpus directory not found: {args.corpus}", file=sys.stderr)
        return 2
    docs = load_corpus(args.corpus)
    items, problems = read_items(args.questions)
    problems += check_set(items, docs, min_questions=min_questions, enforce_shares=args.set_design)

    total = len(items)
    followups = sum(1 for i in items if i.get("type") == "followup")
    unanswerable = sum(1 for i in items if i.get("answerable") is False)

    def show(field: str) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(Counter(str(i.get(field)) for i in items).items()))

    print(
        f"{total} questions; followups {followups} ({followups / max(total, 1):.0%}), "
        f"unanswerable {unanswerable} ({unanswerable / max(total, 1):.0%})"
    )
    print(f"  type:     {show('type')}")
    print(f"  language: {show('language')}")
    print(f"  persona:  {show('persona')}")
    cited = Counter(ev.get("document") for i in items for ev in i.get("evidence") or [] if isinstance(ev, dict))
    uncited = [d for d in docs if d not in cited]
    print(
        f"  documents cited: {len(docs) - len(uncited)}/{len(docs)}" + (f" (not cited: {', '.join(uncited)})" if uncited else "")
    )
    if not args.set_design:
        short = shares_below_design(total, followups, unanswerable)
        print(
            "  set design not checked (as in `datalessen eval`; --set-design applies the shipped sets' rules)"
            + (f": this file has {'; '.join(short)}" if short else "")
        )

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("OK")
    return 0


def shares_below_design(total: int, followups: int, unanswerable: int) -> list[str]:
    """What a set lacks for the shipped sets' design, said as information, not as a problem."""
    short = []
    if total < SET_DESIGN_MIN_QUESTIONS:
        short.append(f"{total} questions (a shipped set has >= {SET_DESIGN_MIN_QUESTIONS})")
    if total and followups / total < MIN_FOLLOWUP_SHARE:
        short.append(f"{followups} followups ({followups / total:.0%}, a shipped set has >= {MIN_FOLLOWUP_SHARE:.0%})")
    if total and unanswerable / total < MIN_UNANSWERABLE_SHARE:
        short.append(
            f"{unanswerable} unanswerable ({unanswerable / total:.0%}, a shipped set has >= {MIN_UNANSWERABLE_SHARE:.0%})"
        )
    return short


if __name__ == "__main__":
    sys.exit(main())
