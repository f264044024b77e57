"""Dutch-aware text handling shared by chunking, BM25 and the answerer.

One tokeniser for indexing and querying, and one sentence splitter for chunking
and quoting, so that a quote can always be found back in the passage it came from.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import metadata

import snowballstemmer

# Snowball's Dutch algorithm changed in 3.0 ('gegevens' -> 'geven', 'gemaakt' -> 'maak'; the older one lives on
# as 'dutch_porter'): stems cached on disk and the learned weights hold for the version that made them
STEMMER_VERSION = metadata.version("snowballstemmer")

# Dutch function words plus question words: they carry no topic, and keeping them
# lets "Wat is ...?" match every passage containing "is".
STOPWORDS_NL = frozenset(
    """
aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens
en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan
kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op
over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wil
worden wordt zal ze zelf zich zij zijn zo zonder zou welke welk waar waarom wanneer hoeveel hoe
noemt noem zeg zegt gaat ging kun kunt jij jullie wij onze ze hen daarin daarbij hierover erover
eigenlijk precies nou even graag
""".split()
)

STOPWORDS_EN = frozenset(
    """
a an and are as at be been but by can could did do does for from had has have how i if in into is it
its me my no not of on or our so such than that the their them then there these they this to was we
were what when where which who why will with would you your about which tell list name say says
one many much
""".split()
)

STOPWORDS = STOPWORDS_NL | STOPWORDS_EN

_WORD = re.compile(r"[\w]+(?:[-'][\w]+)*", re.UNICODE)
# a Snowball stemmer keeps the word being stemmed in its own fields: one per thread, or two answers at
# once (the app answers several sessions in parallel) corrupt each other's words (IndexError, wrong stems)
_stemmers = threading.local()


def fold(text: str) -> str:
    """Lower case without diacritics: 'Eén' and 'een' are the same word to a searcher."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    if decomposed.isascii():
        return decomposed
    # the marks among the text's distinct characters, dropped in one pass (not a test per character: a
    # store of 100,000 chunks tokenises every sentence of the passages a question retrieves)
    marks = [ch for ch in set(decomposed) if unicodedata.combining(ch)]
    return decomposed.translate(dict.fromkeys(map(ord, marks))) if marks else decomposed


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "dutch", None)
    if stemmer is None:
        stemmer = _stemmers.dutch = snowballstemmer.stemmer("dutch")
    return stemmer.stemWord(word)


_URL = re.compile(r"https?://\S+|www\.\S+")


def tokenize(text: str) -> list[str]:
    """Stemmed content words; hyphenated compounds also yield their parts; URLs say nothing."""
    tokens: list[str] = []
    for word in _WORD.findall(fold(_URL.sub(" ", text))):
        tokens.extend(word_terms(word))
    return tokens


# a word's terms, kept for the words met most recently (133 bytes each besides the word, tracemalloc: at most
# ~12 MiB with the words): half of tokenising a sentence was splitting, filtering and stemming words seen before
@lru_cache(maxsize=65_536)
def word_terms(word: str) -> tuple[str, ...]:
    """The stemmed terms of one folded word: itself, and a hyphenated compound's parts; stop words and
    single letters (not digits) say nothing."""
    terms = []
    for part in [word] + (word.split("-") if "-" in word else []):
        part = part.strip("'")
        if (len(part) < 2 and not part.isdigit()) or part in STOPWORDS:
            continue
        terms.append(stem(part))
    return tuple(terms)


@lru_cache(maxsize=500_000)
def related(a: str, b: str) -> bool:
    """Stems of one Dutch word family or compound: 'onderzoek'~'onderzoeker', 'succesfactor'~'kernfactor',
    'presenteerd'~'presentatie', 'geanalyseerd'~'analyseerd'."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 5 and long_.startswith(short):
        return True
    if len(short) >= 7 and short[:7] == long_[:7]:
        return True
    if a[-6:] == b[-6:] and len(short) >= 6:
        return True
    for x, y in ((a, b), (b, a)):  # a past participle: ge- + stem
        if x.startswith("ge") and len(x) > 7 and related_plain(x[2:], y):
            return True
    return False


def related_plain(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and (long_.startswith(short) or short[:7] == long_[:7])


# ~300 bytes a word: 8,192 keep the words that recur from question to question (a question's word families:
# 0.5 -> 0.2 ms for 1,500 candidate words) without growing a server at 100k chunks, whose memory target is near
@lru_cache(maxsize=8192)
def family_keys(term: str) -> tuple[str, ...]:
    """Buckets in which every `related` term of `term` is found: first five letters, last six, ge-less."""
    keys = []
    if len(term) >= 5:
        keys.append("p:" + term[:5])
    if len(term) >= 6:
        keys.append("s:" + term[-6:])
    if term.startswith("ge") and len(term) > 7:
        keys.append("p:" + term[2:7])
    return tuple(keys)


_ABBREVIATIONS = (
    "bijv",
    "bv",
    "o.a",
    "d.w.z",
    "m.b.t",
    "t.o.v",
    "e.d",
    "ca",
    "nr",
    "blz",
    "p",
    "pp",
    "dr",
    "mr",
    "ir",
    "drs",
    "prof",
    "jl",
    "z.g",
    "i.p.v",
    "etc",
    "incl",
    "excl",
    "resp",
    "vgl",
    "zgn",
    "o.m",
    "mln",
    "mld",
    "e.g",
    "i.e",
    "vs",
    "art",
    "lid",
    "St",
    "min",
    "max",
    "aug",
    "sept",
    "okt",
    "nov",
    "dec",
    "jan",
    "feb",
)
_ABBREV_RE = re.compile(r"(?:^|[\s(])(?:" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")\.$", re.I)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-ZÀ-ÝÄËÏÖÜ0-9*])")


SECTION_SEPARATOR = " > "  # between the titles of a section path ('Hoofdstuk > Deel')


def heading_line(title: str, level: int) -> str:
    """A subsection title inside a chunk that merged small sections (ingest/chunking.py), as Markdown:
    its level is its depth in the document's section path, so the path can be read back."""
    return f"{'#' * max(level, 1)} {title}"


def is_heading_line(line: str) -> bool:
    """A title line, not a statement: never quoted as an answer."""
    return line.lstrip().startswith("#")


def line_sections(section: str, text: str) -> list[str]:
    """The section path each line of a chunk stands in (a title line: the one it opens)."""
    path = [part.strip() for part in section.split(SECTION_SEPARATOR)] if section else []
    out = []
    for line in text.split("\n"):
        if is_heading_line(line):
            marks = len(line.lstrip()) - len(line.lstrip().lstrip("#"))
            path = [*path[: marks - 1], line.lstrip().lstrip("#").strip()]
        out.append(SECTION_SEPARATOR.join(path))
    return out


def section_parts(section: str, text: str) -> list[tuple[str, list[str]]]:
    """(section path, lines) of each part of a chunk: a title line starts a new subsection, at its level."""
    parts: list[tuple[str, list[str]]] = []
    for line, path in zip(text.split("\n"), line_sections(section, text)):
        if is_heading_line(line):
            continue
        if parts and parts[-1][0] == path:
            parts[-1][1].append(line)
        else:
            parts.append((path, [line]))
    return parts


# a list line's bullet or number ('- ', '• ', '3. ', 'b) '): a PDF or DOCX keeps its list's numbering as text,
# and `split_sentences` takes '3.' for a sentence of its own
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|[a-z][.)])\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Sentences as exact substrings of `text` (so quotes stay verbatim)."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if _ABBREV_RE.search(candidate) or re.search(r"\b[A-Z]\.$", candidate):
            continue
        if candidate:
            sentences.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def passage_sentences(text: str) -> list[str]:
    """Every sentence of a passage, line by line: a list item or table row never runs into the next."""
    return [sentence for line in text.split("\n") for sentence in split_sentences(line)]


# words that tell the language of a question: each language's function words, less those both use
# ('in', 'is', 'of', 'was', 'we' ...), plus the words a question or request opens with
_SHARED = STOPWORDS_NL & STOPWORDS_EN | {"men", "want", "over", "die", "as", "an"}
_EN_MARKERS = (STOPWORDS_EN | frozenset("whom whose give show explain describe please should were any some".split())) - _SHARED
_NL_MARKERS = (STOPWORDS_NL | frozenset("geef vertel toon leg beschrijf waarmee waarvoor waardoor welk".split())) - _SHARED
# a quoted title or name keeps its own language ("Which partners joined 'De stad als evenement'?"); an
# apostrophe inside a word ("Utrecht's") opens no quote
_QUOTED = re.compile(r"(?<!\w)(['\"‘“„«])[^'\"‘’“”„«»]+['\"’”»](?!\w)")


def detect_language(text: str) -> str:
    """'en' or 'nl' by the function words of each, outside quoted titles; Dutch when they do not tell.
    Chooses an answer's framing and whether the question crosses the documents' language."""
    scores = _language_scores(_QUOTED.sub(" ", text))
    if scores == (0, 0):
        scores = _language_scores(text)
    return "en" if scores[0] > scores[1] else "nl"


def _language_scores(text: str) -> tuple[int, int]:
    words = [w.split("'")[0].lower() for w in _WORD.findall(text)]
    return sum(w in _EN_MARKERS for w in words), sum(w in _NL_MARKERS for w in words)
