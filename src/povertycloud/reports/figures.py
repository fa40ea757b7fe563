"""The figures of the dashboards and the portal, per region.

Registry figures come from the batch pipeline's ``region_rollups`` (each year's end).
Identification figures (by proposal, band, primary cause and failing guarantee) are
summed once per identification run into ``web_identification_figures``, long format,
every level at once, so a dashboard reads a few hundred rows, never the households.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import NotFound, PovertyCloudError
from ..standard.codes import LEVELS
from ..standard.regions import sql_ancestor
from ..store import Store
from .maps import region_features
from .rollups import rollup_rows

FIGURES = "web_identification_figures"


def _latest_run(store: Store) -> int:
    if not store.has_table("identification_runs"):
        return 0
    return store.scalar("SELECT coalesce(max(run_id), 0) FROM identification_runs")


def refresh(store: Store) -> bool:
    """Sum the identification per region if a run happened since the last sums; returns
    whether it did."""
    run = _latest_run(store)
    kept = store.value("SELECT value FROM pc_meta WHERE key = 'web_figures_run'")
    if kept is not None and int(kept) == run and store.has_table(FIGURES):
        return False
    with store.transaction():
        store.replace_table(FIGURES, _figures_sql() if run else _EMPTY)
        store.set_meta("web_figures_run", str(run))
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


def region(store: Store, code: str) -> dict[str, Any]:
    found = store.record("SELECT code, name, level, parent_code FROM regions WHERE code = ?",
                         [code])
    if found is None:
        raise NotFound(f"no region {code}")
    return found


def province(store: Store) -> str:
    """The code of the store's province, the top of every tree."""
    found = store.value("SELECT min(code) FROM regions WHERE level = 'province'")
    if found is None:
        raise NotFound("the store has no regions yet")
    return str(found)


def first_regions(store: Store) -> dict[str, str]:
    """The first region (the lowest code) of each level."""
    return {str(level): str(code) for level, code in
            store.rows("SELECT level, min(code) FROM regions GROUP BY level")}


def breadcrumbs(store: Store, code: str, top: str) -> list[dict[str, Any]]:
    """The regions from ``top`` down to ``code``."""
    trail = []
    current: str | None = code
    while current:
        r = region(store, current)
        trail.append(r)
        if current == top:
            break
        current = r["parent_code"]
    return trail[::-1]


def latest_as_of(store: Store) -> Any:
    if not store.has_table("region_rollups"):
        raise PovertyCloudError("the store has no region roll-ups yet: run "
                                "`povertycloud pipeline --db STORE` first")
    return store.latest("region_rollups", "as_of")


def registry_rows(store: Store, as_of: dt.date | None) -> tuple[str, list[Any], Any]:
    """(a FROM item of region roll-up rows, its parameters, the day they are of): the
    roll-up on ``as_of`` (see :func:`~.rollups.rollup_rows`), by default the pipeline's
    figures at the last year's end."""
    day = latest_as_of(store)  # the pipeline has run
    if as_of is None:
        return "(SELECT * FROM region_rollups WHERE as_of = ?)", [day], day
    rows, params = rollup_rows(store, as_of)
    return rows, params, as_of


def summary(store: Store, code: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """Headline figures of a region: the registry at the last year's end (or on
    ``as_of``), and the latest identification by proposal, band, primary cause and
    failing guarantee."""
    info = region(store, code)
    rows, params, day = registry_rows(store, as_of)
    registry = store.record(f"SELECT * EXCLUDE (region_code, level) FROM {rows} "
                            "WHERE region_code = ?", [*params, code])
    year = store.value(f"SELECT max(year) FROM {FIGURES} WHERE region_code = ?", [code])
    breakdown: dict[str, list[dict[str, Any]]] = {}
    for r in store.records(f"SELECT dimension, key, households, people FROM {FIGURES} "
                           "WHERE region_code = ? AND year = ? ORDER BY dimension, "
                           "households DESC", [code, year]):
        breakdown.setdefault(r.pop("dimension"), []).append(r)
    return info | {"as_of": day, "registry": registry, "identification_year": year,
                   "identification": breakdown}


def trend(store: Store, code: str) -> list[dict[str, Any]]:
    """The registry figures of a region at each year's end."""
    region(store, code)
    return store.records("SELECT * EXCLUDE (region_code, level) FROM region_rollups "
                         "WHERE region_code = ? ORDER BY as_of", [code])


def children(store: Store, code: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The regions directly below ``code`` with their figures at the last year's end (or
    on ``as_of``) and their latest identification by proposal."""
    region(store, code)
    rows, params, _ = registry_rows(store, as_of)
    return store.records(f"""
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
WHERE g.parent_code = ? ORDER BY g.code""", [*params, code])


def boundaries(store: Store, code: str, figures: list[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON of the regions below ``code`` carrying ``figures`` (rows with ``code``)."""
    by_code = {f["code"]: f for f in figures}
    return region_features(store, "parent_code = ?", [code], lambda child, _: {
        k: v for k, v in by_code[child].items() if isinstance(v, int | float | str) or v is None
    } if child in by_code else None)
