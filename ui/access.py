"""Who may log in and who may add documents, from the app settings `auth` and `admin_users`.

`auth` is "user:password[,user2:password2]"; empty means no login at all (and
then everyone on the machine may upload: the app listens on 127.0.0.1 by
default). There is never a default password.
"""

from __future__ import annotations

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
