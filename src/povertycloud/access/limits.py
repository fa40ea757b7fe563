"""Rate limits: at most ``count`` events of one key in any ``seconds``, counted in the
store (table ``rate_events``), so that every worker of the server, and the server after
a restart, counts the same. A key (a username with a client address, an address) is kept
only as an HMAC-SHA-256 keyed by a random salt of the store, never in clear; an event is
deleted once older than its limit's window.

A request asks :meth:`RateLimit.wait` and later records its event with
:meth:`RateLimit.hit`: two requests of one key at the same moment may both pass before
either is counted, so a limit may be passed by the requests in flight, no more."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from contextlib import suppress
from dataclasses import dataclass

from ..store import Queries, Store, StoreConflict

QUERIES = Queries(__package__)


def salt(store: Store) -> str:
    """The store's salt of the keys, made on first use (by whichever worker is first)."""
    found = store.value(QUERIES["rate_key_salt"])
    if found is None:
        store.execute(QUERIES["keep_rate_key_salt"], [secrets.token_hex(32)])
        found = store.value(QUERIES["rate_key_salt"])
    return str(found)


@dataclass(frozen=True)
class RateLimit:
    name: str  # tells the limits' events apart
    count: int
    seconds: float
    salt: str  # of the store: salt(store)

    def _hash(self, key: str) -> str:
        return hmac.new(self.salt.encode(), key.encode(), hashlib.sha256).hexdigest()

    def wait(self, store: Store, key: str, *, now: float | None = None) -> float:
        """Seconds until ``key`` may have another event: 0 unless it has used up its
        events in the window, else until the oldest that must expire has."""
        now = time.time() if now is None else now
        oldest = store.value(QUERIES["rate_event_to_expire"],
                             [self.name, self._hash(key), now - self.seconds, self.count - 1])
        return 0.0 if oldest is None else float(oldest) + self.seconds - now

    def hit(self, store: Store, key: str, *, now: float | None = None) -> None:
        """Count an event of ``key``, forgetting the events the window has left behind."""
        now = time.time() if now is None else now
        _forget(store, QUERIES["forget_old_rate_events"], [self.name, now - self.seconds])
        store.execute(QUERIES["add_rate_event"], [self.name, self._hash(key), now])

    def clear(self, store: Store, key: str) -> None:
        """Forget the events of ``key`` (a login that succeeded)."""
        _forget(store, QUERIES["forget_rate_events_of_key"], [self.name, self._hash(key)])


def _forget(store: Store, sql: str, params: list[object]) -> None:
    """Delete events; when another request deletes some of the same at that moment (a
    conflict), this deletes none: they are left to expire."""
    with suppress(StoreConflict):
        store.execute(sql, params)
