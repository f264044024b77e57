"""Join lines that a layout broke, without breaking words that really have a hyphen.

A hyphen at the end of a line is either a typesetter's word break ("gemeen-" +
"ten") or part of the text ("Corona-" + "pandemie", "75-" + "plussers", "werk-" +
"en gezinsverplichtingen"). Joining every lowercase continuation gets the second
kind wrong, and Word-made PDFs contain almost only that kind. So the document
itself is asked first: if it spells the word with a hyphen elsewhere, the hyphen
stays; if it spells it joined, the parts are joined. A document whose line ends
show real hyphens and not one word break was set without hyphenation (Word's and
a browser's default), and keeps every hyphen at a line end. Without evidence, Dutch
spelling decides: a hyphen that keeps two vowels apart ("informatie-uitwisseling")
or follows a digit or capital is real; otherwise it is a break. An address or a
file name is never hyphenated: a hyphen in one is its own.
"""

from __future__ import annotations

import re

HYPHENS = "-\u2010\u2011"
_WORD = re.compile(r"\w+(?:[-\u2010\u2011]\w+)*")
_LAST_WORD = re.compile(r"(\w+)[-\u2010\u2011]$")
_FIRST_WORD = re.compile(r"^(\w+)")
# Vowel pairs Dutch reads as one sound; a compound that would join them keeps its hyphen.
_DIGRAPHS = frozenset(["aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui", "ei", "ij", "ou", "au"])
# "werk- en gezinsverplichtingen": the hyphen stands for a shared word part.
_ELLIPSIS_WORDS = frozenset(["en", "of", "tot", "en/of", "t/m", "and", "or", "to"])
_ADDRESS = re.compile(r"://|^www\.|\w/\w")  # the line's last token is (part of) a web address or a path
_FILE_NAME = re.compile(r"^[\w-]+\.[a-z]{2,4}\b")  # "datagedreven-sturing.md" goes on a file name
_AFTER_MARK = re.compile(r"[\"'\u2019\u201d)\]]-$|\S[\u2013\u2014]$")  # '"sandwich"-' + 'aanpak', '2015–' + '2020'


def vocabulary(texts) -> set[str]:
    """Every word form in the document, lower case, hyphenated compounds whole."""
    words: set[str] = set()
    for text in texts:
        words.update(match.group(0).lower() for match in _WORD.finditer(text))
    return words


class LineJoiner:
    def __init__(self, words: set[str] | None = None, keeps_hyphens: bool = False):
        self.words = words or set()
        self.keeps_hyphens = keeps_hyphens

    @classmethod
    def for_lines(cls, lines: list[str]) -> LineJoiner:
        """A joiner for a document's lines in reading order: its vocabulary, and whether its typesetter
        broke words at all (line ends the vocabulary confirms as real hyphens, none as word breaks)."""
        words = vocabulary(lines)
        real = breaks = 0
        for left, right in zip(lines, lines[1:]):
            head, tail = _LAST_WORD.search(left.rstrip()), _FIRST_WORD.match(right.lstrip())
            if head and tail and tail.group(1)[0].islower():
                real += f"{head.group(1)}-{tail.group(1)}".lower() in words
                breaks += f"{head.group(1)}{tail.group(1)}".lower() in words
        return cls(words, keeps_hyphens=real >= 2 and breaks == 0)

    def join(self, left: str, right: str) -> str:
        left, right = left.rstrip(), right.lstrip()
        if not left or not right:
            return left or right
        if left.endswith("\u00ad"):  # a soft hyphen is always a break
            return left[:-1] + right
        head = _LAST_WORD.search(left)
        if not head:
            return left + right if _AFTER_MARK.search(left) and right[0].isalnum() else f"{left} {right}"
        first = right.split(None, 1)[0].lower()
        if first in _ELLIPSIS_WORDS:
            return f"{left} {right}"
        if _ADDRESS.search(left.rsplit(None, 1)[-1]) or _FILE_NAME.match(right):
            return left + right
        if self.is_word_break(head.group(1), right):
            return left[:-1] + right
        return left + right

    def is_word_break(self, head: str, right: str) -> bool:
        tail_match = _FIRST_WORD.match(right)
        if not tail_match:
            return False
        tail = tail_match.group(1)
        if not tail[0].islower() or not head[-1].isalpha() or head[-1].isupper():
            return False
        if f"{head}-{tail}".lower() in self.words:
            return False
        if f"{head}{tail}".lower() in self.words:
            return True
        if self.keeps_hyphens:
            return False
        return (head[-1] + tail[0]).lower() not in _DIGRAPHS
