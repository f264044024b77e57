"""Saved conversations: every turn kept per user, so a reload or a restart loses nothing.

A conversation belongs to one user (the login name; "" is the one local user when there is
no login) and every call names that user: a conversation id alone never opens someone
else's conversation. Each turn stores the question and the whole `Answer` as JSON, so a
reopened conversation shows the same quotes and sources as when it was asked.

    store = ConversationStore(database)
    saved = store.record(None, "anna", "Wat is het doel van slim vegen?", answer)  # a new conversation
    store.record(saved.cid, "anna", "En de risico's?", answer)  # its second turn (or a new one, not hers)
    store.list("anna", search="vegen")      # newest first, with first question and date
    store.turns(saved.cid, "anna")          # [(question, Answer), ...]; None for another user
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields

from sqlalchemy import Integer, bindparam, delete, func, or_, select, update

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


@dataclass(frozen=True)
class Recorded:
    """Where `ConversationStore.record` put a turn."""

    cid: str  # the conversation asked in, or the new one started when that was not the user's
    position: int  # 1-based
    moved: bool  # the user's list changed order: the conversation was not already on top, or is new


# Built once: the chat saves a turn after every answer, and building these statements cost more than running
# them (measured with 20 sessions: SQLAlchemy's expression building was ~3% of the server's time).
_OWNER = (conversations.c.id == bindparam("cid")) & (conversations.c.username == bindparam("user"))
_TOUCH = update(conversations).where(_OWNER).values(updated_at=bindparam("stamp"))
_NEWEST_STAMP = select(func.max(conversations.c.updated_at)).where(conversations.c.username == bindparam("user"))
# marks the conversation used only when it is already the user's most recently used one
_TOUCH_IF_ON_TOP = _TOUCH.where(conversations.c.updated_at == _NEWEST_STAMP.scalar_subquery())
_TURN_COUNT = select(func.count()).select_from(turns).where(turns.c.conversation_id == bindparam("cid"))
_OWNED = select(conversations.c.id).where(_OWNER)
_TURNS_OF_EACH = select(func.count()).select_from(turns).where(turns.c.conversation_id == conversations.c.id)
_LISTING = (
    select(conversations, _TURNS_OF_EACH.scalar_subquery().label("turns"))
    .where(conversations.c.username == bindparam("user"))
    .order_by(conversations.c.updated_at.desc(), conversations.c.created_at.desc())
    .limit(bindparam("limit", type_=Integer))
)


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

    def _owned(self, conn, cid: str, user: str) -> bool:
        return conn.execute(_OWNED, {"cid": cid, "user": user or ""}).first() is not None

    def record(self, cid: str | None, user: str, question: str, answer: Answer) -> Recorded:
        """Append a turn to the user's conversation `cid`, or to a new one titled by the question when `cid` is
        empty or not theirs, in one transaction, and say whether the user's list changed order (so the chat
        reads the list again only then). The first statement writes, so the count that gives the position is
        read under the write lock (two answers saved at once never share one)."""
        user, stamp = user or "", now_iso()
        ids = {"cid": cid or "", "user": user, "stamp": stamp}
        with self.db.begin() as conn:
            if cid and conn.execute(_TOUCH_IF_ON_TOP, ids).rowcount == 1:
                moved = False
            elif cid and conn.execute(_TOUCH, ids).rowcount == 1:
                moved = True
            else:
                cid, moved = uuid.uuid4().hex, True
                title = title_for(question) or "Gesprek"
                row = {"id": cid, "username": user, "title": title, "created_at": stamp, "updated_at": stamp}
                conn.execute(conversations.insert(), row)
            return Recorded(cid, self._append(conn, cid, question, answer, stamp), moved)

    @staticmethod
    def _append(conn, cid: str, question: str, answer: Answer, stamp: str) -> int:
        position = int(conn.execute(_TURN_COUNT, {"cid": cid}).scalar_one()) + 1
        row = {"position": position, "question": question, "answer_text": answer.text, "created_at": stamp}
        conn.execute(turns.insert(), {**row, "conversation_id": cid, "answer": answer_to_json(answer)})
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

    def get(self, cid: str, user: str) -> ConversationSummary | None:
        found = self._summaries(user, ids=[cid]) if cid else []
        return found[0] if found else None

    def list(self, user: str, search: str = "", limit: int = LIST_LENGTH) -> list[ConversationSummary]:
        """The user's conversations, most recently used first; `search` matches title, questions and answers."""
        return self._summaries(user, search=search, limit=limit)

    def _summaries(self, user: str, *, search: str = "", ids: list[str] | None = None, limit: int = LIST_LENGTH):
        query = _LISTING
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
        with self.db.connect() as conn:
            rows = conn.execute(query, {"user": user or "", "limit": int(limit)}).all()
        return [ConversationSummary(r.id, r.title, r.created_at, r.updated_at, int(r.turns)) for r in rows]

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
