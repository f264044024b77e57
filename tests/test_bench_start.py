"""`datalessen bench start` times real `datalessen ask` processes, embedded and through `chroma run`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from evals.bench_start import bench_start

pytestmark = pytest.mark.slow


def test_start_to_first_answer_is_printed_for_the_embedded_store_and_a_chroma_server(corpus_assistant, monkeypatch):
    settings = corpus_assistant.settings
    monkeypatch.setenv("DATALESSEN_HOME", str(settings.home))
    monkeypatch.setenv("DATALESSEN_EMBEDDING_MODEL", settings.embedding_model)
    obj = SimpleNamespace(settings=settings)
    result = CliRunner().invoke(bench_start, ["--runs", "1", "--server"], obj=obj)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("baseline: python -c pass") for line in lines)
    for label in ("embedded store", "chroma run (HTTP)"):
        (row,) = [line for line in lines if line.startswith(label)]
        assert "first run" in row and "median" in row  # each a real `datalessen ask` that answered (exit 0)
