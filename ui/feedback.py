"""What users think of each answer, kept in the app's database so it survives restarts.

One row per verdict on one answer: the verdict (juist, onjuist, verkeerd bewijs,
onvolledig), an optional comment, the question, the answer text, its citations as
JSON, a snapshot of the settings that produced it (backend, model, top_k), when
and by whom. Evaluators read it back as a list, as counts, or as CSV/JSON.

Who reads what: feedback holds names and free-text comments, so with login on a user
sees only their own, and the users in `admin_users` see everyone's (`reader_for`).
Without login there is one local user, who sees all.

    store = FeedbackStore.for_settings(settings, app)
    store.add(answer, "verkeerd bewijs", comment="[2] gaat over een andere case", user="anna")
    store.summary(user="anna")  # {"juist": 0, "onjuist": 0, "verkeerd bewijs": 1, "onvolledig": 0, "totaal": 1}
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assistant.schema import Answer
from assistant.settings import Settings
from ui.access import admin_users, parse_auth
from ui.database import Database, feedback, markers, now_iso

LEGACY_FILE = "feedback.sqlite"  # where feedback lived before the one database (imported once)
ALL = None  # `user=ALL`: every user's feedback (admins, or no login)

# stored key -> the Dutch label a user sees
VERDICTS = {
    "correct": "juist",
    "incorrect": "onjuist",
    "wrong_evidence": "verkeerd bewijs",
    "incomplete": "onvolledig",
}
LABELS = {label: key for key, label in VERDICTS.items()}
MAX_COMMENT = 4000


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


def reader_for(app, username: str | None):
    """Whose feedback `username` may read: everyone's (`ALL`) without login or for an admin, else their own."""
    if app is None or not parse_auth(app.auth):
        return ALL
    if username and username in admin_users(app):
        return ALL
    return username or ""


class FeedbackStore:
    """Feedback rows in the app's database; safe to share between threads (the engine pools connections)."""

    def __init__(self, database: Database):
        self.db = database

    @classmethod
    def for_settings(cls, settings: Settings, app=None, database: Database | None = None) -> FeedbackStore:
        """The store in the app's database; an old `feedback.sqlite` in the data home is imported once."""
        store = cls(database or Database.for_settings(settings, app))
        store.import_legacy(Path(settings.home) / LEGACY_FILE)
        return store

    def import_legacy(self, path: Path) -> int:
        """Copy the rows of a pre-database `feedback.sqlite` in, once per database; the file is left as it was."""
        if not path.is_file():
            return 0
        marker = f"imported:{path.resolve()}"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as old:
            old.row_factory = sqlite3.Row
            try:
                rows = old.execute("SELECT * FROM feedback ORDER BY id").fetchall()
            except sqlite3.DatabaseError:
                return 0  # not a feedback file: nothing to keep
        try:
            with self.db.begin() as conn:
                conn.execute(markers.insert().values(name=marker, created_at=now_iso()))
                for r in rows:
                    conn.execute(
                        feedback.insert().values(
                            created_at=r["created_at"],
                            username=r["user"] or "",
                            verdict=r["verdict"],
                            comment=r["comment"] or "",
                            question=r["question"],
                            answer_text=r["answer_text"],
                            abstained=bool(r["abstained"]),
                            citations=r["citations"] or "[]",
                            settings=r["settings"] or "{}",
                        )
                    )
        except IntegrityError:
            return 0  # imported before (by this process or another one)
        return len(rows)

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
        with self.db.begin() as conn:
            result = conn.execute(
                feedback.insert().values(
                    created_at=stamp,
                    username=user or "",
                    verdict=key,
                    comment=comment,
                    question=answer.question,
                    answer_text=answer.text,
                    abstained=bool(answer.abstained),
                    citations=json.dumps(citations, ensure_ascii=False),
                    settings=json.dumps(settings_snapshot(settings, answer), ensure_ascii=False),
                )
            )
            return int(result.inserted_primary_key[0])

    def list(self, limit: int | None = None, *, user: str | None = ALL) -> list[FeedbackRecord]:
        """Newest first; `user` = only that user's rows (ALL = everyone's)."""
        query = select(feedback).order_by(feedback.c.id.desc())
        if user is not ALL:
            query = query.where(feedback.c.username == user)
        if limit is not None:
            query = query.limit(int(limit))
        with self.db.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            FeedbackRecord(
                id=r["id"],
                created_at=r["created_at"],
                user=r["username"],
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

    def summary(self, *, user: str | None = ALL) -> dict[str, int]:
        """Counts per Dutch label, every verdict present (0 when none), plus 'totaal'."""
        query = select(feedback.c.verdict, func.count()).group_by(feedback.c.verdict)
        if user is not ALL:
            query = query.where(feedback.c.username == user)
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
        counts = {label: 0 for label in VERDICTS.values()}
        for verdict, count in rows:
            counts[VERDICTS.get(verdict, verdict)] = counts.get(VERDICTS.get(verdict, verdict), 0) + count
        counts["totaal"] = sum(count for _, count in rows)
        return counts

    def to_json(self, *, user: str | None = ALL) -> str:
        return json.dumps([r.to_dict() for r in self.list(user=user)], ensure_ascii=False, indent=2)

    def to_csv(self, *, user: str | None = ALL) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for record in self.list(user=user):
            row = record.to_dict()
            row["citations"] = json.dumps(row["citations"], ensure_ascii=False)
            row["settings"] = json.dumps(row["settings"], ensure_ascii=False)
            writer.writerow({k: _csv_safe(row[k]) for k in CSV_COLUMNS})
        return out.getvalue()

    def export(self, folder: Path | str, stem: str = "feedback", *, user: str | None = ALL) -> tuple[Path, Path]:
        """Write `<stem>.csv` and `<stem>.json` (the rows `user` may read) into `folder`; returns both paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
        csv_path.write_text(self.to_csv(user=user), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        json_path.write_text(self.to_json(user=user), encoding="utf-8")
        return csv_path, json_path


def _csv_safe(value):
    """A cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
