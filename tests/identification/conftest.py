"""Helpers for the identification tests: hand-made household profiles as Arrow tables,
and rule expressions evaluated by Python itself, to compare with the SQL they compile to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from povertycloud.profile.expressions import BOOLEAN, NUMBER
from povertycloud.profile.household import profile_types

ProfileTable = Callable[[list[dict[str, Any]]], pa.Table]
PythonEval = Callable[[str, dict[str, Any]], Any]

# A household no cause applies to and no guarantee fails for: four members, two of them
# labourers, above the line, insured, in a village with a road and water.
BASELINE: dict[str, Any] = {
    "members": 4, "wage_income": 12_000, "business_income": 6_000, "property_income": 0,
    "transfer_income": 2_000, "medical_expense": 500, "education_expense": 500,
    "debt_yuan": 0, "asset_value_yuan": 10_000, "land_mu": 6, "livestock_units": 1,
    "housing_grade": "A", "housing_area_m2": 80, "water_source": "piped",
    "drinking_water_safe": True, "electricity": True, "food_secure": True,
    "clothing_secure": True, "terrain": "hill", "ethnic_minority_area": False,
    "revolutionary_base": False, "distance_to_county_km": 20, "road_access": True,
    "water_access": True, "electricity_access": True, "internet_access": True,
    "net_income": 20_000, "income_per_capita": 5_000, "poverty_line": 4_000,
    "land_per_capita": 1.5, "housing_area_per_capita": 20,
    "registration_status": "not_registered", "head_age": 45,
    "head_education": "senior_secondary", "people_alive": 4, "labourers": 2,
    "skilled_labourers": 1, "pension_enrolled": 2,
}
_ARROW = {NUMBER: pa.float64(), BOOLEAN: pa.bool_()}


def profile_table(rows: list[dict[str, Any]]) -> pa.Table:
    """A ``household_profile`` with every profile field: each row is the baseline with
    its own values on top (``household_id`` defaults to its position, ``year`` to 2020).
    Unlisted numbers are 0, booleans false, codes their first value."""
    types = profile_types()
    filled = []
    for i, row in enumerate(rows, start=1):
        full: dict[str, Any] = {"household_id": i, "year": 2020}
        for name, t in types.items():
            full[name] = t.values[0] if t.values else (0 if t.kind == NUMBER else False)
        filled.append(full | BASELINE | row)
    columns: dict[str, pa.Array] = {
        "household_id": pa.array([r["household_id"] for r in filled], pa.int64()),
        "year": pa.array([r["year"] for r in filled], pa.int64())}
    for name, t in types.items():
        columns[name] = pa.array([r[name] for r in filled], _ARROW.get(t.kind, pa.string()))
    extra = sorted({k for r in rows for k in r} - set(columns))
    for name in extra:  # results columns (score, band, g_*...) where a test adds them
        columns[name] = pa.array([r.get(name) for r in filled])
    return pa.table(columns)


def coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def python_eval(text: str, row: dict[str, Any]) -> Any:
    """What ``text`` means as Python over ``row``. Only for text that compile_expression
    has accepted (so nothing but fields, constants, operators and the four functions)."""
    names = {"true": True, "false": False, "min": min, "max": max, "abs": abs,
             "coalesce": coalesce}
    return eval(text, {"__builtins__": {}}, names | row)


@pytest.fixture(scope="session")
def make_profile() -> ProfileTable:
    return profile_table


@pytest.fixture(scope="session")
def py_eval() -> PythonEval:
    return python_eval

