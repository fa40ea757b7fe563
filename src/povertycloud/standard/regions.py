"""Statistical division codes: 12 digits, 2 for the province, 2 prefecture, 2 county,
3 township and 3 village. A level's code ends in zeros below it."""

from __future__ import annotations

import re

from ..errors import PovertyCloudError
from .codes import LEVELS

# Digits of the code that belong to each level and above.
PREFIX_LENGTH = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}


def own_digits(code: str, level: str) -> str:
    """The digits of ``code`` that belong to ``level`` alone."""
    i = LEVELS.index(level)
    start = PREFIX_LENGTH[LEVELS[i - 1]] if i else 0
    return code[start:PREFIX_LENGTH[level]]


def level_of(code: str) -> str:
    """The level of a code: its deepest level with non-zero digits."""
    for level in reversed(LEVELS):
        if own_digits(code, level).strip("0"):
            return level
    raise ValueError(f"region code {code!r} has no non-zero part")


def prefix(code: str) -> str:
    """The leading digits of every code within ``code`` (itself included): as many as
    its level has, zeros and all (520121100000, a township: 520121100)."""
    return code[:PREFIX_LENGTH[level_of(code)]]


def check_level(level: str) -> None:
    """Refuse a level the standard does not have."""
    if level not in LEVELS:
        raise PovertyCloudError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")


def level_below(code: str) -> str | None:
    """The level of the regions directly below ``code`` (None below a village)."""
    i = LEVELS.index(level_of(code))
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def _above(level: str) -> str:
    return LEVELS[max(LEVELS.index(level) - 1, 0)]


def ancestor(code: str, level: str) -> str:
    """The code of ``code``'s ancestor at ``level`` (itself at its own level)."""
    n = PREFIX_LENGTH[level]
    return code[:n] + "0" * (12 - n)


def parent(code: str) -> str | None:
    level = level_of(code)
    return None if level == "province" else ancestor(code, _above(level))


def problem(code: str) -> str | None:
    """Why ``code`` is not a well-formed 12-digit division code, or None."""
    if len(code) != 12 or not re.fullmatch(r"[0-9]{12}", code):
        return "must be 12 digits"
    try:
        level = level_of(code)
    except ValueError as exc:
        return str(exc)
    for above in LEVELS[:LEVELS.index(level)]:
        if not own_digits(code, above).strip("0"):
            return f"{above} digits are zero in a {level} code"
    return None


def sql_ancestor(column: str, level: str) -> str:
    """A portable SQL expression for the ancestor code of ``column`` at ``level``."""
    n = PREFIX_LENGTH[level]
    if n == 12:
        return column
    return f"(SUBSTRING({column}, 1, {n}) || '{'0' * (12 - n)}')"


def sql_level(column: str) -> str:
    """A portable SQL expression for the level of a well-formed code."""
    cases = " ".join(
        f"WHEN SUBSTRING({column}, {PREFIX_LENGTH[lv] + 1}, {12 - PREFIX_LENGTH[lv]}) = "
        f"'{'0' * (12 - PREFIX_LENGTH[lv])}' THEN '{lv}'"
        for lv in LEVELS[:-1])
    return f"(CASE {cases} ELSE 'village' END)"
