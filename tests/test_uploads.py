"""Upload checks and permissions, and the corpus's own 'unknown' list."""

from __future__ import annotations

import pytest

from ui.access import may_upload, parse_auth
from ui.corpus_notes import markdown_section, unknowns
from ui.settings import AppSettings
from ui.uploads import accept_uploads, safe_name, upload_dir


def test_parse_auth():
    assert parse_auth("") == []
    assert parse_auth("anna:geheim, bob:ook:geheim") == [("anna", "geheim"), ("bob", "ook:geheim")]
    for bad in ("anna", "anna:", ":pw"):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_may_upload():
    assert may_upload(AppSettings(), None)  # no login configured: a local single-user app
    locked = AppSettings(auth="anna:a1,bob:b2", admin_users="anna")
    assert may_upload(locked, "anna")
    assert not may_upload(locked, "bob") and not may_upload(locked, None)
    assert not may_upload(locked.replace(admin_users=""), "anna")


def test_safe_name():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\tmp\\nota <v2>.md") == "nota _v2_.md"
    assert safe_name(".verborgen") == "verborgen"


def test_accept_uploads_checks_copies_and_ingests(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    good = tmp_path / "tmp123.md"
    good.write_text("# Kademuren\n\nDe kademuren in Zwolle worden met sensoren bewaakt sinds 2019.\n", encoding="utf-8")
    big = tmp_path / "groot.txt"
    big.write_text("woord " * 400, encoding="utf-8")
    exe = tmp_path / "virus.exe"
    exe.write_bytes(b"MZ")
    result = accept_uploads(
        bot, AppSettings(max_upload_mb=0.001), [good, big, exe], names=["kademuren.md", "groot.txt", "virus.exe"]
    )
    assert [p.name for p in result.accepted] == ["kademuren.md"]
    assert result.accepted[0].parent == upload_dir(bot.settings) and result.accepted[0].exists()
    reasons = dict(result.rejected)
    assert "meer dan de grens" in reasons["groot.txt"] and "niet ondersteund" in reasons["virus.exe"]
    assert result.report.ok and "toegevoegd 1" in result.summary() and "GEWEIGERD  virus.exe" in result.summary()
    assert any(d["document"] == "kademuren.md" for d in bot.documents())
    assert "kademuren.md" in bot.retriever.facets()["document"]


def test_accept_uploads_refuses_non_admins(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    doc = tmp_path / "a.md"
    doc.write_text("# A\n\nTekst over iets.\n", encoding="utf-8")
    result = accept_uploads(bot, AppSettings(auth="anna:a1,bob:b2", admin_users="anna"), [doc], username="bob")
    assert not result.ok and result.report is None and "beheerders" in result.rejected[0][1]
    assert bot.store.count() == 0


def test_markdown_section():
    text = "# T\n\n## Wat nog onbekend is\n\n- a\n- b\n\n### sub\n\nc\n\n## Volgende\n\nd\n"
    assert markdown_section(text, "wat nog onbekend is") == "- a\n- b\n\n### sub\n\nc"
    assert markdown_section(text, "Ontbreekt") is None


def test_unknowns_from_the_shipped_digest(fake_settings, tmp_path):
    text = unknowns(fake_settings)  # corpus_dir's parent holds BRONNEN-DIGEST.md
    assert text and "7 van de 18 cases" in text
    assert unknowns(fake_settings.replace(corpus_dir=tmp_path / "docs")) is None
