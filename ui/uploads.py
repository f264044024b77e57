"""Documents a user hands in: check them, keep a copy in the data home, ingest them.

A browser upload lands in a temporary folder that may be cleaned any time, so
each accepted file is copied to `<home>/uploads/` first and ingested from there:
the store's `source` then stays valid, and a later upload with the same name
replaces the earlier version. A copy whose ingest fails is removed again (and an
earlier version it replaced is put back), so `uploads/` holds exactly what the
store was given.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import ingest_beside_answers
from ui.access import may_upload
from ui.settings import AppSettings

UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # whatever a registered loader reads
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def upload_dir(settings) -> Path:
    return Path(settings.home) / "uploads"


MAX_NAME_BYTES = 200  # file systems allow 255 bytes; a Dutch name in UTF-8 can take two per character


def safe_name(name: str) -> str:
    """A plain file name: no folders, no odd characters, no leading dot; a long one is cut in its stem,
    so it keeps its type (".pdf"): cutting the end made a 130-character name "bestandstype '(geen)'"."""
    base = Path(str(name).replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" ._") or "document"
    suffix = Path(base).suffix if len(Path(base).suffix) <= 10 else ""
    stem = base[: len(base) - len(suffix)]
    if len(base) <= 120 and len(base.encode("utf-8")) <= MAX_NAME_BYTES:
        return base
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES or len(stem + suffix) > 120:
        stem = stem[:-1]
    return (stem.rstrip(" ._") or "document") + suffix


@dataclass
class UploadResult:
    accepted: list[Path] = field(default_factory=list)  # copies in the upload folder
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    report: object | None = None  # the IngestReport, when anything was ingested

    @property
    def ok(self) -> bool:
        return not self.rejected and (self.report is None or self.report.ok)

    def summary(self) -> str:
        lines = [f"GEWEIGERD  {name}: {reason}" for name, reason in self.rejected]
        if self.report is not None:
            lines.insert(0, self.report.summary())
        elif not self.rejected:
            lines.append("geen bestanden ontvangen")
        return "\n".join(lines)


def accept_uploads(
    assistant, app: AppSettings, paths: list[Path | str], *, username: str | None = None, names: list[str] | None = None
) -> UploadResult:
    """Check type, size and permission; copy to the upload folder; ingest what passed.

    `names` are the file names as the user gave them (a browser's temporary copy
    may be named otherwise); by default the paths' own names."""
    settings = assistant.settings
    result = UploadResult()
    paths = [Path(p) for p in paths or []]
    names = list(names or [p.name for p in paths])
    if not may_upload(app, username):
        result.rejected = [(n, "alleen beheerders mogen documenten toevoegen") for n in names]
        return result
    limit = app.max_upload_mb * 1_000_000
    folder = upload_dir(settings)
    seen: set[str] = set()
    for path, name in zip(paths, names):
        name = safe_name(name)
        if name.casefold() in seen:
            result.rejected.append((name, "deze naam komt al eerder voor in dezelfde upload"))
            continue
        seen.add(name.casefold())
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            allowed = ", ".join(sorted(UPLOAD_SUFFIXES))
            result.rejected.append((name, f"bestandstype '{suffix or '(geen)'}' wordt niet ondersteund; toegestaan: {allowed}"))
            continue
        if not path.is_file():
            result.rejected.append((name, "bestand niet gevonden"))
            continue
        size = path.stat().st_size
        if size == 0:
            result.rejected.append((name, "het bestand is leeg (0 bytes)"))
            continue
        if size > limit:
            result.rejected.append((name, (f"{size / 1e6:.1f} MB is meer dan de grens van {app.max_upload_mb:g} MB")))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        if path.resolve() != target.resolve():
            if target.exists():
                target.replace(_kept_copy(target))
            shutil.copyfile(path, target)
        result.accepted.append(target)
    if result.accepted:
        try:
            result.report = ingest_beside_answers(assistant, result.accepted)
        except Exception:  # the store or the disk (a file's own failure is in the report): said by ui/errors.py
            for target in result.accepted:
                _settle(target, stored=False)
            raise
        not_stored = {Path(p).resolve() for p, _ in result.report.failed + result.report.skipped}
        for target in result.accepted:
            _settle(target, stored=target.resolve() not in not_stored)
        result.accepted = [p for p in result.accepted if p.resolve() not in not_stored]
    return result


def _kept_copy(target: Path) -> Path:
    """Where the earlier version of an upload waits until the new one is in (hidden: ingest skips dot files)."""
    return target.with_name(f".{target.name}.vorige")


def _settle(target: Path, stored: bool) -> None:
    """Keep a copy the store now holds; otherwise remove it and put back the version the store still holds."""
    kept = _kept_copy(target)
    if stored:
        kept.unlink(missing_ok=True)
    elif kept.exists():
        kept.replace(target)
    else:
        target.unlink(missing_ok=True)
