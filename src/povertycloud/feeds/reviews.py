"""The review queue as an officer reads it: linked pairs waiting for a decision, of
registry people in a jurisdiction, the feed's record beside the person's, sensitive values
masked."""

from __future__ import annotations

from typing import Any

from ..access.privacy import mask_id_number, masked_record
from ..standard.fields import Table
from ..store import Store
from .sources import load_sources


def review_pairs(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Linked pairs waiting for an officer, of registry people whose village lies under
    ``prefix``: the feed's record beside the person, ID numbers masked."""
    if not store.has_table("feed_links"):
        return []
    pairs = store.records(
        "SELECT l.source, l.record_id, l.person_id, round(l.match_probability, 3) AS p, "
        "p.name AS registry_name, p.birth_date AS registry_birth_date, "
        "p.id_number AS registry_id_number, p.household_id, h.village_code "
        "FROM feed_links l JOIN people p USING (person_id) JOIN households h "
        "USING (household_id) WHERE l.decision = 'review' AND starts_with(h.village_code, ?) "
        "ORDER BY l.match_probability DESC LIMIT 500", [prefix])
    present = store.tables()
    feeds = {s.id: s.table for s in load_sources().values() if s.table.name in present}
    for pair in pairs:
        pair["registry_id_number"] = mask_id_number(pair["registry_id_number"])
        table = feeds.get(str(pair["source"]))
        pair["record"] = _feed_record(store, table, int(pair["record_id"])) if table else {}
    return pairs


def _feed_record(store: Store, table: Table, record_id: int) -> dict[str, Any]:
    found = store.record(f"SELECT * EXCLUDE (batch_id, recorded_at) FROM {table.name} "
                         "WHERE record_id = ?", [record_id])
    return masked_record(table, found) if found else {}
