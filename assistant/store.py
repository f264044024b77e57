"""The vector store behind one small interface: embedded Chroma or a Chroma server.

The rest of the code never sees a Chroma client. Embedded (`PersistentClient` in
the data home) is the laptop default; setting `chroma_url` points the same code at
a `chroma run` server for a whole organisation.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from assistant.recent import Recent, passage_key
from assistant.schema import Passage
from assistant.sentence_vectors import SENTENCE_VECTORS, decode_vectors
from assistant.settings import Settings, quiet_offline_environment
from assistant.text import passage_sentences

BATCH = 500
PAGE = 5000  # ids or passages per read
# A chunk is stored with COMPLETE False and set True when every chunk of its file is stored: what is
# read (retrieval, the document list) skips the others, so a file killed or still running halfway is
# never served as if it were whole. Chunks stored before the flag existed have no key: complete.
COMPLETE = "complete"
# The collection's metadata key the pipeline changes after every change it makes: with the chunk count,
# the stamp an assistant compares to see that another process (`datalessen ingest`) changed the store.
VERSION = "datalessen_version"


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached."""


class StoreReadOnly(RuntimeError):
    """A write into a store that is being read from a copy, because its folder is read-only."""


# store folder -> the private copy it is read from in this process (Chroma cannot open a read-only folder)
READ_ONLY_COPIES: dict[Path, Path] = {}


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
    folder = settings.store_dir
    if folder.is_dir() and not _writable(folder):
        return chromadb.PersistentClient(path=str(_read_only_copy(folder)), settings=chroma_settings)
    folder.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)


def _writable(folder: Path) -> bool:
    database = folder / "chroma.sqlite3"
    return os.access(folder, os.W_OK) and (not database.exists() or os.access(database, os.W_OK))


def _read_only_copy(folder: Path) -> Path:
    """A private copy of a store whose folder is read-only, so that reading (`datalessen ask`) still works:
    Chroma opens its database for writing even to read. Removed when the process ends."""
    if folder not in READ_ONLY_COPIES:
        copy = Path(tempfile.mkdtemp(prefix="datalessen-alleen-lezen-")) / "chroma"
        shutil.copytree(folder, copy)
        atexit.register(shutil.rmtree, copy.parent, True)
        READ_ONLY_COPIES[folder] = copy
    return READ_ONLY_COPIES[folder]


# Two evaluations of the same store once differed at rank 10 for 15 questions (recall@5 0.856 vs
# 0.879). HNSW search is approximate and a graph built by several threads depends on their timing:
# a wide search beam (in the collection's configuration) and one build thread (passed, though
# Chroma 1.5 does not report it back) narrow both. Set when a collection is created; dense top-k
# took ~0.4 ms longer at the p50 in the benchmark (docs/benchmarks.md).
INDEX_SETTINGS = {"hnsw:space": "cosine", "hnsw:num_threads": 1, "hnsw:search_ef": 200}
# The hits a dense search asks Chroma for, whatever k: its HNSW search is as wide as the larger of that and
# the beam above, and beside 7,000 unrelated chunks a beam of 200 still missed up to 16 of a question's
# 30 nearest chunks (its best one among them); with 300 it found 0.997 and 0.999 of the true 30 over 300
# development questions per corpus (worst question 21 and 29), for +0.4 ms a search at 7,000 chunks
# (docs/benchmarks.md)
SEARCH_BEAM = 300


SENTENCE_VECTORS_KEPT = 1024  # chunks whose decoded sentence vectors stay in memory (~25 MB: float32, ~15 sentences)


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
        self._sentence_cache = Recent(SENTENCE_VECTORS_KEPT)

    def _check_embedding(self) -> None:
        """Record which model and precision fill this collection; refuse one filled by another."""
        from assistant.embeddings import canonical_model

        meta = dict(self.collection.metadata or {})
        recorded = {key: meta.get(key) for key in self.embedding}
        if recorded["embedding_model"]:
            recorded["embedding_model"] = canonical_model(recorded["embedding_model"])
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

    @property
    def read_only_copy(self) -> Path | None:
        """Where this store is read from when its own folder is read-only (None: read and written in place)."""
        return None if self.settings.chroma_url else READ_ONLY_COPIES.get(self.settings.store_dir)

    def _writing(self) -> None:
        if self.read_only_copy is not None:
            raise StoreReadOnly(
                f"De store {self.settings.store_dir} is alleen-lezen: vragen stellen kan, documenten toevoegen of "
                f"verwijderen niet. Geef schrijfrechten, of kies met DATALESSEN_HOME een map waarin u mag schrijven."
            )

    def count(self) -> int:
        return self.collection.count()

    def stamp(self) -> tuple[int, str]:
        """(chunks stored, version): changes whenever an ingest anywhere finished a file or removed one."""
        metadata = self.client.get_collection(self.settings.collection).metadata or {}
        return self.count(), str(metadata.get(VERSION, ""))

    def bump_version(self) -> str:
        """Mark the store changed for every process reading it (a random token: two writers never agree)."""
        self._writing()
        version = uuid.uuid4().hex
        collection = self.client.get_collection(self.settings.collection)
        # the index settings (hnsw:*) are fixed at creation and Chroma refuses them in a metadata update
        kept = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
        collection.modify(metadata=kept | {VERSION: version})
        return version

    def reopen(self) -> None:
        """See what other processes wrote into an embedded store: Chroma keeps one cached view per folder
        and process (its vector index is read once), so a new one is opened. A server needs nothing."""
        if not self.settings.chroma_url:
            from chromadb.api.shared_system_client import SharedSystemClient

            # chromadb has no public way to drop one folder's cached system; the old one stays usable
            # by whoever still holds it, so a query running meanwhile finishes on the old view
            SharedSystemClient._identifier_to_system.pop(self.client._identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(self.client._identifier, None)
            self.client = _client(self.settings)
        self.collection = self.client.get_collection(self.settings.collection)

    def mark_complete(self, ids: list[str]) -> None:
        self._writing()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            self.collection.update(ids=chunk, metadatas=[{COMPLETE: True}] * len(chunk))

    def upsert(self, ids: list[str], texts: list[str], embeddings, metadatas: list[dict]) -> None:
        self._writing()
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
        self._writing()
        for start in range(0, len(ids), BATCH):
            self.collection.delete(ids=ids[start : start + BATCH])

    def sentence_vectors(self, passages: list[Passage]) -> dict[str, np.ndarray]:
        """chunk id -> its sentences' vectors (rows in `passage_sentences` order), for the passages stored with
        them; a chunk stored without (an older store) is left out. They travel in the chunk's own metadata,
        so a stored chunk has them or not, never half; the most recently quoted chunks' stay decoded."""
        out, missing = {}, []
        for p in passages:
            found = self._sentence_cache.get(passage_key(p))
            if found is not None:
                out[p.chunk_id] = found
            else:
                missing.append(p)
        if not missing:
            return out
        found = self.collection.get(ids=[p.chunk_id for p in missing], include=["metadatas"])
        by_id = {p.chunk_id: p for p in missing}
        for chunk_id, meta in zip(found["ids"], found["metadatas"]):
            vectors = decode_vectors((meta or {}).get(SENTENCE_VECTORS, ""))
            p = by_id.get(chunk_id)
            if p is not None and vectors is not None and len(vectors) == len(passage_sentences(p.text)):
                out[chunk_id] = vectors
                self._sentence_cache.put(passage_key(p), vectors)
        return out

    def all_passages(self, *, incomplete: bool = False) -> list[Passage]:
        """Every chunk of a completely stored file with its metadata, in chunk-id order (`incomplete`: also
        the chunks of files an ingest has not finished)."""
        return self.passages(self.all_ids(incomplete=incomplete))

    def all_ids(self, *, incomplete: bool = False) -> list[str]:
        """Every chunk id of a completely stored file, sorted: cheap next to fetching texts, so a cached index
        can be checked against it. Chunks stored before files were marked count as complete ($ne matches them)."""
        where = None if incomplete else {COMPLETE: {"$ne": False}}
        ids: list[str] = []
        while True:
            page = self.collection.get(where=where, include=[], limit=PAGE, offset=len(ids))["ids"]
            if not page:
                break
            ids.extend(page)
        return sorted(ids)

    def passages(self, ids: list[str]) -> list[Passage]:
        """These chunks with their texts and metadata, in the order given (ids the store lacks are left out)."""
        found: dict[str, Passage] = {}
        for start in range(0, len(ids), PAGE):
            page = self.collection.get(ids=ids[start : start + PAGE], include=["documents", "metadatas"])
            found.update((i, to_passage(i, d, m)) for i, d, m in zip(page["ids"], page["documents"], page["metadatas"]))
        return [found[i] for i in ids if i in found]

    def dense_search(self, embedding, k: int, where: dict | None = None) -> list[tuple[Passage, float]]:
        hits = self.dense_ids(embedding, k, where)
        passages = {p.chunk_id: p for p in self.passages([i for i, _ in hits])}
        return [(passages[i], similarity) for i, similarity in hits if i in passages]

    def dense_ids(self, embedding, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first: all hybrid retrieval needs, as it holds every passage
        already; fetching texts and metadata from Chroma would cost more than the vector search.

        Chroma is asked for at least `SEARCH_BEAM` hits, of which the best k are kept: HNSW searches as
        wide as the hits asked for, and at k = 30 it missed up to 16 of some questions' true top 30
        (docs/benchmarks.md)."""
        # No count() first: Chroma returns fewer hits when it holds fewer than k, none when empty; that extra
        # round trip cost more than the search itself at 100k chunks (docs/benchmarks.md).
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(map(float, embedding))],
            n_results=max(k, SEARCH_BEAM),
            where=where or None,
            include=["distances"],
        )
        return [(i, 1.0 - dist) for i, dist in zip(result["ids"][0][:k], result["distances"][0][:k])]


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
    meta = {k: v for k, v in (meta or {}).items() if k != SENTENCE_VECTORS}  # read on demand, not carried
    meta.pop(COMPLETE, None)  # the pipeline's bookkeeping, not the document's
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
