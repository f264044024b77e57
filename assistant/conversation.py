"""Make a follow-up question standalone before it is searched.

"En bij Zaanstad?" means nothing to a retriever. Without an LLM we carry the
subject of the previous question over: its words stay, a name the follow-up
replaces (a gemeente, a case) is swapped for the new one.
"""

from __future__ import annotations

import re

_FOLLOW_UP_START = re.compile(
    r"^(en|maar|ook|dus|and|but|also|what about|how about|wat (?:dan )?(?:met|over)|hoe zit het met|"
    r"en wat|en hoe|en welke|en bij|en in|en voor|idem)\b",
    re.I,
)
# Dutch points back with personal pronouns and pronominal adverbs ('daarin', 'hiermee'): the whole
# grammatical class, not the few that a gold question happened to use ('waar-' forms ask, they do not point)
_PREPOSITIONS = (
    "aan|achter|bij|binnen|boven|buiten|door|in|langs|mee|na|naar|naast|om|onder|op|over|rond|tegen|toe|tussen|uit|van|voor"
)
_REFERS_BACK = re.compile(
    rf"\b(daar|(?:daar|hier)(?:{_PREPOSITIONS})|dat project|deze case|die case|dit project|die gemeente|"
    r"hetzelfde|dezelfde|hij|zij|ze|hun|hen|hem|haar|dat soort|zo'n|zulke|zulk|there|that project|this case|such|"
    r"that kind|he|she|it|they|him|her|them|those|their|its)\b",
    re.I,
)
# a split pronominal adverb points back too: "werd er in 2021 aan doorgewerkt?" is "eraan", the subject
# of the previous turn (a lowercase participle or infinitive ends the question)
_SPLIT_ER = re.compile(
    r"\ber\b(?:\s+\w+){0,6}?\s+(?:aan|mee|over|van|bij|voor|op|uit|door|naar|in|toe)\s+"
    r"(?:[a-z]*ge[a-z]*[dt]|[a-z]+en)\s*[?.!]*\s*$"
)
# "die kleuren", "deze cijfers": the question leans on what the user just told
_DEMONSTRATIVE = re.compile(r"\b(?:die|deze|dit|those|these)\s+(?!(?:de|het|een|met|in|op|van|voor|is|zijn|the|a)\b)\w+", re.I)
_ABOUT_ME = re.compile(r"^(ik|wij|we|mijn|onze|i|i'm|we're|my|our)\b", re.I)
# ('het' before a 'dat' clause points forward: "Klopt het dat ...?", "Is het waar dat ...?")
_VERB_PRONOUN = re.compile(r"^\w+\s+(het|ze|zij|dit|dat|die|hij|it|they)\b(?!\s+\w+\s+(van|over)\b)(?!(?:\s+\w+)?\s+dat\b)", re.I)
# "Hoeveel Utrechters gebruikten het in 2020?": 'het' as the object of a verb points back
# and so does "Wie heeft het gebouwd?": an auxiliary, 'het', then the past participle that ends the question
_OBJECT_HET = re.compile(
    r"\b\w+(?:en|t|de|te)\s+het\s+(?:in|ook|door|nog|niet|al|dan|bij|voor|op|nu|zelf)\b|"
    r"\b(?:heeft|hebben|had|hadden|is|was|zijn|waren|wordt|werd|worden|werden)\s+het\s+"
    r"(?:(?:in|uit|op|aan|af|mee|over|door|terug|voor)?ge|be|ver|ont|her)\w+(?:d|t|en)\s*[?.!]*\s*$",
    re.I,
)
_ENDS_WITH_PRONOUN = re.compile(r"\b(het|dat|die|dit|ze|it|that|this|them)\s*[?.!]*\s*$", re.I)
# 'het' as the object of a closing infinitive ("kan elke gemeente het (vrij) gebruiken?"), as the subject
# beside a copula and an adverb ("voor wie is het juist niet bedoeld?"), and an ordinal without its
# list ("wat houdt het eerste thema in?", unless the list follows: "het derde thema van het rapport")
_HET_POINTS = re.compile(
    r"\bhet\s+(?:(?:ook|vrij|zelf|nog|al|wel|niet|dan|nu|gewoon)\s+)?\w+en\s*[?.!]*\s*$|"
    r"\b(?:is|was|wordt|werd)\s+het\s+(?:juist|niet|wel|ook|nog|al|vooral|eigenlijk|precies)\b|"
    r"\b(?:het|the)\s+(?:eerste|tweede|derde|vierde|vijfde|laatste|first|second|third|last)\b"
    r"(?!(?:\s+\w+)?\s+(?:van|uit|of\b|in\s+\w))",
    re.I,
)
# Strong pointers, counted at any length but only in the question's first clause (a later clause points
# at the first: "..., en wat heeft die aanpak opgeleverd?"): the distal determiner 'die/dat' before a noun
# after a preposition, an auxiliary or a question's opening verb ("Is dat overleg ooit geëvalueerd?",
# "Welke gemeente zat achter dat model?"; not the relative 'gemeenten die ...' nor 'dit rapport', which is
# the document at hand), 'those', the 'daar-' words, and the particle 'dan' where no comparative asks for it
_AUXILIARIES = (
    "is|was|zijn|waren|wordt|werd|worden|werden|heeft|hebben|had|hadden|kan|kon|kunnen|konden|moet|moeten|"
    "moest|moesten|mag|mogen|mocht|zal|zullen|zou|zouden|wil|willen|wilde|doet|doen|deed|deden|gaat|gaan|ging|"
    "gingen"
)
_NOT_A_NOUN = (
    r"(?!(?:de|het|een|er|ze|zij|hij|je|jij|u|we|wij|men|is|zijn|was|waren|niet|ook|nog|al|wel|dan|in|op|van|"
    r"voor|met|bij|aan|uit|over|door|naar|tot|om|the|a|an|are|were)\b)"
)
_POINTS_BACK = re.compile(
    rf"(?:^(?:(?:wie|wat|waar|wanneer|hoe|waarom|hoeveel)\s+)?\w+\s+|\b(?:{_PREPOSITIONS}|met|{_AUXILIARIES})\s+)"
    rf"(?:die|dat)\s+{_NOT_A_NOUN}\w|"
    rf"\b(?:{_AUXILIARIES})\s+(?:die|dat)\b(?!\s+(?:de|het|een|er)\b)|"  # the pronoun: "hoe is dat bij jongeren?"
    rf"\bthose\s+{_NOT_A_NOUN}\w|"
    rf"\b(?:of|in|for|with|about|from|by|on|at|is|was|did|does|has|had|can)\s+(?:that|this)\s+{_NOT_A_NOUN}\w|"
    rf"\bdaar(?:{_PREPOSITIONS})?\b",
    re.I,
)
_PARTICLE_DAN = re.compile(r"\bdan\b(?!\s+(?:ook|\d))", re.I)
_COMPARATIVE_BEFORE_DAN = re.compile(
    r"\b(?:meer|minder|anders|ander|liever|(?!(?:wanneer|over|onder|achter|hier|daar|waar|per|ieder)\b)\w{3,}er)\b"
    r"\s.*\bdan\b",
    re.I,
)
_CLAUSE_END = re.compile(r"[,;?.!]|\s(?:en|and)\s", re.I)
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")


def is_follow_up(question: str) -> bool:
    """'En bij Zaanstad?', 'Wordt het ook elders gebruikt?', 'Welke les trokken ze eruit?'."""
    words = question.split()
    q = question.strip()
    return bool(_FOLLOW_UP_START.search(q) or (len(words) <= 10 and refers_back(q)) or points_back(q))


def points_back(text: str) -> bool:
    """A strong pointer in the first clause: 'Is dat overleg ooit geëvalueerd, en wat kwam eruit?'."""
    first = _CLAUSE_END.split(text.strip(), maxsplit=1)[0]
    return bool(_POINTS_BACK.search(first) or (_PARTICLE_DAN.search(first) and not _COMPARATIVE_BEFORE_DAN.search(first)))


def refers_back(text: str) -> bool:
    return bool(
        _REFERS_BACK.search(text)
        or _VERB_PRONOUN.search(text)
        or _ENDS_WITH_PRONOUN.search(text)
        or _OBJECT_HET.search(text)
        or _SPLIT_ER.search(text)
        or _HET_POINTS.search(text)
        or re.search(r"\b(eruit|erover|ervan|erbij|daarna|daarvan)\b", text, re.I)
    )


def focus(question: str) -> str:
    """Drop what a user says about themselves ('Ik bereid een workshop voor.'): it only dilutes the search."""
    from assistant.text import split_sentences

    sentences = split_sentences(question)
    kept = [s for s in sentences if s.rstrip().endswith("?") or not _ABOUT_ME.search(s)]
    rest = " ".join(kept)
    if not kept or (len(kept) < len(sentences) and (refers_back(rest) or _DEMONSTRATIVE.search(rest))):
        return question  # "Ik zie rode panden op de funderingskaart. Wat betekenen die kleuren?"
    return rest


def names(text: str) -> list[str]:
    """Capitalised words not at a sentence start: gemeenten, cases, organisations."""
    return [m.group(1) for m in _NAME.finditer(text.strip())]


def condense(question: str, history: list[str]) -> str:
    """A standalone form of `question`, given the user's earlier questions (oldest first)."""
    question = focus(question.strip())
    previous = [focus(h.strip()) for h in history if h and h.strip()]
    if not previous or not is_follow_up(question):
        return question
    rest = _FOLLOW_UP_START.sub("", question).strip(" ?,.")
    if len(rest.split()) >= 6 and not refers_back(rest) and not points_back(rest):
        return rest[0].upper() + rest[1:] + "?"  # "En welke vragen laat het onderzoek open?" stands alone
    subject = condense(previous[-1], previous[:-1])  # the previous turn may itself be a follow-up
    new_names = names(question)
    swaps_subject = bool(_FOLLOW_UP_START.search(question)) and len(question.split()) <= 5
    if new_names and swaps_subject:  # "En bij Zaanstad?": same question, other gemeente
        for old in names(subject):
            if old not in new_names:
                subject = re.sub(rf"\b{re.escape(old)}\b", "", subject)
    subject = re.sub(r"\s{2,}", " ", subject).strip(" ?")
    return f"{subject} — {rest}?" if rest else f"{subject}?"
