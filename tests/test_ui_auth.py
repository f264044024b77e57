"""Login and upload rights as `launch()` sets them from the settings (fast: hash embeddings)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file

from tests.ui_support import running_app
from ui.app import launch_kwargs
from ui.settings import AppSettings


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


def test_evaluation_tab_shows_the_report_or_how_to_make_one(tmp_path, fake_settings, fake_embeddings):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from assistant.api import Assistant

    bot = Assistant(fake_settings, embeddings=fake_embeddings)
    report_dir = tmp_path / "report"
    with running_app(bot, report_dir=report_dir) as url:
        client = Client(url, verbose=False)
        text, plots, summary = client.predict(api_name="/evaluation")
        assert "nog geen evaluatierapport" in text.casefold() and "datalessen eval" in text and plots == ""
        assert "Nog geen feedback" in summary
        report_dir.mkdir()
        (report_dir / "report.md").write_text(
            "# Evaluatie\n\n| variant | recall@5 |\n| --- | --- |\n| hybrid | 0.91 |\n\n![recall](recall.png)\n", encoding="utf-8"
        )
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.bar(["bm25", "hybrid"], [0.8, 0.91])
        fig.savefig(report_dir / "recall.png")
        plt.close(fig)
        text, plots, _ = client.predict(api_name="/evaluation")
        assert "| hybrid | 0.91 |" in text and "![recall]" not in text
        assert plots.count('<img alt="recall" src="data:image/png;base64,') == 1
        # the other gold sets' figures stand beside the tuning set's; their plots are not mixed in
        for name, recall in (("", 0.91), ("test2", 0.78)):
            folder = report_dir / name
            folder.mkdir(exist_ok=True)
            (folder / "report.json").write_text(
                json.dumps(
                    {
                        "questions": {"total": 50},
                        "summary": {
                            "hybrid": {
                                "recall@5": {"mean": recall},
                                "abstention": {"f1": 0.5},
                                "key_fact_recall": {"mean": 0.66},
                                "words": {"median": 74},
                            }
                        },
                    }
                ),
                encoding="utf-8",
            )
        (report_dir / "test2" / "retrieval.png").write_bytes((report_dir / "recall.png").read_bytes())
        text, plots, _ = client.predict(api_name="/evaluation")
        assert "Alle vraagsets" in text and "| test2 | ongezien (test) | 50 | 0.78 | 0.5 | 0.66 | 74 |" in text
        assert plots.count("data:image/png;base64,") == 1
