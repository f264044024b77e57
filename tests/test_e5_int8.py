"""The int8 path: built once beside the fp32 model, embeds Dutch as fp32 does, one thread per query.

The model tests load the real models (`slow`); the build bookkeeping uses stand-ins.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from assistant import e5_int8
from assistant.e5_int8 import MARKER, E5Int8Embeddings, ensure_int8_model
from assistant.e5_model import ensure_model
from assistant.embeddings import effective_precision, load_embeddings
from assistant.settings import Settings
from tests.conftest import PROJECT_ROOT

SENTENCES = (
    "In Utrecht voorspelt een algoritme welke rijroutes voor de veegwagens het meest zinvol zijn.",
    "In Zaanstad staan veel woningen op houten palen die door paalrot kunnen verzakken.",
    "De Dienst Gezondheid & Jeugd voorspelt welke jongeren zonder startkwalificatie van school gaan.",
    "Volgens Platform31, iBestuur en ITexecutive leidden onder meer deze factoren tot resultaat:\n"
    "zeer vaardige projectleiders; werken met multidisciplinaire innovatieteams.",
)
QUESTIONS = (
    "Hoe plant de gemeente de routes van de veegwagens?",
    "Welk probleem hebben huizen met een slechte fundering?",
    "Welke succesfactoren noemt het rapport?",
)
# Measured here: 0.998-0.999 on these texts and over the 164 corpus chunks (docs/benchmarks.md).
# 0.99 leaves room for another CPU's int8 kernels, not for a broken model: CLS pooling gives
# 0.88-0.90, swapped prefixes 0.93-0.98 (a missing prefix only 0.987-0.998: the prefix test below
# checks the prefixes directly), quantising every layer 0.994-0.997 on the corpus.
MIN_COSINE = 0.99


# -- settings and bookkeeping (no model) --------------------------------------------------


def test_the_setting_chooses_the_path(tmp_path):
    assert Settings().embedding_precision == "int8", "the default: it holds quality (docs/benchmarks.md)"
    environ = {"DATALESSEN_EMBEDDING_PRECISION": "fp32", "DATALESSEN_HOME": str(tmp_path)}
    assert Settings.load(environ).embedding_precision == "fp32"
    assert effective_precision(Settings(home=tmp_path)) == "int8"
    assert effective_precision(Settings(home=tmp_path, embedding_precision="fp32")) == "fp32"
    # a hub name or a folder int8 cannot be built from runs fp32 (and a store records that)
    hub = Settings(home=tmp_path, embedding_model="intfloat/multilingual-e5-small", embedding_precision="int8")
    assert effective_precision(hub) == "fp32"
    with pytest.raises(ValueError, match="choose int8 or fp32"):
        effective_precision(Settings(home=tmp_path, embedding_precision="int4"))


def test_a_folder_without_marker_is_rebuilt_and_a_failed_build_leaves_nothing(tmp_path, monkeypatch):
    fp32 = tmp_path / "models" / "e5"
    fp32.mkdir(parents=True)
    calls = []

    def fake_convert(source, target):
        calls.append(target)
        target.mkdir(exist_ok=True)
        (target / MARKER).write_text(json.dumps({"source": e5_int8._source_id(source)}))
        return target

    monkeypatch.setattr(e5_int8, "convert", fake_convert)
    target = e5_int8.int8_folder(fp32, tmp_path / "models")
    target.mkdir()  # an interrupted build: folder, no marker
    assert ensure_int8_model(fp32, tmp_path / "models") == target and len(calls) == 1
    assert ensure_int8_model(fp32, tmp_path / "models") == target and len(calls) == 1, "a built model is reused"
    monkeypatch.undo()

    def broken_export(source, path):
        path.write_bytes(b"half a model")
        raise RuntimeError("killed")

    monkeypatch.setattr(e5_int8, "_export", broken_export)
    monkeypatch.setattr(e5_int8, "convertible", lambda folder: True)
    with pytest.raises(RuntimeError, match="killed"):
        e5_int8.convert(fp32, tmp_path / "models" / "other-int8")
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["e5", "e5-int8"], "no half-built folder left"


# -- the real models ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fp32_embeddings(model_home, real_embeddings):
    return load_embeddings(Settings(home=model_home, embedding_precision="fp32"))


@pytest.fixture(scope="module")
def int8_embeddings(model_home, real_embeddings):
    embeddings = load_embeddings(Settings(home=model_home, embedding_precision="int8"))
    assert isinstance(embeddings, E5Int8Embeddings)
    return embeddings


@pytest.mark.slow
def test_int8_is_built_once_beside_the_fp32_model(model_home, int8_embeddings):
    models = model_home / "models"
    folder = ensure_int8_model(ensure_model(models), models)
    assert folder == int8_embeddings.folder and folder.parent == models
    before = (folder / MARKER).stat().st_mtime_ns
    assert ensure_int8_model(ensure_model(models), models) == folder
    assert (folder / MARKER).stat().st_mtime_ns == before, "a built model must be reused, not rebuilt"
    marker = json.loads((folder / MARKER).read_text())
    assert marker["fusions"]["Attention"] == 12, "the fused attention is where most of the speed comes from"
    assert min(marker["check_cosines"]) >= MIN_COSINE


@pytest.mark.slow
def test_int8_embeds_dutch_as_fp32_does(int8_embeddings, fp32_embeddings):
    int8_docs = np.array(int8_embeddings.embed_documents(list(SENTENCES)))
    fp32_docs = np.array(fp32_embeddings.embed_documents(list(SENTENCES)))
    int8_queries = np.array([int8_embeddings.embed_query(q) for q in QUESTIONS])
    fp32_queries = np.array([fp32_embeddings.embed_query(q) for q in QUESTIONS])
    assert int8_docs.shape == fp32_docs.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(int8_docs, axis=1), 1.0, atol=1e-4)
    assert ((int8_docs * fp32_docs).sum(axis=1) >= MIN_COSINE).all()
    assert ((int8_queries * fp32_queries).sum(axis=1) >= MIN_COSINE).all()
    # the same passage wins for each question, and the prefixes are the fp32 path's
    assert list((int8_queries @ int8_docs.T).argmax(axis=1)) == list((fp32_queries @ fp32_docs.T).argmax(axis=1))
    text = QUESTIONS[0]
    assert np.allclose(int8_embeddings.embed_query(text), int8_embeddings.encode(["query: " + text], batch=False)[0])
    assert np.allclose(int8_embeddings.embed_documents([text])[0], int8_embeddings.encode(["passage: " + text])[0])
    assert float(np.dot(int8_embeddings.embed_query(text), fp32_embeddings.embed_documents([text])[0])) < 0.99


@pytest.mark.slow
def test_long_passages_are_cut_at_512_tokens_as_in_fp32(int8_embeddings, fp32_embeddings):
    long = " ".join(SENTENCES) * 40  # ~2,500 tokens
    other = long + " Dit staat voorbij token 512 en verandert niets."
    a, b = int8_embeddings.embed_documents([long, other])
    assert np.allclose(a, b, atol=1e-6), "text past 512 tokens must not count"
    assert float(np.dot(a, fp32_embeddings.embed_documents([long])[0])) >= MIN_COSINE


@pytest.mark.slow
def test_a_text_gets_the_same_vector_whatever_it_is_embedded_with(int8_embeddings):
    """Ingest is reproducible: dynamic quantisation must not let a batch's other texts move a vector."""
    batch = np.array(int8_embeddings.embed_documents(["kort", *SENTENCES]))
    alone = np.array([int8_embeddings.embed_documents([t])[0] for t in ["kort", *SENTENCES]])
    assert np.array_equal(batch, alone)
    assert np.array_equal(int8_embeddings.encode(["query: kort"], batch=False), int8_embeddings.encode(["query: kort"]))


# -- threads: read back, not just requested -----------------------------------------------


@pytest.mark.slow
def test_int8_query_runs_on_one_thread_and_batches_on_the_setting(model_home, int8_embeddings):
    """Session options read back, and the OS view: a query starts no worker thread, a 2-thread batch one."""
    assert int8_embeddings.query_session.get_session_options().intra_op_num_threads == 1
    batch = load_embeddings(Settings(home=model_home, embedding_precision="int8", torch_threads=2)).batch_session
    assert batch.get_session_options().intra_op_num_threads == 2
    script = textwrap.dedent(f"""
        import os, json
        from assistant.settings import quiet_offline_environment
        quiet_offline_environment()
        from assistant.e5_int8 import E5Int8Embeddings
        threads = lambda: len(os.listdir("/proc/self/task"))
        emb = E5Int8Embeddings({str(int8_embeddings.folder)!r}, query_prefix="query: ", passage_prefix="passage: ",
                               batch_threads=2)
        emb.embed_query("opwarmen")
        before = threads()
        for q in ["slim vegen", "Welke succesfactoren noemt het rapport?"] * 5:
            emb.embed_query(q)
        after_queries = threads()
        emb.embed_documents(["een", "twee"])
        print(json.dumps([before, after_queries, threads()]))
    """)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(model_home), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    before, after_queries, after_batch = json.loads(result.stdout.strip().splitlines()[-1])
    assert after_queries == before, "queries must not start intra-op worker threads"
    assert after_batch == before + 1, "a 2-thread batch session adds one worker beside the caller"


@pytest.mark.slow
def test_fp32_query_runs_on_one_torch_thread_and_batches_on_the_setting(model_home, fp32_embeddings):
    """Read back inside the model's forward: PyTorch's (OpenMP) count for this thread and MKL's."""
    import torch

    seen = []

    def record(module, args):
        info = torch.__config__.parallel_info()
        mkl = next((line.split(":")[1].strip() for line in info.splitlines() if "mkl_get_max_threads" in line), None)
        seen.append((torch.get_num_threads(), mkl))

    fp32 = load_embeddings(Settings(home=model_home, embedding_precision="fp32", torch_threads=2))
    handle = fp32._client[0].register_forward_pre_hook(record)  # the Transformer module
    try:
        fp32.embed_query("Welke succesfactoren noemt het rapport?")
        fp32.embed_documents(["Slim vegen in Utrecht."])
        fp32.embed_query("slim vegen")
    finally:
        handle.remove()
    assert [threads for threads, _ in seen] == [1, 2, 1]
    if seen[0][1] is not None:  # MKL is in PyTorch's x86 builds
        assert [mkl for _, mkl in seen] == ["1", "2", "1"]
