"""What a question asks for, as opposed to what it is about.

"Welke gemeente voerde de Wmo-case uit?" is *about* the Wmo case and *asks for* a
gemeente. Retrieval finds the topic easily; whether the sources answer depends on
the asked-for part. The answerer uses this to tell a source's "which gemeente is
not known" (an honest unknown) from a caveat about something else, and to notice
that a "hoeveel" question got quotes without any number.
"""

from __future__ import annotations

import re

from assistant.text import STOPWORDS, tokenize

# the wh-word that opens the asked-for phrase: "welke gemeente", "hoeveel interviews", "hoe nauwkeurig"
_FOCUS_START = re.compile(
    r"\b(?:welke|welk|hoeveel|wat voor(?: een)?|which|how many|how much|"
    r"(?:wat|what) (?:is|was|zijn|waren|are|were) (?:het|de|the)|"  # not 'wie is de X': X is the topic there
    r"(?:hoe|how)(?= (?:nauwkeurig|groot|hoog|vaak|duur|lang|oud|accurate|big|large|often|long)\b))\s+",
    re.I,
)
_COUNTS = frozenset("twee drie vier vijf zes zeven acht negen tien two three four five six seven".split())
# counts, ordinals and vague modifiers say nothing about *what* is asked for
_NOT_FOCUS = _COUNTS | frozenset(
    """
eerste tweede derde vierde vijfde concrete concreet precies exact exacte precise belangrijkste voornaamste
main other overige soort soorten type typen sort sorts kind kinds
""".split()
)
_NUMBER_QUESTION = re.compile(
    r"\b(hoeveel|how many|how much|welk (?:cijfer|percentage|bedrag|aantal)|which (?:score|percentage|number)|"
    r"(?:hoe|how) (?:nauwkeurig|groot|hoog|vaak|duur|accurate|big|large|often))\b",
    re.I,
)
# an inflected adjective before the noun it describes: 'deelnemende organisaties', 'concrete opties'
_ADJECTIVE = re.compile(r"(ende|lijke|ische|ige|bare|iele|ele)$")
# a modifier that narrows the asked-for noun to something the sources may call unknown: the ones not
# yet named ('andere gemeenten'), or the particulars of what they only mention ('concrete opties')
_NARROWING = frozenset("andere overige nieuwe other further concrete concreet specifieke precieze specific".split())
# the kind of value a question asks for, most specific first; the quotes must hold one
_ASKED_VALUE = (
    ("share", re.compile(r"\b(hoe nauwkeurig|how accurate|welk percentage|what percentage|hoeveel procent)\b", re.I)),
    (
        "money",
        re.compile(
            r"\b(hoeveel (?:geld|euro)|welk bedrag|hoeveel kost\w*|wat kost\w*|how much money|"
            r"what did \w+(?: \w+)? cost)\b",
            re.I,
        ),
    ),
    ("year", re.compile(r"\b(in welk jaar|welk jaar|in what year|which year|what year)\b", re.I)),
    # a bare 'wanneer' is as often 'under which condition' as 'at what time': only these ask for a date
    ("date", re.compile(r"\b(sinds wanneer|vanaf wanneer|tot wanneer|since when|until when)\b", re.I)),
    ("number", _NUMBER_QUESTION),
)
# a question word that, earlier in the same clause, makes a later value word part of its question:
# 'Waarom kon Utrecht niet uitrekenen hoeveel mensen ...?' asks why
_OTHER_QUESTION_WORDS = frozenset(
    """
waarom hoe wat wie welke welk waar wanneer why how what who which where when
""".split()
)
_SHARE = re.compile(r"\d\s?%|\b(procent|percent|percentage)\b", re.I)
_MONEY = re.compile(r"€|\$|\b(euro|euros|eur|dollar|dollars)\b", re.I)  # '3 miljoen mensen' is not money
_MONTH = re.compile(
    r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"january|february|march|june|july|august|october|jaren (?:zeventig|tachtig|negentig))\b",
    re.I,
)
# "Welke thema's zijn bekend?": the sources' own "not known" lists are then the answer, not a refusal
_ABOUT_KNOWLEDGE = re.compile(r"\b(bekende?|onbekende?|known|unknown)\b", re.I)
# a Dutch or English closed question opens with its finite verb
_YES_NO_OPENERS = frozenset(
    """
is zijn was waren wordt worden werd werden heeft hebben had hadden kan kunnen kon konden moet moeten zal zullen
gaat gaan ging geeft geven gaf staat staan speelt spelen doet doen deed noemt noemen klopt bestaat zit zitten
are was were does do did has have had can could will would should
""".split()
)
_YEARS = re.compile(r"(?<![\w-])(?:1[89]|20)\d\d(?![\w-])")
_DIGITS = re.compile(r"(?<![\w-])\d[\d.,]*(?![\w-])")  # a number of its own, not the 2 in 'mbo-2'
_NUMBER_WORDS = re.compile(
    r"\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|(?:der|veer|vijf|zes|zeven|acht|negen)tien|"
    r"twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd\w*|"
    r"duizend\w*|miljoen|miljard|procent|helft|half|tientallen|two|three|four|five|six|seven|eight|nine|"
    r"ten|hundreds?|thousands?|million|percent|\w*jaarlijks\w*|maandelijks\w*|wekelijks\w*|dagelijks\w*|keer|"
    r"per (?:jaar|maand|week|dag)|yearly|annually|monthly|weekly|daily|times)\b",
    re.I,
)


def focus_terms(question: str, most: int = 1) -> list[str]:
    """Stems of the asked-for phrase: its noun, right after the wh-word ('welke deelnemende
    *organisaties*': an inflected adjective before a noun is skipped)."""
    match = _FOCUS_START.search(question)
    if not match:
        return []
    words = re.findall(r"[\w'-]+", question[match.end() :])[:5]
    terms: list[str] = []
    for i, word in enumerate(words):
        lowered = word.lower().strip("'")
        if lowered in _NOT_FOCUS:
            continue
        if lowered in STOPWORDS:
            if terms:
                break
            continue
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if not terms and _ADJECTIVE.search(lowered) and following and following not in STOPWORDS:
            continue
        terms.extend(tokenize(lowered)[:1])
        if len(terms) >= most:
            break
    return terms


def focus_phrase(question: str) -> str:
    """The asked-for words as written, with a modifier that narrows them ('andere gemeenten'; a count
    before it says nothing: 'welke twee andere toekomstperspectieven')."""
    match = _FOCUS_START.search(question)
    words = re.findall(r"[\w'-]+", question[match.end() :])[:4] if match else []
    words = [word for word in words if word.lower() not in _COUNTS][:2]
    return " ".join(words).lower() if len(words) == 2 and words[0].lower() in _NARROWING else ""


def asked_value(question: str) -> str | None:
    """'share', 'money', 'year', 'date' or 'number' when the question asks for such a value."""
    return next(iter(asked_values(question)), None)


def asked_values(question: str) -> list[str]:
    """Every kind of value asked for: 'Sinds wanneer ..., en hoeveel ...?' asks for two. A value word
    under another question word asks nothing ('Waarom kon Utrecht niet uitrekenen hoeveel mensen ...?'
    asks why); after a polite opener it does ('Kun je zeggen hoeveel ...?')."""
    kinds = [
        kind
        for kind, pattern in _ASKED_VALUE
        if any(not _under_other_question(question, m.start()) for m in pattern.finditer(question))
    ]
    # 'hoe nauwkeurig' and 'hoeveel geld' are number questions too, but only the share or amount answers
    return [k for k in kinds if k != "number"] if {"share", "money"} & set(kinds) else kinds


def _under_other_question(question: str, at: int) -> bool:
    """Another question word opens the clause that position `at` lies in."""
    clause = re.split(r"[,;:?.!()—–]", question[:at])[-1]
    return any(word.lower() in _OTHER_QUESTION_WORDS for word in re.findall(r"[\w'-]+", clause))


def holds_value(quote: str, question: str) -> bool:
    """The quote holds a value of an asked kind that the question did not already give."""
    kinds = asked_values(question)
    return not kinds or any(_holds(kind, quote, question) for kind in kinds)


def _holds(kind: str, quote: str, question: str) -> bool:
    if kind == "share":
        return bool(_SHARE.search(quote))
    if kind == "money":
        return bool(_MONEY.search(quote)) and has_number(quote, question)
    new_years = set(_YEARS.findall(quote)) - set(_YEARS.findall(question))
    if kind == "year":
        return bool(new_years)
    if kind == "date":
        return bool(new_years or _MONTH.search(quote))
    return has_number(quote, question)


def answered_by_unknowns(question: str) -> bool:
    """'Welke thema's zijn bekend?' and 'Is Enschede een van de cases?': a source saying what is not
    known, or that no source names X, answers these rather than declining them."""
    first = question.strip().split(maxsplit=1)[0].lower() if question.strip() else ""
    return bool(_ABOUT_KNOWLEDGE.search(question)) or first in _YES_NO_OPENERS


def has_number(text: str, question: str = "") -> bool:
    """A count, amount or share the question did not already give; a bare year ('in 2015') does not
    answer 'hoeveel'."""
    given = {m.group(0).rstrip(".,").lower() for m in (*_DIGITS.finditer(question), *_NUMBER_WORDS.finditer(question))}
    for m in _DIGITS.finditer(text):
        number = m.group(0).rstrip(".,")
        if _YEARS.fullmatch(number) or number in given or _MONTH.match(text, m.end() + 1):
            continue  # a year, the question's own number, or the day of a date ('1 mei 2023')
        return True
    return any(m.group(0).lower() not in given for m in _NUMBER_WORDS.finditer(text))
