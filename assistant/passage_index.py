"""What retrieval keeps in memory — every passage and the BM25 term counts over them — kept on disk.

Tokenising every passage is the slow part of starting (25 s at 100k chunks), and fetching every text
from a Chroma server is the next one. So the passages and their term counts are saved in the data home
after each change, and a process that starts (or notices a new ingest) asks the store only for its chunk
ids, then fetches and tokenises just the chunks it lacks and drops the ones that are gone. Chunk ids derive
from content, so an id seen before means the same text. The cache is private to one data home and one
store; it is rebuilt whenever the tokeniser's code changes, and a cache that cannot be read or written
(a read-only data home, a damaged file) only costs the full rebuild, never an answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant import bm25, text
from assistant.bm25 import TermCounts
from assistant.schema import Passage
from assistant.store import to_passage

log = logging.getLogger(__name__)
FORMAT = 2  # 2: caches made while chunk ids named only a place may hold old texts under current ids


def index_text(passage: Passage) -> str:
    """What BM25 sees of a passage: its title and section too, so 'slim vegen' finds every part of that case."""
    return f"{passage.title}\n{passage.section}\n{passage.text}"


def _code_signature() -> str:
    """Changes when the code that turns text into terms changes, ours or the stemmer's: such a cache would
    count other terms than the questions are split into, and retrieval would quietly find less."""
    digest = hashlib.sha256(f"{FORMAT} {text.STEMMER_VERSION}".encode())
    for module in (text, bm25):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class PassageIndex:
    passages: list[Passage]  # sorted by chunk id
    counts: TermCounts  # row i counts the terms of passages[i]
    stamp: list | None = None  # the store's (count, version) it was read at

    @classmethod
    def build(cls, passages: list[Passage]) -> PassageIndex:
        return cls(passages, TermCounts.of([index_text(p) for p in passages]))

    def synced(self, ids: list[str], fetch) -> tuple[PassageIndex, bool]:
        """This index brought to exactly `ids` (sorted), fetching the passages it lacks with `fetch(ids)`;
        also whether anything changed."""
        have = {p.chunk_id: i for i, p in enumerate(self.passages)}
        wanted = set(ids)
        missing = [i for i in ids if i not in have]
        if not missing and len(wanted) == len(have):
            return self, False
        kept = [have[i] for i in ids if i in have]
        new = fetch(missing)
        index = PassageIndex([self.passages[i] for i in kept], self.counts.select(kept))
        if new:
            index = PassageIndex(index.passages + new, index.counts.stacked(TermCounts.of([index_text(p) for p in new])))
        order = np.argsort([p.chunk_id for p in index.passages], kind="stable")
        return PassageIndex([index.passages[i] for i in order], index.counts.select(order)), True


class IndexCache:
    """One store's PassageIndex in a folder of the data home."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_settings(cls, settings) -> IndexCache:
        where = f"{settings.chroma_url or settings.store_dir}|{settings.collection}"
        return cls(Path(settings.home) / "index" / hashlib.sha256(where.encode()).hexdigest()[:16])

    def load(self) -> PassageIndex | None:
        try:
            meta = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
            if meta.get("signature") != _code_signature():
                return None
            arrays = np.load(self.folder / "counts.npz")
            with open(self.folder / "texts.txt", encoding="utf-8", newline="") as fh:  # "\r" stays "\r"
                texts = fh.read()
            with open(self.folder / "chunks.json", encoding="utf-8") as fh:
                chunks = json.load(fh)
            passages = _passages(meta["documents"], chunks, texts, arrays["offsets"])
            shape = tuple(int(n) for n in arrays["shape"])
            matrix = sparse.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
            vocabulary = {term: i for i, term in enumerate(meta["terms"])}
            if shape != (len(passages), len(vocabulary)):
                raise ValueError(f"counts {shape} do not fit {len(passages)} passages, {len(vocabulary)} terms")
            return PassageIndex(passages, TermCounts(matrix, vocabulary), meta.get("stamp"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:  # a damaged cache is rebuilt, not fatal
            log.warning("index cache %s unreadable (%s): rebuilding it from the store", self.folder, exc)
            return None

    def save(self, index: PassageIndex) -> None:
        """Written to a temporary folder and swapped in, so a reader never sees half a cache."""
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder.parent))
            documents, chunks = _split_metadata(index.passages)
            texts = [p.text for p in index.passages]
            with open(tmp / "texts.txt", "w", encoding="utf-8", newline="") as fh:
                fh.write("".join(texts))
            with open(tmp / "chunks.json", "w", encoding="utf-8") as fh:
                json.dump(chunks, fh, ensure_ascii=False)
            m = index.counts.matrix
            offsets = np.cumsum([0] + [len(t) for t in texts], dtype=np.int64)
            np.savez(
                tmp / "counts.npz", data=m.data, indices=m.indices, indptr=m.indptr, shape=np.asarray(m.shape), offsets=offsets
            )
            meta = {
                "signature": _code_signature(),
                "stamp": index.stamp,
                "terms": list(index.counts.vocabulary),
                "documents": documents,
            }
            (tmp / "index.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=self.folder.parent))
            if self.folder.exists():
                os.replace(self.folder, old / "index")  # then a reader finds no cache (a rebuild), never a mix
            os.replace(tmp, self.folder)
            shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # read-only or full data home: answers still work, the next start is slower
            log.warning("index cache %s not written (%s)", self.folder, exc)


def _split_metadata(passages: list[Passage]) -> tuple[list[dict], list[list]]:
    """Metadata every chunk of a document shares is written once per document: a tenth of the size to read."""
    shared: dict[str, dict] = {}
    for p in passages:
        if p.doc_id not in shared:
            shared[p.doc_id] = dict(p.metadata)
        else:
            common = shared[p.doc_id]
            for key in [k for k, v in common.items() if p.metadata.get(k, _ABSENT) != v]:
                del common[key]
    number = {doc_id: i for i, doc_id in enumerate(shared)}
    chunks = [
        [p.chunk_id, number[p.doc_id], {k: v for k, v in p.metadata.items() if k not in shared[p.doc_id]}] for p in passages
    ]
    return list(shared.values()), chunks


_ABSENT = object()


def _passages(documents: list[dict], chunks: list[list], texts: str, offsets) -> list[Passage]:
    if len(offsets) != len(chunks) + 1 or int(offsets[-1]) != len(texts):
        raise ValueError("texts do not fit the chunk list")
    bounds = offsets.tolist()
    return [
        to_passage(chunk_id, texts[bounds[i] : bounds[i + 1]], {**documents[doc], **own})
        for i, (chunk_id, doc, own) in enumerate(chunks)
    ]


def load_index(store, cache: IndexCache | None, current: PassageIndex | None = None) -> PassageIndex:
    """The store's passages and term counts: from memory or the cache, synced with the store's ids. When the
    store's stamp (count and the version every finished ingest sets) is the one the cache was made at, not
    even the ids are read: at 100k chunks that list alone took seconds."""
    index = current or (cache.load() if cache else None)
    stamp = list(store.stamp()) if hasattr(store, "stamp") else None  # taken first: a later change is seen next time
    if index is not None and stamp is not None and index.stamp == stamp:
        return index
    ids = store.all_ids()
    if index is None:
        index, changed = PassageIndex.build(store.passages(ids)), True
    else:
        index, changed = index.synced(ids, store.passages)
    if changed or index.stamp != stamp:
        index = PassageIndex(index.passages, index.counts, stamp)
        if cache is not None:
            cache.save(index)
    return index
