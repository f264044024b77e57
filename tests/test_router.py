"""The router of `serve --workers N` (ui/router.py) in front of two real HTTP servers (uvicorn).

What a browser relies on: the first response names its process in a cookie and every later request
with that cookie reaches the same one; a request body arrives whole; a streamed response (Gradio's
server-sent events) arrives piece by piece, not at the end; the process sees who asked; a process that
is gone hands its browsers to another (with a new cookie); with none up the browser is told in Dutch.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.ui_support import free_port, router_in_thread
from ui.router import COOKIE, Router, cookie_replica, request_head, response_head, split_head


def backend(name: str) -> Starlette:
    async def who(request: Request):
        return JSONResponse({"name": name, "client": request.client.host, "forwarded": request.headers.get("x-forwarded-for")})

    async def echo(request: Request):
        body = await request.body()
        return JSONResponse({"name": name, "bytes": len(body), "sum": sum(body) % 65521})

    async def stream(request: Request):
        async def events():
            for i in range(3):
                yield f"data: {i}\n\n"
                await asyncio.sleep(0.4)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def login(request: Request):
        logins.append(name)
        form = await request.body()
        return JSONResponse({"ok": b"goed" in form}, status_code=200 if b"goed" in form else 401)

    routes = [Route("/who", who), Route("/echo", echo, methods=["POST"]), Route("/stream", stream)]
    return Starlette(routes=[*routes, Route("/login", login, methods=["POST"])])


logins: list[str] = []  # which process saw each login attempt


class Thread:
    """A server started on its own event loop in a thread, stopped at the end."""

    def __init__(self, serve):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(serve,), daemon=True)
        self.thread.start()


@pytest.fixture
def routed():
    ports = [free_port(), free_port()]
    servers = [
        uvicorn.Server(uvicorn.Config(backend(f"p{i}"), host="127.0.0.1", port=p, log_level="error")) for i, p in enumerate(ports)
    ]
    for server in servers:
        Thread(server.serve())
    deadline = time.monotonic() + 20
    while not all(s.started for s in servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    router = Router(ports, up={0, 1})
    url = router_in_thread(router)
    yield url, router, servers
    for server in servers:
        server.should_exit = True


def test_a_browser_stays_with_the_process_its_cookie_names(routed):
    url, _, _ = routed
    first, second = httpx.Client(), httpx.Client()
    a = first.get(f"{url}/who")
    assert a.headers["set-cookie"].startswith(f"{COOKIE}=") and "HttpOnly" in a.headers["set-cookie"]
    b = second.get(f"{url}/who")
    assert {a.json()["name"], b.json()["name"]} == {"p0", "p1"}  # two browsers, spread over both
    for _ in range(6):
        again = first.get(f"{url}/who")
        assert again.json()["name"] == a.json()["name"] and "set-cookie" not in again.headers
        assert again.headers["connection"] == "close"
    assert second.get(f"{url}/who").json()["name"] == b.json()["name"]


def test_the_process_sees_who_asked_and_a_body_arrives_whole(routed):
    url, _, _ = routed
    seen = httpx.get(f"{url}/who", headers={"X-Forwarded-For": "10.1.2.3"}).json()
    assert seen["client"] == "10.1.2.3"  # uvicorn trusts the router on 127.0.0.1: login limits see the address
    assert seen["forwarded"] == "10.1.2.3, 127.0.0.1"
    body = bytes(range(256)) * 8000  # 2 MB, as an upload
    answer = httpx.post(f"{url}/echo", content=body).json()
    assert answer["bytes"] == len(body) and answer["sum"] == sum(body) % 65521


def test_a_stream_arrives_piece_by_piece(routed):
    url, _, _ = routed
    arrivals = []
    start = time.monotonic()
    with httpx.stream("GET", f"{url}/stream") as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append((line, time.monotonic() - start))
    assert [a for a, _ in arrivals] == ["data: 0", "data: 1", "data: 2"]
    assert arrivals[0][1] < arrivals[2][1] - 0.5  # the first event came before the last was written


def test_a_process_that_is_gone_hands_its_browsers_on_and_none_up_says_so(routed):
    url, router, servers = routed
    client = httpx.Client()
    name = client.get(f"{url}/who").json()["name"]
    index = int(name[1])
    servers[index].should_exit = True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the process no longer takes connections
        try:
            httpx.get(f"http://127.0.0.1:{router.ports[index]}/who", timeout=1)
            time.sleep(0.1)
        except httpx.TransportError:
            break
    moved = client.get(f"{url}/who")  # the router was not told: it finds out by the refused connection
    assert moved.json()["name"] == f"p{1 - index}"
    assert moved.headers["set-cookie"].startswith(f"{COOKIE}={1 - index}")
    router.up.clear()
    down = httpx.get(f"{url}/who")
    assert down.status_code == 503 and "start nog" in down.text and down.headers["retry-after"] == "5"


def test_heads_as_the_process_and_the_browser_get_them():
    first, headers = split_head(
        b"GET /x HTTP/1.1\r\nHost: a:1\r\nConnection: keep-alive\r\nCookie: a=1; datalessen_replica=1\r\n\r\n"
    )
    assert first == b"GET /x HTTP/1.1" and cookie_replica(headers) == 1
    sent = request_head(first, headers, "10.0.0.9")
    assert b"Connection: close" in sent and b"keep-alive" not in sent and b"X-Forwarded-For: 10.0.0.9" in sent
    upgrade = request_head(first, [(b"Host", b"a"), (b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")], "1.2.3.4")
    assert b"Connection: Upgrade" in upgrade
    back = response_head(b"HTTP/1.1 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\n", 1)
    assert back.endswith(b"Connection: close\r\nSet-Cookie: datalessen_replica=1; Path=/; HttpOnly; SameSite=Lax\r\n\r\n")
    switching = response_head(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", None)
    assert b"Connection: Upgrade" in switching and b"close" not in switching


def test_the_choice_of_process():
    router = Router([1, 2, 3], up={0, 2})
    assert router.choose(2) == (2, False)
    assert router.choose(1)[0] in {0, 2} and router.choose(1)[1] is True  # down: another, and the browser told
    assert router.choose(None)[1] is True
    assert {router.choose(None)[0] for _ in range(4)} == {0, 2}  # new browsers take turns
    assert router.choose(2, refused={2})[0] == 0
    assert Router([1]).choose(0) == (None, False)


def test_a_connection_that_sends_no_request_is_closed(routed, monkeypatch):
    import socket

    import ui.router

    monkeypatch.setattr(ui.router, "HEAD_SECONDS", 0.3)
    url, _, _ = routed
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as idle:
        idle.sendall(b"GET /who HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        assert idle.recv(100) == b""  # closed by the router, not left open for ever


def test_an_address_that_keeps_failing_to_log_in_is_refused_by_the_router_itself(routed):
    """Each process counts only the failed logins sent to it; the router counts them all, so spreading
    guesses over the processes does not help."""
    from ui.access import FailedLogins

    url, router, _ = routed
    router.logins = FailedLogins(max_failures=3)
    logins.clear()
    assert httpx.post(f"{url}/login", content=b"password=goed").status_code == 200  # a success is not counted
    statuses = [httpx.post(f"{url}/login", content=b"password=fout").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert len(logins) == 4 and len(set(logins)) == 2  # cookieless: the attempts went to both processes
    refused = httpx.post(f"{url}/login", content=b"password=goed")
    assert refused.status_code == 429 and "Te veel mislukte inlogpogingen" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 60 and len(logins) == 4  # refused without reaching a process
    assert httpx.get(f"{url}/who").status_code == 200  # other requests from the address still pass


def test_an_upload_that_waits_for_100_continue_gets_it_and_then_its_cookie(routed):
    """curl sends large bodies after `Expect: 100-continue`: the interim answer passes as it is, and the
    cookie goes on the real answer."""
    import socket

    url, _, _ = routed
    host, port = url.removeprefix("http://").split(":")
    body = b"x" * 5000
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        interim = conn.recv(100)
        assert interim.startswith(b"HTTP/1.1 100") and b"Set-Cookie" not in interim
        conn.sendall(body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Set-Cookie: datalessen_replica=" in head
    assert b'"bytes":5000' in payload
