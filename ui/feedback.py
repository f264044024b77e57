"""What users think of each answer, kept in SQLite so it survives restarts.

One row per verdict on one answer: the verdict (juist, onjuist, verkeerd bewijs,
onvolledig), an optional comment, the question, the answer text, its citations as
JSON, a snapshot of the settings that produced it (backend, model, top_k), when
and by whom. Evaluators read it back as a list, as counts, or as CSV/JSON.

    store = FeedbackStore.for_settings(settings)
    store.add(answer, "verkeerd bewijs", comment="[2] gaat over een andere case", user="anna")
    store.summary()  # {"juist": 0, "onjuist": 0, "verkeerd bewijs": 1, "onvolledig": 0, "totaal": 1}
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.schema import Answer
from assistant.settings import Settings

# stored key -> the Dutch label a user sees
VERDICTS = {
    "correct": "juist",
    "incorrect": "onjuist",
    "wrong_evidence": "verkeerd bewijs",
    "incomplete": "onvolledig",
}
LABELS = {label: key for key, label in VERDICTS.items()}
MAX_COMMENT = 4000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    verdict TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer_text TEXT NOT NULL,
    abstained INTEGER NOT NULL DEFAULT 0,
    citations TEXT NOT NULL DEFAULT '[]',
    settings TEXT NOT NULL DEFAULT '{}'
)
"""


def verdict_key(verdict: str) -> str:
    """'onvolledig' or 'incomplete' -> 'incomplete'; anything else is refused."""
    value = (verdict or "").strip()
    if value in VERDICTS:
        return value
    if value.casefold() in LABELS:
        return LABELS[value.casefold()]
    raise ValueError(f"unknown verdict {verdict!r}; choose one of: {', '.join(VERDICTS.values())}")


def settings_snapshot(settings: Settings | None, answer: Answer | None = None) -> dict:
    """What produced an answer: enough to compare feedback across configurations."""
    snap: dict = {}
    if settings is not None:
        snap = {
            "backend": settings.answer_backend,
            "model": settings.llm_model or settings.llm_model_path or "",
            "embedding_model": settings.embedding_model,
            "top_k": settings.top_k,
        }
    if answer is not None and answer.backend:
        snap["backend"] = answer.backend
    return snap


@dataclass
class FeedbackRecord:
    id: int
    created_at: str
    user: str
    verdict: str  # the key: correct / incorrect / wrong_evidence / incomplete
    comment: str
    question: str
    answer_text: str
    abstained: bool
    citations: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return VERDICTS.get(self.verdict, self.verdict)

    def to_dict(self) -> dict:
        return {**asdict(self), "label": self.label}


CSV_COLUMNS = [
    "id",
    "created_at",
    "user",
    "verdict",
    "label",
    "comment",
    "question",
    "answer_text",
    "abstained",
    "citations",
    "settings",
]


class FeedbackStore:
    """A small SQLite file; each call opens its own connection, so threads may share one store."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        """The store in the data home (`feedback.sqlite`)."""
        return cls(Path(settings.home) / "feedback.sqlite")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def add(
        self,
        answer: Answer,
        verdict: str,
        *,
        comment: str = "",
        user: str = "",
        settings: Settings | None = None,
        when: datetime | None = None,
    ) -> int:
        """Store one verdict on `answer`; returns the new row id."""
        key = verdict_key(verdict)
        comment = (comment or "").strip()[:MAX_COMMENT]
        citations = [
            {
                "n": c.n,
                "title": c.title,
                "section": c.section,
                "page": c.page,
                "quote": c.quote,
                "quotes": list(c.quotes),
                "doc_id": c.doc_id,
                "chunk_id": c.chunk_id,
                "score": c.score,
            }
            for c in answer.citations
        ]
        stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, user, verdict, comment, question, answer_text, abstained, "
                "citations, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamp,
                    user or "",
                    key,
                    comment,
                    answer.question,
                    answer.text,
                    int(bool(answer.abstained)),
                    json.dumps(citations, ensure_ascii=False),
                    json.dumps(settings_snapshot(settings, answer), ensure_ascii=False),
                ),
            )
            return int(cursor.lastrowid)

    def list(self, limit: int | None = None) -> list[FeedbackRecord]:
        """Newest first."""
        sql = "SELECT * FROM feedback ORDER BY id DESC"
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (int(limit),)
        with self._connect() as db:
            rows = db.execute(sql, params).fetchall()
        return [
            FeedbackRecord(
                id=r["id"],
                created_at=r["created_at"],
                user=r["user"],
                verdict=r["verdict"],
                comment=r["comment"],
                question=r["question"],
                answer_text=r["answer_text"],
                abstained=bool(r["abstained"]),
                citations=json.loads(r["citations"] or "[]"),
                settings=json.loads(r["settings"] or "{}"),
            )
            for r in rows
        ]

    def summary(self) -> dict[str, int]:
        """Counts per Dutch label, every verdict present (0 when none), plus 'totaal'."""
        with self._connect() as db:
            rows = db.execute("SELECT verdict, COUNT(*) FROM feedback GROUP BY verdict").fetchall()
        counts = {label: 0 for label in VERDICTS.values()}
        for verdict, count in rows:
            counts[VERDICTS.get(verdict, verdict)] = counts.get(VERDICTS.get(verdict, verdict), 0) + count
        counts["totaal"] = sum(count for _, count in rows)
        return counts

    def to_json(self) -> str:
        return json.dumps([r.to_dict() for r in self.list()], ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for record in self.list():
            row = record.to_dict()
            row["citations"] = json.dumps(row["citations"], ensure_ascii=False)
            row["settings"] = json.dumps(row["settings"], ensure_ascii=False)
            writer.writerow({k: _csv_safe(row[k]) for k in CSV_COLUMNS})
        return out.getvalue()

    def export(self, folder: Path | str, stem: str = "feedback") -> tuple[Path, Path]:
        """Write `<stem>.csv` and `<stem>.json` into `folder`; returns both paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
        csv_path.write_text(self.to_csv(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        json_path.write_text(self.to_json(), encoding="utf-8")
        return csv_path, json_path


def _csv_safe(value):
    """A cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
