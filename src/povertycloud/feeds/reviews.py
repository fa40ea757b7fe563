"""The review queue as an officer reads it: feed records whose linked pairs wait for a
decision, of registry people in a jurisdiction. Each record stands beside its candidate
people (rivals side by side), each candidate with why the pair is under review, the
evidence (Splink's waterfall: the weight of each comparison for and against) and the
household context (its other members; whether two candidates share a household, as twins
do, or a village, as namesakes do); sensitive values masked."""

from __future__ import annotations

import json
from typing import Any

from ..access.privacy import mask_id_number, masked_fields, masked_record, masked_value
from ..standard.fields import Table
from ..store import Store
from .checks import QUERIES
from .sources import load_sources

SHARED = ("household", "village")  # what a candidate shares with another of the record


def review_pairs(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Feed records with pairs waiting for an officer, of registry people whose village
    lies under ``prefix``, the likeliest first: the record (masked; ``coded``, its
    fields whose values are codes) and its candidates, the likeliest first, with
    ``candidates_in_all`` the record's pairs under review (some may lie outside the
    jurisdiction)."""
    if not store.has_table("feed_links"):
        return []
    pairs = store.records(QUERIES["review_pairs"], {"prefix": prefix})
    present = store.tables()
    feeds = {s.id: s.table for s in load_sources().values() if s.table.name in present}
    members = _members(store, sorted({int(p["household_id"]) for p in pairs}))
    records: dict[tuple[str, int], dict[str, Any]] = {}
    for pair in pairs:
        source, record_id = str(pair["source"]), int(pair["record_id"])
        table, in_all = feeds.get(source), pair.pop("candidates")
        record = records.get((source, record_id))
        if record is None:
            record = records[source, record_id] = {
                "source": source, "record_id": record_id,
                "record": _feed_record(store, table, record_id) if table else {},
                "coded": [f.name for f in table.fields if f.values] if table else [],
                "candidates_in_all": in_all, "candidates": []}
        pair["registry_id_number"] = mask_id_number(pair["registry_id_number"])
        pair["evidence"] = _evidence(pair["evidence"], table)
        pair["members"] = [m for m in members.get(int(pair["household_id"]), [])
                           if m["person_id"] != pair["person_id"]]
        record["candidates"].append(pair)
    for record in records.values():
        _shared(record["candidates"])
    return list(records.values())


def _members(store: Store, households: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The members of ``households`` (names are not sensitive: shown as on the
    household file)."""
    out: dict[int, list[dict[str, Any]]] = {}
    if households:
        for m in store.records(QUERIES["household_members"], {"households": households}):
            out.setdefault(int(m.pop("household_id")), []).append(m)
    return out


def _evidence(text: str | None, table: Table | None) -> list[dict[str, Any]]:
    """The waterfall of a pair, its values of sensitive fields masked (both the feed's
    and the registry's, as the feed's table marks them)."""
    steps: list[dict[str, Any]] = json.loads(text) if text else []
    masked = set(masked_fields(table)) if table else set()
    for step in steps:
        if step["column"] in masked:
            for side in ("left", "right"):
                step[side] = masked_value(step["column"], step.get(side))
    return steps


def _shared(candidates: list[dict[str, Any]]) -> None:
    """Mark each candidate that shares a household (twins?) or else a village
    (namesakes?) with another candidate of the same record."""
    for c in candidates:
        others = [o for o in candidates if o is not c]
        household, village = SHARED
        c["shares"] = (household if any(o["household_id"] == c["household_id"]
                                        for o in others)
                       else village if any(o["village_code"] == c["village_code"]
                                           for o in others) else None)


def _feed_record(store: Store, table: Table, record_id: int) -> dict[str, Any]:
    found = store.record(f"SELECT * EXCLUDE (batch_id, recorded_at) FROM {table.name} "
                         "WHERE record_id = ?", [record_id])
    return masked_record(table, found) if found else {}
