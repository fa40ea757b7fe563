"""The figures of the dashboards and the portal, per region.

Registry figures come from the batch pipeline's ``region_rollups`` (each year's end).
Identification figures (by proposal, band, primary cause and failing guarantee) are
summed once per identification run into ``web_identification_figures``, long format,
every level at once, so a dashboard reads a few hundred rows, never the households.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

from ..errors import NotFound, PovertyCloudError
from ..standard.codes import LEVELS
from ..standard.regions import sql_ancestor
from ..store import atomic, records, scalar
from .rollups import periods_current, rollup_as_of_sql

FIGURES = "web_identification_figures"


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The store's own tables (not views, not temporary objects)."""
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND database_name = current_database()").fetchall()}


def _latest_run(con: duckdb.DuckDBPyConnection) -> int:
    if "identification_runs" not in tables(con):
        return 0
    return scalar(con, "SELECT coalesce(max(run_id), 0) FROM identification_runs")


def refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Sum the identification per region if a run happened since the last sums; returns
    whether it did."""
    run = _latest_run(con)
    kept = con.execute("SELECT value FROM pc_meta WHERE key = 'web_figures_run'").fetchone()
    if kept is not None and int(kept[0]) == run and FIGURES in tables(con):
        return False
    with atomic(con):
        con.execute(f"CREATE OR REPLACE TABLE {FIGURES} AS {_figures_sql() if run else _EMPTY}")
        con.execute("INSERT OR REPLACE INTO pc_meta VALUES ('web_figures_run', ?)", [str(run)])
    return True


_EMPTY = ("SELECT 0::BIGINT AS year, ''::VARCHAR AS region_code, ''::VARCHAR AS level, "
          "''::VARCHAR AS dimension, ''::VARCHAR AS key, 0::BIGINT AS households, "
          "0::BIGINT AS people WHERE FALSE")


def _figures_sql() -> str:
    per_village = """
SELECT year, village_code, 'proposal' AS dimension, proposal AS key, count(*) AS households,
  sum(members) AS people FROM identification GROUP BY ALL
UNION ALL SELECT year, village_code, 'band', band, count(*), sum(members)
  FROM identification GROUP BY ALL
UNION ALL SELECT year, village_code, 'primary_cause', primary_cause, count(*), sum(members)
  FROM identification WHERE primary_cause IS NOT NULL GROUP BY ALL
UNION ALL SELECT year, village_code, 'guarantee', substr(name, 3), count(*), sum(members)
  FROM (UNPIVOT (SELECT year, village_code, members, COLUMNS('^g_') FROM identification)
        ON COLUMNS('^g_') INTO NAME name VALUE ok) WHERE NOT ok GROUP BY ALL"""
    levels = " UNION ALL ".join(
        f"SELECT year, {sql_ancestor('village_code', level)} AS region_code, "
        f"'{level}' AS level, dimension, key, sum(households)::BIGINT AS households, "
        f"sum(people)::BIGINT AS people FROM v GROUP BY ALL" for level in LEVELS)
    return f"WITH v AS ({per_village}) {levels} ORDER BY region_code, year"


def region(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, Any]:
    row = records(con.execute("SELECT code, name, level, parent_code FROM regions WHERE code = ?",
                           [code]))
    if not row:
        raise NotFound(f"no region {code}")
    return row[0]


def breadcrumbs(con: duckdb.DuckDBPyConnection, code: str, top: str) -> list[dict[str, Any]]:
    """The regions from ``top`` down to ``code``."""
    trail = []
    current: str | None = code
    while current:
        r = region(con, current)
        trail.append(r)
        if current == top:
            break
        current = r["parent_code"]
    return trail[::-1]


def latest_as_of(con: duckdb.DuckDBPyConnection) -> Any:
    if "region_rollups" not in tables(con):
        raise PovertyCloudError("the store has no region roll-ups yet: run "
                                "`povertycloud pipeline --db STORE` first")
    row = con.execute("SELECT max(as_of) FROM region_rollups").fetchone()
    return row[0] if row else None


def registry_rows(con: duckdb.DuckDBPyConnection, as_of: dt.date | None
                  ) -> tuple[str, list[Any], Any]:
    """(a FROM item of region roll-up rows, its parameters, the day they are of): the
    pipeline's figures at the last year's end (or at a stored year's end while no status
    changed since the pipeline ran), else the registry's history rolled up live."""
    if as_of is None or (periods_current(con) and con.execute(
            "SELECT count(*) FROM region_rollups WHERE as_of = ?", [as_of]).fetchone() != (0,)):
        day = as_of or latest_as_of(con)
        return "(SELECT * FROM region_rollups WHERE as_of = ?)", [day], day
    latest_as_of(con)  # the pipeline has run
    return f"({rollup_as_of_sql(con, as_of)})", [], as_of


def summary(con: duckdb.DuckDBPyConnection, code: str, as_of: dt.date | None = None
            ) -> dict[str, Any]:
    """Headline figures of a region: the registry at the last year's end (or on
    ``as_of``), and the latest identification by proposal, band, primary cause and
    failing guarantee."""
    info = region(con, code)
    rows, params, day = registry_rows(con, as_of)
    registry = records(con.execute(f"SELECT * EXCLUDE (region_code, level) FROM {rows} "
                                   "WHERE region_code = ?", [*params, code]))
    year_row = con.execute(f"SELECT max(year) FROM {FIGURES} WHERE region_code = ?",
                           [code]).fetchone()
    year = year_row[0] if year_row else None
    breakdown: dict[str, list[dict[str, Any]]] = {}
    for r in records(con.execute(f"SELECT dimension, key, households, people FROM {FIGURES} "
                              "WHERE region_code = ? AND year = ? ORDER BY dimension, "
                              "households DESC", [code, year])):
        breakdown.setdefault(r.pop("dimension"), []).append(r)
    return info | {"as_of": day, "registry": registry[0] if registry else None,
                   "identification_year": year, "identification": breakdown}


def trend(con: duckdb.DuckDBPyConnection, code: str) -> list[dict[str, Any]]:
    """The registry figures of a region at each year's end."""
    region(con, code)
    return records(con.execute("SELECT * EXCLUDE (region_code, level) FROM region_rollups "
                            "WHERE region_code = ? ORDER BY as_of", [code]))


def children(con: duckdb.DuckDBPyConnection, code: str, as_of: dt.date | None = None
             ) -> list[dict[str, Any]]:
    """The regions directly below ``code`` with their figures at the last year's end (or
    on ``as_of``) and their latest identification by proposal."""
    region(con, code)
    rows, params, _ = registry_rows(con, as_of)
    return records(con.execute(f"""
SELECT g.code, g.name, g.level, r.households, r.people, r.households_registered_poor,
  r.people_registered_poor, r.households_exited, r.households_monitored,
  r.registered_incidence,
  f.poor AS households_poor, f.at_risk AS households_at_risk
FROM regions g
LEFT JOIN {rows} r ON r.region_code = g.code
LEFT JOIN (SELECT region_code,
             sum(households) FILTER (WHERE key = 'poor') AS poor,
             sum(households) FILTER (WHERE key = 'at_risk') AS at_risk
           FROM {FIGURES} WHERE dimension = 'proposal'
             AND year = (SELECT max(year) FROM {FIGURES}) GROUP BY region_code) f
  ON f.region_code = g.code
WHERE g.parent_code = ? ORDER BY g.code""", [*params, code]))


def boundaries(con: duckdb.DuckDBPyConnection, code: str, figures: list[dict[str, Any]]
               ) -> dict[str, Any]:
    """GeoJSON of the regions below ``code`` carrying ``figures`` (rows with ``code``)."""
    by_code = {f["code"]: f for f in figures}
    features = []
    for child, boundary in con.execute(
            "SELECT code, boundary FROM regions WHERE parent_code = ? AND boundary IS NOT NULL "
            "ORDER BY code", [code]).fetchall():
        if child in by_code:
            props = {k: v for k, v in by_code[child].items()
                     if isinstance(v, int | float | str) or v is None}
            features.append({"type": "Feature", "id": child, "properties": props,
                             "geometry": json.loads(boundary)})
    return {"type": "FeatureCollection", "features": features}
