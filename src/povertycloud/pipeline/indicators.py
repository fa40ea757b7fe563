"""Household indicators by year: income per head against the line, and the living
conditions the roll-ups count, as rule-language conditions over the household profile."""

from __future__ import annotations

import pyarrow as pa

from ..lines import PovertyLines, national
from ..profile.expressions import BOOLEAN, compile_expression
from ..profile.household import profile_types
from ..standard.tables import HOUSEHOLD_YEARS

LAST_YEAR = int(HOUSEHOLD_YEARS.field("year").maximum or 2035)

# What the roll-ups count, each a condition over the household profile.
FLAGS = {
    "income_below_line": "net_income < poverty_line * members",
    "unsafe_housing": "housing_grade in ('C', 'D')",
    "unsafe_water": "not drinking_water_safe",
    "no_electricity": "not electricity",
    "food_insecure": "not food_secure",
    "clothing_insecure": "not clothing_secure",
    "child_out_of_school": "children_out_of_school > 0",
    "uninsured_member": "uninsured > 0",
}
CARRIED = ("members", "net_income", "income_per_capita", "poverty_line", "labourers",
           "seriously_ill", "chronically_ill", "disabled", "elderly")


def poverty_lines(lines: PovertyLines | None = None) -> pa.Table:
    """The line of each year, as a table the pipeline joins."""
    lines = lines or national()
    years = list(range(min(lines.by_year), LAST_YEAR + 1))  # later years keep the last line
    return pa.table({"year": pa.array(years, pa.int64()),
                     "line": pa.array([lines.line_for(y) for y in years], pa.int64())})


def household_indicators_sql() -> str:
    """One row per household and survey year (over the view ``household_profile``)."""
    types = profile_types()
    flags = ",\n  ".join(
        f"COALESCE({compile_expression(cond, types, BOOLEAN).sql}, FALSE) AS {name}"
        for name, cond in FLAGS.items())
    return f"""
SELECT household_id, village_code, year, {", ".join(CARRIED)},
  {flags}
FROM household_profile"""
