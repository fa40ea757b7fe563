"""Roll-ups checked against a plain-Python computation from the same Parquet files."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from povertycloud.engines.duckdb import DuckDBEngine
from povertycloud.lines import line_for
from povertycloud.pipeline import INPUTS, batch_plan, run_plan
from povertycloud.pipeline.rollups import rollups_sql
from povertycloud.standard.codes import LEVELS
from povertycloud.standard.regions import ancestor
from povertycloud.standard.tables import table_path

AS_OF = dt.date(2017, 6, 30)


@pytest.fixture(scope="module")
def engine(small_province: Path) -> DuckDBEngine:
    engine = DuckDBEngine()
    for name in INPUTS:
        engine.register_parquet(name, table_path(small_province, name))
    years = list(range(2014, 2021))
    run_plan(engine, batch_plan(years))
    engine.materialize("household_indicators_t", "SELECT * FROM household_indicators")
    return engine


def _read(root: Path, name: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = pq.read_table(table_path(root, name)).to_pylist()
    return rows


def _expected_status(root: Path) -> dict[int, str]:
    latest: dict[int, tuple[dt.date, str]] = {}
    for c in _read(root, "status_changes"):
        day, hid = c["effective_date"], int(c["household_id"])  # type: ignore[call-overload]
        assert isinstance(day, dt.date)
        if day <= AS_OF and (hid not in latest or day > latest[hid][0]):
            latest[hid] = (day, str(c["status"]))
    return {h: ("not_registered" if s == "removed" else s) for h, (_, s) in latest.items()}


def test_rollups_match_a_plain_computation(engine: DuckDBEngine, small_province: Path) -> None:
    status = _expected_status(small_province)
    years = {int(r["household_id"]): r for r in _read(small_province, "household_years")  # type: ignore[call-overload]
             if r["year"] == AS_OF.year}
    expected: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    line = line_for(AS_OF.year)
    for h in _read(small_province, "households"):
        hid = int(h["household_id"])  # type: ignore[call-overload]
        y = years[hid]
        members = int(y["members"])  # type: ignore[call-overload]
        income = sum(int(y[k]) for k in ("wage_income", "business_income",  # type: ignore[call-overload]
                                          "property_income", "transfer_income"))
        s = status.get(hid, "not_registered")
        for level in LEVELS:
            c = expected[(level, ancestor(str(h["village_code"]), level))]
            c["households"] += 1
            c["people"] += members
            c[f"households_{s}"] += 1
            c[f"people_{s}"] += members
            c["households_unsafe_housing"] += y["housing_grade"] in ("C", "D")
            c["households_income_below_line"] += income < line * members
            c["people_income_below_line"] += members * (income < line * members)
    actual = engine.query(rollups_sql(AS_OF, AS_OF.year)).to_pylist()
    assert len(actual) == len(expected)
    for row in actual:
        want = expected[(str(row["level"]), str(row["region_code"]))]
        for key, value in want.items():
            assert row[key] == value, (row["region_code"], key)
        assert row["registered_incidence"] == pytest.approx(
            100 * want["people_registered_poor"] / want["people"], abs=1e-4)
        assert row["as_of"] == AS_OF


def test_status_is_as_of_the_date(engine: DuckDBEngine) -> None:
    before = engine.query(rollups_sql(dt.date(2014, 1, 1), 2014)).to_pylist()
    province = next(r for r in before if r["level"] == "province")
    assert province["households_registered_poor"] == 0  # registration began in autumn 2014
    assert province["households_not_registered"] == province["households"]
