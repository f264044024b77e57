"""Join lines that a layout broke, without breaking words that really have a hyphen.

A hyphen at the end of a line is either a typesetter's word break ("gemeen-" +
"ten") or part of the text ("Corona-" + "pandemie", "75-" + "plussers", "werk-" +
"en gezinsverplichtingen"). Joining every lowercase continuation gets the second
kind wrong, and Word-made PDFs contain almost only that kind. So the document
itself is asked first: if it spells the word with a hyphen elsewhere, the hyphen
stays; if it spells it joined, the parts are joined. Without evidence, Dutch
spelling decides: a hyphen that keeps two vowels apart ("informatie-uitwisseling")
or follows a digit or capital is real; otherwise it is a break.
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


def vocabulary(texts) -> set[str]:
    """Every word form in the document, lower case, hyphenated compounds whole."""
    words: set[str] = set()
    for text in texts:
        words.update(match.group(0).lower() for match in _WORD.finditer(text))
    return words


class LineJoiner:
    def __init__(self, words: set[str] | None = None):
        self.words = words or set()

    def join(self, left: str, right: str) -> str:
        left, right = left.rstrip(), right.lstrip()
        if not left or not right:
            return left or right
        if left.endswith("\u00ad"):  # a soft hyphen is always a break
            return left[:-1] + right
        head = _LAST_WORD.search(left)
        if not head:
            return f"{left} {right}"
        first = right.split(None, 1)[0].lower()
        if first in _ELLIPSIS_WORDS:
            return f"{left} {right}"
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
        return (head[-1] + tail[0]).lower() not in _DIGRAPHS
