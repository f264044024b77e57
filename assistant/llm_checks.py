"""Checks on an LLM reply before anyone sees it as an answer.

A model's words are only shown when every sentence is traceable to a source the
model was actually given: citations to sources that were not given are removed,
sentences left without a valid citation are dropped (not kept uncited: an
uncited sentence is exactly the unverifiable claim this product must not make),
and sentences that echo an instruction planted in a source are dropped. Every
removal is reported, so the user can see that something was left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.schema import Passage
from assistant.text import LIST_MARKER, fold, split_sentences, tokenize

# [1], [1, 2], [1][2], [1-3], [bron 1], [source 2; 3]
_MARKER = re.compile(r"\[\s*(?:bron|source)?\s*(\d+(?:\s*[,;&\-–]\s*(?:bron|source)?\s*\d+)*)\s*\]", re.IGNORECASE)
_NUMBER_OR_RANGE = re.compile(r"(\d+)(?:\s*[-–]\s*(?:bron|source)?\s*(\d+))?", re.IGNORECASE)
_MARKERS_AFTER_STOP = re.compile(r"([.!?…])((?:\s*" + _MARKER.pattern + r")+)", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_SOURCE_LIST = re.compile(r"^\W*(?:bronnen|bron|sources?|referenties|references)?\W*$", re.IGNORECASE)

_NOT_ANSWERED = re.compile(
    r"staat niet in de|niet in de (?:beschikbare |gegeven )?bronnen|bronnen (?:geven|bevatten) geen"
    r"|not in the (?:provided |available |given )?sources|sources do(?: not|n't) (?:answer|contain|mention)",
    re.IGNORECASE,
)

# Instruction-like text: the phrasing of prompt injections, not of municipal reports.
_INSTRUCTION = re.compile(
    r"\bnegeer\b|\bvergeet (?:alle|je|de|eerdere|vorige)\b|\b(?:eerdere|vorige|bovenstaande|alle) instructies\b"
    r"|\bignore (?:all |any |the )?(?:previous|prior|above|earlier|instructions)\b|\bdisregard\b"
    r"|\bforget (?:all|your|previous)\b|\b(?:previous|prior|above) instructions\b"
    r"|\bsysteemprompt\b|\bsystem prompt\b|\bje bent nu\b|\byou are now\b",
    re.IGNORECASE,
)

INSTRUCTION_DROPPED = "zin weggelaten: die herhaalt een instructie uit een bron, en bronnen zijn gegevens, geen opdrachten"


@dataclass
class CheckedSentence:
    text: str  # with citation markers normalised to [n][m]
    cites: list[int]  # valid source numbers, in order of appearance
    line: int  # reply line it came from, to keep lists and paragraphs apart


@dataclass
class CitationCheck:
    sentences: list[CheckedSentence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_sentences(self.sentences)


def join_sentences(sentences: list[CheckedSentence]) -> str:
    """Sentences of one reply line on one line; a blank line where the reply had one (paragraphs, lists)."""
    lines: dict[int, list[str]] = {}
    for s in sentences:
        lines.setdefault(s.line, []).append(s.text)
    out, previous = "", None
    for line_no, parts in sorted(lines.items()):
        if previous is not None:
            out += "\n\n" if line_no - previous > 1 else "\n"
        out += " ".join(parts)
        previous = line_no
    return out


def says_not_in_sources(reply: str) -> bool:
    return bool(_NOT_ANSWERED.search(reply))


def is_instruction_like(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))


def strip_markers(sentence: str) -> str:
    return _tidy(_MARKER.sub("", sentence))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"\s+([.,;:!?…])", r"\1", text).strip()


def _short(text: str, limit: int = 80) -> str:
    text = strip_markers(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_citations(text: str, n_sources: int) -> CitationCheck:
    """Keep only sentences that cite at least one of sources 1..n_sources.

    Citations outside that range are removed; a sentence left without a valid
    citation is dropped, except a lead-in ending in ':' that is followed by a
    cited sentence (the "De lessen zijn:" before a cited list).
    """
    check = CitationCheck()
    reported: set[int] = set()

    def rewrite(match: re.Match) -> str:
        kept = []
        for n in _numbers(match.group(1)):
            if 1 <= n <= n_sources:
                kept.append(n)
            elif n not in reported:
                reported.add(n)
                check.warnings.append(f"verwijderde citatie [{n}]: die bron is niet gegeven")
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    for line_no, line in enumerate(text.splitlines()):
        # "zin. [1] Volgende" -> "zin [1]. Volgende": a citation after the full stop belongs to that sentence
        line = _MARKERS_AFTER_STOP.sub(lambda m: " " + m.group(2).strip() + m.group(1), line)
        item = LIST_MARKER.match(line)  # "1. " would otherwise split off as a sentence of its own
        prefix, line = (item.group(0).strip() + " ", line[item.end() :]) if item else ("", line)
        for raw in split_sentences(line):
            sentence = _tidy(_MARKER.sub(rewrite, raw))
            cites = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", sentence)))
            bare = strip_markers(sentence)
            if not bare:  # a line holding only "[1]": credit the sentence before it
                if cites and check.sentences:
                    prev = check.sentences[-1]
                    prev.cites += [n for n in cites if n not in prev.cites]
                    prev.text = _append_markers(prev.text, cites)
                continue
            if _SOURCE_LIST.match(bare):  # "Bronnen: [1], [2]" lists sources and claims nothing
                continue
            check.sentences.append(CheckedSentence(prefix + sentence, cites, line_no))
            prefix = ""
    check.sentences = _drop_uncited(check.sentences, check.warnings)
    return check


def _numbers(group: str) -> list[int]:
    out = []
    for m in _NUMBER_OR_RANGE.finditer(group):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        out += range(first, last + 1) if 0 <= last - first <= 20 else [first, last]
    return out


def _append_markers(sentence: str, cites: list[int]) -> str:
    markers = "".join(f"[{n}]" for n in cites)
    m = re.search(r"[.!?…]$", sentence)
    return f"{sentence[:-1]} {markers}{sentence[-1]}" if m else f"{sentence} {markers}"


def _drop_uncited(sentences: list[CheckedSentence], warnings: list[str]) -> list[CheckedSentence]:
    kept = []
    for i, s in enumerate(sentences):
        lead_in = s.text.endswith(":") and any(t.cites for t in sentences[i + 1 :])
        if s.cites or lead_in:
            kept.append(s)
        else:
            warnings.append(f"zin zonder geldige citatie weggelaten: «{_short(s.text)}»")
    return kept


def echoes_instruction(passages: list[Passage]) -> Callable[[str], bool]:
    """A test for text that repeats an instruction planted in one of these passages.

    True when the text (a) is itself instruction-like, (b) contains a code-like
    word (digits, '_' or several capitals, e.g. INJECTIE_GELUKT) that occurs in
    the passages only inside instruction-like sentences, or (c) has at least
    half of its content words only from such sentences.
    """
    planted: list[str] = []
    ordinary: list[str] = []
    for p in passages:
        for s in split_sentences(p.text):
            (planted if is_instruction_like(s) else ordinary).append(s)
    ordinary_words = {fold(w) for s in ordinary for w in _WORD.findall(s)}
    ordinary_tokens = {t for s in ordinary for t in tokenize(s)}
    payload_words = {fold(w) for s in planted for w in _WORD.findall(s) if fold(w) not in ordinary_words and _code_like(w)}
    planted_tokens = {t for s in planted for t in tokenize(s)} - ordinary_tokens

    def echoes(text: str) -> bool:
        bare = strip_markers(text)
        tokens = tokenize(bare)
        return bool(
            is_instruction_like(bare)
            or payload_words & {fold(w) for w in _WORD.findall(bare)}
            or (tokens and 2 * sum(t in planted_tokens for t in tokens) >= len(tokens))
        )

    return echoes


def instruction_guard(sentences: list[CheckedSentence], passages: list[Passage]) -> tuple[list[CheckedSentence], list[str]]:
    """Drop answer sentences that echo an instruction from a source; one warning per dropped sentence."""
    echoes = echoes_instruction(passages)
    kept = [s for s in sentences if not echoes(s.text)]
    return kept, [INSTRUCTION_DROPPED] * (len(sentences) - len(kept))


def _code_like(word: str) -> bool:
    return "_" in word or any(c.isdigit() for c in word) or sum(c.isupper() for c in word) >= 2


def drop_dangling_lead_ins(sentences: list[CheckedSentence]) -> list[CheckedSentence]:
    return [s for i, s in enumerate(sentences) if s.cites or any(t.cites for t in sentences[i + 1 :])]


def renumber(sentences: list[CheckedSentence]) -> tuple[list[CheckedSentence], list[int]]:
    """Number cited sources 1..k in order of first citation; returns the sentences and the old numbers by new."""
    order: list[int] = []
    for s in sentences:
        order += [n for n in s.cites if n not in order]
    new = {old: i for i, old in enumerate(order, 1)}
    out = [
        CheckedSentence(re.sub(r"\[(\d+)\]", lambda m: f"[{new[int(m.group(1))]}]", s.text), [new[n] for n in s.cites], s.line)
        for s in sentences
    ]
    return out, order


def best_quote(passage: Passage, claims: list[str]) -> str:
    """The passage sentence sharing most content words with the claims citing it (for highlighting)."""
    candidates = [s for s in split_sentences(passage.text) if not is_instruction_like(s)]
    if not candidates:
        return ""
    claim_tokens = [set(tokenize(strip_markers(c))) for c in claims]
    scored = [(max((len(set(tokenize(s)) & ct) for ct in claim_tokens), default=0), -i, s) for i, s in enumerate(candidates)]
    return max(scored)[2]
