"""The app's one database: conversations and feedback, through SQLAlchemy Core.

A SQLite file in the data home by default (`datalessen.sqlite`); a PostgreSQL URL in the
app setting `database_url` (`DATALESSEN_DATABASE_URL`, driver `psycopg`: the `[postgres]`
extra) when several app processes serve one organisation. The tables below are the whole
schema; `Database` creates what is missing, so a new data home or an empty PostgreSQL
database needs no migration step. Timestamps are ISO-8601 UTC strings: they sort as text
and read the same from either backend.

    db = Database.for_settings(settings, app)
    with db.begin() as conn:
        conn.execute(conversations.insert().values(...))
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.exc import DBAPIError

SQLITE_NAME = "datalessen.sqlite"

metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(200), nullable=False, default=""),  # "" = the one local user (no login)
    Column("title", String(300), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_conversations_user_updated", "username", "updated_at"),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer_text", Text, nullable=False, default=""),  # searchable without parsing the JSON
    Column("answer", Text, nullable=False),  # the whole Answer as JSON: a reopened turn shows its sources
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("conversation_id", "position", name="uq_turns_position"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(32), nullable=False),
    Column("username", String(200), nullable=False, default=""),
    Column("verdict", String(32), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("question", Text, nullable=False),
    Column("answer_text", Text, nullable=False),
    Column("abstained", Boolean, nullable=False, default=False),
    Column("citations", Text, nullable=False, default="[]"),
    Column("settings", Text, nullable=False, default="{}"),
    Index("ix_feedback_user", "username"),
)

# one-off facts about this database, e.g. that an old feedback.sqlite was imported
markers = Table(
    "datalessen_markers",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("created_at", String(32), nullable=False),
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def default_url(home: Path | str) -> str:
    return sqlite_url(Path(home) / SQLITE_NAME)


class Database:
    """An engine on one URL with the tables created; share one per app (it pools connections)."""

    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._create_tables()

    @classmethod
    def for_settings(cls, settings, app=None) -> Database:
        """The database named by the app setting `database_url`, else the SQLite file in the data home."""
        url = (getattr(app, "database_url", "") or "").strip()
        return cls(url or default_url(settings.home))

    def _create_tables(self) -> None:
        # two app processes starting at once on one PostgreSQL may both try CREATE TABLE: the loser retries
        for attempt in range(3):
            try:
                metadata.create_all(self.engine)
                return
            except DBAPIError:
                if attempt == 2:
                    raise
                time.sleep(0.5)

    def begin(self):
        """A connection in a transaction (committed when the block ends without error)."""
        return self.engine.begin()

    def connect(self):
        return self.engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # deleting a conversation deletes its turns
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the one writer
    cursor.close()
