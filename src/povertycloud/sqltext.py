"""Building SQL text safely: literals are quoted, never pasted."""

from __future__ import annotations

from pathlib import Path


def literal(value: str | Path) -> str:
    """``value`` as a SQL string literal (file paths included)."""
    return "'" + str(value).replace("'", "''") + "'"


def join_present(separator: str, parts: list[str]) -> str:
    """SQL joining the non-NULL ``parts`` with ``separator`` ('' when none). Written with
    lists rather than CONCAT_WS, which sqlglot rewrites for Spark to keep empty parts."""
    return (f"ARRAY_TO_STRING(LIST_FILTER([{', '.join(parts)}], x -> x IS NOT NULL), "
            f"{literal(separator)})")


NAME = r"[a-z][a-z0-9_]*"  # ids that become parts of column names
