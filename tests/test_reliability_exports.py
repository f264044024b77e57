"""Reliability (issue 14, item 12): exports are private and do not pile up.

Through the real app (gradio_client, hash embeddings): a conversation and a lessons handout
are exported; the files the server wrote, and the copy gradio serves for the download, must be
readable by this user only (folders 0700, files 0600), inside one private folder in the
temporary folder; exports older than an hour, and the `datalessen-<kind>-*` folders the app used
to leave in the temporary folder, are removed by the next export.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client

from assistant.api import Assistant
from ingest.pipeline import ingest_into
from tests.ui_support import running_app

pytestmark = pytest.mark.slow  # a real server


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """A temporary folder of the test's own (gradio's cache follows it too)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_exports_are_private_and_old_ones_are_removed(tmp_path, temp_root, fake_settings, fake_embeddings):
    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    doc = tmp_path / "kademuren.md"
    doc.write_text("# Kademuren\n\nIn Zwolle bewaken sensoren sinds 2019 de kademuren van de gracht.\n", encoding="utf-8")
    assert ingest_into(bot, [doc]).ok
    old = time.time() - 2 * 3600  # exports live an hour (ui.context.EXPORT_LIFETIME)
    legacy = temp_root / "datalessen-gesprek-ab12cd34"  # how exports were left before
    legacy.mkdir()
    (legacy / "gesprek-20250101-120000.md").write_text("oud", encoding="utf-8")
    not_ours = temp_root / "datalessen-gesprek-home"  # a name alike, not an export: kept
    not_ours.mkdir()
    for folder in (legacy, not_ours):
        os.utime(folder, (old, old))

    with running_app(bot) as url:
        client = Client(url, verbose=False)
        client.predict("Wat bewaken de sensoren in Zwolle?", "", "", "", "", api_name="/ask")
        client.predict(api_name="/export_conversation")
        client.predict("Menselijke tussenkomst", "", api_name="/lessons")

        (root,) = [p for p in temp_root.iterdir() if p.name.startswith("datalessen-exports-")]
        assert mode(root) == 0o700
        exports = sorted(root.iterdir())
        assert sorted(p.name.split("-")[0] for p in exports) == ["gesprek", "lessen"]
        written = [f for folder in exports for f in folder.iterdir()]
        assert {f.suffix for f in written} == {".md", ".json", ".docx"}
        assert all(mode(folder) == 0o700 for folder in exports)
        assert {f.name: mode(f) for f in written} == {f.name: 0o600 for f in written}
        served = [f for f in (temp_root / "gradio").rglob("*") if f.is_file() and f.name in {w.name for w in written}]
        assert served and all(mode(f) == 0o600 for f in served), "gradio's copy for the download keeps the mode"

        for folder in exports:
            os.utime(folder, (old, old))
        client.predict(api_name="/export_conversation")
        assert len(list(root.iterdir())) == 1, "exports older than an hour are removed by the next one"
    assert not legacy.exists() and not_ours.exists()
