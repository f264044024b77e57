"""`datalessen ingest` shows progress on stderr (files read, chunks embedded, with rate and time left)
and its summary on stdout, so `datalessen ingest > log` keeps only the summary."""

from __future__ import annotations

import re
import shutil

from click.testing import CliRunner

from tests.fakes import HashEmbeddings

RATE_AND_ETA = r"\| (\d+)/\1 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+{unit}/s(, [^\]]*)?\]"


def test_cli_progress_on_stderr_summary_on_stdout(fake_settings, tmp_path, monkeypatch):
    import assistant.embeddings
    from ui.cli import cli

    monkeypatch.setattr(assistant.embeddings, "load_embeddings", lambda _settings: HashEmbeddings())
    folder = tmp_path / "docs"
    shutil.copytree(fake_settings.corpus_dir, folder)
    result = CliRunner().invoke(cli, ["ingest", str(folder)], env={"DATALESSEN_HOME": str(fake_settings.home)})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("toegevoegd 20, bijgewerkt 0, ongewijzigd 0")
    assert "nieuw ingebed" in result.stdout and "bestand/s" not in result.stdout
    progress = result.stderr.replace("\r", "\n")
    for label, unit in (("bestanden gelezen", "bestand"), ("chunks ingebed", "chunk")):
        assert re.search(label + r": 100%\|[^|]*" + RATE_AND_ETA.format(unit=unit), progress), progress[-500:]

    quiet = CliRunner().invoke(cli, ["ingest", "-q", str(folder)], env={"DATALESSEN_HOME": str(fake_settings.home)})
    assert quiet.exit_code == 0 and quiet.stderr == "" and "ongewijzigd 20" in quiet.stdout
