"""Any OpenAI-compatible chat server: vLLM, LM Studio, a llama.cpp server, Ollama's `/v1`."""

from __future__ import annotations

from assistant.llm_backends import llm_answerer, needs_model_name


def chat_model(settings):
    needs_model_name(settings)
    if not settings.llm_base_url:
        raise ValueError(
            "answer_backend 'openai' needs llm_base_url (DATALESSEN_LLM_BASE_URL), "
            "e.g. http://127.0.0.1:8000/v1 for vLLM or http://127.0.0.1:11434/v1 for Ollama"
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        model=settings.llm_model,
        timeout=settings.llm_timeout,
        max_retries=1,
        temperature=0,
        # local servers speak chat/completions, not OpenAI's Responses API
        use_responses_api=False,
    )


def build(context):
    return llm_answerer(context, chat_model)
