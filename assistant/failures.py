"""What went wrong, in one Dutch line that names what to do: for the terminal and the app alike.

A store or disk failure surfaces from deep inside Chroma, httpx or SQLite as a traceback of a
hundred lines ("[Errno 111] Connection refused", "Error in compaction: Failed to apply logs to
the metadata segment"). People need the cause and the remedy instead; the traceback stays
available to whoever asks for it (`datalessen --debug`, the app's log). `explain` recognises
the failures a user can act on and returns None for the rest, which the caller reports as
unexpected.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from assistant.settings import Settings
from assistant.store import StoreReadOnly, StoreUnavailable

LOW_DISK = 50_000_000  # bytes free below which a failed write is taken to be a full disk
_SERVER_DOWN = ("connection refused", "could not connect to a chroma server", "name or service not known", "timed out")
_FULL = ("no space left on device", "os error 28", "database or disk is full", "disk full")
_READ_ONLY = ("read-only file system", "readonly database", "permission denied", "os error 30", "os error 13")
_STORE = ("error in compaction", "error executing plan", "error returned from database", "disk i/o error")


def chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and whatever caused it, outermost first."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _text(exc: BaseException) -> str:
    return " ".join(f"{type(e).__name__}: {e}" for e in chain(exc)).lower()


def _errno(exc: BaseException) -> int | None:
    return next((e.errno for e in chain(exc) if isinstance(e, OSError) and e.errno), None)


def _free_bytes(folder: Path) -> int | None:
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB".replace(".", ",")


def explain(exc: BaseException, settings: Settings | None = None) -> str | None:
    """One Dutch line for a failure of the store, the disk or the settings; None when it is none of those."""
    settings = settings or Settings()
    home = Path(settings.home)
    said = next((e for e in chain(exc) if isinstance(e, StoreReadOnly)), None)
    if said is not None:  # already one Dutch line
        return str(said)
    text, code = _text(exc), _errno(exc)
    server = settings.chroma_url
    if any(isinstance(e, StoreUnavailable) for e in chain(exc)) or (
        server and (code in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH) or any(s in text for s in _SERVER_DOWN))
    ):
        return (
            f"De Chroma-server op {server} antwoordt niet. Start hem (chroma run --path MAP --host 127.0.0.1 "
            f"--port POORT) en probeer het opnieuw, of maak de instelling chroma_url leeg voor de ingebouwde store."
        )
    if code == errno.ENOSPC or any(s in text for s in _FULL):
        return disk_full(home)
    unwritable_home = home.is_dir() and not os.access(home, os.W_OK)
    if (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or any(s in text for s in _READ_ONLY)
        or (unwritable_home and ("unable to open database" in text or any(s in text for s in _STORE)))
    ):
        where = next((e.filename for e in chain(exc) if isinstance(e, OSError) and e.filename), None) or home
        return (
            f"Kan niet schrijven in {where}: de map is alleen-lezen of niet van deze gebruiker. Geef schrijfrechten, "
            f"of kies met DATALESSEN_HOME een map waarin u mag schrijven (vragen stellen kan ook zonder)."
        )
    if "database is locked" in text:
        return (
            f"Een andere datalessen-opdracht schrijft nu in {home} (de database is bezet). Wacht tot die klaar is "
            f"en probeer het opnieuw."
        )
    if any(isinstance(e, sqlite3.DatabaseError) for e in chain(exc)) or any(s in text for s in _STORE):
        free = _free_bytes(home)
        if free is not None and free < LOW_DISK:
            return disk_full(home, free)
        where = server or settings.store_dir
        return (
            f"De store ({where}) gaf een fout: {str(exc).strip().splitlines()[0][:200]}. Wat opgeslagen was blijft "
            f"heel; probeer het opnieuw, en meld het met de uitvoer van `datalessen --debug …` als het terugkomt."
        )
    if isinstance(exc, ValueError) and "setting" in text:  # settings.toml or DATALESSEN_* that make no sense
        return f"Instellingen: {str(exc).strip().splitlines()[0]}"
    return None


def disk_full(home: Path, free: int | None = None) -> str:
    free = _free_bytes(home) if free is None else free
    left = f" (nog {megabytes(free)} vrij)" if free is not None else ""
    return (
        f"De schijf van {home} is vol{left}. Maak ruimte vrij en probeer het opnieuw: wat al was opgeslagen "
        f"blijft heel, en een volgende `datalessen ingest` gaat verder waar deze stopte."
    )


def unexpected(exc: BaseException, more: str = "herhaal met datalessen --debug") -> str:
    """The line for a failure `explain` does not know: what it was, and where to see more."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"Onverwachte fout ({type(exc).__name__}{': ' + first if first else ''}). Details: {more}."
