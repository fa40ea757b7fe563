"""Region roll-ups as of a date: households and people by registry status and by
indicator, at every level from village to province. Canonical SQL, engine-neutral."""

from __future__ import annotations

import datetime as dt

from ..sqltext import date_literal
from ..standard.codes import LEVELS, REGISTRATION
from ..standard.regions import sql_ancestor
from .indicators import FLAGS


def status_periods_sql() -> str:
    """Each registry status a household held, from its effective date to the next
    change (exclusive; NULL while current). 'removed' counts as not registered."""
    return """
SELECT household_id,
  CASE WHEN status = 'removed' THEN 'not_registered' ELSE status END AS status,
  effective_date AS valid_from,
  LEAD(effective_date) OVER (PARTITION BY household_id ORDER BY effective_date) AS valid_to
FROM status_changes"""


def status_as_of_sql(as_of: dt.date) -> str:
    """(household_id, status, since) of each household with a status on ``as_of``: its
    latest change by then, read from ``status_changes`` itself (so a decision taken
    after the pipeline ran counts); 'removed' counts as not registered."""
    day = date_literal(as_of)
    return f"""
SELECT household_id, CASE WHEN status = 'removed' THEN 'not_registered' ELSE status END
  AS status, since
FROM (SELECT household_id, max_by(status, effective_date) AS status,
        max(effective_date) AS since
      FROM status_changes WHERE effective_date <= {day} GROUP BY household_id)"""


def stored_status_as_of_sql(as_of: dt.date) -> str:
    """:func:`status_as_of_sql` from the pipeline's stored ``status_periods``: five times
    faster, and the same while no status changed since the pipeline ran."""
    day = date_literal(as_of)
    return (f"SELECT household_id, status, valid_from AS since FROM status_periods "
            f"WHERE valid_from <= {day} AND (valid_to IS NULL OR valid_to > {day})")


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


def rollups_sql(as_of: dt.date, year: int, status: str | None = None,
                placement: str | None = None) -> str:
    """Roll-ups on ``as_of``, with indicators from the annual survey of ``year``.

    ``status`` is a query of (household_id, status) (default: the status history on
    ``as_of``); ``placement`` one of (household_id, village_code) that places the
    households it has in other villages than the survey's indicators (the moved ones).
    Households are summed by village once; each village row then counts towards its
    ancestor at every level in a single grouping pass."""
    village_of = "coalesce(w.village_code, i.village_code)" if placement else "i.village_code"
    place = (f"LEFT JOIN ({placement}) w ON w.household_id = i.household_id"
             if placement else "")
    village_sums = ",\n  ".join(f"CAST({expr} AS BIGINT) AS {name}" for name, expr in _measures())
    level_sums = ", ".join(f"CAST(SUM(v.{name}) AS BIGINT) AS {name}" for name in MEASURES)
    levels = " UNION ALL ".join(f"SELECT '{level}' AS level" for level in LEVELS)
    ancestor = "CASE " + " ".join(
        f"WHEN l.level = '{level}' THEN {sql_ancestor('v.village_code', level)}"
        for level in LEVELS) + " END"
    return f"""
WITH status AS ({status or status_as_of_sql(as_of)}),
village AS (
  SELECT {village_of} AS village_code,
  {village_sums}
  FROM household_indicators i {place}
  LEFT JOIN status s ON s.household_id = i.household_id
  WHERE i.year = {year}
  GROUP BY {village_of}
),
levels AS (
  SELECT l.level, {ancestor} AS region_code, {level_sums}
  FROM village v CROSS JOIN ({levels}) l
  GROUP BY l.level, {ancestor}
)
SELECT {date_literal(as_of)} AS as_of, region_code, level, {", ".join(MEASURES)},
  ROUND(100.0 * people_registered_poor / people, 4) AS registered_incidence
FROM levels"""
