"""Features and labels of relapse early warning: one row per household and origin year t
for every household at or above the line in t, described by the registry's data of years
up to t only, and labelled by whether its income falls below the line of t + 1.

Net income and income per head are the household profile's (`profile/income.py`): the four
incomes of the survey over its members. People hold their current attributes, except
what can be dated: a member counts in t if born by t and not dead before t, and is
seriously ill in t as the illness and recovery events up to t say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..lines import PovertyLines
from ..profile.income import income_per_capita_sql, net_income_sql
from ..store import Store

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

# The reasons a score gives, by code; each feature below speaks for one of them.
REASONS: dict[str, str] = {
    "income_near_line": "income per head close to the line",
    "income_low_before": "income per head low in the two years before",
    "income_unstable": "income per head changed sharply since last year",
    "medical_expense_high": "medical spending high for the income",
    "education_expense_high": "schooling costs high for the income",
    "debt_high": "debt high for the income",
    "few_assets": "few assets or livestock",
    "little_land": "little land per head",
    "household_size": "size of the household",
    "lack_of_labour": "few members able to work",
    "many_dependants": "many children or elderly",
    "illness_in_household": "a member seriously or chronically ill",
    "disability": "a member with a disability",
    "serious_illness": "serious illness this year",
    "disaster": "hit by a disaster this year",
    "job_loss": "a member lost a job this year",
    "death_in_household": "a death in the household this year",
    "birth": "a birth this year",
    "exited_household": "exited the registry (unstable exit)",
    "registered_poor": "registered poor",
    "monitored": "already monitored",
    "removed_from_registry": "removed from the registry",
    "living_conditions": "housing, water, food or clothing insecure",
    "village_poverty": "a poor village",
}

# Each feature (SQL over the joined rows, see _SQL) and the reason it speaks for.
FEATURES: dict[str, tuple[str, str]] = {
    "income_ratio": ("o.income_pc / o.line", "income_near_line"),
    # the line the household must stay above: a published figure, not a household's data
    "income_ratio_next": ("o.income_pc / nl.line", "income_near_line"),
    "income_ratio_1": ("p1.income_pc / p1.line", "income_low_before"),
    "income_ratio_2": ("p2.income_pc / p2.line", "income_low_before"),
    "income_change": ("(o.income_pc - p1.income_pc) / o.line", "income_unstable"),
    "medical_share": ("o.medical_expense / o.net_income", "medical_expense_high"),
    "education_share": ("o.education_expense / o.net_income", "education_expense_high"),
    "debt_ratio": ("o.debt_yuan / o.net_income", "debt_high"),
    "assets_ratio": ("o.asset_value_yuan / o.members / o.line", "few_assets"),
    "livestock_units": ("o.livestock_units", "few_assets"),
    "land_per_capita": ("o.land_mu / o.members", "little_land"),
    "members": ("o.members", "household_size"),
    "labour_share": ("m.labourers / o.members", "lack_of_labour"),
    "dependants_share": ("m.dependants / o.members", "many_dependants"),
    "seriously_ill": ("m.seriously_ill", "illness_in_household"),
    "chronically_ill": ("m.chronically_ill", "illness_in_household"),
    "recoveries": ("coalesce(e.recoveries, 0)", "illness_in_household"),
    "disabled": ("m.disabled", "disability"),
    "illness_events": ("coalesce(e.illness_events, 0)", "serious_illness"),
    "illness_amount_share": ("coalesce(e.illness_amount, 0) / o.net_income",
                             "serious_illness"),
    "disaster_events": ("coalesce(e.disaster_events, 0)", "disaster"),
    "disaster_amount_share": ("coalesce(e.disaster_amount, 0) / o.net_income", "disaster"),
    "job_loss_events": ("coalesce(e.job_loss_events, 0)", "job_loss"),
    "job_loss_amount_share": ("coalesce(e.job_loss_amount, 0) / o.net_income", "job_loss"),
    "death_events": ("coalesce(e.death_events, 0)", "death_in_household"),
    "births": ("coalesce(e.births, 0)", "birth"),
    "status_exited": ("coalesce(s.status = 'exited', false)", "exited_household"),
    "years_since_exit": ("CASE WHEN s.status = 'exited' THEN o.year - s.exit_year END",
                         "exited_household"),
    "status_registered_poor": ("coalesce(s.status = 'registered_poor', false)",
                               "registered_poor"),
    "status_monitored": ("coalesce(s.status = 'monitored', false)", "monitored"),
    "status_removed": ("coalesce(s.status = 'removed', false)", "removed_from_registry"),
    "housing_unsafe": ("o.housing_grade IN ('C', 'D')", "living_conditions"),
    "water_unsafe": ("NOT o.drinking_water_safe", "living_conditions"),
    "food_insecure": ("NOT o.food_secure", "living_conditions"),
    "clothing_insecure": ("NOT o.clothing_secure", "living_conditions"),
    "village_poor_share": ("v.poor_share", "village_poverty"),
    "village_median_ratio": ("v.median_ratio", "village_poverty"),
}
FEATURE_NAMES = tuple(FEATURES)
# Features that give their reason only where they hold (non-zero): not being registered
# or having had no disaster may add to a risk, but is no reason to name.
PRESENCE = frozenset({
    "seriously_ill", "chronically_ill", "recoveries", "disabled", "illness_events",
    "illness_amount_share", "disaster_events", "disaster_amount_share", "job_loss_events",
    "job_loss_amount_share", "death_events", "births", "status_exited", "years_since_exit",
    "status_registered_poor", "status_monitored", "status_removed", "housing_unsafe",
    "water_unsafe", "food_insecure", "clothing_insecure"})

# Rigid spending for the rules' baseline: medical (the survey's, or the year's serious
# illnesses if the survey has less), schooling, and the year's disaster losses.
RIGID_SHARE = ("(greatest(o.medical_expense, coalesce(e.illness_amount, 0)) "
               "+ o.education_expense + coalesce(e.disaster_amount, 0)) / o.net_income")
_EVENT_KINDS = {"illness": "serious_illness", "disaster": "disaster",
                "job_loss": "job_loss", "death": "death"}


@dataclass(frozen=True)
class Examples:
    """Households at or above the line in their origin year, aligned by row."""

    household_id: Ints
    year: Ints  # the origin year t
    village_code: npt.NDArray[np.str_]
    x: Floats  # FEATURE_NAMES, NaN where unknown
    label: Floats  # 1: below the line in t + 1; 0: not; NaN: no survey in t + 1
    ratio: Floats  # income per head over the line of t
    rigid_share: Floats  # rigid spending over the income of t

    def __len__(self) -> int:
        return int(self.household_id.size)

    def select(self, mask: npt.NDArray[np.bool_]) -> Examples:
        return Examples(self.household_id[mask], self.year[mask], self.village_code[mask],
                        self.x[mask], self.label[mask], self.ratio[mask],
                        self.rigid_share[mask])


def panel_years(store: Store) -> list[int]:
    """The survey years of household_years, in order."""
    return [int(y) for y in store.column(
        "SELECT DISTINCT year FROM household_years ORDER BY year")]


def labelled_years(store: Store) -> list[int]:
    """The origin years whose next year is in the panel."""
    years = panel_years(store)
    return [y for y in years if y + 1 in years]


def why_unlabelled(store: Store, year: int) -> str:
    """Why the origin ``year`` has no labels (or no survey)."""
    years = panel_years(store)
    if not years:
        return "the store has no household_years"
    span = f"the panel covers {years[0]}–{years[-1]}"
    if year in years:
        return (f"origin year {year} has no next year in household_years ({span}): its "
                f"households cannot be labelled; choose a year up to {years[-1] - 1}")
    return f"no survey of {year} in household_years ({span})"


def examples(store: Store, years: Sequence[int], lines: PovertyLines) -> Examples:
    """The examples of the origin ``years``."""
    if not years:
        raise ValueError("no origin year")
    first = min(lines.by_year)
    line_rows = ", ".join(f"({y}, {lines.line_for(y)})"
                          for y in range(first, max(max(years), *lines.by_year) + 2))
    sql = _SQL.format(lines=line_rows, years=", ".join(str(int(y)) for y in years),
                      features=",\n  ".join(f"CAST({expr} AS DOUBLE) AS {name}"
                                            for name, (expr, _) in FEATURES.items()),
                      events=_event_columns(), rigid=RIGID_SHARE,
                      net=net_income_sql(), pc=income_per_capita_sql())
    table = store.arrow(sql)
    data = {name: table.column(name).to_numpy() for name in table.column_names}
    return Examples(
        np.asarray(data["household_id"], dtype=np.int64),
        np.asarray(data["year"], dtype=np.int64),
        np.asarray(data["village_code"], dtype=str),
        np.column_stack([_floats(data[n]) for n in FEATURE_NAMES]) if len(data["year"])
        else np.empty((0, len(FEATURE_NAMES))),
        _floats(data["label"]), _floats(data["ratio"]), _floats(data["rigid_share"]))


def baseline_flags(ex: Examples, factor: float, expense_share: float) -> Bools:
    """The rules of the 2020 guidance: income per head below ``factor`` times the line,
    or rigid spending at or above ``expense_share`` of the year's income."""
    return np.asarray((ex.ratio < factor) | (ex.rigid_share >= expense_share))


def baseline_scores(ex: Examples, factor: float, expense_share: float) -> Floats:
    """The baseline as a ranking: flagged households first, each group by income ratio,
    the lowest first."""
    from scipy.special import expit

    flagged = baseline_flags(ex, factor, expense_share).astype(np.float64)
    return flagged + np.asarray(expit(-ex.ratio), dtype=np.float64)


def _floats(values: Any) -> Floats:
    return np.ma.asarray(values, dtype=np.float64).filled(np.nan)


def _event_columns() -> str:
    parts = []
    for name, kind in _EVENT_KINDS.items():
        parts.append(f"count(*) FILTER (WHERE kind = '{kind}') AS {name}_events")
        parts.append(f"coalesce(sum(amount_yuan) FILTER (WHERE kind = '{kind}'), 0) "
                     f"AS {name}_amount")
    parts.append("count(*) FILTER (WHERE kind = 'birth') AS births")
    parts.append("count(*) FILTER (WHERE kind = 'recovery') AS recoveries")
    return ", ".join(parts)


_SQL = """
WITH lines(year, line) AS (VALUES {lines}),
origins AS (SELECT unnest([{years}]) AS year),
hy AS (
  SELECT hy.*, {net} AS net_income, {pc} AS income_pc, l.line
  FROM household_years hy JOIN lines l USING (year)),
ev AS (
  SELECT household_id, CAST(year(event_date) AS BIGINT) AS year, {events}
  FROM events WHERE year(event_date) IN ({years}) GROUP BY ALL),
ill AS (
  SELECT e.person_id, y.year,
    arg_max(e.kind, e.event_date) FILTER (WHERE year(e.event_date) <= y.year) AS last_kind,
    arg_min(e.kind, e.event_date) FILTER (WHERE year(e.event_date) > y.year) AS next_kind
  FROM events e CROSS JOIN origins y
  WHERE e.kind IN ('serious_illness', 'recovery') AND e.person_id IS NOT NULL GROUP BY ALL),
m AS (
  SELECT p.household_id, y.year,
    count(*) FILTER (WHERE p.labour_capacity IN ('skilled', 'normal')) AS labourers,
    count(*) FILTER (WHERE y.year - year(p.birth_date) < 16
                     OR y.year - year(p.birth_date) >= 60) AS dependants,
    count(*) FILTER (WHERE p.disability_grade > 0) AS disabled,
    count(*) FILTER (WHERE p.chronic_illness) AS chronically_ill,
    count(*) FILTER (WHERE coalesce(i.last_kind = 'serious_illness',
                                    i.next_kind = 'recovery', p.serious_illness))
      AS seriously_ill
  FROM people p JOIN origins y ON year(p.birth_date) <= y.year
    AND (p.death_date IS NULL OR year(p.death_date) >= y.year)
  LEFT JOIN ill i ON i.person_id = p.person_id AND i.year = y.year
  GROUP BY ALL),
s AS (
  SELECT c.household_id, y.year, arg_max(c.status, c.effective_date) AS status,
    max(year(c.effective_date)) FILTER (WHERE c.status = 'exited') AS exit_year
  FROM status_changes c JOIN origins y ON year(c.effective_date) <= y.year GROUP BY ALL),
v AS (
  SELECT h.village_code, hy.year, avg(CAST(hy.income_pc < hy.line AS DOUBLE)) AS poor_share,
    median(hy.income_pc / hy.line) AS median_ratio
  FROM hy JOIN households h USING (household_id)
  WHERE hy.year IN ({years}) GROUP BY ALL)
SELECT o.household_id, o.year, h.village_code,
  {features},
  CAST(o.income_pc / o.line AS DOUBLE) AS ratio,
  CAST({rigid} AS DOUBLE) AS rigid_share,
  CAST(nx.income_pc < nx.line AS DOUBLE) AS label
FROM hy o
JOIN households h ON h.household_id = o.household_id
JOIN lines nl ON nl.year = o.year + 1
LEFT JOIN hy p1 ON p1.household_id = o.household_id AND p1.year = o.year - 1
LEFT JOIN hy p2 ON p2.household_id = o.household_id AND p2.year = o.year - 2
LEFT JOIN ev e ON e.household_id = o.household_id AND e.year = o.year
LEFT JOIN m ON m.household_id = o.household_id AND m.year = o.year
LEFT JOIN s ON s.household_id = o.household_id AND s.year = o.year
LEFT JOIN v ON v.village_code = h.village_code AND v.year = o.year
LEFT JOIN hy nx ON nx.household_id = o.household_id AND nx.year = o.year + 1
WHERE o.year IN ({years}) AND o.income_pc >= o.line
ORDER BY o.year, h.village_code, o.household_id
"""
