"""Saved conversations: every turn kept per user, so a reload or a restart loses nothing.

A conversation belongs to one user (the login name; "" is the one local user when there is
no login) and every call names that user: a conversation id alone never opens someone
else's conversation. Each turn stores the question and the whole `Answer` as JSON, so a
reopened conversation shows the same quotes and sources as when it was asked.

    store = ConversationStore(database)
    cid = store.create("anna", "Wat is het doel van slim vegen?")
    store.add_turn(cid, "anna", question, answer)
    store.list("anna", search="vegen")      # newest first, with first question and date
    store.turns(cid, "anna")                # [(question, Answer), ...]; None for another user
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields

from sqlalchemy import delete, func, or_, select, update

from assistant.schema import Answer, Citation, Passage
from ui.database import Database, conversations, now_iso, turns

TITLE_LENGTH = 120
LIST_LENGTH = 50


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: str  # ISO UTC
    updated_at: str
    turns: int

    @property
    def date(self) -> str:
        """'2026-05-20 14:03' (UTC, as stored)."""
        return self.updated_at[:16].replace("T", " ")


def answer_to_json(answer: Answer) -> str:
    return json.dumps(answer.to_dict(), ensure_ascii=False, default=str)


def answer_from_json(text: str) -> Answer:
    """The inverse of `answer_to_json`; keys a newer or older Answer lacks are left out or defaulted."""
    data = json.loads(text)
    data["citations"] = [_build(Citation, c) for c in data.get("citations", [])]
    data["passages"] = [_build(Passage, p) for p in data.get("passages", [])]
    return _build(Answer, data)


def _build(cls, data: dict):
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


def title_for(question: str) -> str:
    text = " ".join((question or "").split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


class ConversationStore:
    def __init__(self, database: Database):
        self.db = database

    def create(self, user: str, title: str) -> str:
        cid = uuid.uuid4().hex
        stamp = now_iso()
        with self.db.begin() as conn:
            conn.execute(
                conversations.insert().values(
                    id=cid, username=user or "", title=title_for(title) or "Gesprek", created_at=stamp, updated_at=stamp
                )
            )
        return cid

    def _owned(self, conn, cid: str, user: str) -> bool:
        query = select(conversations.c.id).where(conversations.c.id == cid, conversations.c.username == (user or ""))
        return conn.execute(query).first() is not None

    def add_turn(self, cid: str, user: str, question: str, answer: Answer) -> int:
        """Append one turn; returns its position (1-based). A conversation of another user is refused."""
        stamp = now_iso()
        with self.db.begin() as conn:
            # marking it used is also the ownership check: no row of this user, no turn
            owned = conn.execute(
                update(conversations)
                .where(conversations.c.id == cid, conversations.c.username == (user or ""))
                .values(updated_at=stamp)
            )
            if owned.rowcount != 1:
                raise KeyError(f"no conversation {cid!r} for this user")
            count = conn.execute(select(func.count()).select_from(turns).where(turns.c.conversation_id == cid)).scalar_one()
            position = int(count) + 1
            conn.execute(
                turns.insert().values(
                    conversation_id=cid,
                    position=position,
                    question=question,
                    answer_text=answer.text,
                    answer=answer_to_json(answer),
                    created_at=stamp,
                )
            )
        return position

    def turns(self, cid: str, user: str) -> list[tuple[str, Answer]] | None:
        """The turns in order, or None when `user` has no conversation `cid`."""
        with self.db.connect() as conn:
            if not cid or not self._owned(conn, cid, user):
                return None
            rows = conn.execute(
                select(turns.c.question, turns.c.answer).where(turns.c.conversation_id == cid).order_by(turns.c.position)
            ).all()
        return [(question, answer_from_json(answer)) for question, answer in rows]

    def owns(self, cid: str, user: str) -> bool:
        """`user` has a conversation `cid` (one indexed lookup)."""
        if not cid:
            return False
        with self.db.connect() as conn:
            return self._owned(conn, cid, user)

    def latest_id(self, user: str) -> str | None:
        """The id of `user`'s most recently used conversation (one indexed lookup)."""
        query = (
            select(conversations.c.id)
            .where(conversations.c.username == (user or ""))
            .order_by(conversations.c.updated_at.desc(), conversations.c.created_at.desc())
            .limit(1)
        )
        with self.db.connect() as conn:
            return conn.execute(query).scalar()

    def get(self, cid: str, user: str) -> ConversationSummary | None:
        found = self._summaries(user, ids=[cid]) if cid else []
        return found[0] if found else None

    def list(self, user: str, search: str = "", limit: int = LIST_LENGTH) -> list[ConversationSummary]:
        """The user's conversations, most recently used first; `search` matches title, questions and answers."""
        return self._summaries(user, search=search, limit=limit)

    def _summaries(self, user: str, *, search: str = "", ids: list[str] | None = None, limit: int = LIST_LENGTH):
        count = select(func.count()).select_from(turns).where(turns.c.conversation_id == conversations.c.id).scalar_subquery()
        query = select(conversations, count.label("turns")).where(conversations.c.username == (user or ""))
        if ids is not None:
            query = query.where(conversations.c.id.in_(ids))
        term = " ".join((search or "").split()).lower()
        if term:
            pattern = f"%{_escape_like(term)}%"
            matching_turn = select(turns.c.conversation_id).where(
                or_(
                    func.lower(turns.c.question).like(pattern, escape="\\"),
                    func.lower(turns.c.answer_text).like(pattern, escape="\\"),
                )
            )
            query = query.where(
                or_(func.lower(conversations.c.title).like(pattern, escape="\\"), conversations.c.id.in_(matching_turn))
            )
        query = query.order_by(conversations.c.updated_at.desc(), conversations.c.created_at.desc()).limit(int(limit))
        with self.db.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [ConversationSummary(r["id"], r["title"], r["created_at"], r["updated_at"], int(r["turns"])) for r in rows]

    def rename(self, cid: str, user: str, title: str) -> bool:
        title = title_for(title)
        if not title:
            raise ValueError("Een gesprek heeft een naam nodig.")
        with self.db.begin() as conn:
            result = conn.execute(
                update(conversations)
                .where(conversations.c.id == cid, conversations.c.username == (user or ""))
                .values(title=title)
            )
        return result.rowcount == 1

    def delete(self, cid: str, user: str) -> bool:
        with self.db.begin() as conn:
            if not self._owned(conn, cid, user):
                return False
            conn.execute(delete(turns).where(turns.c.conversation_id == cid))
            conn.execute(delete(conversations).where(conversations.c.id == cid))
        return True


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
