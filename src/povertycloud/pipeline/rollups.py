"""Region roll-ups as of a date: households and people by registry status and by
indicator, at every level from village to province. Canonical SQL, engine-neutral."""

from __future__ import annotations

import datetime as dt

from ..standard.codes import LEVELS, REGISTRATION
from ..standard.regions import sql_ancestor
from .indicators import FLAGS


def status_as_of_sql(as_of: dt.date) -> str:
    """Each household's registry status on ``as_of``: its latest change on or before."""
    return f"""
SELECT household_id,
  CASE WHEN status = 'removed' THEN 'not_registered' ELSE status END AS status
FROM (
  SELECT household_id, status, ROW_NUMBER() OVER (
    PARTITION BY household_id ORDER BY effective_date DESC) AS latest
  FROM status_changes WHERE effective_date <= DATE '{as_of.isoformat()}'
) WHERE latest = 1"""


def _measures() -> list[tuple[str, str]]:
    """(column, SQL sum over village rows) of every count a roll-up carries."""
    out = [("households", "COUNT(*)"), ("people", "SUM(i.members)")]
    for status in REGISTRATION:
        cond = f"COALESCE(s.status, 'not_registered') = '{status}'"
        out.append((f"households_{status}", f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"))
        out.append((f"people_{status}", f"SUM(CASE WHEN {cond} THEN i.members ELSE 0 END)"))
    for flag in FLAGS:
        out.append((f"households_{flag}", f"SUM(CASE WHEN i.{flag} THEN 1 ELSE 0 END)"))
    out.append(("people_income_below_line",
                "SUM(CASE WHEN i.income_below_line THEN i.members ELSE 0 END)"))
    return out


MEASURES = [name for name, _ in _measures()]


def rollups_sql(as_of: dt.date, year: int) -> str:
    """Roll-ups on ``as_of``, with indicators from the annual survey of ``year``."""
    village_sums = ",\n  ".join(f"CAST({expr} AS BIGINT) AS {name}" for name, expr in _measures())
    level_sums = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in MEASURES)
    levels = "\nUNION ALL\n".join(
        f"SELECT '{level}' AS level, {sql_ancestor('village_code', level)} AS region_code, "
        f"{level_sums} FROM village GROUP BY {sql_ancestor('village_code', level)}"
        for level in LEVELS)
    return f"""
WITH status AS ({status_as_of_sql(as_of)}),
village AS (
  SELECT h.village_code,
  {village_sums}
  FROM households h
  JOIN household_indicators i ON i.household_id = h.household_id AND i.year = {year}
  LEFT JOIN status s ON s.household_id = h.household_id
  GROUP BY h.village_code
),
levels AS ({levels})
SELECT DATE '{as_of.isoformat()}' AS as_of, region_code, level, {", ".join(MEASURES)},
  ROUND(100.0 * people_registered_poor / people, 4) AS registered_incidence
FROM levels"""
