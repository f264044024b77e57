"""Backend construction from Settings, and each backend's wire protocol against a scripted local server."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from assistant.llm import LLMAnswerer, condense_question
from assistant.llm_backends import build_chat_model
from assistant.llm_backends.llamacpp import ChatLlamaCpp
from assistant.llm_backends.ollama import OLLAMA_DEFAULT_URL
from assistant.schema import Answer, Passage
from assistant.settings import Settings
from tests.llm_fakes import ScriptedOllama, ScriptedOpenAI, pieces

PASSAGES = [
    Passage("c1", "eindhoven", "Eindhoven zette sensoren in om de drukte op Stratumseind te meten.", title="Rapport"),
    Passage("c2", "rotterdam", "Rotterdam bouwde een datalab voor Werk en Inkomen.", title="Rapport"),
]
REPLY = "Eindhoven mat de drukte met sensoren [1]. Rotterdam bouwde een datalab [2]."


def openai_settings(url: str, **changes) -> Settings:
    return Settings(answer_backend="openai", llm_base_url=f"{url}/v1", llm_model="qwen-test", **changes)


@pytest.fixture
def openai_server():
    with ScriptedOpenAI(default=REPLY) as srv:
        yield srv


@pytest.fixture
def ollama_server():
    with ScriptedOllama(default=REPLY) as srv:
        yield srv


# --- configuration errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"answer_backend": "extractive"}, "not an LLM backend"),
        ({"answer_backend": "gpt4all"}, "not an LLM backend"),
        ({"answer_backend": "openai", "llm_model": "m"}, "llm_base_url"),
        ({"answer_backend": "openai", "llm_base_url": "http://127.0.0.1:9/v1"}, "llm_model"),
        ({"answer_backend": "ollama"}, "llm_model"),
        ({"answer_backend": "llamacpp"}, "llm_model_path"),
    ],
)
def test_misconfiguration_is_a_clear_value_error(changes, message):
    with pytest.raises(ValueError, match=message):
        build_chat_model(Settings(**changes))


def test_models_are_built_from_settings_only():
    openai = build_chat_model(
        Settings(answer_backend="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_timeout=7.0)
    )
    assert isinstance(openai, ChatOpenAI)
    assert (openai.openai_api_base, openai.model_name, openai.temperature, openai.request_timeout) == (
        "http://127.0.0.1:9/v1",
        "m",
        0,
        7.0,
    )
    assert openai.openai_api_key.get_secret_value() == "not-needed" and openai.use_responses_api is False
    ollama = build_chat_model(Settings(answer_backend="ollama", llm_model="qwen2.5:7b"))
    assert isinstance(ollama, ChatOllama)
    assert (ollama.base_url, ollama.model, ollama.temperature) == (OLLAMA_DEFAULT_URL, "qwen2.5:7b", 0)


# --- OpenAI-compatible servers (vLLM, LM Studio, llama.cpp server, Ollama /v1) -----------------------------


def test_openai_wire_protocol_and_api_key(openai_server):
    model = build_chat_model(openai_settings(openai_server.url, llm_api_key="sekret"))
    answer = LLMAnswerer(model, backend_name="openai").answer("Wat deden ze?", PASSAGES)
    assert answer.text == REPLY and [c.chunk_id for c in answer.citations] == ["c1", "c2"]
    request = openai_server.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sekret"
    body = request["body"]
    assert body["model"] == "qwen-test" and body["temperature"] == 0 and not body.get("stream")
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_openai_without_api_key_sends_a_placeholder(openai_server):
    model = build_chat_model(openai_settings(openai_server.url))
    assert str(model.invoke("hallo").text) == REPLY
    assert openai_server.requests[-1]["headers"]["authorization"] == "Bearer not-needed"


def test_openai_streaming_uses_sse(openai_server):
    model = build_chat_model(openai_settings(openai_server.url))
    *deltas, final = LLMAnswerer(model, backend_name="openai").stream("Wat deden ze?", PASSAGES)
    assert deltas == pieces(REPLY) and final.text == REPLY
    assert openai_server.requests[-1]["body"]["stream"] is True


# --- Ollama's native API -------------------------------------------------------------------------------


def test_ollama_native_chat_answer_and_stream(ollama_server):
    model = build_chat_model(Settings(answer_backend="ollama", llm_base_url=ollama_server.url, llm_model="qwen2.5"))
    answerer = LLMAnswerer(model, backend_name="ollama")
    answer = answerer.answer("Wat deden ze?", PASSAGES)
    assert answer.text == REPLY and answer.backend == "ollama" and not answer.abstained
    *deltas, final = answerer.stream("Wat deden ze?", PASSAGES)
    assert deltas == pieces(REPLY) and isinstance(final, Answer) and final.text == REPLY
    request = ollama_server.requests[-1]
    assert request["path"] == "/api/chat"
    body = request["body"]
    assert body["model"] == "qwen2.5" and body["stream"] is True and body["options"]["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert '<bron id="2"' in body["messages"][1]["content"]


# --- llama.cpp (optional extra) ---------------------------------------------------------------------------


def test_llamacpp_without_the_package_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp now raises ImportError
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(RuntimeError, match=r"pip install 'datalessen\[llamacpp\]'"):
        build_chat_model(Settings(answer_backend="llamacpp", llm_model_path=str(gguf)))


class FakeLlama:
    """Stands in for llama_cpp.Llama: same create_chat_completion shapes, scripted text."""

    calls: ClassVar[list[dict]] = []

    def __init__(self, model_path: str, **kwargs):
        self.model_path, self.kwargs = model_path, kwargs

    def create_chat_completion(self, messages, stream=False, **kwargs):
        FakeLlama.calls.append({"messages": messages, "stream": stream, **kwargs})
        if not stream:
            return {"choices": [{"message": {"role": "assistant", "content": REPLY}}]}
        return iter(
            [{"choices": [{"delta": {"role": "assistant"}}]}] + [{"choices": [{"delta": {"content": p}}]} for p in pieces(REPLY)]
        )


def test_llamacpp_adapter_answers_and_streams(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    FakeLlama.calls = []
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    model = build_chat_model(Settings(answer_backend="llamacpp", llm_model_path=str(gguf)))
    assert isinstance(model, ChatLlamaCpp) and model.llama.model_path == str(gguf)
    answerer = LLMAnswerer(model, backend_name="llamacpp")
    assert answerer.answer("Wat deden ze?", PASSAGES).text == REPLY
    *deltas, final = answerer.stream("Wat deden ze?", PASSAGES)
    assert deltas == pieces(REPLY) and final.text == REPLY
    assert [c["stream"] for c in FakeLlama.calls] == [False, True]
    assert [m["role"] for m in FakeLlama.calls[0]["messages"]] == ["system", "user"]
    assert FakeLlama.calls[0]["temperature"] == 0


def test_llamacpp_missing_model_file(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    with pytest.raises(ValueError, match="is not a file"):
        build_chat_model(Settings(answer_backend="llamacpp", llm_model_path=str(tmp_path / "absent.gguf")))


# --- condense_question ------------------------------------------------------------------------------------

HISTORY = ["Wat deed Eindhoven met sensoren?", "Eindhoven mat de drukte op Stratumseind [1]."]


def test_condense_question_rewrites_a_follow_up(openai_server):
    model = build_chat_model(openai_settings(openai_server.url))
    openai_server.queue.append('Zelfstandige vraag: "Wat kostte het sensorproject van Eindhoven?"\n')
    assert condense_question(model, HISTORY, "Wat kostte dat?", "nl") == "Wat kostte het sensorproject van Eindhoven?"
    system, user = openai_server.last_messages
    assert "zelfstandige vraag" in system["content"] and "Nederlands" in system["content"]
    assert "Stratumseind" in user["content"] and "Vervolgvraag: Wat kostte dat?" in user["content"]


def test_condense_question_falls_back_to_the_question(openai_server):
    model = build_chat_model(openai_settings(openai_server.url))
    assert condense_question(model, [], "Wat kostte dat?", "nl") == "Wat kostte dat?"
    assert openai_server.requests == []  # no history, no call
    openai_server.queue.append("   ")
    assert condense_question(model, HISTORY, "Wat kostte dat?", "nl") == "Wat kostte dat?"
    openai_server.queue.extend([{"status": 500}, {"status": 500}])  # the client retries once
    assert condense_question(model, HISTORY, "What did it cost?", "en") == "What did it cost?"
    assert "Engels" in openai_server.requests[-1]["body"]["messages"][0]["content"]
