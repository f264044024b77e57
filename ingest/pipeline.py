"""Files -> store, incrementally and safely.

For each file: load and chunk it (a failure here touches nothing stored), mark it
pending in the manifest, embed only the chunks the store does not already hold,
upsert them, delete the file's stale chunks, mark it done. Chunk ids derive from
the content hash and position, so a rerun after a crash upserts the same ids and
never duplicates; unchanged files cost one metadata lookup.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.settings import Settings
from ingest.chunking import Chunk, chunk_document
from ingest.document import IngestError, LoadedDocument, content_hash
from ingest.loaders import SUPPORTED_SUFFIXES, load_file, read_checked
from ingest.manifest import Manifest, ManifestRow

EMBED_BATCH = 64


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # left `pending` by an interrupted run, now finished
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = [("toegevoegd", self.added), ("bijgewerkt", self.updated), ("hervat", self.resumed),
                  ("ongewijzigd", self.unchanged), ("verwijderd", self.removed), ("mislukt", self.failed),
                  ("overgeslagen", self.skipped)]
        lines = [
            ", ".join(f"{label} {len(items)}" for label, items in counts if items or label != "hervat"),
            f"pagina's {self.pages}, chunks {self.chunks}, nieuw ingebed {self.embedded}, {self.seconds:.1f} s",
        ]
        lines += [f"MISLUKT  {path}: {reason}" for path, reason in self.failed]
        lines += [f"overgeslagen  {path}: {reason}" for path, reason in self.skipped]
        lines += [f"waarschuwing  {path}: {message}" for path, message in self.warnings]
        return "\n".join(lines)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]], list[tuple[str, str]], list[Path]]:
    """Files to ingest, explicit failures, skipped files, and the resolved roots.

    A symlink that leads outside every given root is refused: a folder handed to
    ingest must not become a way to read the rest of the disk.
    """
    roots = [Path(p).expanduser().resolve() for p in paths]
    files: list[Path] = []
    failed: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []

    def inside_roots(target: Path) -> bool:
        return any(target == root or root in target.parents for root in roots)

    for given, root in zip(paths, roots):
        given = Path(given).expanduser()
        if not given.exists() and not given.is_symlink():
            failed.append((str(given), "no such file or folder"))
            continue
        if root.is_file():
            if root.suffix.lower() not in SUPPORTED_SUFFIXES:
                failed.append((str(given), f"unsupported file type '{root.suffix or '(none)'}'"))
            else:
                files.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or name.startswith("~$"):
                    continue
                path = Path(dirpath) / name
                target = path.resolve()
                if path.is_symlink() and not inside_roots(target):
                    failed.append((str(path), f"symlink points outside the given folders (to {target})"))
                elif path.is_symlink() and not target.exists():
                    failed.append((str(path), f"broken symlink (to {target})"))
                elif target.suffix.lower() not in SUPPORTED_SUFFIXES:
                    skipped.append((str(path), f"unsupported file type '{target.suffix or '(none)'}'"))
                elif target.is_file():
                    files.append(target)
    unique = list(dict.fromkeys(files))
    named = {path for path, _ in failed}
    skipped = [(path, reason) for path, reason in skipped if path not in named]
    return unique, failed, skipped, [r for r in roots if r.is_dir()]


def load_and_chunk(path: Path, settings: Settings, data: bytes | None = None) -> tuple[LoadedDocument, list[Chunk]]:
    """One file as the store gets it; whatever goes wrong here is that file's failure, not the run's."""
    try:
        doc = load_file(path, max_bytes=int(settings.max_file_mb * 1_000_000), data=data)
        doc.metadata["source"] = str(path)
        return doc, chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    except IngestError:
        raise
    except Exception as exc:  # a parser bug on one odd file must not stop a run of hundreds
        raise IngestError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc


class Ingestor:
    def __init__(self, settings: Settings, store=None, embeddings=None, progress: bool = False):
        from assistant.store import ChunkStore

        self.settings = settings
        self.store = store or ChunkStore(settings)
        self._embeddings = embeddings
        self.progress = progress
        self.manifest = Manifest(settings.manifest_path, f"{self.store.location}#{settings.collection}")

    @property
    def embeddings(self):
        if self._embeddings is None:
            from assistant.embeddings import load_embeddings

            self._embeddings = load_embeddings(self.settings)
        return self._embeddings

    @property
    def signature(self) -> str:
        s = self.settings
        return f"{s.embedding_model}|{s.passage_prefix}|{s.chunk_size}|{s.chunk_overlap}"

    def run(self, paths: list[Path], prune: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files, report.failed, report.skipped, roots = discover(paths)
        bar = tqdm(files, desc="bestanden", unit="bestand", disable=not self.progress)
        for path in bar:
            bar.set_postfix_str(path.name[-40:])
            try:
                self._ingest_file(path, report)
            except IngestError as exc:
                report.failed.append((exc.path, exc.reason))
        if prune:
            self._prune(roots, {str(f) for f in files}, report)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(self, path: Path, report: IngestReport) -> None:
        source = str(path)
        data = read_checked(path, max_bytes=int(self.settings.max_file_mb * 1_000_000))
        data_hash = content_hash(data)
        previous = self.manifest.get(source)
        if (previous and previous.state == "done" and previous.content_hash == data_hash
                and previous.signature == self.signature
                and len(self.store.ids_for_source(source)) == previous.chunks):
            report.unchanged.append(source)
            report.pages += previous.pages
            report.chunks += previous.chunks
            return
        doc, chunks = load_and_chunk(path, self.settings, data)
        report.warnings.extend((source, w) for w in doc.warnings)
        duplicate = self.manifest.source_with_doc(doc.doc_id, other_than=source)
        if duplicate and Path(duplicate).exists():
            report.skipped.append((source, f"same content as {duplicate}, already ingested"))
            return
        self.manifest.put(ManifestRow(source, data_hash, doc.doc_id, self.signature, len(chunks), doc.pages,
                                      doc.title, "pending"))
        stored = set(self.store.ids_for_source(source))
        resignature = previous is not None and previous.signature != self.signature
        todo = [c for c in chunks if resignature or c.chunk_id not in stored]
        self._embed_and_store(todo, path.name)
        stale = sorted(stored - {c.chunk_id for c in chunks})
        self.store.delete_ids(stale)
        self.manifest.put(ManifestRow(source, data_hash, doc.doc_id, self.signature, len(chunks), doc.pages,
                                      doc.title, "done"))
        if previous is None:
            report.added.append(source)
        elif previous.state == "pending":
            report.resumed.append(source)
        else:
            report.updated.append(source)
        report.pages += doc.pages
        report.chunks += len(chunks)
        report.embedded += len(todo)

    def _embed_and_store(self, chunks: list[Chunk], label: str) -> None:
        if not chunks:
            return
        bar = tqdm(total=len(chunks), desc=f"  chunks {label[:30]}", unit="chunk", leave=False,
                   disable=not self.progress)
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            vectors = self.embeddings.embed_documents([c.index_text() for c in batch])
            self.store.upsert([c.chunk_id for c in batch], [c.text for c in batch], vectors,
                              [chunk_metadata(c) for c in batch])
            bar.update(len(batch))
        bar.close()

    def _prune(self, roots: list[Path], seen: set[str], report: IngestReport) -> None:
        for row in self.manifest.rows():
            path = Path(row.source)
            under_root = any(root in path.parents for root in roots)
            if under_root and row.source not in seen and not path.exists():
                self.store.delete_ids(self.store.ids_for_source(row.source))
                self.manifest.remove(row.source)
                report.removed.append(row.source)

    def remove(self, source: str) -> bool:
        """Take one document out of the store and the manifest."""
        ids = self.store.ids_for_source(source)
        self.store.delete_ids(ids)
        existed = self.manifest.get(source) is not None
        self.manifest.remove(source)
        return existed or bool(ids)


def chunk_metadata(chunk: Chunk) -> dict:
    meta = {k: v for k, v in chunk.metadata.items() if v is not None and isinstance(v, (str, int, float, bool))}
    meta.update(doc_id=chunk.doc_id, section=chunk.section, position=chunk.position,
                document=Path(str(chunk.metadata.get("source", ""))).name)
    if chunk.page_start is not None:
        meta["page_start"] = chunk.page_start
        meta["page_end"] = chunk.page_end if chunk.page_end is not None else chunk.page_start
    return meta
