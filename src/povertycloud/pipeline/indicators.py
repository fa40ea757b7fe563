"""Household indicators by year: income per head against the line, and the living
conditions the roll-ups count. Pure functions returning canonical (DuckDB-dialect) SQL."""

from __future__ import annotations

import pyarrow as pa

from ..lines import NATIONAL_LINE

# Indicator flags of a household-year, each a canonical SQL condition over the join of
# household_years (hy), member counts (m) and the poverty line (l).
FLAGS = {
    "income_below_line": "hy.members > 0 AND (hy.wage_income + hy.business_income"
                         " + hy.property_income + hy.transfer_income) < l.line * hy.members",
    "unsafe_housing": "hy.housing_grade IN ('C', 'D')",
    "unsafe_water": "NOT hy.drinking_water_safe",
    "no_electricity": "NOT hy.electricity",
    "food_insecure": "NOT hy.food_secure",
    "clothing_insecure": "NOT hy.clothing_secure",
    "child_out_of_school": "COALESCE(m.children_out_of_school, 0) > 0",
    "uninsured_member": "COALESCE(m.uninsured, 0) > 0",
}


def poverty_lines() -> pa.Table:
    """The line of each year, as a table the pipeline joins."""
    years = sorted(NATIONAL_LINE)
    return pa.table({"year": pa.array(years, pa.int64()),
                     "line": pa.array([NATIONAL_LINE[y] for y in years], pa.int64())})


def _alive(year: str) -> str:
    return (f"EXTRACT(YEAR FROM p.birth_date) <= {year} AND "
            f"(p.death_date IS NULL OR EXTRACT(YEAR FROM p.death_date) >= {year})")


def member_counts_sql() -> str:
    """Per household-year counts of members in situations the indicators test."""
    alive = _alive("hy.year")
    age = "hy.year - EXTRACT(YEAR FROM p.birth_date)"
    def count(cond: str) -> str:
        return f"CAST(SUM(CASE WHEN {alive} AND {cond} THEN 1 ELSE 0 END) AS BIGINT)"
    return f"""
SELECT hy.household_id, hy.year,
  {count("TRUE")} AS people_alive,
  {count(f"{age} BETWEEN 6 AND 15 AND NOT p.in_school")} AS children_out_of_school,
  {count("NOT p.medical_insurance")} AS uninsured,
  {count("p.labour_capacity IN ('skilled', 'normal')")} AS labourers,
  {count("(p.serious_illness OR p.chronic_illness)")} AS ill,
  {count("p.disability_grade > 0")} AS disabled,
  {count(f"{age} >= 60")} AS elderly
FROM household_years hy JOIN people p ON p.household_id = hy.household_id
GROUP BY hy.household_id, hy.year"""


def household_indicators_sql() -> str:
    flags = ",\n  ".join(f"CASE WHEN {cond} THEN TRUE ELSE FALSE END AS {name}"
                         for name, cond in FLAGS.items())
    income = "(hy.wage_income + hy.business_income + hy.property_income + hy.transfer_income)"
    return f"""
SELECT hy.household_id, h.village_code, hy.year, hy.members,
  CAST({income} AS BIGINT) AS net_income,
  ROUND(CAST({income} AS DOUBLE) / hy.members, 2) AS income_per_capita,
  l.line AS poverty_line,
  COALESCE(m.labourers, 0) AS labourers,
  COALESCE(m.ill, 0) AS ill_members,
  COALESCE(m.disabled, 0) AS disabled_members,
  COALESCE(m.elderly, 0) AS elderly_members,
  {flags}
FROM household_years hy
JOIN households h ON h.household_id = hy.household_id
JOIN poverty_lines l ON l.year = hy.year
LEFT JOIN member_counts m ON m.household_id = hy.household_id AND m.year = hy.year"""
