"""Hybrid retrieval: BM25 and dense search over the same chunks, fused by rank.

BM25 catches names and exact terms ("Slim vegen", "IBDS") that a small embedding
model blurs; dense search catches paraphrases ("schooluitval" for
"startkwalificatie"). Dense search runs first: BM25 ranks within the documents of
its nearest chunks (`bm25_nearest`), so pages elsewhere in the store that share the
question's words cannot reorder a report's own passages. Filters narrow both the same
way; for questions about lessons across cases the result is spread over documents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.bm25 import BM25Index
from assistant.fusion import reciprocal_rank_fusion
from assistant.passage_index import IndexCache, PassageIndex, load_index
from assistant.profile import is_field_name, load_profile
from assistant.recent import Recent
from assistant.schema import Passage
from assistant.sentence_bm25 import SentenceRanking
from assistant.settings import Settings
from assistant.text import detect_language

MODES = ("hybrid", "bm25", "dense")
QUERY_VECTORS_KEPT = 64
DOCUMENT_FILTERS = ("document", "doc_id")  # the library's own filters; the corpus profile names the others

# a document's list of sources repeats its body in note form; the body reads better as a quote
REFERENCE_WEIGHT = 0.6
# a question is in another language than the documents when fewer than this share of them are in its own
OWN_LANGUAGE_SHARE = 0.2
LANGUAGE_SAMPLE = 1000  # passages read to tell the documents' languages (evenly spread; all when fewer)


def rows_by_document(passages: list[Passage]) -> dict[str, np.ndarray]:
    """doc_id -> the rows of its passages."""
    rows: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        rows.setdefault(p.doc_id, []).append(i)
    return {doc_id: np.asarray(r, dtype=np.int64) for doc_id, r in rows.items()}


def document_rows(chunk_ids: Iterable[str], passages: list[Passage], by_id: dict, rows_of: dict) -> np.ndarray:
    """The rows of every document that holds one of these chunks."""
    documents = dict.fromkeys(passages[by_id[c]].doc_id for c in chunk_ids if c in by_id)
    return np.concatenate([rows_of[d] for d in documents]) if documents else np.zeros(0, dtype=np.int64)


def language_shares(passages: list[Passage], sample: int = LANGUAGE_SAMPLE) -> dict[str, float]:
    """Share of the passages in each language, from an even sample so a large store starts as fast."""
    if not passages:
        return {}
    step = max(1, len(passages) // sample)
    chosen = passages[::step]
    counts: dict[str, int] = {}
    for p in chosen:
        language = detect_language(p.text)
        counts[language] = counts.get(language, 0) + 1
    return {language: n / len(chosen) for language, n in counts.items()}


def facet_value(value) -> str:
    """The part of a metadata value a filter matches: 'Utrecht (kandidaat)' -> 'Utrecht'."""
    return str(value or "").split(" (")[0].strip()


@dataclass
class Filters:
    """What narrows retrieval: a document (its file name or doc_id) and metadata `fields` (the corpus
    profile's facets, e.g. {"gemeente": "Utrecht"}), each matched as `facet_value` of the metadata."""

    document: str = ""
    doc_id: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict | None, allowed: Iterable[str] | None = None) -> "Filters":
        """Filters from {"document": ..., "<field>": ...}; empty values are left out. `allowed` names the
        metadata fields that may be filtered on (the profile's facets); None accepts any field name."""
        data = dict(data or {})
        documents = {k: str(data.pop(k) or "") for k in DOCUMENT_FILTERS if k in data}
        if allowed is None:
            unknown = {k for k in data if not is_field_name(k)}
            known = "document, doc_id or a metadata field name (letters, digits, _)"
        else:
            allowed = tuple(allowed)
            unknown = set(data) - set(allowed)
            known = ", ".join((*allowed, *DOCUMENT_FILTERS))
        if unknown:
            raise ValueError(f"unknown filter(s) {sorted(map(str, unknown))}; known: {known}")
        return cls(**documents, fields={str(k): str(v) for k, v in data.items() if v})

    def active(self) -> bool:
        return bool(self.document or self.doc_id or any(self.fields.values()))

    def matches(self, passage: Passage) -> bool:
        meta = passage.metadata
        if self.doc_id and passage.doc_id.casefold() != self.doc_id.casefold():
            return False
        if self.document and str(meta.get("document", "")).casefold() != self.document.casefold():
            return False
        return all(facet_value(meta.get(key)).casefold() == wanted.casefold() for key, wanted in self.fields.items() if wanted)


class HybridRetriever:
    def __init__(self, settings: Settings, store, embeddings, cache: IndexCache | None = None):
        self.settings = settings
        self.profile = load_profile(settings)
        self.store = store
        self.embeddings = embeddings
        self.cache = cache
        self._index: PassageIndex | None = None
        self._lock = threading.Lock()
        self._query_vectors = Recent(QUERY_VECTORS_KEPT)  # query -> its e5 vector
        self._neighbourhoods = Recent(QUERY_VECTORS_KEPT)  # query -> (BM25 index, rows of its documents)
        self.sentence_ranking = SentenceRanking()
        self.refresh()

    def forget_query_vectors(self) -> None:
        self._query_vectors.clear()
        self._neighbourhoods.clear()

    def query_vector(self, query: str) -> np.ndarray:
        """The e5 vector of a query, kept for the latest ones: the answerer compares the same question with
        its candidate sentences right after retrieval, and a theme is asked of every case in the lessons."""
        vector = self._query_vectors.get(query)
        if vector is None:
            vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
            self._query_vectors.put(query, vector)
        return vector

    def rarity_near(self, query: str) -> Callable[[str], float]:
        """A term's rarity among the chunks of the documents that hold the `rarity_nearest` chunks nearest
        the question in e5 (kept by its latest retrieval, whatever its filters): what is rare in the
        documents the question is about, which unrelated documents elsewhere in the store do not change."""
        nearest = self.settings.rarity_nearest
        with self._lock:
            bm25 = self.bm25
        kept = self._neighbourhoods.get(query)
        if nearest <= 0:
            return bm25.rarity
        if kept is None or kept[0] is not bm25:
            hits = self.store.dense_ids(self.query_vector(query), nearest)
            kept = self._keep_neighbourhood(query, [chunk_id for chunk_id, _ in hits])
        bm25, rows = kept
        return bm25.rarity_among(rows) if len(rows) else bm25.rarity

    def _keep_neighbourhood(self, query: str, chunk_ids: list[str]) -> tuple:
        """Keep, for the answerer, the rows of every document that holds one of these chunks (rows of the
        index read here, with its BM25, so an ingest in between cannot mix two indexes)."""
        with self._lock:
            passages, by_id, rows_of, bm25 = self.passages, self.by_id, self.rows_of_document, self.bm25
        kept = (bm25, document_rows(chunk_ids, passages, by_id, rows_of))
        self._neighbourhoods.put(query, kept)
        return kept

    def refresh(self) -> None:
        """Bring passages and BM25 up to date with the store: read from the cache at start, then only the
        chunks an ingest added or removed are fetched and tokenised."""
        index = load_index(self.store, self.cache, self._index)
        if index is self._index:
            return
        bm25 = BM25Index(index.counts)
        languages = language_shares(index.passages)
        with self._lock:
            self._index = index
            self.languages = languages
            self.passages = index.passages
            self.by_id = {p.chunk_id: i for i, p in enumerate(index.passages)}
            self.rows_of_document = rows_by_document(index.passages)
            self.bm25 = bm25

    def crosses_language(self, query: str) -> bool:
        """The question is in a language few of the documents are in, and no glossary translates its words:
        what it shares with them lexically is accident (names and numbers aside)."""
        if self.profile.glossary or not self.languages:
            return False
        return self.languages.get(detect_language(query), 0.0) < OWN_LANGUAGE_SHARE

    def fusion_weights(self, query: str) -> dict[str, float]:
        """BM25 counts less for a question that `crosses_language` (`cross_language_bm25_weight`)."""
        return {"bm25": self.settings.cross_language_bm25_weight} if self.crosses_language(query) else {}

    def facet_labels(self) -> dict[str, str]:
        """The metadata fields the corpus profile offers as filters, with their labels, in profile order."""
        return dict(self.profile.facets)

    def facets(self) -> dict[str, list[str]]:
        """Per facet of the corpus profile (in its order) the values the documents have; then every
        `document` with its title in `document_titles`."""
        values: dict[str, set] = {k: set() for k in self.profile.facets}
        documents: dict[str, str] = {}
        for p in self.passages:
            for key in values:
                if p.metadata.get(key):
                    values[key].add(facet_value(p.metadata[key]))
            documents[p.metadata.get("document", p.doc_id)] = p.title
        out = {k: sorted(v - {""}) for k, v in values.items()}
        out["document"] = sorted(documents)
        out["document_titles"] = [documents[d] for d in out["document"]]
        return out

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | dict | None = None,
        mode: str = "hybrid",
        diverse: bool | None = None,
    ) -> list[Passage]:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {MODES}")
        k = k or self.settings.top_k
        if not isinstance(filters, Filters):  # a Filters made in code may name any metadata field
            filters = Filters.from_dict(filters, allowed=self.profile.facets)
        with self._lock:
            passages, by_id, rows_of, bm25 = self.passages, self.by_id, self.rows_of_document, self.bm25
        allowed = None
        if filters.active():
            allowed = np.fromiter((filters.matches(p) for p in passages), dtype=bool, count=len(passages))
            if not allowed.any():
                return []
        rankings: dict[str, list[str]] = {}
        terms = self.profile.query_terms(query)  # BM25's and the sentences' vote's
        sparse_scores: dict[str, float] = {}
        dense_scores: dict[str, float] = {}
        bm25_rows, rarity = allowed, None  # where BM25 ranks, and with what rarity (None: the store's)
        if mode in ("hybrid", "dense"):
            where = None
            if allowed is not None:
                where = {"doc_id": {"$in": sorted({passages[i].doc_id for i in np.flatnonzero(allowed)})}}
            vector = self.query_vector(query)
            nearest = self.settings.rarity_nearest
            around_bm25 = self.settings.bm25_nearest if mode == "hybrid" and where is None else 0
            # ids only: passages are in memory. The answerer's `rarity_near` and BM25 read the hits beyond dense_k.
            hits = self.store.dense_ids(vector, max(self.settings.dense_k, around_bm25, nearest if where is None else 0), where)
            if nearest > 0:
                # around the question in the whole store, not only in what a filter keeps: narrowed to one
                # document, the words of its own title and sections were in every chunk and weighed nothing
                around = hits if where is None else self.store.dense_ids(vector, nearest)
                self._keep_neighbourhood(query, [chunk_id for chunk_id, _ in around[:nearest]])
            if around_bm25 > 0:
                rows = document_rows((chunk_id for chunk_id, _ in hits[:around_bm25]), passages, by_id, rows_of)
                if len(rows):
                    bm25_rows = np.zeros(len(passages), dtype=bool)
                    bm25_rows[rows] = True
                    rarity = bm25.rarity_among(rows)
            hits = hits[: self.settings.dense_k]
            rankings["dense"] = [chunk_id for chunk_id, _ in hits if chunk_id in by_id]
            dense_scores = dict(hits)
        if mode in ("hybrid", "bm25"):
            hits = bm25.top(terms, self.settings.bm25_k, bm25_rows, rarity)
            rankings = {"bm25": [passages[i].chunk_id for i, _ in hits], **rankings}  # BM25 first: it breaks ties
            sparse_scores = {passages[i].chunk_id: s for i, s in hits}
        weights = self.fusion_weights(query)
        if mode == "hybrid" and self.settings.sentence_bm25_weight > 0:
            pool = [passages[by_id[c]] for c in dict.fromkeys(c for ranking in rankings.values() for c in ranking) if c in by_id]
            rankings["sentence"] = self.sentence_ranking.rank(bm25, terms, pool, rarity)
            weights = weights | {"sentence": self.settings.sentence_bm25_weight * weights.get("bm25", 1.0)}
        fused = reciprocal_rank_fusion(rankings, k=self.settings.rrf_k, weights=weights)
        fused = [
            (cid, score * (REFERENCE_WEIGHT if self.profile.is_reference_section(passages[by_id[cid]].section) else 1.0), ranks)
            for cid, score, ranks in fused
            if cid in by_id
        ]
        fused.sort(key=lambda item: -item[1])
        results = []
        for chunk_id, score, ranks in fused:
            base = passages[by_id[chunk_id]]
            results.append(
                Passage(
                    **{
                        **base.__dict__,
                        "score": score,
                        "ranks": {
                            **ranks,
                            "bm25_score": round(sparse_scores.get(chunk_id, 0.0), 4),
                            "dense_score": round(dense_scores.get(chunk_id, 0.0), 4),
                        },
                    }
                )
            )
        if diverse is None:
            diverse = self.profile.asks_across_documents(query) and not filters.document and not filters.doc_id
        return spread_over_documents(results, k, self.profile.spread_kind) if diverse else results[:k]


def spread_over_documents(passages: list[Passage], k: int, kind: str, per_document: int = 2) -> list[Passage]:
    """Keep the ranking but cap each document of one `kind` (the shipped corpus: its cases), so one
    long case cannot fill the list.

    Only those documents are capped: the report itself (or its overview) is where the lessons
    across cases are written down, and capping it hid them behind weaker case passages."""
    if not kind:
        return passages[:k]
    chosen, counts, overflow = [], {}, []
    for p in passages:
        if facet_value(p.metadata.get("kind")).casefold() != kind.casefold() or counts.get(p.doc_id, 0) < per_document:
            chosen.append(p)
            counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
        else:
            overflow.append(p)
        if len(chosen) == k:
            return chosen
    return (chosen + overflow)[:k]
