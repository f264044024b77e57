"""The `datalessen` command as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import PROJECT_ROOT
from ui.cli import cli


@pytest.fixture
def cli_env(corpus_assistant):
    """Point the CLI at the session's ingested store and converted model."""
    return {
        "DATALESSEN_HOME": str(corpus_assistant.settings.home),
        "DATALESSEN_EMBEDDING_MODEL": corpus_assistant.settings.embedding_model,
    }


def test_ask_prints_quotes_and_numbered_sources(cli_env):
    result = CliRunner().invoke(cli, ["ask", "Welke succesfactoren noemt het rapport?"], env=cli_env)
    assert result.exit_code == 0, result.output
    answer, _, sources = result.output.partition("\nBronnen:\n")
    assert "„" in answer and "[1]" in answer
    assert sources.startswith("[1] Datagedreven innovatie in gemeenten (2021)")
    assert "Succesfactoren" in sources


def test_ask_json_has_citations(cli_env):
    result = CliRunner().invoke(cli, ["ask", "--json", "Wat is het doel van slim vegen?"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["abstained"] is False and data["citations"][0]["quote"]


def test_ask_rejects_a_malformed_filter(cli_env):
    result = CliRunner().invoke(cli, ["ask", "-f", "gemeente", "vraag"], env=cli_env)
    assert result.exit_code != 0 and "FIELD=VALUE" in result.output


def test_ingest_reports_unchanged_files(cli_env):
    result = CliRunner().invoke(cli, ["ingest", "-q"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "ongewijzigd 20" in result.output and "nieuw ingebed 0" in result.output


def test_ingest_lowers_its_own_priority_by_the_setting(cli_env, monkeypatch):
    import ingest.pipeline

    asked = []
    monkeypatch.setattr(ingest.pipeline, "lower_priority", asked.append)
    env = cli_env | {"DATALESSEN_INGEST_NICE": None}  # None: unset, so the default applies
    assert CliRunner().invoke(cli, ["ingest", "-q"], env=env).exit_code == 0
    assert asked == [10]  # the default: a serving app on the same machine answers first


def test_lower_priority_lowers_and_never_raises():
    code = (
        "import os; from ingest.pipeline import lower_priority; before = os.nice(0); lower_priority(5); "
        "lower_priority(-5); print(os.nice(0) - before)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert out.stdout.strip() == "5"


def test_ingest_exit_code_says_a_file_failed(cli_env, tmp_path):
    (tmp_path / "leeg.md").write_bytes(b"")
    result = CliRunner().invoke(cli, ["ingest", "-q", str(tmp_path / "leeg.md")], env=cli_env)
    assert result.exit_code == 1
    assert "leeg.md: file is empty (0 bytes)" in result.output


def test_installed_console_script_answers(cli_env):
    """The real entry point in a subprocess, as after `pip install`."""
    script = os.path.join(os.path.dirname(sys.executable), "datalessen")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "ui.cli"]
    env = {**os.environ, **cli_env}
    result = subprocess.run(
        command + ["ask", "Wat is de hoofdstad van Frankrijk?"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("Dat staat niet in de beschikbare bronnen")
