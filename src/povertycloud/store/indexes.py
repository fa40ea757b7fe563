"""The look-ups a page makes by key, indexed where the backend needs it.

DuckDB scans its columns with min-max zone maps and needs no index for the batch work;
PostgreSQL, serving many pages at once, answers a household's file or a village's list
from an index instead of reading the table. DuckDB passes a query's filters down to
PostgreSQL, which then uses these. A table the batch work replaces (the pipeline's
results, the identification) gets its indexes again each time (``Store.replace_table``).
"""

from __future__ import annotations

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "people": (("household_id",), ("id_number",)),
    "households": (("village_code",),),
    "household_years": (("household_id", "year"),),
    "events": (("person_id",),),
    "household_indicators": (("household_id", "year"),),
    "identification": (("household_id", "year"),),
    "status_periods": (("household_id",),),
    "household_history": (("household_id",),),
    "person_history": (("person_id",),),
    "conflict_flags": (("household_id",),),
    "feed_links": (("person_id",), ("source", "record_id")),
    "proposals": (("household_id",), ("region_code",)),
    "relapse_risk": (("household_id",),),
    "audit_log": (("object_kind", "object_id"),),
}


def statements(table: str) -> list[str]:
    """CREATE INDEX for each index of ``table`` (none for a table not listed)."""
    return [f"CREATE INDEX IF NOT EXISTS {table}_by_{'_'.join(columns)} ON {table} "
            f"({', '.join(columns)})" for columns in INDEXES.get(table, ())]
