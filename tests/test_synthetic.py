"""The synthetic benchmark corpus: deterministic, the asked size, real-looking chunks (fake embedder, no timing)."""

from __future__ import annotations

import numpy as np
import pytest

from evals.synthetic import SentencePool, embed_sentences, generate, synthetic_corpus, template
from tests.fakes import HashEmbeddings

FIELDS = {"doc_id", "title", "section", "kind", "gemeente", "domein", "document", "source", "position", "jaar", "bronnen"}


@pytest.fixture(scope="module")
def pool_and_vectors():
    pool = SentencePool.from_corpus()
    return pool, embed_sentences(pool, HashEmbeddings())


def test_same_seed_same_corpus(pool_and_vectors):
    pool, vectors = pool_and_vectors
    a = generate(300, pool, vectors, seed=7)
    b = generate(300, pool, vectors, seed=7)
    assert a.ids == b.ids and a.texts == b.texts and a.metadatas == b.metadatas
    assert np.array_equal(a.vectors, b.vectors)
    c = generate(300, pool, vectors, seed=8)
    assert c.texts != a.texts


def test_size_metadata_and_vectors(pool_and_vectors):
    pool, vectors = pool_and_vectors
    corpus = generate(257, pool, vectors, seed=1)
    assert len(corpus) == len(corpus.texts) == len(corpus.metadatas) == 257
    assert len(set(corpus.ids)) == 257
    assert corpus.documents > 1
    assert corpus.vectors.shape == (257, HashEmbeddings.dim) and corpus.vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(corpus.vectors, axis=1), 1.0, atol=1e-5)
    for chunk_id, text, meta in zip(corpus.ids, corpus.texts, corpus.metadatas):
        assert set(meta) == FIELDS
        assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())  # what Chroma can store
        assert chunk_id == f"{meta['doc_id']}-{meta['position']:05d}"
        assert meta["section"].startswith(meta["title"] + " > ")
        assert meta["document"] in meta["source"]
        assert text.strip()
    words = [len(t.split()) for t in corpus.texts]
    assert 90 <= np.median(words) <= 160


def test_vectors_are_mixes_not_noise(pool_and_vectors):
    """Chunks of one document are closer to each other than to chunks of other documents."""
    pool, vectors = pool_and_vectors
    corpus = generate(400, pool, vectors, seed=3)
    docs = np.array([m["doc_id"] for m in corpus.metadatas])
    sims = corpus.vectors @ corpus.vectors.T
    same = docs[:, None] == docs[None, :]
    np.fill_diagonal(same, False)
    other = docs[:, None] != docs[None, :]
    assert sims[same].mean() > sims[other].mean() + 0.05


def test_empty_and_wrong_vectors(pool_and_vectors):
    pool, vectors = pool_and_vectors
    assert len(generate(0, pool, vectors)) == 0
    with pytest.raises(ValueError):
        generate(10, pool, vectors[:5])


def test_template_slots():
    parts = template("Utrecht reserveerde vanaf 2014 jaarlijks 2 miljoen euro voor vegen.")
    slots = [p for p in parts if isinstance(p, tuple)]
    assert slots == [("G",), ("Y",), ("N", 1), ("D",)]
    assert "".join(p for p in parts if isinstance(p, str)) == " reserveerde vanaf  jaarlijks  miljoen euro voor ."


def test_one_call_helper():
    corpus = synthetic_corpus(50, HashEmbeddings(), seed=2)
    assert len(corpus) == 50
