"""The look-ups a page makes by key, indexed where the backend needs it.

DuckDB scans its columns with min-max zone maps and needs no index for the batch work;
PostgreSQL, serving many pages at once, answers a household's file or a village's list
from an index instead of reading the table. DuckDB passes a query's filters down to
PostgreSQL, which then uses these. A table the batch work replaces (the pipeline's
results, the identification) gets its indexes again each time (``Store.replace_table``).

DuckDB compares text byte by byte and says so in the filters it passes down (``code =
'52' COLLATE "C"``); an index in the database's own collation (``C.UTF-8``, ``en_US``)
cannot answer those, so a text key is indexed in collation "C" (``TEXT``), which also
answers a prefix (``name >= '王' AND name < ...``) as a range.
"""

from __future__ import annotations

INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "regions": (("code",),),
    "people": (("household_id",), ("id_number",)),
    "households": (("village_code",),),
    "household_years": (("household_id", "year"),),
    "events": (("person_id",), ("household_id",)),
    "household_indicators": (("household_id", "year"),),
    "identification": (("household_id", "year"),),
    "status_periods": (("household_id",),),
    "household_history": (("household_id",),),
    "person_history": (("person_id",),),
    "conflict_flags": (("household_id",),),
    "registry_changes": (("household_id",),),
    "region_rollups": (("region_code", "as_of"), ("as_of",)),
    "web_identification_figures": (("region_code", "year"),),
    # beside those registry/search.py makes on either backend (id_key serves here)
    "web_people_search": (("name",), ("pinyin",), ("initials",), ("household_id",),
                          ("village_code",)),
    "feed_links": (("person_id",), ("source", "record_id")),
    "proposals": (("household_id",), ("region_code",)),
    "relapse_risk": (("household_id",),),
    "audit_log": (("object_kind", "object_id"),),
    "sessions": (("token_hash",),),
    "users": (("username",),),
    "fund_postings": (("account",),),
    "fund_entries": (("batch_id",),),
    "fund_payments": (("household_id",),),
    "fund_flags": (("region_code",), ("household_id",)),
}
TEXT = frozenset({"code", "id_number", "village_code", "region_code", "name", "pinyin",
                  "initials", "source", "object_kind", "object_id", "token_hash",
                  "username", "account"})


def statements(table: str) -> list[str]:
    """CREATE INDEX for each index of ``table`` (none for a table not listed), in
    PostgreSQL's dialect."""
    return [f"CREATE INDEX IF NOT EXISTS {_name(table, columns)} ON {table} "
            f"({', '.join(_keyed(c) for c in columns)})" for columns in INDEXES.get(table, ())]


def _name(table: str, columns: tuple[str, ...]) -> str:
    """``people_by_household_id``; ``_c`` ends the name of an index in collation "C" (an
    earlier index of the same columns in the database's collation keeps its name)."""
    collated = "_c" if TEXT.intersection(columns) else ""
    return f"{table}_by_{'_'.join(columns)}{collated}"


def _keyed(column: str) -> str:
    return f'{column} COLLATE "C"' if column in TEXT else column
