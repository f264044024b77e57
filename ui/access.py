"""Who may log in and who may add documents, from the app settings `auth` and `admin_users`.

`auth` is "user:password[,user2:password2]"; empty means no login at all (and
then everyone on the machine may upload: the app listens on 127.0.0.1 by
default, and `serve` warns when it listens elsewhere without a login). There is
never a default password. Login attempts are slowed down per account
(`LoginGuard`) and per address (`LoginThrottle`), and gradio's raw upload route
is closed to non-admins (`UploadRouteGuard`).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import time

from ui.settings import AppSettings


def parse_auth(spec: str) -> list[tuple[str, str]]:
    """'anna:geheim, bob:ook:geheim' -> [('anna', 'geheim'), ('bob', 'ook:geheim')]."""
    pairs = []
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(
                "setting auth must be 'user:password[,user2:password2]' with a non-empty password "
                f"for every user; got an entry for {user.strip() or '(no user)'!r}"
            )
        pairs.append((user.strip(), password))
    return pairs


def admin_users(app: AppSettings) -> set[str]:
    return {u.strip() for u in (app.admin_users or "").split(",") if u.strip()}


def may_upload(app: AppSettings, username: str | None) -> bool:
    """Without login everyone may; with login only the users named in `admin_users`."""
    if not parse_auth(app.auth):
        return True
    return bool(username) and username in admin_users(app)


# -- at the door: login attempts, raw uploads, exposure ------------------------------------------------


class LoginGuard:
    """Gradio's password check, slowed down for guessers (gradio itself allowed 624 attempts a second).

    Attempts for one account are taken one at a time, a wrong one costs `penalty` seconds, and
    after `max_failures` wrong ones within `window` the account is locked for `lockout` seconds
    (even the right password fails then). All accounts together are checked at most `per_second`
    times a second, so trying many user names does not help either. Waiting is `asyncio.sleep`:
    a guesser's requests wait, nobody else's. Pass the bound method `check` as gradio's `auth`.
    """

    def __init__(
        self,
        accounts: list[tuple[str, str]],
        *,
        max_failures: int = 5,
        window: float = 900.0,
        lockout: float = 300.0,
        penalty: float = 1.0,
        per_second: float = 10.0,
    ):
        self.accounts = dict(accounts)
        self.max_failures, self.window, self.lockout, self.penalty = max_failures, window, lockout, penalty
        self.interval = 1.0 / per_second
        self.failures: dict[str, list[float]] = {}
        self._account_locks: dict[str, asyncio.Lock] = {}
        self._pace = asyncio.Lock()
        self._next_slot = 0.0
        self.checked = 0  # passwords compared
        self.refused_locked = 0  # attempts refused without comparing: account locked

    async def check(self, username: str, password: str) -> bool:
        key = (username or "").strip().casefold()
        async with self._account_lock(key):
            now = time.monotonic()
            recent = [t for t in self.failures.get(key, []) if now - t < self.window]
            if len(recent) >= self.max_failures and now - recent[-1] < self.lockout:
                self.refused_locked += 1
                await asyncio.sleep(self.penalty)
                return False
            await self._wait_for_slot()
            self.checked += 1
            expected = self.accounts.get(username)
            if expected is not None and hmac.compare_digest(password.encode(), expected.encode()):
                self.failures.pop(key, None)
                return True
            self.failures[key] = [*recent, time.monotonic()]
            await asyncio.sleep(self.penalty)
            return False

    def _account_lock(self, key: str) -> asyncio.Lock:
        if len(self._account_locks) > 10_000:  # names sprayed by a guesser: forget the idle ones
            self._account_locks = {k: lock for k, lock in self._account_locks.items() if lock.locked()}
        return self._account_locks.setdefault(key, asyncio.Lock())

    async def _wait_for_slot(self) -> None:
        async with self._pace:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        await asyncio.sleep(slot - now)


LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]")
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(app: AppSettings) -> str | None:
    """One line when the app listens beyond this computer without a login, else None."""
    if is_loopback(app.host) or parse_auth(app.auth):
        return None
    return (
        f"Let op: de app luistert op {app.host} zonder login: iedereen die deze computer via het netwerk bereikt, "
        f"kan vragen stellen en documenten toevoegen. Zet een login aan (DATALESSEN_AUTH en DATALESSEN_ADMIN_USERS) "
        f"of luister alleen op 127.0.0.1 (DATALESSEN_HOST)."
    )


UPLOAD_ROUTES = ("/upload", "/process_recording")  # gradio's routes that write a request's files to disk


class UploadRouteGuard:
    """ASGI middleware: with a login, only admins may send files to gradio's raw upload routes.

    The app refuses to ingest a non-admin's upload, but gradio's own `/gradio_api/upload` stored
    whatever any logged-in user posted (50 MB a file, without end) before the app was asked.
    The user is found as gradio finds it: the session cookie's token in the app's `tokens`.
    """

    def __init__(self, app, settings: AppSettings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and self._writes_files(scope) and parse_auth(self.settings.auth):
            user = self._user(scope)
            if not may_upload(self.settings, user):
                status = 401 if user is None else 403
                body = json.dumps({"detail": "Alleen beheerders mogen bestanden uploaden."}).encode()
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _writes_files(scope) -> bool:
        path = scope["path"].rstrip("/")
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        return path.endswith(UPLOAD_ROUTES) or content_type.startswith(b"multipart/form-data")

    @staticmethod
    def _user(scope) -> str | None:
        gradio_app = scope.get("app")
        tokens, cookie_id = getattr(gradio_app, "tokens", {}), getattr(gradio_app, "cookie_id", "")
        cookies = {}
        for name, value in scope.get("headers") or []:
            if name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _, val = part.strip().partition("=")
                    cookies[key] = val
        token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
        return tokens.get(token)


class FailedLogins:
    """Failed logins per address: after `max_failures` within `window` seconds an address is refused
    for `lockout` seconds. Kept by the app (`LoginThrottle`) and, with `serve --workers`, by the router
    in front of the processes, which each count only the attempts that reach them."""

    def __init__(self, max_failures: int = 20, window: float = 900.0, lockout: float = 300.0):
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self.failures: dict[str, list[float]] = {}

    def refused(self, address: str) -> float | None:
        """Seconds this address must wait before it may try again, or None."""
        now = time.monotonic()
        recent = [t for t in self.failures.get(address, []) if now - t < self.window]
        self.failures[address] = recent
        if len(recent) >= self.max_failures and now - recent[-1] < self.lockout:
            return self.lockout - (now - recent[-1])
        return None

    def attempt(self, address: str) -> float:
        """Counted as failed from the start, so that many attempts at once cannot all slip in before the
        first answer; `answered` takes it back when the login succeeds."""
        now = time.monotonic()
        if len(self.failures) > 10_000:  # many addresses: forget those without recent failures
            self.failures = {a: ts for a, ts in self.failures.items() if ts and now - ts[-1] < self.window}
        self.failures.setdefault(address, []).append(now)
        return now

    def answered(self, address: str, attempt: float, status: int) -> None:
        if status not in (400, 401):
            try:
                self.failures.get(address, []).remove(attempt)
            except ValueError:
                pass

    @staticmethod
    def is_login(method: str, path: str) -> bool:
        return method == "POST" and path.split("?", 1)[0].rstrip("/").endswith("/login")


class LoginThrottle:
    """ASGI middleware: one address that keeps failing to log in is refused for a while (429, in Dutch).

    `LoginGuard` sees user names, not addresses; this sees addresses (`FailedLogins`). Behind a reverse
    proxy every request has the proxy's address, unless it says who asked in `X-Forwarded-For` from
    127.0.0.1 (as the router of `serve --workers` does): the limit then holds for all together, and the
    per-account lockout still applies.
    """

    def __init__(self, app, max_failures: int = 20, window: float = 900.0, lockout: float = 300.0):
        self.app = app
        self.logins = FailedLogins(max_failures, window, lockout)

    async def __call__(self, scope, receive, send):
        if not (scope["type"] == "http" and FailedLogins.is_login(scope["method"], scope["path"])):
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("?", 0))[0]
        wait = self.logins.refused(address)
        if wait is not None:
            body, headers = too_many_logins(wait)
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        attempt = self.logins.attempt(address)

        async def watch(message):
            if message["type"] == "http.response.start":
                self.logins.answered(address, attempt, message["status"])
            await send(message)

        await self.app(scope, receive, watch)


def too_many_logins(wait: float) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The 429's body and headers, the same from the app and from the router."""
    minutes = max(1, round(wait / 60))
    detail = f"Te veel mislukte inlogpogingen vanaf dit adres; probeer het over {minutes} min opnieuw."
    headers = [(b"content-type", b"application/json"), (b"retry-after", str(minutes * 60).encode())]
    return json.dumps({"detail": detail}).encode(), headers
