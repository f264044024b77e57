"""A local GGUF model through llama-cpp-python, an optional extra imported only when chosen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.llm_backends import llm_answerer
from assistant.settings import Settings

LLAMACPP_MISSING = (
    "answer_backend 'llamacpp' needs llama-cpp-python, which is not installed. "
    "Install it with: pip install 'datalessen[llamacpp]'"
)
LLAMACPP_N_CTX = 8192  # the model's own maximum (often 128k) can exhaust a laptop's memory


def chat_model(settings: Settings) -> BaseChatModel:
    if not settings.llm_model_path:
        raise ValueError("answer_backend 'llamacpp' needs llm_model_path (DATALESSEN_LLM_MODEL_PATH): a .gguf file")
    try:
        import llama_cpp
    except ImportError as exc:
        raise RuntimeError(LLAMACPP_MISSING) from exc
    path = Path(settings.llm_model_path).expanduser()
    if not path.is_file():
        raise ValueError(f"llm_model_path {str(path)!r} is not a file")
    llama = llama_cpp.Llama(model_path=str(path), n_ctx=LLAMACPP_N_CTX, verbose=False)
    return ChatLlamaCpp(llama=llama, model_name=path.name)


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ChatLlamaCpp(BaseChatModel):
    """Minimal adapter: a llama_cpp.Llama behind the LangChain chat-model interface.

    Only what the answerer uses (plain text in, text or text deltas out). One
    Llama object cannot serve two generations at once, hence the lock.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    llama: Any
    model_name: str = "gguf"
    temperature: float = 0.0
    max_tokens: int = 1024
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> dict:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": str(m.text)} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": stop or [],
            "stream": stream,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            result = self.llama.create_chat_completion(**self._request(messages, stop, stream=False))
        content = result["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            for part in self.llama.create_chat_completion(**self._request(messages, stop, stream=True)):
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk


def build(context):
    return llm_answerer(context, chat_model)
