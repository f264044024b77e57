"""Login and upload rights as `launch()` sets them from the settings (fast: hash embeddings)."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402

from tests.ui_support import running_app  # noqa: E402
from ui.app import launch_kwargs  # noqa: E402


def test_launch_kwargs_come_from_settings(fake_settings):
    kwargs = launch_kwargs(fake_settings.replace(host="127.0.0.1", port=7999, max_upload_mb=12))
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["server_port"] == 7999
    assert kwargs["share"] is False and kwargs["auth"] is None  # no login, and never a default password
    assert kwargs["max_file_size"] == "12mb"
    assert launch_kwargs(fake_settings.replace(max_upload_mb=0.5))["max_file_size"] == "500kb"
    locked = launch_kwargs(fake_settings.replace(auth="anna:a1, bob:b2"))
    assert locked["auth"] == [("anna", "a1"), ("bob", "b2")]
    fonts = str(kwargs["theme"]._font if hasattr(kwargs["theme"], "_font") else kwargs["theme"].font)
    assert "system-ui" in fonts and "googleapis" not in fonts


def test_only_admins_upload_when_login_is_on(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings.replace(auth="anna:a1,bob:b2", admin_users="anna"), embeddings=fake_embeddings)
    doc = tmp_path / "notitie.md"
    doc.write_text("# Notitie\n\nDe gemeente Kampen meet het waterpeil met zeven boeien.\n", encoding="utf-8")
    with running_app(bot) as url:
        with pytest.raises(Exception):  # noqa: B017 -- any refusal will do: no login, no app
            Client(url, verbose=False).predict(api_name="/documents")
        bob = Client(url, auth=("bob", "b2"), verbose=False)
        with pytest.raises(Exception, match="beheerders"):
            bob.predict([handle_file(str(doc))], api_name="/upload")
        assert bot.store.count() == 0
        anna = Client(url, auth=("anna", "a1"), verbose=False)
        status, documents, *_ = anna.predict([handle_file(str(doc))], api_name="/upload")
        assert "toegevoegd 1" in status and "notitie.md" in documents
        _, sources, *_ = bob.predict("Kampen waterpeil boeien", "", "", "", "", api_name="/ask")
        assert "zeven boeien" in sources  # every logged-in user reads what an admin added
