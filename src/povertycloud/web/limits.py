"""Rate limits kept in memory: at most ``count`` events per key in a sliding window, and
the 429 answer that says when to try again."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from fastapi import HTTPException


class RateLimit:
    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= now - self.seconds:
            events.popleft()
        return events

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may have another event: 0 unless it has used up its
        events in the window, else until the oldest that must expire has."""
        with self._lock:
            now = time.monotonic()
            events = self._recent(key, now)
            if len(events) < self.count:
                return 0.0
            return events[len(events) - self.count] + self.seconds - now

    def hit(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


def too_many(seconds: float, message: str) -> HTTPException:
    """A 429 answer with ``Retry-After``: the whole seconds until the limit lets the
    client try again."""
    return HTTPException(429, message, headers={"Retry-After": str(max(1, math.ceil(seconds)))})
