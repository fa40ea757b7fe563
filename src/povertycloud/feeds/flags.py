"""Conflict flags as the officers of a jurisdiction see them: where a flag lies, its
evidence (the feed's record, masked like the household file unless unmasked), and how
precise each rule has proven in the field."""

from __future__ import annotations

import json
from typing import Any

from ..access.privacy import HIDDEN, masked_record
from ..store import Store
from .checks import QUERIES, open_flags, report
from .sources import load_sources

PRECISION_COLUMNS = ("rule", "flags", "verified", "confirmed", "precision")


def village_of_flag(store: Store, flag_id: int) -> str | None:
    """The village of the flagged household, or None for an unknown flag."""
    found = store.value(QUERIES["village_of_flag"], [flag_id])
    return None if found is None else str(found)


def flags_of(store: Store, prefix: str, unmasked: int | None = None
             ) -> list[dict[str, Any]]:
    """Flags of households under ``prefix``, unverified first, each with its evidence as
    a record: sensitive values masked, except those of flag ``unmasked`` (a read the
    caller audits)."""
    tables = {s.id: s.table for s in load_sources().values()}
    flags = open_flags(store, prefix)
    for flag in flags:
        evidence = json.loads(flag["evidence"] or "{}")
        for bookkeeping in ("batch_id", "recorded_at"):
            evidence.pop(bookkeeping, None)
        table = tables.get(flag["source"])
        if flag["flag_id"] != unmasked:  # a source unknown now: every value hidden
            evidence = (masked_record(table, evidence) if table
                        else dict.fromkeys(evidence, HIDDEN))
        flag["evidence"] = evidence
    return flags


def precision(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Per conflict rule, over the households under ``prefix``: flags, verified,
    confirmed, and the precision the field outcomes give."""
    return [dict(zip(PRECISION_COLUMNS, row, strict=True)) for row in report(store, prefix)]
