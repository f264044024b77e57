"""The router in front of the app processes of `serve --workers N`: each browser kept with one of them.

Gradio keeps a session's state (the open conversation, a login) in the process that started it, so a
browser has to stay with one process: the first response the router gives it sets a cookie naming that
process, the session affinity Gradio's own client expects of replicas (gradio_client keeps the cookies of
`/config`). A client that keeps no cookies is placed anew on every request, so with more than one worker
it must keep them (`curl -c/-b`).

The router copies bytes and little more: it reads a request's head, picks the process, adds who asked
(`X-Forwarded-For`, which the app's server trusts from 127.0.0.1, so per-address login limits still see
the address), and pipes both ways until the process has answered; one request per connection
(`Connection: close`), so nothing has to be understood about the response beyond its head. It counts
failed logins per address itself too (`ui.access.FailedLogins`): each process sees only the attempts
sent to it, and a guesser could otherwise spread them over the processes.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from ui.access import FailedLogins, too_many_logins

COOKIE = "datalessen_replica"
HEAD_LIMIT = 64 * 1024
HEAD_SECONDS = 30.0  # a connection that sends no complete request head in this time is closed
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection"}
STARTING = "De app start nog; probeer het over een paar seconden opnieuw."


def split_head(head: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' -> (b'GET / HTTP/1.1', [(b'Host', b'x')])."""
    first, *lines = head.rstrip(b"\r\n").split(b"\r\n")
    headers = []
    for line in lines:
        name, _, value = line.partition(b":")
        headers.append((name.strip(), value.strip()))
    return first, headers


def join_head(first: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    return b"\r\n".join([first, *(name + b": " + value for name, value in headers)]) + b"\r\n\r\n"


def header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for n, v in headers if n.lower() == name), None)


def cookie_replica(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() != b"cookie":
            continue
        for part in value.split(b";"):
            key, _, val = part.strip().partition(b"=")
            if key == COOKIE.encode() and val.isdigit():
                return int(val)
    return None


def is_upgrade(headers: list[tuple[bytes, bytes]]) -> bool:
    connection = (header(headers, b"connection") or b"").lower()
    return b"upgrade" in connection and header(headers, b"upgrade") is not None


def request_head(first: bytes, headers: list[tuple[bytes, bytes]], peer: str) -> bytes:
    """The head sent on to a process: one request per connection, and who asked."""
    upgrade = is_upgrade(headers)
    kept = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]
    forwarded = header(kept, b"x-forwarded-for")
    kept = [(n, v) for n, v in kept if n.lower() != b"x-forwarded-for"]
    kept.append((b"X-Forwarded-For", forwarded + b", " + peer.encode() if forwarded else peer.encode()))
    if header(kept, b"x-forwarded-proto") is None:
        kept.append((b"X-Forwarded-Proto", b"http"))
    kept.append((b"Connection", b"Upgrade" if upgrade else b"close"))
    return join_head(first, kept)


def response_head(head: bytes, set_cookie: int | None) -> bytes:
    """The process's response head as the browser gets it: closed after it, with the affinity cookie when new."""
    first, headers = split_head(head)
    if status_of(first) != 101:  # a switch of protocol keeps its connection
        headers = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP] + [(b"Connection", b"close")]
    if set_cookie is not None:
        headers.append((b"Set-Cookie", f"{COOKIE}={set_cookie}; Path=/; HttpOnly; SameSite=Lax".encode()))
    return join_head(first, headers)


def plain_response(status: str, body: bytes, headers: list[tuple[bytes, bytes]] = ()) -> bytes:
    """A whole response of the router's own (503 while starting, 502, 429), closed after it."""
    head = [f"HTTP/1.1 {status}".encode(), *(name + b": " + value for name, value in headers)]
    head += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def plain_text(status: str, text: str) -> bytes:
    return plain_response(status, text.encode(), [(b"Content-Type", b"text/plain; charset=utf-8"), (b"Retry-After", b"5")])


def status_of(head: bytes) -> int:
    """b'HTTP/1.1 401 Unauthorized...' -> 401 (0 when it is no status line)."""
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def refusal(wait: float) -> bytes:
    """429 for an address that failed to log in too often, as the app itself words it."""
    body, headers = too_many_logins(wait)
    return plain_response("429 Too Many Requests", body, headers)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()


@dataclass
class Router:
    """Which process answers a request: the one its cookie names, else the next that is up (and a cookie)."""

    ports: list[int]
    up: set[int] = field(default_factory=set)
    # failed logins per address, counted here too: each process sees only the attempts sent to it
    logins: FailedLogins = field(default_factory=FailedLogins)
    _turn: int = 0

    def choose(self, wanted: int | None, refused: set[int] = frozenset()) -> tuple[int | None, bool]:
        """(process, whether the browser must be told), or (None, False) when none is up."""
        if wanted is not None and wanted in self.up and wanted not in refused:
            return wanted, False
        candidates = sorted(self.up - refused)
        if not candidates:
            return None, False
        self._turn += 1
        return candidates[self._turn % len(candidates)], True

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        backend_writer = None
        try:
            try:
                head = await asyncio.wait_for(client_reader.readuntil(b"\r\n\r\n"), HEAD_SECONDS)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, asyncio.TimeoutError):
                return
            first, headers = split_head(head)
            peer = (client_writer.get_extra_info("peername") or ("?",))[0]
            method, path = (first.decode("latin-1").split(" ") + ["", ""])[:2]
            login = None
            if FailedLogins.is_login(method, path):
                wait = self.logins.refused(peer)
                if wait is not None:
                    client_writer.write(refusal(wait))
                    await client_writer.drain()
                    return
                login = self.logins.attempt(peer)
            wanted, refused = cookie_replica(headers), set()
            while True:
                index, tell = self.choose(wanted, refused)
                if index is None:
                    client_writer.write(plain_text("503 Service Unavailable", STARTING))
                    await client_writer.drain()
                    return
                try:
                    backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", self.ports[index])
                    break
                except OSError:  # the process is gone or restarting: another one takes this browser
                    refused.add(index)
            backend_writer.write(request_head(first, headers, peer))
            upstream = asyncio.ensure_future(pipe(client_reader, backend_writer))
            try:
                try:
                    answer = await backend_reader.readuntil(b"\r\n\r\n")
                    while 100 <= status_of(answer) < 200 and status_of(answer) != 101:  # "100 Continue": as it is
                        client_writer.write(answer)
                        answer = await backend_reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    client_writer.write(plain_text("502 Bad Gateway", "Het werkproces van de app gaf geen antwoord."))
                    await client_writer.drain()
                    return
                if login is not None:
                    self.logins.answered(peer, login, status_of(answer))
                client_writer.write(response_head(answer, index if tell else None))
                await pipe(backend_reader, client_writer)
            finally:
                upstream.cancel()
        except (ConnectionError, asyncio.CancelledError):  # the browser left, or the router stops
            pass
        finally:
            for writer in (backend_writer, client_writer):
                if writer is not None:
                    writer.close()
