"""The app's own settings: where it listens, who may log in, what it accepts.

A section of the same settings as the library's (`[app]` in settings.toml, or the same
`DATALESSEN_<FIELD>` variables), read by the library's one loader: the library never
sees these fields, and nothing here reads the environment itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import load_section


@dataclass(frozen=True)
class AppSettings:
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""  # "user:password[,user2:password2]"; empty = no login
    admin_users: str = ""  # comma-separated; may upload when auth is on
    max_upload_mb: float = 50.0
    # Gradio's temporary copies (a browser's uploads, the exports handed out) go this many minutes after they
    # were made, and all when the app stops; 0 keeps them. An accepted upload is copied into the data home
    # first, so only the copy in the temporary folder goes: it held every document anyone uploaded, for good
    temp_file_minutes: float = 60.0
    concurrency: int = 2
    # app processes behind one address (`serve --workers`): one answers on one core at most; each more
    # takes another app's memory (ui/replicas.py)
    workers: int = 1
    # glibc malloc arenas of an app process (0: glibc's own limit, 8 per core): each thread that answers may
    # get an arena of its own that keeps freed memory; two kept 100 answers at 100,000 chunks at 1,447 MB
    # against 1,555 MB, at the same rate (docs/benchmarks.md)
    malloc_arenas: int = 2
    # conversations and feedback: empty = a SQLite file in the data home (datalessen.sqlite); several app
    # processes for one organisation share a PostgreSQL URL, e.g. postgresql+psycopg://user:pw@host/db
    database_url: str = ""

    def temp_file_schedule(self) -> tuple[int, int] | None:
        """Gradio's `delete_cache`: (check every, delete older than) in seconds."""
        if self.temp_file_minutes <= 0:
            return None
        age = max(1, round(self.temp_file_minutes * 60))
        return max(1, age // 6), age

    def replace(self, **changes) -> "AppSettings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(cls, environ: dict | None = None, file: Path | None = None) -> "AppSettings":
        return load_section(cls, "app", environ, file)
