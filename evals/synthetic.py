"""A deterministic synthetic Dutch corpus for the speed benchmark: 10k or 100k chunks.

What is real and what is synthetic
----------------------------------
* **Text** is recombined from the shipped corpus: every sentence of every real
  chunk (split with `assistant.text.split_sentences`) becomes a template in which
  gemeente names, years, other numbers and topic words ("vegen", "funderingen",
  "schuldhulp", ...) are slots. A synthetic chunk is a run of 100-150 words of such
  sentences, mostly from one real chunk and continued from another chunk of the
  same domain, with the slots filled per synthetic document (its gemeente, its
  topic, its year). So BM25 sees real Dutch word statistics and realistic chunk
  lengths, with a vocabulary that grows with the corpus (gemeenten, topic words
  and topic compounds such as "afvalmonitor").
* **Metadata** has the fields real chunks carry (doc_id, title, section, kind,
  gemeente, domein, jaar, bronnen, document, source, position), ~4-30 chunks per
  document.
* **Vectors are synthetic.** Embedding 100k chunks with the real e5 model takes
  hours on two cores, so only the real sentences (~700) are embedded with the real
  model (`embed_sentences`). A synthetic chunk's vector is the length-weighted mean
  of the real vectors of the sentences it was built from, plus a per-document
  drift towards one other real sentence and a small isotropic perturbation (the
  substituted words), normalised. The vectors therefore live where real e5
  vectors live (same anisotropy, topic clusters, documents as tight groups), which
  is what HNSW cost depends on; iid Gaussian vectors would make the graph search
  behave unrealistically. Queries are always embedded with the real model at
  query time, so that cost is real.

Same inputs and seed -> identical ids, texts, metadata and vectors.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.settings import Settings
from assistant.text import split_sentences

CORPUS_DIR = Settings().corpus_dir

# names that occur in the shipped corpus: each occurrence becomes a gemeente slot
CORPUS_GEMEENTEN = (
    "Utrecht",
    "Zaanstad",
    "Dordrecht",
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Enschede",
    "Tilburg",
    "Zwijndrecht",
    "Eindhoven",
    "Groningen",
    "Almere",
    "Nijmegen",
    "Arnhem",
)
GEMEENTEN = CORPUS_GEMEENTEN + (  # and gemeenten the corpus does not name
    "Breda",
    "Haarlem",
    "Amersfoort",
    "Apeldoorn",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Zoetermeer",
    "Ede",
    "Emmen",
    "Venlo",
    "Deventer",
    "Delft",
    "Helmond",
    "Oss",
    "Hilversum",
    "Leeuwarden",
    "Alkmaar",
    "Westland",
    "Sittard-Geleen",
    "Heerlen",
    "Purmerend",
    "Roosendaal",
    "Schiedam",
    "Lelystad",
    "Hoorn",
    "Gouda",
    "Vlaardingen",
    "Assen",
    "Katwijk",
    "Veenendaal",
    "Capelle aan den IJssel",
    "Zeist",
    "Nieuwegein",
    "Roermond",
    "Den Helder",
    "Doetinchem",
    "Hoogeveen",
    "Terneuzen",
    "Kampen",
    "Barneveld",
    "Woerden",
    "Heerhugowaard",
    "Houten",
    "Vlissingen",
    "Middelburg",
    "Bergen op Zoom",
    "Harderwijk",
    "Tiel",
    "Weert",
    "Zutphen",
    "Rijswijk",
    "Smallingerland",
    "Súdwest-Fryslân",
    "Hollands Kroon",
    "Midden-Groningen",
    "Utrechtse Heuvelrug",
    "Lansingerland",
    "Pijnacker-Nootdorp",
    "Haarlemmermeer",
    "Oosterhout",
    "Waalwijk",
    "Kerkrade",
    "Gooise Meren",
    "Stichtse Vecht",
    "Meierijstad",
)
# topic words of the shipped corpus that a synthetic document replaces by its own topic
CORPUS_TOPICS = (
    "vegen",
    "veegwagens",
    "veegroutes",
    "afval",
    "honden",
    "hondenoverlast",
    "funderingen",
    "fundering",
    "woningen",
    "bezoekers",
    "bezoekersstromen",
    "schulden",
    "schuldhulp",
    "jongeren",
    "schooluitval",
    "ondermijning",
    "haven",
    "havenmeester",
    "woningbouw",
    "woningbouwmonitor",
    "handhaving",
    "overlast",
    "parkeren",
    "jeugdzorg",
    "armoede",
    "criminaliteit",
    "inbraken",
)
TOPICS = (
    "afval",
    "zwerfafval",
    "afvalinzameling",
    "parkeren",
    "verkeer",
    "fietsparkeren",
    "verlichting",
    "riolering",
    "bomen",
    "groenbeheer",
    "begraafplaatsen",
    "bruggen",
    "kades",
    "wegen",
    "fietspaden",
    "laadpalen",
    "energie",
    "warmtenetten",
    "zonnepanelen",
    "isolatie",
    "funderingen",
    "woningen",
    "woningbouw",
    "leegstand",
    "vergunningen",
    "bouwtoezicht",
    "evenementen",
    "markten",
    "horeca",
    "toerisme",
    "bezoekers",
    "drukte",
    "geluidsoverlast",
    "hondenoverlast",
    "overlast",
    "handhaving",
    "ondermijning",
    "drugs",
    "witwassen",
    "fraude",
    "inbraken",
    "brandveiligheid",
    "hittestress",
    "wateroverlast",
    "droogte",
    "klimaatadaptatie",
    "luchtkwaliteit",
    "bodem",
    "grondwater",
    "natuur",
    "schulden",
    "schuldhulp",
    "armoede",
    "bijstand",
    "participatie",
    "inburgering",
    "re-integratie",
    "werkloosheid",
    "jeugdzorg",
    "jongeren",
    "schooluitval",
    "leerplicht",
    "kinderopvang",
    "wmo",
    "mantelzorg",
    "eenzaamheid",
    "ouderen",
    "dakloosheid",
    "zorgkosten",
    "huishoudelijke hulp",
    "hulpmiddelen",
    "leerlingenvervoer",
    "sportparken",
    "bibliotheken",
    "cultuur",
    "subsidies",
    "belastingen",
    "inkoop",
    "facturen",
    "personeel",
    "ziekteverzuim",
    "archief",
    "klantcontact",
    "klachten",
    "meldingen",
    "burgerzaken",
    "paspoorten",
    "verkiezingen",
    "basisregistraties",
    "adressen",
    "gebouwen",
    "vastgoed",
    "grondexploitatie",
    "havens",
    "havengeld",
    "scheepvaart",
    "vaarwegen",
    "openbaar vervoer",
    "mobiliteit",
    "deelscooters",
    "veegroutes",
    "gladheid",
    "strooiroutes",
    "speelplaatsen",
    "sportdeelname",
    "gezondheid",
    "vaccinatie",
    "lawaai",
)
COMPOUND_SUFFIXES = (
    "monitor",
    "model",
    "dashboard",
    "register",
    "aanpak",
    "beleid",
    "data",
    "team",
    "kaart",
    "app",
    "analyse",
    "voorspelling",
    "scan",
    "index",
)
ADJECTIVES = (
    "Slim",
    "Slimme",
    "Datagedreven",
    "Voorspellend",
    "Integraal",
    "Digitaal",
    "Samen",
    "Sneller",
    "Gerichte",
    "Proactieve",
    "Inzicht in",
    "Grip op",
    "Zicht op",
    "Schoon",
    "Veilig",
    "Gezond",
)
DOMAINS = ("fysiek", "sociaal", "veiligheid", "bedrijfsvoering", "algemeen")
KINDS = (("case", 0.7), ("context", 0.25), ("overview", 0.05))
SECTIONS = (
    "Plaats in het rapport",
    "Aanpak en data",
    "Resultaat",
    "Context",
    "Lessen",
    "Organisatie",
    "Opschaling",
    "Samenwerking",
    "Privacy en ethiek",
    "Betrokken partijen",
    "Achtergrond",
    "Succesfactoren",
    "Knelpunten",
    "Bronnen",
    "Kosten en baten",
    "Vervolg",
)

# vector calibration (see `mix_vectors`)
SPREAD, DRIFT, NOISE = 1.5, 0.3, 0.3

_YEAR = r"\b(?:19[5-9]\d|20[0-4]\d)\b"
_NUMBER = r"\b\d+(?:[.,]\d+)?\b"


def _slot_pattern() -> re.Pattern:
    names = sorted(CORPUS_GEMEENTEN, key=len, reverse=True)
    topics = sorted(CORPUS_TOPICS, key=len, reverse=True)
    return re.compile(
        rf"(?P<G>\b(?:{'|'.join(map(re.escape, names))})\b)|(?P<Y>{_YEAR})|"
        rf"(?P<D>\b(?:{'|'.join(map(re.escape, topics))})\b)|(?P<N>{_NUMBER})"
    )


_SLOTS = _slot_pattern()


@dataclass(frozen=True)
class Sentence:
    text: str  # the real sentence, as the model embeds it
    parts: tuple  # literal strings and slots: ("G",) gemeente, ("Y",) year, ("D",) topic, ("N", digits)
    words: int
    new_line: bool  # starts a line in its chunk (so list items stay on their own line)


@dataclass
class SentencePool:
    """The shipped corpus cut into sentence templates, grouped by the real chunk they came from."""

    sentences: list[Sentence]
    chunks: list[list[int]]  # real chunk -> indices into `sentences`, in reading order
    chunk_domain: list[str]
    chunk_section: list[str]  # the last part of the chunk's section path
    chunk_doc: list[int]  # the real document of the chunk

    @classmethod
    def from_corpus(cls, corpus_dir: Path = CORPUS_DIR) -> SentencePool:
        from ingest.chunking import SECTION_SEPARATOR, chunk_document
        from ingest.loaders import load_file

        pool = cls([], [], [], [], [])
        for number, path in enumerate(sorted(Path(corpus_dir).glob("*.md"))):
            doc = load_file(path)
            for chunk in chunk_document(doc):
                members = []
                for line in chunk.text.split("\n"):
                    for i, sentence in enumerate(split_sentences(line)):
                        members.append(len(pool.sentences))
                        pool.sentences.append(Sentence(sentence, template(sentence), len(sentence.split()), i == 0))
                if members:
                    pool.chunks.append(members)
                    pool.chunk_domain.append(str(doc.metadata.get("domein", "algemeen")).split(" (")[0])
                    pool.chunk_section.append(chunk.section.split(SECTION_SEPARATOR)[-1])
                    pool.chunk_doc.append(number)
        if not pool.chunks:
            raise ValueError(f"no sentences found under {corpus_dir}")
        return pool


def template(sentence: str) -> tuple:
    parts: list = []
    pos = 0
    for m in _SLOTS.finditer(sentence):
        if m.start() > pos:
            parts.append(sentence[pos : m.start()])
        kind = m.lastgroup
        parts.append(("N", len(re.sub(r"\D", "", m.group(0))) or 1) if kind == "N" else (kind,))
        pos = m.end()
    if pos < len(sentence):
        parts.append(sentence[pos:])
    return tuple(parts)


def embed_sentences(pool: SentencePool, embeddings, batch: int = 64) -> np.ndarray:
    """The real vector of every pool sentence (passage prefix, as stored chunks get), normalised float32."""
    vectors = []
    texts = [s.text for s in pool.sentences]
    for start in range(0, len(texts), batch):
        vectors.extend(embeddings.embed_documents(texts[start : start + batch]))
    return _normalise(np.asarray(vectors, dtype=np.float32))


@dataclass
class SyntheticCorpus:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict]
    vectors: np.ndarray  # (n, dim) float32, unit length
    documents: int = 0
    notes: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def generate(
    n_chunks: int,
    pool: SentencePool,
    sentence_vectors: np.ndarray,
    *,
    seed: int = 0,
    spread: float = SPREAD,
    drift: float = DRIFT,
    noise: float = NOISE,
) -> SyntheticCorpus:
    """`n_chunks` synthetic chunks; see the module docstring for what is real and what is not."""
    if n_chunks < 0:
        raise ValueError("n_chunks must be >= 0")
    if len(sentence_vectors) != len(pool.sentences):
        raise ValueError("one vector per pool sentence is needed")
    rng = random.Random(seed)
    by_domain: dict[str, list[int]] = {}
    by_doc: dict[int, list[int]] = {}
    for ci, domain in enumerate(pool.chunk_domain):
        by_domain.setdefault(domain, []).append(ci)
        by_doc.setdefault(pool.chunk_doc[ci], []).append(ci)
    real_docs = sorted(by_doc)
    topic_words = list(TOPICS) + [t.replace(" ", "") + s for t in TOPICS for s in COMPOUND_SUFFIXES]
    ids, texts, metadatas = [], [], []
    rows, cols, weights = [], [], []  # chunk x sentence mixing weights
    doc_rows: list[int] = []  # the document of each chunk, for the per-document drift
    doc_anchor: list[int] = []  # per document: the sentence it drifts towards
    doc_count = 0
    while len(ids) < n_chunks:
        doc = _document(rng, doc_count, topic_words)
        model_doc = by_doc[rng.choice(real_docs)]  # the real document this one mostly follows
        doc_anchor.append(rng.randrange(len(pool.sentences)))
        for position in range(min(rng.randint(4, 30), n_chunks - len(ids))):
            base = rng.choice(model_doc) if rng.random() < 0.8 else rng.randrange(len(pool.chunks))
            members = _chunk_sentences(rng, pool, base, by_domain)
            text = _fill(rng, pool, members, doc)
            row = len(ids)
            for si in members:
                rows.append(row)
                cols.append(si)
                weights.append(float(pool.sentences[si].words))
            section_leaf = pool.chunk_section[base] if rng.random() < 0.7 else rng.choice(SECTIONS)
            ids.append(f"{doc['doc_id']}-{position:05d}")
            texts.append(text)
            metadatas.append(
                {
                    "title": doc["title"],
                    "kind": doc["kind"],
                    "gemeente": doc["gemeente"],
                    "domein": doc["domein"],
                    "jaar": doc["jaar"],
                    "bronnen": doc["bronnen"],
                    "source": doc["source"],
                    "doc_id": doc["doc_id"],
                    "section": f"{doc['title']} > {section_leaf}",
                    "position": position,
                    "document": doc["document"],
                }
            )
            doc_rows.append(doc_count)
        doc_count += 1
    mix = sparse.csr_matrix(
        (np.asarray(weights, np.float32), (rows, cols)), shape=(n_chunks, len(pool.sentences)), dtype=np.float32
    )
    anchors = np.asarray(doc_anchor, dtype=np.int64)[np.asarray(doc_rows, dtype=np.int64)]
    vectors = mix_vectors(mix, anchors, sentence_vectors, np.random.default_rng(seed), spread, drift, noise)
    return SyntheticCorpus(
        ids,
        texts,
        metadatas,
        vectors,
        documents=doc_count,
        notes={
            "seed": seed,
            "spread": spread,
            "drift": drift,
            "noise": noise,
            "real_sentences": len(pool.sentences),
            "real_chunks": len(pool.chunks),
        },
    )


def mix_vectors(
    mix,
    anchors,
    sentence_vectors: np.ndarray,
    rng: np.random.Generator,
    spread: float = SPREAD,
    drift: float = DRIFT,
    noise: float = NOISE,
) -> np.ndarray:
    """Chunk vectors from real sentence vectors.

    `mix` (chunks x sentences) weights the sentences a chunk was built from. A mean
    of ~8 sentences lies closer to the corpus centroid than a real chunk vector
    does, so its deviation from the centroid is scaled by `spread`; `drift` moves a
    document's chunks towards the deviation of one real sentence (documents form
    groups); `noise` is a small isotropic perturbation (relative to the
    deviation) standing in for the substituted words. Calibrated so that, at the
    shipped corpus' size, pairwise and nearest-neighbour cosines resemble those of
    real e5 chunk vectors (see docs/benchmarks.md).
    """
    n, dim = mix.shape[0], sentence_vectors.shape[1]
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    centroid = sentence_vectors.mean(axis=0)
    totals = np.asarray(mix.sum(axis=1), dtype=np.float32)
    totals[totals == 0] = 1.0
    deviation = np.asarray(mix @ sentence_vectors, dtype=np.float32) / totals - centroid
    deviation += drift * (sentence_vectors[anchors] - centroid)
    scale = np.linalg.norm(deviation, axis=1, keepdims=True)
    perturbation = _normalise(rng.standard_normal((n, dim), dtype=np.float32)) * scale
    return _normalise(centroid + spread * (deviation + noise * perturbation))


def synthetic_corpus(n_chunks: int, embeddings, *, seed: int = 0, corpus_dir: Path = CORPUS_DIR) -> SyntheticCorpus:
    """Pool, real sentence vectors and generation in one call (tests, small runs)."""
    pool = SentencePool.from_corpus(corpus_dir)
    return generate(n_chunks, pool, embed_sentences(pool, embeddings), seed=seed)


def _document(rng: random.Random, number: int, topic_words: list[str]) -> dict:
    gemeente = rng.choice(GEMEENTEN)
    topic = rng.choice(topic_words)
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    project = f"{rng.choice(ADJECTIVES)} {topic}"
    if kind == "case":
        title = f"Case: {project} – gemeente {gemeente}"
    elif kind == "context":
        title = f"Context: {topic} bij de gemeente {gemeente}"
    else:
        title = f"Overzicht: datagedreven {topic} in {gemeente} en omgeving"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{project} {gemeente}".lower()).strip("-")
    digest = hashlib.blake2b(f"{number}:{rng.random()}".encode(), digest_size=8).hexdigest()
    site = re.sub(r"[^a-z]", "", gemeente.lower())
    document = f"{kind}-{number:06d}-{slug}.md"
    return {
        "doc_id": digest,
        "gemeente": gemeente,
        "topic": topic,
        "kind": kind,
        "title": title,
        "domein": rng.choice(DOMAINS),
        "jaar": rng.randint(2012, 2024),
        "document": document,
        "source": f"/data/synthetic/{document}",
        "bronnen": "; ".join(
            f"https://www.{site}.nl/{topic.replace(' ', '-')}/{rng.randrange(10**5)}" for _ in range(rng.randint(1, 4))
        ),
    }


def _chunk_sentences(rng: random.Random, pool: SentencePool, base: int, by_domain: dict) -> list[int]:
    """100-150 words: a run from one real chunk, continued from another chunk of the same domain."""
    target = rng.randint(90, 135)  # stops after the sentence that reaches it: ~100-150 words
    members: list[int] = []
    words = 0
    source = pool.chunks[base]
    i = rng.randrange(len(source))
    taken_from_source = 0
    while words < target:
        if taken_from_source >= len(source):  # the run is used up: continue with another chunk
            other = rng.choice(by_domain[pool.chunk_domain[base]])
            source, i, taken_from_source = pool.chunks[other], rng.randrange(len(pool.chunks[other])), 0
        si = source[i % len(source)]
        members.append(si)
        words += pool.sentences[si].words
        i += 1
        taken_from_source += 1
    return members


def _fill(rng: random.Random, pool: SentencePool, members: list[int], doc: dict) -> str:
    out: list[str] = []
    for k, si in enumerate(members):
        sentence = pool.sentences[si]
        if k:
            out.append("\n" if sentence.new_line or members[k - 1] + 1 != si else " ")
        for part in sentence.parts:
            if isinstance(part, str):
                out.append(part)
            elif part[0] == "G":
                out.append(doc["gemeente"] if rng.random() < 0.8 else rng.choice(GEMEENTEN))
            elif part[0] == "Y":
                out.append(str(doc["jaar"] + rng.randint(-3, 1)))
            elif part[0] == "D":
                out.append(doc["topic"] if rng.random() < 0.7 else rng.choice(TOPICS))
            else:
                digits = min(part[1], 6)
                out.append(str(rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10**digits)))
    return "".join(out)


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)
