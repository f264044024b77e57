"""What the sources themselves say they do not know, and whether that answers the question.

The corpus is honest about its gaps ("Onbekend: aantal interviews", "geen geraadpleegde bron
noemt de gemeente", sections "Wat niet bekend is"). Quoting such a sentence is the right answer
to a question about exactly that gap, and the wrong one to a question about something else
that happens to sit next to it: which is which depends on what the question asks for
(`assistant/question_focus.py`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.question_focus import answered_by_unknowns, focus_phrase, focus_terms
from assistant.text import related_plain, tokenize

if TYPE_CHECKING:
    from assistant.extractive import Candidate
    from assistant.schema import Passage

PHRASE_WINDOW = 0.3  # an unknown about a narrowed ask ('andere gemeenten': the ones not named) may score lower
MARKER_WORDS = 40  # in a longer sentence an 'onbekend' is too far from most words to say what it is about

# sentences in which a source says it does not know: quoting them is an honest "unknown"
_UNKNOWN = re.compile(
    r"\b(onbekend|niet bekend|niet te vinden|niet gevonden|staat niet|niet bevestigd|niet vermeld|"
    r"(?:door )?geen (?:enkele )?(?:geraadpleegde |openbare )?bron(?:nen)? (?:noemt|noemen|zegt|zeggen|bevestigt|"
    r"bevestigd|vermeldt)|"
    r"niet beschikbaar|geen [\w\s(),.]{0,80}gevonden|alleen de eerste \w+ zichtbaar|buiten de beschikbare|"
    r"niet (?:in |uit )?(?:de )?(?:beschikbare|geraadpleegde) bronnen|"
    # the sources do not make the link: 'de fragmenten koppelen het bureau niet aan deze applicatie'
    r"(?:bron|bronnen|fragment|fragmenten) koppel\w* (?:\w+ ){1,2}niet|koppeling maakt (?:de )?bron\w* (?:\w+ )?niet|"
    r"geen bron legt)\b",
    re.I,
)

# a caveat that the background below may not be the report's own case: an unknown only when the
# question asks for exactly that (which gemeente, which case), not for every question about the topic
_CAVEAT = re.compile(r"\b(rapportcase|hieronder)\b", re.I)
_WORDS = re.compile(r"[\w'-]+")
# asked-for word -> a broader word of the sources that covers it: when the organisation behind a case
# is unknown, so is its gemeente (not the other way round: a GR is an organisation, not a gemeente)
_COVERED_BY = {tokenize("gemeente")[0]: (tokenize("organisatie")[0],)}
_UNKNOWN_SECTION = re.compile(r"\b(niet bekend|onbekend|open vragen|not known|unknown)\b", re.I)


def sources_deny(question: str, candidates: list[Candidate], passages: list[Passage], window: float = 0.6) -> Candidate | None:
    """The sources' own 'that is not known', if it answers what the question asks for.

    Among the sentences that cover the question well, one saying 'onbekend' about the asked-for
    part ('welke gemeente' -> 'geen bron noemt de gemeente') is the answer. Without an asked-for
    part only the best sentence counts, and a caveat (the background may not be the report's case) only
    when it names the asked-for part. A question about what *is* known
    is answered by the sources' lists of unknowns, and a yes/no question by their "no source names
    X": neither is a refusal.
    """
    if not candidates or answered_by_unknowns(question):
        return None
    focus = focus_terms(question)
    phrase = focus_phrase(question)  # 'andere gemeenten': an unknown that says exactly this names it
    floor = candidates[0].score * window
    window_ = [c for c in candidates if c.score >= floor]
    answered = any(not says_unknown(c.sentence, passages[c.passage_index].section) and _names(c.sentence, focus) for c in window_)
    for c in candidates:
        in_window = c.score >= floor
        if not in_window and not (phrase and c.score >= candidates[0].score * PHRASE_WINDOW):
            break
        if not focus and c is not candidates[0]:
            break
        passage = passages[c.passage_index]
        if not says_unknown(c.sentence, passage.section):
            continue
        header = table_header(passage.text) if c.sentence.lstrip().startswith("|") else ""
        if phrase and (phrase in c.sentence.lower() or names_as_unknown(c.sentence, passage.section, focus, header)):
            return c  # "welke andere toekomstperspectieven" <- "het tweede en derde toekomstperspectief;"
        if not in_window:
            continue
        # the best sentence saying 'onbekend' counts, unless another sentence names the asked-for thing
        if (c is candidates[0] and not _CAVEAT.search(c.sentence) and not answered) or names_as_unknown(
            c.sentence, passage.section, focus, header
        ):
            return c
    return None


def _names(text: str, focus: list[str]) -> bool:
    """The text holds an asked-for word itself or its inflection (not any compound of it), or a broader
    word of the sources that covers it ('organisatie' for the gemeente that ran a case)."""
    terms = [alias for term in focus for alias in (term, *_COVERED_BY.get(term, ()))]
    return any(term == t or related_plain(term, t) for term in terms for t in tokenize(text))


def table_header(text: str) -> str:
    """The header row of a passage's table ('| # | Case | Organisatie | ...'): its first row, since the
    chunker keeps a table whole or repeats the header in every part (`ingest/chunking.py`)."""
    return next((line for line in text.split("\n") if line.lstrip().startswith("|")), "")


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def names_as_unknown(sentence: str, section: str, focus: list[str], header: str = "", near: int = 6, head: int = 12) -> bool:
    """The asked-for thing is what the sentence calls unknown, not a word elsewhere in it.

    'geen bron noemt de gemeente' names the gemeente as unknown, and so does a sentence that opens
    with it; 'of slim vegen door andere gemeenten is overgenomen, is niet te vinden' does not. In a
    list of unknowns the item's head counts, and in a table row the cell under the asked-for column.
    """
    if sentence.lstrip().startswith("|"):  # a row's 'onbekend' belongs to one cell, not to the words around it
        columns = _cells(header) if header else []
        return any(_names(name, focus) and _UNKNOWN.search(cell) for name, cell in zip(columns, _cells(sentence)) if cell)
    words = _WORDS.findall(sentence)
    at = [i for i, word in enumerate(words) if _names(word, focus)]
    if not at:
        return False
    marker = _UNKNOWN.search(sentence) if len(words) <= MARKER_WORDS else None
    if marker:
        start = len(_WORDS.findall(sentence[: marker.start()]))
        end = start + len(_WORDS.findall(marker.group(0)))
        if any(start - near <= i < end + near for i in at) or at[0] < 4:  # near 'onbekend', or what the
            return True  # sentence opens with ('Concrete resultaten, lessen ... zijn niet te vinden')
    return bool(_UNKNOWN_SECTION.search(section)) and at[0] < head


def says_unknown(sentence: str, section: str = "") -> bool:
    """The source's own 'this is not known': a short sentence saying so, or a line under 'Wat niet bekend is'."""
    return (len(sentence.split()) <= 35 and bool(_UNKNOWN.search(sentence))) or bool(_UNKNOWN_SECTION.search(section))
