"""The answer of a rate limit (access/limits.py) that is reached: 429, saying when to
try again."""

from __future__ import annotations

import math

from fastapi import HTTPException


def too_many(seconds: float, message: str) -> HTTPException:
    """A 429 answer with ``Retry-After``: the whole seconds until the limit lets the
    client try again."""
    return HTTPException(429, message, headers={"Retry-After": str(max(1, math.ceil(seconds)))})
