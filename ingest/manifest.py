"""Which file is in the store with which content: what makes ingest incremental.

A row is written as `pending` before its chunks go into the store and marked
`done` after; a run killed in between leaves a pending row that the next run
finishes. Rows are kept per store, so one data home can feed several stores.

The manifest is bookkeeping, the store is the truth: a damaged manifest (a garbage
header, a half-truncated file) is checked for when it is opened, set aside beside
itself and rebuilt from the store (`ingest.pipeline.Ingestor`), instead of blocking
every ingest for good.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    store TEXT NOT NULL,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    pages INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (store, source)
)
"""


@dataclass
class ManifestRow:
    source: str
    content_hash: str
    doc_id: str
    signature: str
    chunks: int
    pages: int
    title: str
    state: str


COLUMNS = {"store", "source", "content_hash", "doc_id", "signature", "chunks", "pages", "title", "state", "updated"}
# what SQLite says about a file that is not (or no longer) a sound database, as opposed to one that is
# locked, on a full disk or not writable: those are not the manifest's fault and must not set it aside
_DAMAGE = ("file is not a database", "malformed", "no such table", "has no column", "corrupt")


class ManifestDamaged(Exception):
    """The manifest file cannot be read as a manifest; `reason` says what SQLite found."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def store_key(location: str, collection: str) -> str:
    """Which store a manifest row belongs to: one manifest file can describe several stores."""
    return f"{location}#{collection}"


class Manifest:
    def __init__(self, path: Path, store: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            self._check()  # before anything is written: a damaged file is set aside as it was found
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if any(sign in str(exc).lower() for sign in _DAMAGE):
                raise ManifestDamaged(path, str(exc)) from exc
            raise
        except ManifestDamaged:
            self.db.close()
            raise
        self.store = store

    def _check(self) -> None:
        """The whole file readable (quick_check reads every page) and the table as this code writes it."""
        problems = [row[0] for row in self.db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise ManifestDamaged(self.path, "; ".join(problems[:3]))
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
        if columns and not COLUMNS <= columns:  # no columns: a new manifest, its table not made yet
            raise ManifestDamaged(self.path, f"table files has no column {sorted(COLUMNS - columns)[0]}")

    def get(self, source: str) -> ManifestRow | None:
        row = self.db.execute(
            "SELECT source, content_hash, doc_id, signature, chunks, pages, title, state FROM files WHERE store=? AND source=?",
            (self.store, source),
        ).fetchone()
        return ManifestRow(*row) if row else None

    def rows(self) -> list[ManifestRow]:
        cursor = self.db.execute(
            "SELECT source, content_hash, doc_id, signature, chunks, pages, title, state FROM files "
            "WHERE store=? ORDER BY source",
            (self.store,),
        )
        return [ManifestRow(*row) for row in cursor]

    def source_with_doc(self, doc_id: str, other_than: str) -> str | None:
        row = self.db.execute(
            "SELECT source FROM files WHERE store=? AND doc_id=? AND source<>? AND state='done'", (self.store, doc_id, other_than)
        ).fetchone()
        return row[0] if row else None

    def put(self, row: ManifestRow) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files (store, source, content_hash, doc_id, signature, chunks, pages, title, "
            "state, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                self.store,
                row.source,
                row.content_hash,
                row.doc_id,
                row.signature,
                row.chunks,
                row.pages,
                row.title,
                row.state,
                time.time(),
            ),
        )

    def remove(self, source: str) -> None:
        self.db.execute("DELETE FROM files WHERE store=? AND source=?", (self.store, source))

    def close(self) -> None:
        self.db.close()


def set_aside(path: Path) -> Path:
    """Move a damaged manifest (and its -wal/-shm files) out of the way; returns where it went."""
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    aside = path.with_name(f"{path.name}.beschadigd-{stamp}")
    number = 1
    while aside.exists():  # damaged twice within a second: keep both
        number += 1
        aside = path.with_name(f"{path.name}.beschadigd-{stamp}-{number}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.replace(f"{aside}{suffix}")
    return aside
