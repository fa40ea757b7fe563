"""Building SQL text safely: literals are quoted, never pasted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def literal(value: str | Path) -> str:
    """``value`` as a SQL string literal (file paths included)."""
    return "'" + str(value).replace("'", "''") + "'"


def literals(values: tuple[str, ...]) -> str:
    """``values`` as a parenthesised list of SQL string literals, for ``IN``."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def join_present(separator: str, parts: list[str]) -> str:
    """SQL joining the non-NULL ``parts`` with ``separator`` ('' when none)."""
    return f"CONCAT_WS({literal(separator)}, {', '.join(parts)})" if parts else "''"


NAME = r"[a-z][a-z0-9_]*"  # ids that become parts of column names


def date_literal(day: dt.date) -> str:
    """A SQL date literal of ``day`` (standard SQL: DuckDB and Spark read it)."""
    return f"DATE {literal(day.isoformat())}"
