"""Which file is in the store with which content: what makes ingest incremental.

A row is written as `pending` before its chunks go into the store and marked
`done` after; a run killed in between leaves a pending row that the next run
finishes. Rows are kept per store, so one data home can feed several stores.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
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


class Manifest:
    def __init__(self, path: Path, store: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.store = store

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
