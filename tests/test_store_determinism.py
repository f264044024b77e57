"""The same store gives the same dense ranking in every process: evaluation figures must not wobble."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

QUESTIONS = [
    "Wie waren naast Eelco de Winter de onderzoekers?",
    "Welke waarden noemt de ethische toets van slim vegen?",
    "Hoeveel panden in Zaanstad staan op een slechte fundering?",
    "Hoe heeft Utrecht de organisatie meegekregen in datagedreven werken?",
    "Welke rol houdt de professional als een algoritme adviseert?",
]
CHILD = """
import json, sys
from assistant.embeddings import load_embeddings
from assistant.settings import Settings
from assistant.store import ChunkStore
from pathlib import Path
settings = Settings(home=Path(sys.argv[1]), embedding_model=sys.argv[2])
embeddings, store = load_embeddings(settings), ChunkStore(settings)
print(json.dumps([[cid for cid, _ in store.dense_ids(embeddings.embed_query(q), 30)] for q in json.loads(sys.argv[3])]))
"""


def _rankings_in_a_new_process(settings) -> list[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(settings.home), settings.embedding_model, json.dumps(QUESTIONS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_collection_searches_with_a_wide_beam(corpus_assistant):
    assert corpus_assistant.store.collection.configuration["hnsw"]["ef_search"] == 200


def test_dense_top_30_is_identical_across_processes(corpus_assistant):
    """Did not reproduce the one run that differed, even with Chroma's defaults: a guard, not a proof."""
    store, embeddings = corpus_assistant.store, corpus_assistant.embeddings
    here = [[cid for cid, _ in store.dense_ids(embeddings.embed_query(q), 30)] for q in QUESTIONS]
    assert _rankings_in_a_new_process(corpus_assistant.settings) == here
    assert _rankings_in_a_new_process(corpus_assistant.settings) == here
