"""What kind of answer a question asks for, and which sentences have that shape.

Question grammar and sentence cues that hold for any Dutch or English text: "hoeveel"
asks for a number, "wie" for a name, "waarom" for a reason, "wat is" for a definition.
The sentence ranker (`assistant/sentence_features.py`) learns how much each match counts;
nothing here knows the shipped corpus.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assistant.text import STOPWORDS, fold, related_plain, tokenize

QUESTION_TYPES = ("number", "when", "who", "name", "why", "where", "define", "how", "list", "yes_no", "other")

# polite openers and their kin before the real question: "Kun je zeggen hoeveel ...?"
_OPENER = re.compile(
    r"^(?:(?:kun|kan|wil) (?:je|jij|u) (?:me |mij )?(?:zeggen|vertellen|uitleggen|aangeven|noemen)|"
    r"(?:weet|zeg|vertel) (?:je|jij|u)(?: me| mij)?|ik (?:wil|zou graag) (?:weten|horen)|"
    r"(?:can|could) you (?:tell|say|explain)(?: me)?|(?:do you know|tell me|i(?:'d| would) like to know))\s*,?\s*",
    re.I,
)
# the verb of what something costs, in its forms; and of what someone pays (not English 'pay attention')
_COST_VERBS = "kost|kosten|kostte|kostten|gekost|cost|costs"
_PAY_VERBS = r"betalen|betaalt|betaald|betaalde|betaalden|(?:pay|pays|paid)(?!\s+(?:attention|heed))"
_TYPES = (
    (
        "number",
        rf"hoeveel|how (?:many|much)|welk(?:e)? (?:percentage|bedrag|aantal|cijfer|score)|wat (?:{_COST_VERBS})|"
        r"what (?:percentage|share|amount|number)|hoe (?:groot|vaak|hoog|duur|nauwkeurig)|how (?:big|large|often|accurate)",
    ),
    (
        "when",
        r"wanneer|in welk(?:e)? jaar|welk jaar|welke (?:datum|periode|maand)|sinds wanneer|when|"
        r"(?:in )?(?:what|which) year|since when",
    ),
    ("who", r"wie|door wie|met wie|who|whom|by whom"),
    (
        "name",
        r"welke (?:gemeente|gemeenten|organisatie|organisaties|partij|partijen|bedrijf|bedrijven|stad|steden|"
        r"leverancier|bureau|provincie|instantie|afdeling)|(?:which|what) (?:municipality|municipalities|organi[sz]ation|"
        r"company|companies|city|cities|supplier|party|parties|department|agency)",
    ),
    ("why", r"waarom|om welke reden|hoe komt het|why|for what reason|what(?:'s| was| is) the reason"),
    ("where", r"waar(?!om)|where"),
    (
        "define",
        r"wat (?:is|zijn|was|waren|betekent|betekenen|houdt|houden|doet|deed|doen|verstaat|verstaan|bedoelt|bedoelen)|"
        r"wat (?:wordt|worden) (?:er )?(?:bedoeld|verstaan)|what (?:is|are|was|were|does|did|do)|what's",
    ),
    ("how", r"hoe|op wat voor (?:een )?(?:manier|wijze)|how|in what way"),
    # 'wat voor' asks which kind of thing, as 'welke' does ('Met wat voor gegevens werkt het model?')
    ("list", r"welke|welk|wat voor|noem|which|list|name|what (?:kinds?|types?|sorts?) of"),
)
# Dutch joins 'waar' and a preposition ('waarover', 'waarmee') or splits them around the clause ('Waar gaat
# het over?', 'Waar hing het succes van af?'): the question asks about a thing, not a place
_WAAR_PREPOSITIONS = "over|voor|door|mee|uit|op|aan|naar|van|in|bij|toe|tegen|tegenaan|af"
_WAAR_PREPOSITION = re.compile(rf"^(?:\w+ )?waar(?:({_WAAR_PREPOSITIONS})\b|\s.*\s({_WAAR_PREPOSITIONS})\W*$)", re.I)
_WAAR_KINDS = {"over": "define", "door": "why"}  # what it is about; by what cause
# what something costs, its verb anywhere after the wh-word: Dutch puts a participle or infinitive at the end of
# the clause ('Wat heeft het model gekost?', 'Wat gaat het kosten?'), English an auxiliary between ('What did it cost?');
# costs after a preposition are what another verb acts on ('Wat doet dat met de respons en de kosten?')
# what someone pays is a price as well, whatever prepositions stand between ('Wat moet een gemeente aan VNG betalen?')
_PRICE_QUESTION = re.compile(
    rf"^(?:\w+ )?(?:wat|what)\b(?:(?:(?!\b(?:met|op|aan|with|on|to)\b)[^?])*?\b(?:{_COST_VERBS})|[^?]*?\b(?:{_PAY_VERBS}))\b",
    re.I,
)
_TYPE_PATTERNS = tuple((kind, re.compile(rf"^(?:\w+ )?(?:{pattern})\b", re.I)) for kind, pattern in _TYPES)
# where one sentence ends and the next begins: a full stop or '!' after a word of three letters or more (not
# 'o.a.' or 'nr.'), then a capital or an opening quote
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{3}[.!])\s+(?=[A-Z„\"'‘(])")
_TYPE_ANYWHERE = tuple((kind, re.compile(rf"\b(?:{pattern})\b", re.I)) for kind, pattern in _TYPES)
# a closed question opens with its finite verb
_YES_NO = frozenset(
    """is zijn was waren wordt worden werd werden heeft hebben had hadden kan kunnen kon konden moet moeten zal zullen
    gaat gaan ging geeft geven gaf staat staan speelt spelen doet doen deed noemt noemen klopt bestaat zit zitten
    verwijst verwijzen komt komen are was were does do did has have had can could will would should""".split()
)

# sentence cues
_YEAR = re.compile(r"(?<![\w-])(?:1[89]|20)\d\d(?![\w-])")
_DIGITS = re.compile(r"(?<![\w-])\d[\d.,]*(?![\w-])")
# Dutch writes 21-99 as one word, unit first ('zevenendertig', 'tweeënveertig'), and hundreds and thousands
# joined to what they count ('driehonderdvijftig', 'tienduizend'); English joins tens with a hyphen
_DUTCH_TENS = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig"
# Dutch 'ten' is a preposition in fixed phrases ('ten behoeve van', 'ten minste'), not the English number
_DUTCH_TEN = (
    "behoeve|aanzien|opzichte|minste|slotte|einde|gevolge|laste|tijde|koste|dele|grondslag|hoogste|volle|"
    "overstaan|onrechte|uitvoer|toon|noorden|zuiden|oosten|westen|eerste|tweede|derde|gunste|name|spoedigste"
)
_NUMBER_WORD = re.compile(
    r"\b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|\w+tien|"
    rf"(?:(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)(?:en|ën))?(?:{_DUTCH_TENS})|"
    r"(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|\w+tig|\w+tien)?(?:honderd|duizend)\w*|"
    r"miljoen|miljard|procent|helft|tweederde|driekwart|kwart|tientallen|two-thirds|three-quarters|two|three|four|five|six|seven|eight|nine|"
    rf"ten(?! (?:{_DUTCH_TEN}))|eleven|twelve|"
    r"\w+teen|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?|hundreds?|thousands?|million|"
    r"billion|percent|half|dozens)\b",
    re.I,
)
_MONTH = re.compile(
    r"\b(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|january|february|"
    r"march|may|june|july|august|october|december)\b",
    re.I,
)
# a moment, a period or a frequency without a calendar date: 'na twee weken', 'binnen vijf werkdagen', 'op
# maandag', 'jaarlijks', 'within a month'. A 'wanneer' question about a procedure is answered by these; only the
# type match of a 'wanneer' question reads it (made part of the date cue, it moved every ranker feature that reads
# that cue and cost the digest key facts: docs/answering.md, fifty-ninth session)
_TIME = re.compile(
    r"\b(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|(?:twee|half)?(?:dagelijks|wekelijks|maandelijks|jaarlijks|nachtelijk)e?|daily|weekly|monthly|"
    r"yearly|annually|nightly|voorjaar|najaar|kwartaal|quarterly|"
    r"(?:\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|dertig|half|halve|enkele|elke|iedere|"
    r"per|binnen|na|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|every|each|within|after)"
    r"(?:\s+(?:en\s+een\s+half|and\s+a\s+half|\w+))?\s+(?:werk)?(?:dagen|dag|weken|week|maanden|maand|jaren|uur|uren|"
    r"minuten|working\s+days|days?|weeks?|months?|years|hours?|minutes))\b",
    re.I,
)
# a question after the moment something began or ends ('sinds wanneer', 'tot wanneer') asks for a point in time:
# 'elke maand' or 'binnen twee weken' does not answer it, a year or a date does
_POINT_ASKED = re.compile(r"\b(?:(?:sinds|vanaf|tot) wanneer|(?:since|until|till) when)\b", re.I)
_SHARE = re.compile(r"\d\s?%|\b(?:procent|percent|percentage)\b", re.I)
_MONEY = re.compile(r"€|\$|\b(?:euro|eur|dollar|dollars)\b", re.I)
_REASON = re.compile(
    r"\b(?:omdat|doordat|want|daardoor|dankzij|zodat|vanwege|reden|redenen|oorzaak|aanleiding|om\s+\w+(?:\s+\w+)?\s+te|"
    r"because|due to|therefore|reason|reasons|so that|in order to)\b",
    re.I,
)
_DEFINE = re.compile(
    r"\b(?:is een|is de|is het|zijn de|betekent|houdt in|gaat om|bestaat uit|staat voor|heet|noemt men|is a|is an|is the|"
    r"means|refers to|consists of)\b|^[^:]{2,40}:\s",
    re.I,
)
_NAME = re.compile(r"(?<=[\s(„\"'])(?:[A-Z][\w&'-]+|[A-Z]{2,}\w*)")
# a source's own "this is not known": general markers, Dutch and English
_UNKNOWN = re.compile(
    r"\b(?:onbekend\w*|unknown|not known|"
    # 'is niet bekend', 'wordt niet genoemd', 'niet (openbaar) gevonden', 'niet te vinden'
    r"niet (?:\w+ ){0,2}(?:bekend|genoemd|vermeld|beschreven|gevonden|bevestigd|openbaar|beschikbaar|te vinden)|"
    # 'staat niet in (de bron)', 'staat er niet bij', 'zegt niet'
    r"(?:staat|staan|stond|stonden) (?:er )?niet (?:in|bij|vermeld)|"
    # 'geen (openbare) bron', 'geen gegevens', 'geen cijfers ... gevonden', 'geen (openbare) pagina / passage / vermelding'
    r"geen (?:\w+ ){0,2}(?:bron|bronnen|gegevens|informatie|cijfers|beschrijving|data|pagina|passage|vermelding)\b|"
    # 'geen ... gevonden in de (geraadpleegde) bronnen'; 'is niets (over) bekend', 'is niets gevonden'
    r"geen\b[^;:]{0,90}?\bgevonden (?:in|bij) (?:de |het )?(?:\w+ )?(?:bron|bronnen|literatuur)\b|"
    r"niets (?:\w+ ){0,2}(?:bekend|gevonden|vermeld|genoemd|beschreven)|"
    r"ontbreekt|ontbreken|not (?:\w+ ){0,2}(?:mentioned|stated|found|public|available|disclosed)|"
    r"nothing (?:\w+ ){0,2}(?:known|found|mentioned|stated)|"
    r"no (?:\w+ ){0,2}(?:source|sources|data|information|figures|page|passage|mention))",
    re.I,
)
UNKNOWN_WORDS = 35
# a section about what is not known: 'Wat niet bekend is', 'Onbekend', 'Open vragen', 'Unknowns'
_UNKNOWN_SECTION = re.compile(r"\b(?:onbekend\w*|niet bekend|open vragen|unknowns?|not known|open questions)\b", re.I)


def asked_part(question: str) -> str:
    """The question without the statements a user puts before it ("Ik bereid een workshop voor over waarom
    projecten slagen. Welke kernfactoren ...?"): what kind of answer it asks for is in the sentences from the
    first one that asks on, and the context's 'waarom' or 'hoe' made it a why- or how-question (13 of the 64
    development questions that open with such a statement changed kind)."""
    parts = _SENTENCE_END.split(question.strip())
    first = next((i for i, part in enumerate(parts) if part.rstrip().endswith("?")), 0)
    return " ".join(parts[first:]) if first else question


# a second thing asked: another question sentence, or a clause joined by 'en' / 'of' that opens with a wh-word
# ('Wanneer begon het, en wie betaalde?')
_WH = r"(?:wat|wie|wanneer|waar\w*|waarom|hoe\w*|welke?|hoeveel|what|who|when|where|why|how|which)"
_ANOTHER_ASK = re.compile(rf"(?:,\s*(?:en|of|and|or)\s+{_WH}\b|\?\s+\S)", re.I)


def asks_several(question: str) -> bool:
    """The question asks more than one thing, so one sentence rarely answers it all."""
    return bool(_ANOTHER_ASK.search(asked_part(question).strip()))


# 'Wat zijn de drie belangrijkste pijlers ...?', 'What are the theme areas ...?': the plural verb after 'what'
# asks after several things of a kind (a 'define' question by its wh-word)
_SEVERAL_OF_A_KIND = re.compile(r"^(?:\w+ )?(?:wat|what) (?:zijn|waren|are|were)\b", re.I)
# 'allemaal' asks for every one of them ('Wat doet een wijkteam allemaal?', 'Wie deden er allemaal mee?')
_ALL_OF_THEM = re.compile(r"\b(?:allemaal|all the (?:things|ways|tasks))\b", re.I)


def asks_list(kind: str, question: str) -> bool:
    """The answer is a list: a 'welke / noem' question, or a 'what are' one. The kind stays what the
    wh-word says (the learned weights read it); this decides only how the answer is composed."""
    if kind == "list" or (kind not in ("number", "when", "why", "yes_no") and _ALL_OF_THEM.search(question)):
        return True
    return kind == "define" and bool(_SEVERAL_OF_A_KIND.search(_asked_text(question)))


# a moment a few hours or days from when the question is asked: 'morgen', 'vanavond', 'dit weekend', 'tomorrow',
# 'last week' (not 'vandaag' or 'nu': 'hoe werkt het nu' asks after the state a document describes; not 'de
# morgen', a morning)
_NEAR_MOMENT = re.compile(
    r"(?<!\bde )\b(?:over)?morgen(?:ochtend|middag|avond)?\b|\b(?:van(?:avond|nacht|middag|ochtend|morgen)|"
    r"(?:eer)?gisteren|gister(?:avond|middag|ochtend)|(?:dit|komend|volgend|afgelopen|vorig) weekend|"
    r"(?:deze|volgende|vorige|komende|afgelopen) week|tomorrow|tonight|yesterday|"
    r"this (?:weekend|week|evening|afternoon|morning)|(?:next|last) (?:week|weekend))\b",
    re.I,
)
# a user's preamble within the question's sentence: 'Morgen heb ik overleg, wat zijn de succesfactoren?',
# 'For my talk next week: who carried out the study?'
_PREAMBLE_END = re.compile(rf"[,:;]\s*(?={_WH}\b)", re.I)


def asks_near_moment(question: str, standalone: str = "") -> bool:
    """The question is about a moment a day or so from when it is asked (the weather tomorrow, tonight's last
    train): no document written before it can hold that, so the answerer takes such a question for one about
    something else (`ExtractiveAnswerer._on_topic`). Only what is asked counts, not a user's own plans before it
    ('Ik geef morgen een workshop. Welke lessen ...?'). A follow-up that asks something by itself ('En wat is
    het doel van slim vegen daar?' after 'Wordt het morgen droog in Utrecht?') is read alone; one that asks nothing
    by itself ('En in Amersfoort?') is read as the question it continues, `standalone`."""
    if standalone and question_type(question) == "other":
        question = standalone
    asked = asked_part(question)
    preamble = _PREAMBLE_END.search(asked)
    if preamble and question_type(asked[: preamble.start()]) == "other":  # 'Wordt het morgen droog, wat denk je?' asks
        asked = asked[preamble.end() :]
    return bool(_NEAR_MOMENT.search(asked))


def question_type(question: str) -> str:
    """One of QUESTION_TYPES: the wh-word that opens the question (after a polite opener), else the
    first one in it, else a yes/no question when it opens with a verb."""
    text = _asked_text(question)
    split = _WAAR_PREPOSITION.search(text)
    if split:  # 'Waar gaat het over?', 'Waarmee begon het?': about what, with what; not a place
        preposition = (split.group(1) or split.group(2)).lower()
        if preposition in _WAAR_KINDS:
            return _WAAR_KINDS[preposition]
    if _PRICE_QUESTION.search(text):
        return "number"
    if opening := _opening(text, place=not split):
        return opening[0]
    first = fold(text).split(maxsplit=1)[0] if text else ""
    if first in _YES_NO:
        return "yes_no"
    for kind, pattern in _TYPE_ANYWHERE:
        if pattern.search(text) and not (split and kind == "where"):
            return kind
    return "list" if _ALL_OF_THEM.search(text) else "other"


def asking_terms(question: str) -> frozenset[str]:
    """Stems of the words that say what kind of answer is asked ('Wat *houdt* ... in', 'hoe *vaak*', 'welke
    *gemeente*'): they frame the question, and a sentence that answers it need not hold them. Not a cost's verb
    ('Wat *kostte* het?'): what is asked after is the cost. Nor 'waar' joined to a preposition ('*Waarmee*
    begon ...', 'Waar gaat het *over*'): it is how Dutch asks about a thing."""
    text = _asked_text(question)
    if _PRICE_QUESTION.search(text):
        return frozenset()
    split = _WAAR_PREPOSITION.search(text)
    if split:
        return frozenset(tokenize(f"waar{split.group(1)}" if split.group(1) else split.group(2)))
    opening = _opening(text)
    return frozenset(tokenize(opening[1])) if opening else frozenset()


def _asked_text(question: str) -> str:
    """The asked sentence without a polite opener ('Kun je me vertellen ...') or a Spanish-style '¿'."""
    return _OPENER.sub("", asked_part(question).strip().lstrip("¿ "))


def _opening(text: str, place: bool = True) -> tuple[str, str] | None:
    """The kind of the wh-phrase that opens `text` and its words ('welke gemeente' -> name); `place=False`
    skips 'waar' (a 'waar ... over' question asks about a thing)."""
    for kind, pattern in _TYPE_PATTERNS:
        if (found := pattern.search(text)) and (place or kind != "where"):
            return kind, found.group(0)
    return None


def focus_terms(question: str) -> list[str]:
    """Stems of the asked-for noun: the first content word after the wh-word ('welke *gemeente*',
    'hoeveel *interviews*', 'wat is het *doel*'). Empty when the question names no such word."""
    text = _asked_text(question)
    match = re.search(
        r"\b(?:welke|welk|hoeveel|wat voor(?: een)?|which|what|how many|how much|"
        r"(?:wat|what) (?:is|was|zijn|waren|are|were) (?:het|de|een|the|a|an))\s+",
        text,
        re.I,
    )
    if not match:
        return []
    for word in re.findall(r"[\w'-]+", text[match.end() :])[:3]:
        if fold(word) not in STOPWORDS:
            return tokenize(word)[:1]
    return []


def sentence_cues(sentence: str, question: str = "") -> dict[str, float]:
    """The shapes of answer a sentence has: a number the question did not give, a year, a date, a
    name, a reason, a definition, a share, an amount, a moment or period without a date ('time'), and
    whether it says something is unknown."""
    digits, words, years, flags = _shapes(sentence)
    given_digits, given_words, given_years = _given(question)
    return {
        "number": float(any(d not in given_digits for d in digits) or any(w not in given_words for w in words)),
        "year": float(bool(years - given_years)),
        "date": float(bool(years - given_years) or flags["month"]),
        "time": float(flags["time"] and not _POINT_ASKED.search(question)),
        **{name: float(flags[name]) for name in ("name", "reason", "define", "share", "money", "unknown")},
    }


@lru_cache(maxsize=50_000)
def _shapes(sentence: str) -> tuple:
    """What `sentence_cues` needs of a sentence whatever the question: the same sentences come back with
    every question about their passage, and these regular expressions were a tenth of an answer's time."""
    digits = tuple(d for d in (m.group(0).rstrip(".,") for m in _DIGITS.finditer(sentence)) if not _YEAR.fullmatch(d))
    words = tuple(fold(m.group(0)) for m in _NUMBER_WORD.finditer(sentence))
    flags = {
        "month": bool(_MONTH.search(sentence)),
        "time": bool(_TIME.search(sentence)),
        "name": bool(_NAME.search(" " + sentence[1:])),
        "reason": bool(_REASON.search(sentence)),
        "define": bool(_DEFINE.search(sentence)),
        "share": bool(_SHARE.search(sentence)),
        "money": bool(_MONEY.search(sentence)),
        "unknown": says_unknown(sentence),
    }
    return digits, words, frozenset(_YEAR.findall(sentence)), flags


@lru_cache(maxsize=1024)
def _given(question: str) -> tuple[frozenset, frozenset, frozenset]:
    """The numbers, number words and years the question itself gives (an answer must add its own)."""
    digits = frozenset(m.group(0).rstrip(".,") for m in _DIGITS.finditer(question))
    words = frozenset(fold(m.group(0)) for m in _NUMBER_WORD.finditer(question))
    return digits, words, frozenset(_YEAR.findall(question))


# A 'how many' question names the quantity it asks for, and a number elsewhere in a sentence does not
# give it: 'hoeveel fte' is not answered by '10 werkdagen'. What counts as giving it:
_COST_ASKED = re.compile(rf"\b(?:{_COST_VERBS}|{_PAY_VERBS}|bedrag|budget|geld|prijs|tarief|money|price|fee|fees)\b", re.I)
_SHARE_ASKED = re.compile(r"\b(?:percentage|procent|percent|aandeel|share)\b", re.I)
_QUALIFIERS = frozenset({"meer", "minder", "extra", "eigen", "more", "fewer", "less", "additional", "own", "other"})
# 'hoeveel mag ik toevoegen', 'how many does VNG advise': a verb straight after 'hoeveel' says it names no noun
_FINITE_VERBS = frozenset(
    """mag mogen mocht mochten moet moeten moest moesten kan kunnen kon konden zal zullen zou zouden wil willen
    wilde wilden is zijn was waren wordt worden werd werden heeft hebben had hadden gaat gaan ging gingen
    may might must can could shall should will would do does did is are was were has have had""".split()
)
# 'hoe vaak' is answered by how often ('jaarlijks', 'om de twee jaar', 'twice a year'), not by any number
_FREQUENCY_ASKED = re.compile(
    r"\b(?:hoe (?:vaak|dikwijls|regelmatig|frequent)|met welke (?:frequentie|regelmaat|tussenpozen?)|om de hoeveel|"
    r"how (?:often|frequently|regularly)|at what (?:frequency|intervals?))\b",
    re.I,
)
_PERIOD = (
    r"(?:jaar|jaren|maand|maanden|week|weken|dag|dagen|nacht|nachten|uur|kwartaal|kwartalen|half jaar|"
    r"year|years|month|months|weeks|day|days|night|nights|hour|quarter)"
)
# how many times: a count, never an ordinal ('voor de eerste keer in 2019' says when, not how often)
_COUNT = (
    r"(?:\d+|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|enkele|meerdere|verschillende|"
    r"paar|aantal|once|one|two|three|four|five|six|several|few)"
)
_FREQUENCY = re.compile(
    r"\b(?:\w*(?:jaarlijks|maandelijks|wekelijks|dagelijks|uurlijks)\w*|nachtelijk\w*|nachts|periodiek\w*|continu|"
    r"doorlopend\w*|eenmalig\w*|"
    rf"(?:per|elk|elke|ieder|iedere|om de|eens per|eens in de|every|each|once a|twice a) (?:\w+ )?{_PERIOD}|"
    rf"{_COUNT} ?(?:keer|keren|maal|malen|times) (?:per|a|an|every|in (?:de|het|een|the|a))\b|"
    r"annual(?:ly)?|yearly|monthly|weekly|daily|nightly|hourly|biennial\w*|"
    r"quarterly|continuous(?:ly)?)\b",
    re.I,
)
NEAR = 2  # words between the asked-for noun and its number: '42 gemeenten', 'fte: 12', '12 van de 18 gemeenten'


def asks_quantity(kind: str, question: str) -> bool:
    """A question after how often, or a number question that names what it counts: an amount of money,
    a share, or a noun."""
    if _FREQUENCY_ASKED.search(question):
        return True
    return kind == "number" and bool(_COST_ASKED.search(question) or _SHARE_ASKED.search(question) or counted_terms(question))


def gives_quantity(sentence: str, question: str) -> bool:
    """The sentence gives the quantity the question names: an amount for a question about cost, a share
    for one about a percentage, how often for 'hoe vaak', else a number (not one the question gave)
    beside what it counts."""
    if _FREQUENCY_ASKED.search(question):
        return bool(_FREQUENCY.search(sentence))
    if _COST_ASKED.search(question) and _MONEY.search(sentence):
        return True
    if _SHARE_ASKED.search(question) and _SHARE.search(sentence):
        return True
    counted = counted_terms(question)
    return bool(counted) and _number_near(sentence, question, counted)


@lru_cache(maxsize=1024)
def counted_terms(question: str) -> tuple[str, ...]:
    """Stems of what a 'hoeveel' question counts: the content word after it, and the next one when the
    first qualifies it ('hoeveel ingevulde vragenlijsten', 'how many more visitors'), or none."""
    match = re.search(r"\b(?:hoeveel|how many|how much|welk(?:e)? aantal|what number of)\s+", question, re.I)
    if not match:
        return ()
    following = re.findall(r"[\w'-]+", question[match.end() :])[:3]
    if following and fold(following[0]) in _FINITE_VERBS:
        return ()
    words = [w for w in following if fold(w) not in STOPWORDS]
    first = fold(words[0]) if words else ""
    if len(words) > 1 and not (len(first) > 4 and first.endswith("e") or first in _QUALIFIERS):
        words = words[:1]
    return tuple(t for w in words[:2] for t in tokenize(w)[:1])


def _number_near(sentence: str, question: str, counted: tuple[str, ...]) -> bool:
    words, numbers = _numbers_in(sentence)
    given_digits, given_words, _ = _given(question)
    new = [i for i, value, digits in numbers if value not in (given_digits if digits else given_words)]
    near = sorted({i for j in new for i in range(max(j - NEAR, 0), min(j + NEAR + 1, len(words)))})
    for i in near:  # only the words beside a number are stemmed
        stems = _stems(words[i])
        if stems and any(_same_noun(stems[0], c) for c in counted):
            return True
    return False


@lru_cache(maxsize=50_000)
def _numbers_in(sentence: str) -> tuple[tuple[str, ...], tuple[tuple[int, str, bool], ...]]:
    """A sentence's words and its numbers (position, value, whether digits), whatever the question: the
    same sentences come back with every question about their passage."""
    words = tuple(re.findall(r"[\w%€.,'-]+", sentence))
    numbers = []
    for i, word in enumerate(words):
        digits = word.rstrip(".,")
        if _DIGITS.fullmatch(digits):
            if not _YEAR.fullmatch(digits):
                numbers.append((i, digits, True))
        elif "%" in word or "€" in word:
            numbers.append((i, "", False))
        elif _NUMBER_WORD.fullmatch(word):
            numbers.append((i, fold(word), False))
    return words, tuple(numbers)


@lru_cache(maxsize=20_000)
def _stems(word: str) -> tuple[str, ...]:
    return tuple(tokenize(word))


def _same_noun(stem: str, counted: str) -> bool:
    """The counted noun in another form ('vragenlijst', 'vragenlijsten'), not any compound with its head:
    '15 | Voorspelmodel' does not count 'deelmodellen'."""
    return stem == counted or related_plain(stem, counted)


# A question after which municipality, city or village is answered by a sentence that names a place, and a
# capital letter alone (the name cue) also fires on 'Burgerpeiling' or 'VNG': such a question reads the
# places of the Netherlands and Belgium (GeoNames, assistant/data/place_names.txt) as what it asks for.
_PLACE_ASKED = re.compile(
    r"\b(?:welke|welk|which|what)\s+(?:gemeenten?|steden|stad|dorpen|dorp|municipalit(?:y|ies)|cit(?:y|ies)|towns?|villages?)\b",
    re.I,
)
PLACE_NAMES = Path(__file__).resolve().parent / "data" / "place_names.txt"
_PLACE_WORDS = 3  # the longest name looked up, in words ('Hoek van Holland')
# 'gemeente Súdwest-Fryslân': a municipality by its own word, whatever the list holds
_MUNICIPALITY_NAMED = re.compile(r"\b(?:[Gg]emeenten?|[Mm]unicipality of)\s+((?:'s-)?[A-Z][\w'’-]+)")


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    lines = PLACE_NAMES.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def asks_place(question: str) -> bool:
    return bool(_PLACE_ASKED.search(asked_part(question)))


@lru_cache(maxsize=50_000)
def places_in(text: str) -> frozenset[str]:
    """The places a text names: a listed name of up to three words, its adjective ('Utrechtse'), its
    possessive ('Utrecht's'), or a name after 'gemeente'."""
    names = _place_names()
    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w'’-]+", text)]
    found = set(_MUNICIPALITY_NAMED.findall(text))
    i = 0
    while i < len(words):
        n = next((n for n in range(min(_PLACE_WORDS, len(words) - i), 0, -1) if " ".join(words[i : i + n]) in names), 0)
        if n:
            found.add(" ".join(words[i : i + n]))
        elif words[i].endswith("se") and words[i][:-2] in names:
            found.add(words[i][:-2])
        i += max(n, 1)
    return frozenset(found)


def gives_place(sentence: str, question: str) -> bool:
    """The sentence names a place the question does not."""
    return bool(places_in(sentence) - places_in(question))


# which cue answers which kind of question
TYPE_CUES = {
    "number": ("number", "share", "money"),
    "when": ("year", "date", "time"),
    "who": ("name",),
    "name": ("name",),
    "why": ("reason",),
    "define": ("define",),
    "where": ("name",),
}


# the small numbers a line may announce a list with, in digits or words, and what they count: a plural noun
# after at most two other words ('6 belangrijke regels', 'three main steps'; not '4 april', 'drie was')
_SMALL_NUMBERS = {
    w: n
    for words in (
        "twee drie vier vijf zes zeven acht negen tien elf twaalf",
        "two three four five six seven eight nine ten eleven twelve",
    )
    for n, w in enumerate(words.split(), start=2)
}
_COUNT = re.compile(
    r"(?<![\w.,-])(?:(\d{1,2})|(" + "|".join(_SMALL_NUMBERS) + r"))\s+((?:[\w-]+\s+){0,2}?)([\w'-]{3,}(?:en|s))\b", re.I
)


@lru_cache(maxsize=50_000)
def counts_named(text: str) -> frozenset[int]:
    """The whole numbers from 2 to 12 a text counts things with ('Er zijn 6 belangrijke regels', 'three
    main steps'): how many items a line may announce."""
    numbers = set()
    for m in _COUNT.finditer(text):
        between = m.group(3).split()
        if any(fold(w) in STOPWORDS for w in [*between, m.group(4)]):
            continue
        numbers.add(int(m.group(1)) if m.group(1) else _SMALL_NUMBERS[m.group(2).lower()])
    return frozenset(n for n in numbers if 2 <= n <= 12)


# three or more items, the last two parts holding a conjunction: 'a, b, c en d', 'a; b; c of d'
# ('a, b en c' is missed: 'x, zei hij, en y' is no list; measured on the folds, docs/answering.md)
_SEPARATOR = re.compile(r"[,;]\s+")
_LAST_ITEM = re.compile(r"\b(?:en|of|and|or|evenals|alsook)\b", re.I)


@lru_cache(maxsize=50_000)
def enumerates(sentence: str) -> bool:
    """The sentence lists three or more things: what a 'welke ...' question that asks for several wants."""
    parts = _SEPARATOR.split(sentence)
    return len(parts) >= 3 and any(_LAST_ITEM.search(p) for p in parts[-2:])


def needs_number(kind: str, question: str) -> bool:
    """A number question that only a number answers: 'hoe vaak' is answered by 'jaarlijks' or 'nachtelijk'
    as well. In the development sets' evidence, every other answerable number question's quotes held a
    number, a share or an amount (191 of 191; 10 of 10 'hoe vaak' questions' held none)."""
    return kind == "number" and not _FREQUENCY_ASKED.search(question)


# a question after the year or the date, which only a year or a date answers: in the development sets' evidence
# every answerable one's quotes gave it (14 of 14), and a sentence about the same event without it does not
_YEAR_ASKED = re.compile(r"\b(?:welke? jaar|(?:what|which) year)\b", re.I)
_DATE_ASKED = re.compile(r"\b(?:welke datum|(?:what|which) date)\b", re.I)


def needs_date(question: str) -> str:
    """'year' or 'date' when the question asks for that and nothing else answers it, else ''."""
    return "year" if _YEAR_ASKED.search(question) else "date" if _DATE_ASKED.search(question) else ""


def needs_amount(kind: str, question: str) -> bool:
    """A question after what something costs, which only an amount of money answers: in the development sets'
    evidence every answerable one's quotes named one (18 of 18); a number beside other things does not."""
    return kind == "number" and bool(_COST_ASKED.search(question))


def type_match(kind: str, cues: dict[str, float]) -> float:
    """1 when the sentence has a shape the question type asks for, 0 when it lacks it, 0.5 when the
    type asks for no particular shape."""
    wanted = TYPE_CUES.get(kind)
    return 0.5 if not wanted else float(any(cues[c] for c in wanted))


def says_unknown(sentence: str) -> bool:
    """The sentence says something is not known (a general marker, not one file's phrasing). In a long
    sentence such a marker is about one of its many clauses, not what the sentence says."""
    return len(sentence.split()) <= UNKNOWN_WORDS and bool(_UNKNOWN.search(sentence))


def section_says_unknown(section: str) -> bool:
    """The section (its last heading) lists what is not known: every line of it is an unknown."""
    return bool(_UNKNOWN_SECTION.search(section.rsplit(">", 1)[-1]))
