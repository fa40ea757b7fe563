"""Building SQL text safely: literals are quoted, never pasted."""

from __future__ import annotations

from pathlib import Path


def literal(value: str | Path) -> str:
    """``value`` as a SQL string literal (file paths included)."""
    return "'" + str(value).replace("'", "''") + "'"
