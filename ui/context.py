"""What every tab of the app shares: the assistant, the app's settings, the feedback and conversation stores."""

from __future__ import annotations

import tempfile
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


def export_dir(kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"datalessen-{kind}-"))


def username(request: gr.Request | None) -> str:
    return (getattr(request, "username", None) or "") if request is not None else ""
