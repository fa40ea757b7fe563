"""Each region's plan for a year (年度减贫计划): the households and poor villages it is to
lift out of poverty and its budget, with a line for each kind of help measure (the
households to reach with it, its budget); the progress against it, from the data; and a
proposal made from a kept allocation, whose choices rest on the measured effects.

A plan file (.csv or .xlsx) has a row per region and year (``kind`` empty) and a row per
kind of measure under it; a file is taken whole or not at all, each bad row named with
its field and reason, and it replaces the plans of the regions and years it holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..assistance.allocation import saved
from ..assistance.catalogue import Catalogue
from ..errors import PovertyCloudError
from ..funds.balances import balances
from ..intake import readers
from ..intake.refusals import Check, refuse_missing_columns, refuse_rows
from ..sqltext import literal, literals
from ..standard.codes import MEASURE_KINDS
from ..standard.regions import PREFIX_LENGTH, level_of, prefix
from ..store import Store
from .queries import QUERIES, stamp

COLUMNS = ("region_code", "year", "kind", "households", "villages", "budget_yuan")
NOTHING = "no plan was changed"
STAGED = "_plan_file"
NUMBERS = ("households", "villages", "budget_yuan")


class PlanTargetError(PovertyCloudError):
    """A plan that cannot be kept or shown, with the reason."""


@dataclass(frozen=True)
class Kept:
    plans: int
    lines: int


def import_plans(store: Store, path: Path, by: User) -> Kept:
    """Check the plan file ``path`` and keep its plans as ``by`` (who may make plans for
    every region in it), replacing those of the same regions and years."""
    if not by.may("plans"):
        raise PlanTargetError(f"{by.username} ({by.role}) may not set regions' plans")
    columns = readers.stage(store, path, STAGED)
    refuse_missing_columns(columns, COLUMNS, str(path), "a plan file", NOTHING)
    store.execute(f"CREATE OR REPLACE TEMP TABLE _plans AS {_typed(by)}")
    refuse_rows(store, "_plans", _checks(by), str(path), NOTHING)
    with store.transaction():
        store.execute(QUERIES["delete_region_plans"])
        store.execute(QUERIES["delete_region_plan_lines"])
        store.execute(QUERIES["insert_region_plans"], [str(path.name), by.username, stamp()])
        store.execute(QUERIES["insert_region_plan_lines"])
        kept = Kept(store.scalar("SELECT count(*) FROM _plans WHERE kind IS NULL"),
                    store.scalar("SELECT count(*) FROM _plans WHERE kind IS NOT NULL"))
        record(store, by, "set_region_plans", "region_plans", path.name, by.region_code,
               f"{kept.plans} plans, {kept.lines} lines from {path.name}")
    return kept


def _typed(by: User) -> str:
    """The staged rows typed, with what the checks need: the region, the plan's total
    row in the file, how many times a key recurs, the lines' budget, the villages."""
    def number(c: str) -> str:
        return f"TRY_CAST(trim(CAST({c} AS VARCHAR)) AS BIGINT)"
    digits = "CASE r.level " + " ".join(f"WHEN '{level}' THEN {n}" for level, n in
                                        PREFIX_LENGTH.items()) + " END"
    return f"""
WITH f AS (
  SELECT _row, trim(CAST(region_code AS VARCHAR)) AS region_code,
    CAST(year AS VARCHAR) AS year_text, {number('year')} AS year,
    nullif(trim(coalesce(CAST(kind AS VARCHAR), '')), '') AS kind,
    {', '.join(f"CAST({c} AS VARCHAR) AS {c}_text, {number(c)} AS {c}" for c in NUMBERS)}
  FROM {STAGED})
SELECT f.*, r.level, r.code IS NOT NULL AS known,
  starts_with(f.region_code, {literal(by.prefix)}) AS covered,
  count(*) OVER (PARTITION BY f.region_code, f.year, f.kind) AS in_file,
  count(*) FILTER (WHERE f.kind IS NULL) OVER (PARTITION BY f.region_code, f.year)
    AS totals,
  sum(f.budget_yuan) FILTER (WHERE f.kind IS NOT NULL)
    OVER (PARTITION BY f.region_code, f.year) AS lines_budget,
  (SELECT count(*) FROM regions v WHERE v.level = 'village'
     AND starts_with(v.code, left(f.region_code, {digits}))) AS village_count
FROM f LEFT JOIN regions r ON r.code = f.region_code"""


def _checks(by: User) -> list[Check]:
    checks: list[Check] = [
        ("region_code", "NOT known", "'no region ' || coalesce(region_code, '(empty)')"),
        ("region_code", "known AND NOT covered", f"'region ' || region_code || ' is outside "
                                                   f"the jurisdiction of {by.username}'"),
        ("year", "year IS NULL OR year NOT BETWEEN 2010 AND 2035",
         "'must be a year from 2010 to 2035, not ' || coalesce(year_text, '(empty)')"),
        ("kind", f"kind IS NOT NULL AND kind NOT IN {literals(MEASURE_KINDS)}",
         f"'must be empty (the region''s plan) or a kind of measure: "
         f"{', '.join(MEASURE_KINDS)}; not ' || kind"),
        ("kind", "in_file > 1", "'the plan of ' || region_code || ' for ' || year || "
                                "coalesce(' (' || kind || ')', '') || ' is in the file ' || "
                                "in_file || ' times'"),
        ("kind", "kind IS NOT NULL AND totals = 0",
         "'a line of ' || region_code || ' for ' || year || ' needs the region''s plan (a "
         "row with kind empty) in the file'"),
        ("villages", "kind IS NOT NULL AND coalesce(villages, 0) <> 0",
         "'a line of a kind of measure has no villages: leave it empty'"),
        ("villages", "kind IS NULL AND known AND villages > village_count",
         "'the region has ' || village_count || ' villages, not ' || villages"),
        ("budget_yuan", "kind IS NULL AND lines_budget > budget_yuan",
         "'the lines'' budgets add up to ' || lines_budget || ' yuan, more than the "
         "region''s ' || budget_yuan"),
    ]
    for c in NUMBERS:
        # a line may leave its villages (it has none) and its budget (none) empty
        empty_ok = f"kind IS NOT NULL AND {c}_text IS NULL" if c != "households" else "false"
        checks.append((c, f"NOT ({empty_ok}) AND ({c} IS NULL OR {c} < 0)",
                       f"'must be a whole number, zero or more, not ' || "
                       f"coalesce({c}_text, '(empty)')"))
    return checks


def propose(store: Store, catalogue: Catalogue, allocation: int, villages: int,
            by: User) -> Kept:
    """Keep as the county's plan for the allocation's year what the kept ``allocation``
    chose (the solver's choice): the households it lifts, what it spends, and a line for
    each kind of measure it gives (households, cost); ``villages`` to exit is the
    officer's."""
    found = saved(store, allocation)
    if found is None:
        raise PlanTargetError(f"no allocation {allocation}: keep one with `allocate --as`")
    county, year = str(found["county_code"]), int(found["year"])
    if not by.may("plans") or not by.covers(county):
        raise PlanTargetError(f"{by.username} may not set the plan of county {county}")
    lifted = found["summary"]["methods"]["milp"]["households_lifted"]
    kinds = " ".join(f"WHEN {literal(m.id)} THEN {literal(m.kind)}" for m in catalogue.measures)
    with store.transaction():
        store.execute(QUERIES["delete_region_plan"], [county, year])
        store.execute(QUERIES["delete_region_plan_measures"], [county, year])
        store.execute(QUERIES["insert_plan_of_allocation"],
                      [county, year, lifted, villages, f"allocation {allocation}",
                       by.username, stamp(), allocation])
        store.execute(QUERIES["insert_plan_lines_of_allocation"].replace("{kinds}", kinds),
                      [county, year, allocation])
        lines = store.scalar("SELECT count(*) FROM region_plan_measures WHERE region_code = ? "
                             "AND year = ?", [county, year])
        record(store, by, "set_region_plans", "region_plans", f"{county}/{year}", county,
               f"from allocation {allocation}")
    return Kept(1, lines)


def progress(store: Store, region: str, year: int, today: dt.date | None = None
             ) -> dict[str, Any] | None:
    """The region's plan for ``year`` beside what was done by ``today`` (or the year's
    end): households lifted (exits that year), villages exited, money spent on
    households and projects, and for each line the households that received the kind;
    with the share of the year gone, to tell on track from behind. None without a plan."""
    plan = store.record("SELECT * FROM region_plans WHERE region_code = ? AND year = ?",
                        [region, year])
    if plan is None:
        return None
    until = min(today or dt.date.today(), dt.date(year, 12, 31))
    first = dt.date(year, 1, 1)
    lines = store.records(QUERIES["plan_line_progress"], [region, year, prefix(region), until])
    elapsed = max(0.0, min(1.0, ((until - first).days + 1) / 365))
    return {**plan, **achieved(store, region, first, until),
            "spent_fen": _spent(store, region, first, until), "lines": lines, "until": until,
            "year_gone": round(elapsed, 3)}


def achieved(store: Store, region: str, first: dt.date, until: dt.date) -> dict[str, int]:
    """The households that exited under ``region`` from ``first`` to ``until``
    (``households_lifted``), and its villages that exited (``villages_exited``)."""
    found = store.record(QUERIES["plan_progress"], [prefix(region), first, until]) or {}
    return {key: int(value or 0) for key, value in found.items()}


def _spent(store: Store, region: str, first: dt.date, until: dt.date) -> int:
    """Money spent on households and projects of ``region`` from ``first`` to ``until``."""
    level = level_of(region)

    def spent(day: dt.date) -> int:
        return sum(int(r["spent_fen"] or 0) for r in balances(
            store, level, prefix(region), day, by_programme=False)
            if r["region_code"] == region)
    return spent(until) - spent(first - dt.timedelta(days=1))


def latest_progress(store: Store, region: str, day: dt.date) -> dict[str, Any] | None:
    """The progress of the region's latest plan of ``day``'s year or before, as of
    ``day``; None without one."""
    year = store.value("SELECT max(year) FROM region_plans WHERE region_code = ? AND "
                       "year <= ?", [region, day.year])
    return None if year is None else progress(store, region, int(year), day)

