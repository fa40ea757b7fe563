"""Sessions: a random token in an HttpOnly cookie (or a bearer header for API clients),
known to the store only by its SHA-256, with a CSRF token for the forms of the session.
Logging out deletes the session, so a replayed cookie is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from ..store import Queries, Store
from .accounts import User

COOKIE = "pc_session"
QUERIES = Queries(__package__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(store: Store, user: User, hours: float) -> tuple[str, str]:
    """A new session for ``user``: its token (for the cookie) and CSRF token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = dt.datetime.now()
    store.execute(QUERIES["forget_expired_sessions"], [now])
    store.execute(QUERIES["start_session"],
                  [_digest(token), user.user_id, csrf, now, now + dt.timedelta(hours=hours)])
    return token, csrf


def resume(store: Store, token: str) -> tuple[User, str] | None:
    """The user and CSRF token of a live session of an active user, or None."""
    row = store.one(QUERIES["live_session"], [_digest(token), dt.datetime.now()])
    return (User(*row[:-1]), str(row[-1])) if row else None


def end(store: Store, token: str) -> None:
    store.execute(QUERIES["end_session"], [_digest(token)])


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one."""
    return bool(given) and hmac.compare_digest(str(given), expected)
