"""Files -> store, incrementally and safely.

For each file: load and chunk it (a failure here touches nothing stored), mark it
pending in the manifest, and queue the chunks the store does not already hold.
Queued chunks of many files are embedded together (with each chunk's sentences, for
the sentence ranker), longest first, one model batch at a time, each batch upserted
at once; when all of a file's chunks are stored its stale chunks are deleted and it
is marked done. Chunk ids derive from the file, the position and the chunk's text, so a rerun
after a crash upserts the same ids and never duplicates, and embeds only what is
missing; unchanged files cost one metadata lookup.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.sentence_features import sentence_texts
from assistant.sentence_vectors import SENTENCE_VECTORS, encode_vectors
from assistant.settings import Settings
from assistant.store import COMPLETE
from ingest.chunking import Chunk, chunk_document
from ingest.document import IngestError, LoadedDocument, content_hash
from ingest.loaders import LOADER_REVISIONS, SUPPORTED_SUFFIXES, load_file, read_checked
from ingest.manifest import Manifest, ManifestDamaged, ManifestRow, set_aside, store_key

EMBED_BATCH: int | None = None  # chunks per embedding call and upsert; None: the setting embedding_batch_size
SORT_WINDOW = 256  # queued chunks (across files) sorted by length before they are embedded


@dataclass
class _FileJob:
    row: ManifestRow  # as written `pending`
    previous: ManifestRow | None
    todo: list[Chunk]  # chunks the store lacks
    stale: list[str]  # stored ids the file no longer has
    ids: list[str]  # every chunk id of the file: marked complete together once all are stored
    compared: bool = False  # the manifest could not vouch for the stored chunks, so they were compared
    waiting: int = -1  # todo chunks not yet stored

    def __post_init__(self):
        self.waiting = len(self.todo)


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
    notices: list[str] = field(default_factory=list)  # about the run as a whole, one line each
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = [
            ("toegevoegd", self.added),
            ("bijgewerkt", self.updated),
            ("hervat", self.resumed),
            ("ongewijzigd", self.unchanged),
            ("verwijderd", self.removed),
            ("mislukt", self.failed),
            ("overgeslagen", self.skipped),
        ]
        lines = [
            *self.notices,
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
        return doc, chunk_document(doc, settings.chunk_size, settings.chunk_overlap, settings.min_chunk_chars)
    except IngestError:
        raise
    except Exception as exc:  # a parser bug on one odd file must not stop a run of hundreds
        raise IngestError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc


class Ingestor:
    def __init__(self, settings: Settings, store=None, embeddings=None, progress: bool = False, force: bool = False):
        from assistant.store import ChunkStore

        self.settings = settings
        self.store = store or ChunkStore(settings)
        self._embeddings = embeddings
        self.progress = progress
        self.force = force  # ingest files above large_file_chunks too
        self._embed_seconds, self._embed_count = 0.0, 0
        self.notices: list[str] = []  # said once at the top of the report (a manifest rebuilt, ...)
        key = store_key(self.store.location, settings.collection)
        try:
            self.manifest = Manifest(settings.manifest_path, key)
        except ManifestDamaged as exc:
            aside = set_aside(exc.path)
            self.manifest = Manifest(settings.manifest_path, key)
            documents = self._rebuild_manifest()
            self.notices.append(
                f"Het manifest {exc.path} was beschadigd ({exc.reason}); apart gezet als {aside.name} en opnieuw "
                f"opgebouwd uit de store ({documents} documenten)."
            )

    @property
    def embeddings(self):
        if self._embeddings is None:
            from assistant.embeddings import load_embeddings

            self._embeddings = load_embeddings(self.settings)
        return self._embeddings

    @property
    def signature(self) -> str:
        s = self.settings
        # stores chunked before the setting stay valid; 'h': merged subsection titles are marked as headings
        merge = f"|{s.min_chunk_chars}h" if s.min_chunk_chars else ""
        # '|sentences3': stores written before sentence vectors (in context, in the chunk) are embedded again
        return f"{s.embedding_model}|{s.passage_prefix}|{s.chunk_size}|{s.chunk_overlap}{merge}|sentences3"

    def signature_of(self, source: str) -> str:
        """The settings' signature, and the revision of the loader that reads this file's type."""
        revision = LOADER_REVISIONS.get(Path(source).suffix.lower())
        return f"{self.signature}|{revision}" if revision else self.signature

    def close(self) -> None:
        self.manifest.close()

    def _rebuild_manifest(self) -> int:
        """One row per document the store holds, from its chunks' metadata: `done` when all its chunks are
        complete, else `pending` (the next run finishes it). The full content hash is taken from the file
        when it is still there unchanged. The signature is left empty: the store cannot say which settings
        or loader revision wrote it, so the next run re-reads each file and compares (`_stored_differently`)."""
        passages = self.store.all_passages(incomplete=True)
        complete = {p.chunk_id for p in self.store.all_passages()} if passages else set()
        by_source: dict[str, list] = {}
        for p in passages:
            by_source.setdefault(p.source, []).append(p)
        for source, chunks in by_source.items():
            doc_id = chunks[0].doc_id
            try:
                data_hash = content_hash(Path(source).read_bytes())
            except OSError:
                data_hash = ""
            if not data_hash.startswith(doc_id):
                data_hash = ""
            state = "done" if all(p.chunk_id in complete for p in chunks) else "pending"
            pages = max((int(p.page_end or 0) for p in chunks), default=0)
            self.manifest.put(ManifestRow(source, data_hash, doc_id, "", len(chunks), pages, chunks[0].title, state))
        return len(by_source)

    def run(self, paths: list[Path], prune: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(notices=list(self.notices))
        self.notices = []
        files, report.failed, report.skipped, roots = discover(paths)
        self._queue: list[tuple[Chunk, _FileJob]] = []
        self._queued_docs: dict[str, str] = {}  # doc_id -> source, for files still pending in this run
        file_bar = tqdm(files, desc="bestanden gelezen", unit="bestand", disable=not self.progress, position=0)
        self._chunk_bar = tqdm(total=0, desc="chunks ingebed", unit="chunk", disable=not self.progress, position=1)
        try:
            for path in file_bar:
                file_bar.set_postfix_str(path.name[-40:])
                try:
                    job = self._prepare(path, report)
                except IngestError as exc:
                    report.failed.append((exc.path, exc.reason))
                    continue
                if job is not None:
                    self._enqueue(job, report)
            self._flush(report)
            for finished in (report.added, report.updated, report.resumed):
                finished.sort()
        finally:
            self._chunk_bar.close()
            file_bar.close()
        if prune:
            self._prune(roots, {str(f) for f in files}, report)
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, path: Path, report: IngestReport) -> _FileJob | None:
        """Load and chunk one file and mark it pending; None when there is nothing to do for it."""
        source = str(path)
        data = read_checked(path, max_bytes=int(self.settings.max_file_mb * 1_000_000))
        data_hash = content_hash(data)
        previous = self.manifest.get(source)
        signature = self.signature_of(source)
        if (
            previous
            and previous.state == "done"
            and previous.content_hash == data_hash
            and previous.signature == signature
            and len(self.store.ids_for_source(source)) == previous.chunks
        ):
            report.unchanged.append(source)
            report.pages += previous.pages
            report.chunks += previous.chunks
            return None
        doc, chunks = load_and_chunk(path, self.settings, data)
        report.warnings.extend((source, w) for w in doc.warnings)
        duplicate = self._queued_docs.get(doc.doc_id) or self.manifest.source_with_doc(doc.doc_id, other_than=source)
        if duplicate and duplicate != source and Path(duplicate).exists():
            report.skipped.append((source, f"same content as {duplicate}, already ingested"))
            return None
        stored = set(self.store.ids_for_source(source))
        # a chunk id names its text and metadata (`chunking.chunk_id`), but a store written before it did
        # holds position-only ids: the manifest's signature, or a comparison where it cannot vouch, decides
        compared = bool(stored) and (previous is None or not previous.signature)
        if compared:
            differ = self._stored_differently([c for c in chunks if c.chunk_id in stored])
            todo = [c for c in chunks if c.chunk_id not in stored or c.chunk_id in differ]
        else:
            resignature = previous is not None and previous.signature != signature
            todo = [c for c in chunks if resignature or c.chunk_id not in stored]
        self._guard_size(path, todo)
        row = ManifestRow(source, data_hash, doc.doc_id, signature, len(chunks), doc.pages, doc.title, "pending")
        self.manifest.put(row)
        stale = sorted(stored - {c.chunk_id for c in chunks})
        self._queued_docs[doc.doc_id] = source
        return _FileJob(row, previous, todo, stale, [c.chunk_id for c in chunks], compared)

    def _stored_differently(self, chunks: list[Chunk]) -> set[str]:
        """Ids of these chunks whose stored text or metadata is not what this reading gives: a store the
        manifest did not write (copied or moved to another data home, or a manifest rebuilt from the store)
        may hold another loader revision's or chunk size's reading under the same ids."""
        stored = {p.chunk_id: p for p in self.store.passages([c.chunk_id for c in chunks])}
        differ = set()
        for c in chunks:
            p = stored.get(c.chunk_id)
            if p is None or p.text != c.text or any(p.metadata.get(k) != v for k, v in chunk_metadata(c).items()):
                differ.add(c.chunk_id)
        return differ

    def _guard_size(self, path: Path, todo: list[Chunk]) -> None:
        """Refuse a file whose embedding would take long, saying how long, unless forced (before anything
        of it is stored). A file left half-done by a forced run resumes: only its missing chunks count."""
        limit = self.settings.large_file_chunks
        if self.force or limit <= 0 or len(todo) <= limit:
            return
        rate = self._chunks_per_second(todo)
        raise IngestError(
            path,
            f"{dutch_number(len(todo))} stukken tekst om in te bedden; dat duurt hier naar schatting "
            f"{dutch_duration(len(todo) / rate)} (gemeten: {rate:.1f} stukken per seconde). Boven "
            f"{dutch_number(limit)} stukken is bevestiging nodig: `datalessen ingest --force` "
            f"(of de instelling large_file_chunks)",
        )

    def _chunks_per_second(self, chunks: list[Chunk]) -> float:
        """This machine's embedding rate: from this run when it has embedded a while, else timed on a sample."""
        if self._embed_seconds >= 5 and self._embed_count:
            return self._embed_count / self._embed_seconds
        embeddings = self.embeddings  # loaded (and warmed up) before the clock starts
        embeddings.embed_documents([chunks[0].index_text()])
        sample = chunks[:: max(1, len(chunks) // 16)][:16]
        started = time.perf_counter()
        embeddings.embed_documents([c.index_text() for c in sample])
        return len(sample) / max(time.perf_counter() - started, 1e-6)

    def _enqueue(self, job: _FileJob, report: IngestReport) -> None:
        """Queue a file's chunks; embed once the queue is long enough to sort by length across files."""
        if not job.todo:
            self._finish(job, report)
            return
        self._queue.extend((chunk, job) for chunk in job.todo)
        self._chunk_bar.total += len(job.todo)
        self._chunk_bar.refresh()
        if len(self._queue) >= SORT_WINDOW:
            self._flush(report)

    def _flush(self, report: IngestReport) -> None:
        """Embed and store every queued chunk, longest first, one model batch per call; finish complete files.

        Sorting the queue (chunks of many files) by length puts texts of similar length
        in one batch: less padding, so the model spends its time on text. Each batch is
        upserted at once, so a kill loses at most one batch of work.
        """
        queue, self._queue = self._queue, []
        queue.sort(key=lambda item: len(item[0].index_text()), reverse=True)
        batch_size = EMBED_BATCH or self.settings.embedding_batch_size
        for start in range(0, len(queue), batch_size):
            batch = queue[start : start + batch_size]
            chunks = [chunk for chunk, _ in batch]
            sentences = [sentence_texts(c.text, c.section, c.metadata.get("title", "")) for c in chunks]
            texts = [c.index_text() for c in chunks] + [s for group in sentences for s in group]
            started = time.perf_counter()
            vectors = self.embeddings.embed_documents(texts)  # one call: the model sorts all by length
            self._embed_seconds += time.perf_counter() - started
            self._embed_count += len(chunks)
            per_chunk, at = [], len(chunks)
            for group in sentences:
                per_chunk.append(vectors[at : at + len(group)])
                at += len(group)
            self.store.upsert(
                [c.chunk_id for c in chunks],
                [c.text for c in chunks],
                vectors[: len(chunks)],
                [  # hidden until the whole file is in; the sentences' vectors travel with their chunk
                    chunk_metadata(c) | {COMPLETE: False, SENTENCE_VECTORS: encode_vectors(v)} for c, v in zip(chunks, per_chunk)
                ],
            )
            self._chunk_bar.update(len(chunks))
            for _, job in batch:
                job.waiting -= 1
                if job.waiting == 0:
                    self._finish(job, report)

    def _finish(self, job: _FileJob, report: IngestReport) -> None:
        """All of a file's chunks are stored: drop its stale ones, show the new ones, then mark it done.

        Stale chunks go first: for a moment the file is not shown at all, rather than shown twice
        (old and new version mixed). Then readers are told the store changed."""
        self.store.delete_ids(job.stale)
        self.store.mark_complete(job.ids)
        row = job.row
        self.manifest.put(
            ManifestRow(row.source, row.content_hash, row.doc_id, row.signature, row.chunks, row.pages, row.title, "done")
        )
        self.store.bump_version()
        self._queued_docs.pop(row.doc_id, None)
        if job.previous is not None and job.previous.state == "pending":
            report.resumed.append(row.source)
        elif job.compared:
            (report.updated if job.todo or job.stale else report.unchanged).append(row.source)
        elif job.previous is None:
            report.added.append(row.source)
        else:
            report.updated.append(row.source)
        report.pages += row.pages
        report.chunks += row.chunks
        report.embedded += len(job.todo)

    def _prune(self, roots: list[Path], seen: set[str], report: IngestReport) -> None:
        for row in self.manifest.rows():
            path = Path(row.source)
            under_root = any(root in path.parents for root in roots)
            if under_root and row.source not in seen and not path.exists():
                self.store.delete_ids(self.store.ids_for_source(row.source))
                self.manifest.remove(row.source)
                report.removed.append(row.source)
        if report.removed:
            self.store.bump_version()

    def remove(self, source: str) -> bool:
        """Take one document out of the store and the manifest."""
        ids = self.store.ids_for_source(source)
        self.store.delete_ids(ids)
        existed = self.manifest.get(source) is not None
        self.manifest.remove(source)
        if ids:
            self.store.bump_version()
        return existed or bool(ids)


def chunk_metadata(chunk: Chunk) -> dict:
    meta = {k: v for k, v in chunk.metadata.items() if v is not None and isinstance(v, (str, int, float, bool))}
    meta.update(
        doc_id=chunk.doc_id,
        section=chunk.section,
        position=chunk.position,
        document=Path(str(chunk.metadata.get("source", ""))).name,
    )
    if chunk.page_start is not None:
        meta["page_start"] = chunk.page_start
        meta["page_end"] = chunk.page_end if chunk.page_end is not None else chunk.page_start
    return meta


def lower_priority(nice: int) -> None:
    """This process's CPU priority lowered by `nice` (never raised; where the OS has no nice, nothing)."""
    if nice > 0 and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:  # not permitted here: run at the priority we have
            pass


def lower_thread_priority(nice: int) -> bool:
    """Only the calling thread's CPU priority lowered by `nice`, and with it every thread it starts (the
    model's thread pool for batches inherits it). Linux keeps a nice value per thread; elsewhere this does
    nothing, since lowering there would slow the whole process, questions included."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError:  # not permitted here: run at the priority we have
        return False
    return True


class _NicedThread:
    """One long-lived daemon thread at lower priority that runs the calls handed to it, one at a time."""

    def __init__(self, nice: int):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, args=(nice,), name=f"datalessen-ingest-nice{nice}", daemon=True).start()

    def _serve(self, nice: int) -> None:
        lower_thread_priority(nice)
        while True:
            future, fn, args, kwargs = self._jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # noqa: BLE001 -- handed to the caller, raised there
                    future.set_exception(exc)

    def call(self, fn, *args, **kwargs):
        future: Future = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future.result()


_NICED: dict[int, _NicedThread] = {}
_NICED_LOCK = threading.Lock()


def run_niced(nice: int, fn, *args, **kwargs):
    """`fn(*args, **kwargs)` on this process's ingest thread at `nice` lower priority; waits for it and
    returns its result or raises its exception."""
    with _NICED_LOCK:
        if nice not in _NICED:
            _NICED[nice] = _NicedThread(nice)
        worker = _NICED[nice]
    return worker.call(fn, *args, **kwargs)


def ingest_beside_answers(assistant, paths: list[Path], **options) -> IngestReport:
    """`ingest_into` for a process that also answers questions (the app, at start and for uploads): on one
    thread at the setting `ingest_nice` lower priority, as `datalessen ingest` lowers its whole process, so
    the model's batch threads started from there give way to questions. Measured in one process on two
    cores: query embedding p95 2.0-2.5x quiet beside an ingest thread at the app's priority, 1.0-1.1x beside
    one at nice 10 (docs/benchmarks.md)."""
    return run_niced(int(assistant.settings.ingest_nice), ingest_into, assistant, paths, **options)


def ingest_into(
    assistant, paths: list[Path], *, prune: bool = False, progress: bool = False, force: bool = False
) -> IngestReport:
    """Ingest into the store an `Assistant` answers from, with its embeddings, and let it see the result."""
    ingestor = Ingestor(
        assistant.settings, store=assistant.store, embeddings=assistant.embeddings, progress=progress, force=force
    )
    try:
        with assistant.writing():
            report = ingestor.run([Path(p) for p in paths], prune=prune)
    finally:
        ingestor.close()
        assistant.refresh()
    return report


def dutch_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def dutch_duration(seconds: float) -> str:
    """'ongeveer 2 uur 21 min', 'ongeveer 14 min', 'minder dan een minuut'."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "minder dan een minuut"
    hours, minutes = divmod(minutes, 60)
    return "ongeveer " + " ".join(part for part in (f"{hours} uur" if hours else "", f"{minutes} min" if minutes else "") if part)
