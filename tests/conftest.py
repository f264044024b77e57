"""Shared fixtures: a real model and the shipped corpus, built once per test session.

Loading the e5 model and ingesting the corpus take about half a minute on two
cores, so every test that needs the real thing shares one session-wide store.
Fast unit tests use `fake_settings` + `HashEmbeddings` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import Settings, quiet_offline_environment
from ingest.pipeline import ingest_into

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the checkout the tests run from

quiet_offline_environment()
SHARED = Path(os.environ.get("DATALESSEN_SHARED", PROJECT_ROOT.parent / "shared"))
FIXTURES = Path(os.environ.get("DATALESSEN_FIXTURES", SHARED / "fixtures" / "real"))


@pytest.fixture(autouse=True, scope="session")
def _ingest_at_normal_priority():
    """`datalessen ingest` run in this process (CliRunner) would lower the whole test run's CPU priority."""
    os.environ.setdefault("DATALESSEN_INGEST_NICE", "0")


@pytest.fixture(scope="session")
def model_home(tmp_path_factory) -> Path:
    """A data home whose models/ holds the converted e5 model."""
    return tmp_path_factory.mktemp("model-home")


@pytest.fixture(scope="session")
def real_embeddings(model_home):
    from assistant.embeddings import load_embeddings

    return load_embeddings(Settings(home=model_home))


@pytest.fixture(scope="session")
def model_path(model_home, real_embeddings) -> Path:
    from assistant.e5_model import ensure_model

    return ensure_model(model_home / "models")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, model_path) -> Settings:
    """Settings for the corpus store, naming the already converted model so nothing converts twice."""
    return Settings(home=tmp_path_factory.mktemp("corpus-home"), embedding_model=str(model_path))


@pytest.fixture(scope="session")
def corpus_assistant(corpus_settings, real_embeddings):
    """The real assistant over the shipped corpus (real model, embedded Chroma)."""
    from assistant.api import Assistant

    bot = Assistant(corpus_settings, embeddings=real_embeddings)
    report = ingest_into(bot, [corpus_settings.corpus_dir])
    assert report.ok, report.summary()
    return bot


@pytest.fixture
def fake_settings(tmp_path) -> Settings:
    """Settings for HashEmbeddings: their similarities mean nothing to the e5-calibrated dense floor."""
    return Settings(home=tmp_path / "home", min_dense_similarity=0.0, min_sentence_similarity=0.0)


@pytest.fixture
def fake_embeddings():
    from tests.fakes import HashEmbeddings

    return HashEmbeddings()


# Tests that need the real model, a server, a browser or a subprocess are `slow`: `make check` leaves them
# out (`pytest -m "not slow"`, under a minute); `make test` and CI run everything.
SLOW_FIXTURES = {"real_embeddings", "model_path", "corpus_settings", "corpus_assistant"}
RELIABILITY_MODULES = {"test_ingest_crash", "test_ingest_bad_input"}  # earlier probes the suite repeats
SLOW_MODULES = {
    "test_ui_browser",
    "test_ui_chat_browser",
    "test_ui_conversations",
    "test_two_app_processes",
    "test_store_server",
    "test_ingest_crash",
    "test_store_determinism",
    "test_e5_model",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.split(".")[-1]
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        # the reliability suite (issue 14; docs/betrouwbaarheid.md): `make reliability`, and part of `make test`
        if module.startswith("test_reliability_") or module in RELIABILITY_MODULES:
            item.add_marker(pytest.mark.reliability)
