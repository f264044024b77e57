"""What every tab of the app shares: the assistant, the app's settings, the feedback and conversation stores."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from ui.conversations import ConversationStore
from ui.feedback import FeedbackStore
from ui.settings import AppSettings


@dataclass
class AppContext:
    assistant: object  # assistant.api.Assistant: the only door into the library
    app: AppSettings
    feedback: FeedbackStore
    report_dir: Path
    conversations: ConversationStore | None = None  # saved chats (same database as the feedback)

    @property
    def settings(self):
        return self.assistant.settings


EXPORT_LIFETIME = 3600.0  # seconds an export stays on disk to be downloaded; older ones are removed


def export_root() -> Path:
    """The user's private exports folder in the temporary folder (gradio serves files only from there,
    the working folder or allowed paths): mode 0700, owned by this user, never a symlink."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    root = Path(tempfile.gettempdir()) / f"datalessen-exports-{user}"
    root.mkdir(mode=0o700, exist_ok=True)
    info = root.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != user):
        return Path(tempfile.mkdtemp(prefix="datalessen-exports-"))  # someone else's name: a fresh private folder
    if stat.S_IMODE(info.st_mode) & 0o077:
        root.chmod(0o700)
    return root


def export_dir(kind: str) -> Path:
    """A new private folder (0700) for one export; exports older than EXPORT_LIFETIME are removed first,
    so they do not pile up (each used to be a `datalessen-<kind>-*` folder of its own in the temp folder)."""
    root = export_root()
    remove_old_exports(root)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=root))


def private_files(*paths: Path | str) -> list[str]:
    """The exported files, readable by this user only (0600): gradio's copy for the download keeps the mode."""
    for path in paths:
        os.chmod(path, 0o600)
    return [str(p) for p in paths]


# the folders exports were written to before this one: tempfile.mkdtemp(prefix="datalessen-<kind>-")
_LEGACY_EXPORT = re.compile(r"datalessen-(gesprek|lessen|feedback)-[a-z0-9_]{8}")
_EXPORT_SUFFIXES = {".md", ".json", ".csv", ".docx"}


def remove_old_exports(root: Path, max_age: float = EXPORT_LIFETIME) -> None:
    cutoff = time.time() - max_age
    legacy = [p for p in Path(tempfile.gettempdir()).iterdir() if _LEGACY_EXPORT.fullmatch(p.name)]
    for folder in [*root.iterdir(), *legacy]:
        try:
            info = folder.lstat()
            mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
            if not (stat.S_ISDIR(info.st_mode) and mine and info.st_mtime < cutoff):
                continue
            if all(f.is_file() and not f.is_symlink() and f.suffix in _EXPORT_SUFFIXES for f in folder.iterdir()):
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""
