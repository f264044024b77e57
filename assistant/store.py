"""The vector store behind one small interface: embedded Chroma or a Chroma server.

The rest of the code never sees a Chroma client. Embedded (`PersistentClient` in
the data home) is the laptop default; setting `chroma_url` points the same code at
a `chroma run` server for a whole organisation.
"""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np

from assistant.schema import Passage
from assistant.settings import Settings, quiet_offline_environment
from assistant.text import passage_sentences

BATCH = 500


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached."""


def _client(settings: Settings):
    quiet_offline_environment()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ValueError(f"chroma_url {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise StoreUnavailable(
                f"no Chroma server answers at {settings.chroma_url} (setting chroma_url): "
                f"start it with `chroma run --path FOLDER --port PORT`, or leave chroma_url "
                f"empty for the embedded store ({exc})"
            ) from exc
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)


# Two evaluations of the same store once differed at rank 10 for 15 questions (recall@5 0.856 vs
# 0.879). HNSW search is approximate and a graph built by several threads depends on their timing:
# a wide search beam (in the collection's configuration) and one build thread (passed, though
# Chroma 1.5 does not report it back) narrow both. Set when a collection is created; dense top-k
# took ~0.4 ms longer at the p50 in the benchmark (docs/benchmarks.md).
INDEX_SETTINGS = {"hnsw:space": "cosine", "hnsw:num_threads": 1, "hnsw:search_ef": 200}


# Each chunk's sentences have their own e5 vectors, stored at ingest beside the chunks, for the sentence
# ranker's question-sentence similarity: embedding ~40 sentences per question at query time took 2.6 s
# on two shared cores, far over the 300 ms an answer may take (docs/answering.md).
SENTENCE_COLLECTION_SUFFIX = "-sentences"


def sentence_id(chunk_id: str, index: int) -> str:
    return f"{chunk_id}#s{index}"


class ChunkStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.client = _client(settings)
        self.collection = self.client.get_or_create_collection(
            settings.collection, metadata=INDEX_SETTINGS, embedding_function=None
        )
        self.sentences = self.client.get_or_create_collection(
            settings.collection + SENTENCE_COLLECTION_SUFFIX, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.store_dir)

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, ids: list[str], texts: list[str], embeddings, metadatas: list[dict], sentence_vectors=None) -> None:
        """Store chunks; with `sentence_vectors` (per chunk, one vector per sentence of its text, in
        `passage_sentences` order) those first, so a stored chunk always has its sentences' vectors."""
        if sentence_vectors is not None:
            rows = [(sentence_id(c, i), c, v) for c, vectors in zip(ids, sentence_vectors) for i, v in enumerate(vectors)]
            for start in range(0, len(rows), BATCH):
                part = rows[start : start + BATCH]
                self.sentences.upsert(
                    ids=[r[0] for r in part],
                    embeddings=[list(map(float, r[2])) for r in part],
                    metadatas=[{"chunk_id": r[1]} for r in part],
                )
        for start in range(0, len(ids), BATCH):
            end = start + BATCH
            self.collection.upsert(
                ids=ids[start:end],
                documents=texts[start:end],
                embeddings=[list(map(float, e)) for e in embeddings[start:end]],
                metadatas=metadatas[start:end],
            )

    def ids_for_source(self, source: str) -> list[str]:
        return self.collection.get(where={"source": source}, include=[])["ids"]

    def delete_ids(self, ids: list[str]) -> None:
        """Chunks, then their sentences' vectors (a kill in between leaves vectors nothing reads)."""
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[start : start + BATCH])
        for start in range(0, len(ids), BATCH):
            self.sentences.delete(where={"chunk_id": {"$in": list(ids[start : start + BATCH])}})

    def sentence_vectors(self, passages: list[Passage]) -> dict[str, np.ndarray]:
        """chunk id -> its sentences' vectors (rows in `passage_sentences` order), for the passages whose
        sentences all have one; a chunk stored without them (an older store, another index) is left out."""
        wanted = {p.chunk_id: len(passage_sentences(p.text)) for p in passages}
        ids = [sentence_id(c, i) for c, n in wanted.items() for i in range(n)]
        if not ids:
            return {}
        found = self.sentences.get(ids=ids, include=["embeddings"])
        vectors = dict(zip(found["ids"], found["embeddings"]))
        out = {}
        for chunk_id, n in wanted.items():
            rows = [vectors.get(sentence_id(chunk_id, i)) for i in range(n)]
            if n and all(r is not None for r in rows):
                out[chunk_id] = np.asarray(rows, dtype=np.float32)
        return out

    def all_passages(self) -> list[Passage]:
        """Every chunk with its metadata, for BM25 and for browsing sources."""
        passages: list[Passage] = []
        offset = 0
        while True:
            page = self.collection.get(include=["documents", "metadatas"], limit=5000, offset=offset)
            if not page["ids"]:
                break
            passages.extend(to_passage(i, d, m) for i, d, m in zip(page["ids"], page["documents"], page["metadatas"]))
            offset += len(page["ids"])
        passages.sort(key=lambda p: p.chunk_id)
        return passages

    def dense_search(self, embedding, k: int, where: dict | None = None) -> list[tuple[Passage, float]]:
        result = self._query(embedding, k, where, ["documents", "metadatas", "distances"])
        if result is None:
            return []
        return [
            (to_passage(i, d, m), 1.0 - dist)
            for i, d, m, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0])
        ]

    def dense_ids(self, embedding, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first: all hybrid retrieval needs, as it holds every passage
        already; fetching texts and metadata from Chroma would cost more than the vector search."""
        result = self._query(embedding, k, where, ["distances"])
        if result is None:
            return []
        return [(i, 1.0 - dist) for i, dist in zip(result["ids"][0], result["distances"][0])]

    def _query(self, embedding, k: int, where: dict | None, include: list[str]):
        # No count() first: Chroma returns fewer hits when it holds fewer than k, none when empty; that extra
        # round trip cost more than the search itself at 100k chunks (docs/benchmarks.md).
        if k <= 0:
            return None
        return self.collection.query(
            query_embeddings=[list(map(float, embedding))], n_results=k, where=where or None, include=include
        )


def to_passage(chunk_id: str, text: str, meta: dict) -> Passage:
    meta = dict(meta or {})
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        text=text or "",
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        page_start=meta.get("page_start"),
        page_end=meta.get("page_end"),
        source=str(meta.get("source", "")),
        metadata=meta,
    )
