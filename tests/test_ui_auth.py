"""Login and upload rights as `launch()` sets them from the settings (fast: hash embeddings)."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

from evals.sets import SETS, UNSEEN
from tests.ui_support import running_app
from ui.app import launch_kwargs
from ui.settings import AppSettings

# the unseen sets of the moment (evals/sets.py): a fresh pair replaces them without touching these tests
NEW = next(s for s in SETS if s.role == UNSEEN and s.corpus == "shipped")
NEW_REAL = next(s for s in SETS if s.role == UNSEEN and s.corpus == "real")


def test_launch_kwargs_come_from_settings():
    app = AppSettings()
    kwargs = launch_kwargs(app.replace(host="127.0.0.1", port=7999, max_upload_mb=12))
    assert kwargs["server_name"] == "127.0.0.1" and kwargs["server_port"] == 7999
    assert kwargs["share"] is False and kwargs["auth"] is None  # no login, and never a default password
    assert kwargs["max_file_size"] == "12mb"
    assert launch_kwargs(app.replace(max_upload_mb=0.5))["max_file_size"] == "500kb"
    locked = launch_kwargs(app.replace(auth="anna:a1, bob:b2"))
    assert locked["auth"].__self__.accounts == {"anna": "a1", "bob": "b2"}  # LoginGuard.check: slows down guessing
    fonts = str(kwargs["theme"]._font if hasattr(kwargs["theme"], "_font") else kwargs["theme"].font)
    assert "system-ui" in fonts and "googleapis" not in fonts


def test_only_admins_upload_when_login_is_on(tmp_path, fake_settings, fake_embeddings):
    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    doc = tmp_path / "notitie.md"
    doc.write_text("# Notitie\n\nDe gemeente Kampen meet het waterpeil met zeven boeien.\n", encoding="utf-8")
    with running_app(bot, app=AppSettings(auth="anna:a1,bob:b2", admin_users="anna")) as url:
        with pytest.raises(Exception):  # noqa: B017 -- any refusal will do: no login, no app
            Client(url, verbose=False).predict(api_name="/documents")
        bob = Client(url, auth=("bob", "b2"), verbose=False)
        with pytest.raises(Exception, match="403 Forbidden"):  # gradio's raw upload route: test_reliability_access
            bob.predict([handle_file(str(doc))], api_name="/upload")
        assert bot.store.count() == 0
        anna = Client(url, auth=("anna", "a1"), verbose=False)
        status, documents, *_ = anna.predict([handle_file(str(doc))], api_name="/upload")
        assert "toegevoegd 1" in status and "notitie.md" in documents
        _, sources, *_ = bob.predict("Kampen waterpeil boeien", "", "", "", "", api_name="/ask")
        assert "zeven boeien" in sources  # every logged-in user reads what an admin added


def test_evaluation_tab_opens_report_folders(tmp_path, fake_settings, fake_embeddings):
    """The folder the app starts with, then one written elsewhere (as `datalessen eval --report DIR`
    does); with login on, only admins may open a folder the app does not offer."""
    from assistant.api import Assistant
    from tests.test_eval_report import record, write

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    report_dir = tmp_path / "report"
    elsewhere = tmp_path / "elders"
    with running_app(bot, report_dir=report_dir, app=AppSettings(auth="anna:a1,bob:b2", admin_users="anna")) as url:
        bob = Client(url, auth=("bob", "b2"), verbose=False)
        overview, picker, questions, text, plots = bob.predict(str(report_dir), "failing", api_name="/evaluation_report")
        assert "Geen evaluatierapport" in overview and "datalessen eval --report" in overview and questions == ""
        overview, questions, summary = bob.predict(api_name="/evaluation")  # the whole tab, read again
        assert "Geen evaluatierapport" in overview and questions == "" and "Nog geen feedback" in summary
        write(report_dir, [record("q001")], gold_set="questions")
        write(
            report_dir / NEW.name,
            [record(f"{NEW.id_prefix}001", found=(False,), answer="Een antwoord zonder het feit.")],
            gold_set=NEW.name,
        )
        overview, picker, questions, text, plots = bob.predict(str(report_dir), "failing", api_name="/evaluation_report")
        assert overview.index("Ongeziene vragen") < overview.index('data-set="."')
        assert picker["value"] == NEW.name and [c[1] for c in picker["choices"]] == [NEW.name, "."]
        assert (
            f'data-id="{NEW.id_prefix}001"' in questions
            and "Een antwoord zonder het feit." in questions
            and "ontbreekt" in questions
        )
        assert "Gate (hybrid)" in text and plots == ""
        questions, text, _ = bob.predict(str(report_dir), ".", "all", api_name="/evaluation_questions")
        assert 'data-id="q001"' in questions and "juist" in questions
        overview, questions, _ = bob.predict(str(report_dir), "all", api_name="/evaluation")
        assert "Ongeziene vragen" in overview and f'data-id="{NEW.id_prefix}001"' in questions  # the first set: the unseen one
        write(elsewhere, [record(f"{NEW_REAL.id_prefix}001")], gold_set=NEW_REAL.name)
        with pytest.raises(Exception, match="beheerders"):
            bob.predict(str(elsewhere), "all", api_name="/evaluation_report")
        anna = Client(url, auth=("anna", "a1"), verbose=False)
        overview, picker, questions, *_ = anna.predict(str(elsewhere), "all", api_name="/evaluation_report")
        assert NEW_REAL.name in overview and f'data-id="{NEW_REAL.id_prefix}001"' in questions
