"""Region roll-ups as of any date, straight from a store the pipeline has run on."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ..dynamic.history import households_as_of_sql
from ..errors import PovertyCloudError
from ..pipeline.on_store import has_outputs
from ..pipeline.rollups import rollups_sql
from ..standard.codes import LEVELS
from ..standard.regions import problem as code_problem
from ..store import Store

CURRENT_STATUS = "SELECT household_id, registration_status AS status FROM households"
CURRENT_PLACE = "SELECT household_id, village_code FROM households"


def survey_year(store: Store, as_of: dt.date) -> int:
    """The latest survey year on or before ``as_of``."""
    row = store.con.execute("SELECT max(year) FROM household_indicators WHERE year <= ?",
                            [as_of.year]).fetchone()
    if not row or row[0] is None:
        raise PovertyCloudError(f"no annual survey on or before {as_of}")
    return int(row[0])


def rollup(store: Store, as_of: dt.date | None, level: str | None = None,
           within: str | None = None) -> pa.Table:
    """Counts by status and indicator for every region (or one ``level``, optionally
    only regions ``within`` a code), with region names, as of ``as_of``: each household
    in the village it was in that day, with the status it held then (the registry's
    history), and the latest survey by then. With ``as_of`` None, the current roll-up:
    today's villages and statuses, the latest survey."""
    if not has_outputs(store):
        raise PovertyCloudError(f"{store.path} has no pipeline results yet: run "
                                f"`povertycloud pipeline --db {store.path}` first")
    if level is not None and level not in LEVELS:
        raise PovertyCloudError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
    if within is not None and code_problem(within):
        raise PovertyCloudError(f"region code {within!r} {code_problem(within)}")
    filters = ["TRUE"]
    params: list[object] = []
    if level:
        filters.append("r.level = ?")
        params.append(level)
    if within:
        filters.append("starts_with(r.region_code, rtrim(?, '0'))")
        params.append(within)
    sql = (f"SELECT r.as_of, r.region_code, g.name AS region_name, "
           f"r.* EXCLUDE (as_of, region_code) FROM ({_rollup_sql(store, as_of)}) r "
           f"LEFT JOIN regions g ON g.code = r.region_code "
           f"WHERE {' AND '.join(filters)} ORDER BY r.region_code")
    return store.con.sql(sql, params=params).to_arrow_table()


def _rollup_sql(store: Store, as_of: dt.date | None) -> str:
    if as_of is None:
        today = dt.date.today()
        return rollups_sql(today, survey_year(store, today), CURRENT_STATUS, CURRENT_PLACE)
    placement = f"SELECT household_id, village_code FROM ({households_as_of_sql(as_of)})"
    return rollups_sql(as_of, survey_year(store, as_of), placement=placement)
