"""The optional LLM backends: each module turns `Settings` into a LangChain chat model.

Everything a model needs comes from the passed-in Settings, never from the environment,
so a misconfigured machine fails here with a clear message instead of silently talking to
some default endpoint. Each module has `chat_model(settings)` and the `build(context)` that
`assistant.answerers.BACKENDS` calls.
"""

from __future__ import annotations

import importlib

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answerers import BACKENDS, AnswererContext
from assistant.settings import Settings

LLM_BACKENDS = tuple(name for name, module in BACKENDS.items() if module.startswith(__name__ + "."))


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model for `settings.answer_backend`; ValueError/RuntimeError say what to fix."""
    backend = settings.answer_backend
    if backend not in LLM_BACKENDS:
        raise ValueError(f"answer_backend {backend!r} is not an LLM backend; choose one of: {', '.join(LLM_BACKENDS)}")
    return importlib.import_module(BACKENDS[backend]).chat_model(settings)


def needs_model_name(settings: Settings) -> None:
    if not settings.llm_model:
        raise ValueError(f"answer_backend {settings.answer_backend!r} needs llm_model (DATALESSEN_LLM_MODEL), e.g. 'qwen2.5:7b'")


def llm_answerer(context: AnswererContext, make_chat_model):
    """An `LLMAnswerer` over the caller's chat model, or one built from the settings."""
    from assistant.llm import LLMAnswerer

    model = context.chat_model if context.chat_model is not None else make_chat_model(context.settings)
    return LLMAnswerer(model, backend_name=context.settings.answer_backend)
