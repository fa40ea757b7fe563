"""Region roll-ups as of any date, straight from a store the pipeline has run on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ..errors import PovertyCloudError
from ..history import versions_as_of_sql
from ..pipeline.on_store import has_outputs
from ..pipeline.rollups import rollups_sql, status_as_of_sql, stored_status_as_of_sql
from ..standard.regions import check_level, prefix
from ..standard.regions import problem as code_problem
from ..store import Store

CURRENT_STATUS = "SELECT household_id, registration_status AS status FROM households"
# only households with a history can be elsewhere than in the survey's indicators
MOVED = "SELECT DISTINCT household_id FROM household_history"
CURRENT_PLACE = ("SELECT household_id, village_code FROM households "
                 f"WHERE household_id IN ({MOVED})")


def surveyed_years(store: Store) -> list[int]:
    """The years of the pipeline's household indicators, in order."""
    return [int(y) for y in
            store.column("SELECT DISTINCT year FROM household_indicators ORDER BY 1")]


def survey_year(store: Store, as_of: dt.date) -> int:
    """The latest survey year on or before ``as_of``."""
    if not store.has_table("household_indicators"):
        raise PovertyCloudError("no pipeline results yet: run `povertycloud pipeline` first")
    found = store.value("SELECT max(year) FROM household_indicators WHERE year <= ?",
                        [as_of.year])
    if found is None:
        raise PovertyCloudError(f"no annual survey on or before {as_of}")
    return int(found)


def moved_placement_sql(as_of: dt.date) -> str:
    """(household_id, village_code) on ``as_of`` of the households with a history (the
    only ones that can be elsewhere than in the survey's indicators)."""
    return (f"SELECT household_id, village_code FROM "
            f"({versions_as_of_sql('households', as_of)}) WHERE household_id IN ({MOVED})")


def rollup_as_of_sql(store: Store, as_of: dt.date | None) -> str:
    """The roll-up of every region on ``as_of`` (see :func:`rollup`), or the current one.
    While no household has a history, each is where the survey's indicators place it."""
    moved = _moved(store)
    if as_of is None:
        today = dt.date.today()
        return rollups_sql(today, survey_year(store, today), CURRENT_STATUS,
                           CURRENT_PLACE if moved else None)
    return rollups_sql(as_of, survey_year(store, as_of), _status(store, as_of),
                       moved_placement_sql(as_of) if moved else None)


def rollup_rows(store: Store, as_of: dt.date | None) -> tuple[str, list[Any]]:
    """Every region's roll-up on ``as_of`` as a FROM item and its parameters: the
    pipeline's stored figures when ``as_of`` is one of its year ends and no status changed
    since it ran nor any household moved, else rolled up from the registry's history
    (``as_of`` None: the current roll-up). The command line and the pages both read region
    figures through here."""
    if as_of is not None and periods_current(store) and not _moved(store) and store.scalar(
            "SELECT count(*) FROM region_rollups WHERE as_of = ?", [as_of]):
        return "(SELECT * FROM region_rollups WHERE as_of = ?)", [as_of]
    return f"({rollup_as_of_sql(store, as_of)})", []


def _moved(store: Store) -> bool:
    """Whether any household has a history (moved, so the survey may place it wrong)."""
    return bool(store.one(f"SELECT 1 FROM ({MOVED}) LIMIT 1"))


def periods_current(store: Store) -> bool:
    """Whether the pipeline's outputs still hold every status change (status_changes is
    only ever added to, one row per household and day)."""
    return bool(store.value("SELECT (SELECT count(*) FROM status_changes) = "
                            "(SELECT count(*) FROM status_periods)"))


def _status(store: Store, as_of: dt.date) -> str:
    """Statuses on ``as_of``: from the pipeline's periods while current, else from
    status_changes itself."""
    return stored_status_as_of_sql(as_of) if periods_current(store) else status_as_of_sql(as_of)


def rollup(store: Store, as_of: dt.date | None, level: str | None = None,
           within: str | None = None) -> pa.Table:
    """Counts by status and indicator for every region (or one ``level``, optionally
    only regions ``within`` a code), with region names, as of ``as_of``: each household
    in the village it was in that day, with the status it held then (the registry's
    history), and the latest survey by then. With ``as_of`` None, the current roll-up:
    today's villages and statuses, the latest survey."""
    if not has_outputs(store):
        raise PovertyCloudError(f"{store.label} has no pipeline results yet: run "
                                f"`povertycloud pipeline --db {store.label}` first")
    if level is not None:
        check_level(level)
    if within is not None and code_problem(within):
        raise PovertyCloudError(f"region code {within!r} {code_problem(within)}")
    filters = ["TRUE"]
    params: list[object] = []
    if level:
        filters.append("r.level = ?")
        params.append(level)
    if within:
        filters.append("starts_with(r.region_code, ?)")
        params.append(prefix(within))
    rows, first = rollup_rows(store, as_of)
    return store.arrow(f"SELECT r.as_of, r.region_code, g.name AS region_name, "
                       f"r.* EXCLUDE (as_of, region_code) FROM {rows} r "
                       f"LEFT JOIN regions g ON g.code = r.region_code "
                       f"WHERE {' AND '.join(filters)} ORDER BY r.region_code",
                       [*first, *params])

