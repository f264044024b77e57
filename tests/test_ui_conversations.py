"""Saved conversations and private feedback through the real app, driven over HTTP with gradio_client.

Two logins on one app: each sees, reopens, renames and deletes only their own conversations, and reads
only their own feedback (an admin reads everyone's); a conversation outlives the app (a second app on
the same database reopens it). Fast: hash embeddings instead of the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client

from tests.ui_support import KAMPEN_DOC, running_app
from ui.settings import AppSettings

DOC = KAMPEN_DOC
LOGINS = AppSettings(auth="anna:a1,bob:b2,carla:c3", admin_users="carla")


@pytest.fixture
def bot(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant
    from ingest.pipeline import ingest_into

    doc = tmp_path / "kampen.md"
    doc.write_text(DOC, encoding="utf-8")
    assistant = Assistant(fake_settings, embeddings=fake_embeddings)
    assert ingest_into(assistant, [doc]).ok
    return assistant


def _ask(client, question):
    chat, sources, _choice, _box, listing, _hint, _stop = client.predict(question, "", "", "", "", api_name="/ask")
    return chat, sources, listing


def _text(message) -> str:
    content = message["content"]
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


def _listed(client, search="") -> list[str]:
    return [c["id"] for c in client.predict(search, api_name="/conversations")]


def test_each_login_sees_only_their_own_conversations(bot):
    with running_app(bot, app=LOGINS) as url:
        anna = Client(url, auth=("anna", "a1"), verbose=False)
        bob = Client(url, auth=("bob", "b2"), verbose=False)
        chat, sources, listing = _ask(anna, "Hoeveel boeien meten het waterpeil in Kampen?")
        assert "zeven boeien" in _text(chat[-1])
        (saved,) = anna.predict("", api_name="/conversations")
        cid = saved["id"]
        assert saved["title"] == "Hoeveel boeien meten het waterpeil in Kampen?"
        assert cid in str(listing)  # the sidebar lists it, selected
        _ask(anna, "En welke les noemt Kampen?")  # the same conversation goes on
        assert anna.predict("", api_name="/conversations")[0]["turns"] == 2

        # bob has none, and cannot open, rename, delete or read a page of anna's by its id
        assert _listed(bob) == []
        with pytest.raises(Exception, match="niet van u"):
            bob.predict(cid, api_name="/open_conversation")
        with pytest.raises(Exception, match="niet van u"):
            bob.predict(cid, 1, 1, api_name="/cited_page")
        _ask(bob, "Wat meet Kampen?")
        assert len(_listed(bob)) == 1 and cid not in _listed(bob)

        # anna, in a new session (another browser), finds it, searches it and reopens it with its sources
        later = Client(url, auth=("anna", "a1"), verbose=False)
        assert _listed(later, "les noemt") == [cid]  # found by the second question
        assert cid in str(later.predict("les noemt", api_name="/search_conversations"))  # the sidebar's search
        assert _listed(later, "hondenoverlast") == []
        chat, sources, *rest = later.predict(cid, api_name="/open_conversation")
        assert [m["role"] for m in chat] == ["user", "assistant"] * 2
        assert "zeven boeien" in sources and "Hoeveel boeien meten het waterpeil in Kampen?" in rest  # its name
        section = later.predict(cid, 1, 1, api_name="/cited_page")
        assert "sectie-weergave" in section and "<mark>" in section  # a Markdown source: its section, quote marked

        listing, status = later.predict("Waterpeil Kampen", "", api_name="/rename_conversation")
        assert "gewijzigd" in status and "Waterpeil Kampen · " in str(listing)
        assert later.predict("", api_name="/conversations")[0]["title"] == "Waterpeil Kampen"
        *_, status = later.predict(api_name="/delete_conversation")
        assert "verwijderd" in status
        assert _listed(anna) == []


def test_a_conversation_outlives_the_app(bot):
    with running_app(bot) as url:
        client = Client(url, verbose=False)
        _ask(client, "Hoeveel boeien meten het waterpeil in Kampen?")
        cid = client.predict("", api_name="/conversations")[0]["id"]
    with running_app(bot) as url:  # a new app process would read the same database file
        client = Client(url, verbose=False)
        assert cid in _listed(client)
        chat, *_ = client.predict(cid, api_name="/open_conversation")
        assert "zeven boeien" in _text(chat[-1])


def test_feedback_is_read_by_its_author_and_admins_only(bot):
    with running_app(bot, app=LOGINS) as url:
        clients = {name: Client(url, auth=(name, pw), verbose=False) for name, pw in (("anna", "a1"), ("bob", "b2"))}
        for name, client in clients.items():
            client.predict("Hoeveel boeien meten het waterpeil in Kampen?", "", "", "", "", api_name="/ask")
            client.predict(1, "onvolledig", f"opmerking van {name}", api_name="/feedback")
        _, _, bob_view = clients["bob"].predict(api_name="/evaluation")
        assert "opmerking van bob" in bob_view and "opmerking van anna" not in bob_view and ">anna<" not in bob_view
        files = clients["bob"].predict(api_name="/export_feedback")
        exported = " ".join(Path(p).read_text(encoding="utf-8-sig") for p in files["value"])
        assert "opmerking van bob" in exported and "opmerking van anna" not in exported
        admin = Client(url, auth=("carla", "c3"), verbose=False)
        _, _, admin_view = admin.predict(api_name="/evaluation")
        assert "opmerking van anna" in admin_view and "opmerking van bob" in admin_view
        files = admin.predict(api_name="/export_feedback")
        rows = json.loads(Path(next(p for p in files["value"] if p.endswith(".json"))).read_text(encoding="utf-8"))
        assert {r["user"] for r in rows} == {"anna", "bob"}
