"""Field visits, logged from a phone one at a time or synchronised as a batch: who visited
which household when, where the phone was, what was done and the next step. A visit in
the future, to a household the officer does not help, or without a place is refused; a
plausible-looking one is still flagged when it was far from the household's village, or
too fast after the officer's visit before it (too little time, or a speed no road
allows). The whole batch or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..access.accounts import User
from ..access.audit import record
from ..intake import readers
from ..intake.refusals import refuse_missing_columns, refuse_rows
from ..sqltext import literal
from ..store import Store
from .geo import haversine_sql, km_outside
from .officer_rules import OfficerRules
from .plans import QUERIES, stamp

SKEW = dt.timedelta(minutes=5)  # a phone's clock ahead by this much is not the future
SCHEMA = pa.schema([("household_id", pa.int64()), ("visited_at", pa.timestamp("us")),
                    ("lat", pa.float64()), ("lon", pa.float64()), ("done", pa.string()),
                    ("next_step", pa.string())])


@dataclass(frozen=True)
class Logged:
    visits: int
    far_away: int
    too_fast: int
    first_id: int
    repeated: int = 0  # visits of the file kept already (sent again): not kept twice


def log_visit(store: Store, rules: OfficerRules, by: User, household: int,
              visited_at: dt.datetime, lat: float | None, lon: float | None, done: str,
              next_step: str | None = None, source: str = "phone") -> Logged:
    """One visit by ``by``."""
    visit = pa.Table.from_pylist([{"household_id": household, "visited_at": visited_at,
                                   "lat": lat, "lon": lon, "done": done,
                                   "next_step": next_step}], schema=SCHEMA)
    return record_visits(store, rules, by, visit, source)


def record_visits(store: Store, rules: OfficerRules, by: User, visits: pa.Table,
                  source: str, now: dt.datetime | None = None) -> Logged:
    """The visits of ``by`` (``SCHEMA``; row n of the table is row n + 1 of its file),
    checked and flagged, all or none."""
    now = now or stamp()
    rows = visits.column("_row") if "_row" in visits.column_names else \
        pa.array(range(2, visits.num_rows + 2), pa.int64())
    visits = visits.select(SCHEMA.names).cast(SCHEMA).append_column("_row", rows)
    with store.registered("_visits_in", visits):
        store.execute(QUERIES["stage_visits"], [by.username])
    try:
        _refuse_bad_rows(store, by, now, source)
        _flag(store, rules, by)
    except BaseException:
        store.execute("DROP TABLE IF EXISTS _visits")
        raise
    counts = store.one(QUERIES["staged_visit_flags"]) or (0, 0, 0, 0)
    with store.transaction():
        first = store.draw("visit_ids", int(counts[0]))
        store.execute(QUERIES["insert_visits"], [first, by.username, source, now])
        record(store, by, "log_visits", "visit", str(first + 1), by.region_code,
               f"{counts[0]} visits from {source}")
        store.execute("DROP TABLE _visits")  # before the commit, the last write
    return Logged(int(counts[0]), int(counts[1]), int(counts[2]), first + 1, int(counts[3]))


def import_visits(store: Store, rules: OfficerRules, by: User, path: Path) -> Logged:
    """The visits of the file ``path`` (CSV, Excel, JSON or Parquet with the columns of
    ``SCHEMA``), as :func:`record_visits`; a missing column refused."""
    columns = readers.stage(store, path, "_visit_file")
    refuse_missing_columns(columns, SCHEMA.names, str(path), "a visits file",
                           "no visit recorded")
    table = store.arrow(QUERIES["visit_file"])
    store.execute("DROP TABLE _visit_file")
    return record_visits(store, rules, by, table, str(path))


def visits_in(store: Store, prefix: str, officer: str | None = None, flagged: bool = False,
              limit: int = 100) -> list[dict[str, Any]]:
    """Visits in the villages under ``prefix`` (of one officer, only flagged ones), the
    latest first."""
    return store.records(QUERIES["visits_in"], [prefix, officer, flagged, limit])


def _refuse_bad_rows(store: Store, by: User, now: dt.datetime, source: str) -> None:
    future = literal((now + SKEW).isoformat(sep=" ", timespec="seconds"))
    unpaired = "true" if by.role == "field_officer" else "false"  # officers visit any
    checks = [
        ("household_id", "household_id IS NULL", "'missing or not a household id'"),
        ("household_id", "household_id IS NOT NULL AND village_code IS NULL",
         "'household ' || household_id || ' is not in the registry'"),
        ("household_id", f"village_code IS NOT NULL AND NOT starts_with(village_code, "
                         f"{literal(by.prefix)})",
         f"'household ' || household_id || ' is outside the jurisdiction of {by.username}'"),
        ("household_id", f"village_code IS NOT NULL AND visited_at IS NOT NULL AND {unpaired} AND "
                         "NOT paired",
         f"'{by.username} does not help household ' || household_id || ' on that day'"),
        ("visited_at", "visited_at IS NULL",
         "'the time of the visit is missing or not a time (YYYY-MM-DD HH:MM)'"),
        ("visited_at", f"visited_at > CAST({future} AS TIMESTAMP)",
         "'the visit is in the future (' || visited_at || ')'"),
        ("lat", "lat IS NULL OR lon IS NULL OR lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN "
                "-180 AND 180", "'no position: latitude and longitude in degrees'"),
        ("done", "coalesce(trim(done), '') = ''", "'what was done is missing'"),
    ]
    refuse_rows(store, "_visits", checks, source, "no visit recorded")


def _flag(store: Store, rules: OfficerRules, by: User) -> None:
    """Far from the village (shapely, on the boundaries), then too fast after the visit
    before (SQL, over this officer's stored visits and these)."""
    staged = store.arrow("SELECT _row, boundary, lat, lon FROM _visits ORDER BY _row")
    km = km_outside(staged.column("boundary").to_pylist(), staged.column("lat").to_pylist(),
                    staged.column("lon").to_pylist())
    with store.registered("_visits_km", pa.table({"_row": staged.column("_row"),
                                                  "km": pa.array(km, pa.float64())})):
        store.execute(QUERIES["visits_far"], [rules.far_km, rules.far_km])
    distance = haversine_sql("p_lat", "p_lon", "lat", "lon")
    store.execute(QUERIES["visits_too_fast"].replace("{distance}", distance),
                  [by.username, rules.min_minutes, rules.min_minutes, rules.max_speed_kmh])
