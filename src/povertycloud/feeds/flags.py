"""Conflict flags as the officers of a jurisdiction see them: where a flag lies and how
precise each rule has proven in the field."""

from __future__ import annotations

from typing import Any

from ..store import Store
from .checks import QUERIES, report

PRECISION_COLUMNS = ("rule", "flags", "verified", "confirmed", "precision")


def village_of_flag(store: Store, flag_id: int) -> str | None:
    """The village of the flagged household, or None for an unknown flag."""
    found = store.value(QUERIES["village_of_flag"], [flag_id])
    return None if found is None else str(found)


def precision(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Per conflict rule, over the households under ``prefix``: flags, verified,
    confirmed, and the precision the field outcomes give."""
    return [dict(zip(PRECISION_COLUMNS, row, strict=True)) for row in report(store, prefix)]
