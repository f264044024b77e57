"""Ollama's own API (its OpenAI-compatible `/v1` works through the `openai` backend too)."""

from __future__ import annotations

from assistant.llm_backends import llm_answerer, needs_model_name

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"  # Ollama's own default; set here so OLLAMA_HOST is never consulted


def chat_model(settings):
    needs_model_name(settings)
    from langchain_ollama import ChatOllama

    return ChatOllama(
        base_url=settings.llm_base_url or OLLAMA_DEFAULT_URL,
        model=settings.llm_model,
        temperature=0,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def build(context):
    return llm_answerer(context, chat_model)
