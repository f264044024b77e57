"""Dutch-aware text handling shared by chunking, BM25 and the answerer.

One tokeniser for indexing and querying, and one sentence splitter for chunking
and quoting, so that a quote can always be found back in the passage it came from.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

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
rapport eigenlijk precies nou even graag
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

# English question words mapped onto the Dutch corpus' terms, so an English question
# finds Dutch passages by keyword too (the dense side is multilingual already).
GLOSSARY_EN_NL = {
    "lesson": "les",
    "lessons": "lessen",
    "learned": "geleerd",
    "success": "succes",
    "factors": "factoren",
    "municipality": "gemeente",
    "municipalities": "gemeenten",
    "municipal": "gemeentelijk",
    "scaling": "opschaling",
    "scale": "opschalen",
    "upscaling": "opschaling",
    "theme": "thema",
    "themes": "thema's",
    "perspective": "perspectief",
    "perspectives": "perspectieven",
    "projects": "projecten",
    "leader": "projectleider",
    "manager": "projectleider",
    "report": "rapport",
    "research": "onderzoek",
    "researchers": "onderzoekers",
    "study": "onderzoek",
    "innovation": "innovatie",
    "data-driven": "datagedreven",
    "datadriven": "datagedreven",
    "sweeping": "vegen",
    "street": "straat",
    "foundation": "fundering",
    "foundations": "funderingen",
    "houses": "woningen",
    "housing": "woningbouw",
    "homes": "woningen",
    "dog": "hond",
    "dogs": "honden",
    "nuisance": "overlast",
    "enforcement": "handhaving",
    "public": "openbare",
    "space": "ruimte",
    "visitor": "bezoekers",
    "visitors": "bezoekers",
    "flows": "stromen",
    "crowd": "menigte",
    "simulation": "simulatie",
    "debt": "schulden",
    "debts": "schulden",
    "poverty": "armoede",
    "prediction": "voorspelling",
    "predictive": "voorspel",
    "predict": "voorspellen",
    "youth": "jongeren",
    "young": "jongeren",
    "dropout": "schooluitval",
    "undermining": "ondermijning",
    "crime": "criminaliteit",
    "organised": "georganiseerde",
    "social": "sociaal",
    "domain": "domein",
    "physical": "fysiek",
    "safety": "veiligheid",
    "security": "veiligheid",
    "commissioned": "opdracht",
    "fund": "fonds",
    "published": "gepubliceerd",
    "users": "gebruikers",
    "end-users": "eindgebruikers",
    "involvement": "betrokkenheid",
    "market": "markt",
    "learning": "leren",
    "cyclical": "cyclisch",
    "informal": "informeel",
    "ethics": "ethiek",
    "ethical": "ethische",
    "algorithm": "algoritme",
    "algorithms": "algoritmes",
    "harbour": "haven",
    "harbor": "haven",
    "harbourmaster": "havenmeester",
    "future": "toekomst",
    "growth": "groeit",
    "grows": "groeit",
    "why": "waarom",
    "goal": "doel",
    "aim": "doel",
    "purpose": "doel",
    "result": "resultaat",
    "results": "resultaten",
    "risks": "risico's",
    "risk": "risico",
    "scoring": "scorende",
    "question": "vraag",
    "authors": "onderzoekers",
    "author": "onderzoeker",
    "who": "wie",
    "when": "wanneer",
    "year": "jaar",
    "weather": "weer",
    "capital": "hoofdstad",
    # general words of municipal practice, so an English question finds Dutch passages by keyword too
    "explain": "toelichting",
    "explained": "toelichting",
    "explanation": "toelichting",
    "presented": "presenteerde",
    "presentation": "presentatie",
    "consultant": "adviseur",
    "consultants": "adviseurs",
    "advisor": "adviseur",
    "adviser": "adviseur",
    "expertise": "kennis",
    "knowledge": "kennis",
    "skills": "vaardigheden",
    "skilled": "vaardige",
    "training": "opleiding",
    "trained": "opleidde",
    "train": "opleiden",
    "staff": "medewerkers",
    "employees": "medewerkers",
    "employee": "medewerker",
    "scientist": "datascientist",
    "scientists": "datascientists",
    "analyst": "analist",
    "analysts": "analisten",
    "built": "bouwde",
    "build": "bouwen",
    "building": "bouwen",
    "developed": "ontwikkelde",
    "develop": "ontwikkelen",
    "development": "ontwikkeling",
    "designed": "ontworpen",
    "design": "ontwerp",
    "supplier": "leverancier",
    "vendor": "leverancier",
    "company": "bedrijf",
    "companies": "bedrijven",
    "tender": "aanbesteding",
    "procurement": "aanbesteding",
    "evaluation": "evaluatie",
    "evaluated": "evaluatie",
    "evaluate": "evalueren",
    "assessment": "toets",
    "auditor": "rekenkamer",
    "court": "rekenkamer",
    "council": "raad",
    "alderman": "wethouder",
    "mayor": "burgemeester",
    "policy": "beleid",
    "policies": "beleid",
    "citizens": "inwoners",
    "residents": "inwoners",
    "inhabitants": "inwoners",
    "people": "mensen",
    "participants": "deelnemers",
    "participant": "deelnemer",
    "intended": "bedoeld",
    "target": "doelgroep",
    "income": "inkomen",
    "money": "geld",
    "costs": "kosten",
    "cost": "kosten",
    "million": "miljoen",
    "euros": "euro",
    "savings": "besparing",
    "saved": "bespaard",
    "reports": "meldingen",
    "complaints": "klachten",
    "litter": "afval",
    "waste": "afval",
    "streets": "straten",
    "ships": "schepen",
    "port": "haven",
    "traffic": "verkeer",
    "mobility": "mobiliteit",
    "road": "weg",
    "crowds": "menigte",
    "event": "evenement",
    "events": "evenementen",
    "spectators": "toeschouwers",
    "students": "leerlingen",
    "pupils": "leerlingen",
    "qualification": "startkwalificatie",
    "leavers": "schoolverlaters",
    "truancy": "verzuim",
    "care": "zorg",
    "support": "ondersteuning",
    "elderly": "ouderen",
    "children": "kinderen",
    "arrears": "betalingsachterstanden",
    "payments": "betalingen",
    "bills": "rekeningen",
    "rent": "huur",
    "energy": "energie",
    "insurance": "verzekering",
    "household": "huishouden",
    "buildings": "panden",
    "dwellings": "woningen",
    "map": "kaart",
    "maps": "kaarten",
    "registry": "register",
    "algorithmic": "algoritme",
    "transparency": "transparantie",
    "reliable": "betrouwbaar",
    "reliability": "betrouwbaarheid",
    "accuracy": "nauwkeurigheid",
    "accurate": "nauwkeurig",
    "forecast": "voorspelling",
    "forecasts": "voorspellingen",
    "predicted": "voorspeld",
    "predictions": "voorspellingen",
    "figures": "cijfers",
    "numbers": "aantallen",
    "adopted": "overgenomen",
    "adoption": "navolging",
    "spread": "verspreiding",
    "national": "landelijk",
    "nationwide": "landelijk",
    "regional": "regionaal",
    "region": "regio",
    "regions": "regio's",
    "collaboration": "samenwerking",
    "cooperation": "samenwerking",
    "government": "overheid",
    "governments": "overheden",
    "ministry": "ministerie",
    "central": "centraal",
    "leadership": "leiderschap",
    "experiment": "experimenteren",
    "experiments": "experimenten",
    "trust": "vertrouwen",
    "room": "ruimte",
    "freedom": "ruimte",
    "organisation": "organisatie",
    "organization": "organisatie",
    "approach": "aanpak",
    "method": "methode",
    "methods": "methoden",
    "analysed": "geanalyseerd",
    "analyzed": "geanalyseerd",
    "selected": "geselecteerd",
    "selection": "selectie",
    "conditions": "voorwaarden",
    "implemented": "geïmplementeerd",
    "implementation": "implementatie",
    "value": "waarde",
    "values": "waarden",
    "outcome": "resultaat",
    "outcomes": "resultaten",
    "effects": "effecten",
    "reason": "reden",
    "reasons": "redenen",
    "started": "begon",
    "began": "begon",
    "ended": "eindigde",
    "since": "sinds",
    "police": "politie",
    "prosecutor": "Openbaar Ministerie",
    "subversive": "ondermijnende",
    "tackle": "aanpakken",
    "tackling": "aanpak",
    "vessels": "schepen",
    "boats": "boten",
    "sweep": "vegen",
    "sweeper": "veegwagen",
    "sweepers": "veegwagens",
    "rubbish": "afval",
    "garbage": "afval",
    "fee": "havengeld",
    "fees": "havengeld",
    "dues": "havengeld",
    "house": "woning",
    "complaint": "melding",
    "enforce": "handhaven",
    "simulations": "simulaties",
    "households": "huishoudens",
    "models": "modellen",
    "auditing": "audit",
    "fraud": "fraude",
    "subversion": "ondermijning",
    "neighbourhood": "buurt",
    "neighborhood": "buurt",
    "district": "wijk",
    "districts": "wijken",
    "city": "stad",
    "cities": "steden",
    "nationally": "landelijk",
    "scaled": "opgeschaald",
    "adopt": "overnemen",
    "copied": "overgenomen",
    "sensors": "sensoren",
    "cameras": "camera's",
    "counting": "tellen",
    "roads": "wegen",
    "developer": "ontwikkelaar",
    "consultancy": "adviesbureau",
    "university": "universiteit",
    "publication": "publicatie",
    "flanders": "vlaanderen",
    "flemish": "vlaamse",
    "abroad": "buitenland",
}

_WORD = re.compile(r"[\w]+(?:[-'][\w]+)*", re.UNICODE)
_stemmer = snowballstemmer.stemmer("dutch")


def fold(text: str) -> str:
    """Lower case without diacritics: 'Eén' and 'een' are the same word to a searcher."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


_URL = re.compile(r"https?://\S+|www\.\S+")


def tokenize(text: str) -> list[str]:
    """Stemmed content words; hyphenated compounds also yield their parts; URLs say nothing."""
    tokens: list[str] = []
    for match in _WORD.finditer(fold(_URL.sub(" ", text))):
        word = GLOSSARY_EN_NL.get(match.group(0), match.group(0))
        parts = [word] + (word.split("-") if "-" in word else [])
        for part in parts:
            part = part.strip("'")
            if len(part) < 2 and not part.isdigit():
                continue
            if part in STOPWORDS:
                continue
            tokens.append(stem(part))
    return tokens


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


def family_keys(term: str) -> list[str]:
    """Buckets in which every `related` term of `term` is found: first five letters, last six, ge-less."""
    keys = []
    if len(term) >= 5:
        keys.append("p:" + term[:5])
    if len(term) >= 6:
        keys.append("s:" + term[-6:])
    if term.startswith("ge") and len(term) > 7:
        keys.append("p:" + term[2:7])
    return keys


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


_EN_MARKERS = frozenset(
    "what which who how why where when does do is are the of lessons tell list "
    "name report municipality municipalities case cases".split()
)
_NL_MARKERS = frozenset(
    "wat welke wie hoe waarom waar wanneer is zijn de het een van lessen noemt gemeente gemeenten rapport en bij".split()
)


def detect_language(text: str) -> str:
    """'en' or 'nl'; only to choose the framing of an answer, so a rough count suffices."""
    words = [w.lower() for w in _WORD.findall(text)]
    en = sum(w in _EN_MARKERS for w in words)
    nl = sum(w in _NL_MARKERS for w in words)
    return "en" if en > nl else "nl"
