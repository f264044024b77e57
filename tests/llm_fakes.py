"""Scripted LLM servers on 127.0.0.1 that speak the real wire protocols.

The LLM backends are tested through the actual client libraries (openai via
langchain-openai, ollama via langchain-ollama) against these servers, so the
tests cover the HTTP, JSON and streaming formats and not just our own code.
Replies come from a queue, else from the first marker found in the last user
message; every request body is recorded for assertions on the prompt.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class ScriptedServer:
    """Base: a ThreadingHTTPServer in a daemon thread; use as a context manager."""

    path = ""

    def __init__(self, replies: dict[str, str] | None = None, default: str = "Geen script voor deze vraag."):
        self.replies = dict(replies or {})  # marker in the last user message -> reply
        self.queue: deque = deque()  # str replies, or {"status": 500} for an error, served first
        self.default = default
        self.requests: list[dict] = []  # {"path", "headers" (lower-case names), "body"} in arrival order
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append({"path": self.path, "headers": headers, "body": body})
                if self.path != server.path:
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                reply = server.pick(body)
                if isinstance(reply, dict):
                    return self._send(reply.get("status", 500), {"error": {"message": "scripted failure"}})
                server.respond(self, body, reply)

            def _send(self, status: int, payload: dict, content_type: str = "application/json"):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def pick(self, body: dict) -> str | dict:
        if self.queue:
            return self.queue.popleft()
        users = [m for m in body.get("messages", []) if m.get("role") == "user"]
        last = _content(users[-1]) if users else ""
        return next((reply for marker, reply in self.replies.items() if marker in last), self.default)

    @property
    def last_messages(self) -> list[dict]:
        return self.requests[-1]["body"]["messages"]

    def respond(self, handler: BaseHTTPRequestHandler, body: dict, reply: str) -> None:
        raise NotImplementedError


def _content(message: dict) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):  # OpenAI content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content


def pieces(text: str, size: int = 7) -> list[str]:
    """Split a reply into small deltas, as a model would stream it."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def _stream_lines(handler: BaseHTTPRequestHandler, content_type: str, lines: list[bytes]) -> None:
    # HTTP/1.0 without Content-Length: the body ends when the connection closes, no chunked encoding needed
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Cache-Control", "no-cache")
    handler.end_headers()
    for line in lines:
        handler.wfile.write(line)
        handler.wfile.flush()


class ScriptedOpenAI(ScriptedServer):
    """POST /v1/chat/completions: JSON, or SSE chunks ending in `data: [DONE]` when "stream" is true."""

    path = "/v1/chat/completions"

    def respond(self, handler, body, reply):
        ident, model, created = f"chatcmpl-{len(self.requests)}", body.get("model", "scripted"), int(time.time())
        if not body.get("stream"):
            handler._send(
                200,
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                            "logprobs": None,
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 100,
                        "completion_tokens": len(reply.split()),
                        "total_tokens": 100 + len(reply.split()),
                    },
                },
            )
            return

        def event(delta: dict, finish: str | None = None) -> bytes:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            }
            return f"data: {json.dumps(chunk)}\n\n".encode()

        lines = [event({"role": "assistant", "content": ""})]
        lines += [event({"content": piece}) for piece in pieces(reply)]
        lines += [event({}, "stop"), b"data: [DONE]\n\n"]
        _stream_lines(handler, "text/event-stream", lines)


class ScriptedOllama(ScriptedServer):
    """POST /api/chat, Ollama's native API: NDJSON lines with message.content, the last with done=true."""

    path = "/api/chat"

    def respond(self, handler, body, reply):
        model, now = body.get("model", "scripted"), "2024-01-01T00:00:00.000000Z"

        def line(content: str, done: bool) -> dict:
            out = {"model": model, "created_at": now, "message": {"role": "assistant", "content": content}, "done": done}
            if done:
                out.update(done_reason="stop", total_duration=1000, prompt_eval_count=100, eval_count=len(reply.split()))
            return out

        if body.get("stream") is False:
            handler._send(200, line(reply, True))
            return
        lines = [json.dumps(line(piece, False)).encode() + b"\n" for piece in pieces(reply)]
        lines.append(json.dumps(line("", True)).encode() + b"\n")
        _stream_lines(handler, "application/x-ndjson", lines)
