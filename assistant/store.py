"""The vector store behind one small interface: embedded Chroma or a Chroma server.

The rest of the code never sees a Chroma client. Embedded (`PersistentClient` in
the data home) is the laptop default; setting `chroma_url` points the same code at
a `chroma run` server for a whole organisation.
"""

from __future__ import annotations

from urllib.parse import urlparse

from assistant.schema import Passage
from assistant.settings import Settings, quiet_offline_environment

BATCH = 500


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached."""


class EmbeddingMismatch(ValueError):
    """The store holds vectors of another model or precision than the settings embed queries with.

    Refused rather than re-embedded: one store can be open in several processes at
    once (`serve` beside `ingest`, many app instances on one Chroma server). A process
    that re-embedded on opening would change the vectors under the others, which go on
    embedding queries the old way: the very mixing this guard is for. The check costs
    nothing per query (it runs when the store is opened); switching a store is a
    deliberate rebuild, and the message names the setting that avoids it.
    """


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


class ChunkStore:
    def __init__(self, settings: Settings):
        from assistant.embeddings import embedding_identity

        self.settings = settings
        self.client = _client(settings)
        self.embedding = embedding_identity(settings)
        self.collection = self.client.get_or_create_collection(
            settings.collection, metadata=INDEX_SETTINGS | self.embedding, embedding_function=None
        )
        self._check_embedding()

    def _check_embedding(self) -> None:
        """Record which model and precision fill this collection; refuse one filled by another."""
        meta = dict(self.collection.metadata or {})
        recorded = {key: meta.get(key) for key in self.embedding}
        if recorded == self.embedding:
            return
        if self.count() == 0:  # nothing stored to mix with: the collection becomes this embedding's
            self._record(meta)
            return
        if not any(recorded.values()):  # filled before stores recorded this; fp32 was the only path then
            recorded = {"embedding_model": self.embedding["embedding_model"], "embedding_precision": "fp32"}
            if recorded == self.embedding:
                self._record(meta)
                return
        raise EmbeddingMismatch(mismatch_message(self.location, self.settings.collection, recorded, self.embedding))

    def _record(self, meta: dict) -> None:
        # Chroma refuses a metadata update that names the distance again; the index keeps its configuration
        kept = {k: v for k, v in meta.items() if not k.startswith("hnsw:")}
        self.collection.modify(metadata=kept | self.embedding)

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.store_dir)

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, ids: list[str], texts: list[str], embeddings, metadatas: list[dict]) -> None:
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
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[start : start + BATCH])

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


def mismatch_message(location: str, collection: str, recorded: dict, current: dict) -> str:
    """One line: what the store holds, what the settings would embed with, and which setting to change."""
    differ = [key for key in ("embedding_precision", "embedding_model") if recorded[key] != current[key]]
    fixes = [f"DATALESSEN_{key.upper()}={recorded[key]}" for key in differ]
    return (
        f"the store {location} (collection {collection}) holds vectors of {recorded['embedding_model']} "
        f"{recorded['embedding_precision']}, but the settings embed with {current['embedding_model']} "
        f"{current['embedding_precision']}: set {' and '.join(fixes)} to use it as it is, or rebuild it "
        f"(a new DATALESSEN_COLLECTION, or delete it) with `datalessen ingest`"
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
