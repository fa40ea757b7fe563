"""Where poverty will be next year: the warning scores summed per region with a
Poisson-binomial interval, beside this year's figure; checked out of sample against the
falls that followed; through the command line."""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from povertycloud.cli.main import app
from povertycloud.dynamic import forecast
from povertycloud.dynamic.warning import WarningError, load_warning, score
from povertycloud.store import Store

QUICK = replace(load_warning(), rounds=20)


@pytest.fixture(scope="module")
def scored(identified_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("forecast") / "scored.duckdb"
    shutil.copy(identified_db, db)
    with Store(db) as store:
        score(store, QUICK, year=2019)
    return db


def test_a_region_expects_the_sum_of_its_households_risks(scored: Path) -> None:
    with Store(scored, read_only=True) as store:
        table = forecast.forecast(store, "township").to_pylist()
        risks = store.rows("SELECT village_code, risk FROM relapse_risk WHERE year = 2019")
        below = dict(store.rows("SELECT substr(village_code, 1, 9) || '000', "
                                "sum(income_below_line::INT) FROM household_indicators "
                                "WHERE year = 2019 GROUP BY 1"))
    sums: dict[str, list[float]] = defaultdict(list)
    for village, p in risks:
        sums[village[:9] + "000"].append(p)
    assert {r["region_code"] for r in table} == set(sums) and len(table) > 3
    for row in table:
        ps = sums[row["region_code"]]
        expected, sd = sum(ps), math.sqrt(sum(p * (1 - p) for p in ps))
        assert row["households"] == len(ps) and row["year"] == 2019
        assert row["expected_falls"] == pytest.approx(expected, abs=0.051)
        assert row["low"] == pytest.approx(max(expected - 1.96 * sd, 0), abs=0.06)
        assert row["high"] == pytest.approx(expected + 1.96 * sd, abs=0.06)
        assert row["below_now"] == below[row["region_code"]]


def test_the_regions_below_carry_it_for_the_map(scored: Path) -> None:
    with Store(scored, read_only=True) as store:
        county = forecast.forecast(store, "county").to_pylist()[0]
        ahead = forecast.below(store, county["region_code"])
        townships = forecast.forecast(store, "township", county["region_code"][:6])
        village = store.value("SELECT min(village_code) FROM relapse_risk")
        assert forecast.below(store, village) == {}
    assert set(ahead) == set(townships.column("region_code").to_pylist())
    assert sum(a["expected_falls"] for a in ahead.values()) == pytest.approx(
        county["expected_falls"], abs=0.1 * len(ahead))
    assert all(a["forecast_year"] == 2020 and 0 < a["expected_fall_rate"] < 100
               for a in ahead.values())


def test_checked_out_of_sample_against_the_falls_that_followed(identified_db: Path) -> None:
    with Store(identified_db, read_only=True) as store:
        done = forecast.check(store, 2018, "township", QUICK)
        fell = store.scalar("""
            SELECT count(*) FROM household_indicators a JOIN household_indicators b
              ON b.household_id = a.household_id AND b.year = a.year + 1
            WHERE a.year = 2018 AND NOT a.income_below_line AND b.income_below_line""")
    rows = done.table.to_pylist()
    assert done.fell == sum(r["fell"] for r in rows) == fell
    assert done.regions == len(rows) > 3 and 0 <= done.covered <= 1
    assert done.expected == pytest.approx(sum(r["expected"] for r in rows), abs=0.05 * len(rows))
    assert 0.5 < done.expected / done.fell < 2  # the scale is right, out of sample
    with Store(identified_db, read_only=True) as store, \
            pytest.raises(WarningError, match="no labelled origin year before 2014"):
        forecast.check(store, 2014, "county", QUICK)


def test_from_the_command_line(scored: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["warn", "forecast", "--db", str(scored), "--level", "township"])
    assert shown.exit_code == 0, shown.output
    assert "Where poverty will be next year (township)" in shown.output
    checked = runner.invoke(app, ["warn", "forecast", "--db", str(scored), "--check", "2018"])
    assert checked.exit_code == 0, checked.output
    assert "inside the 95% interval" in checked.output
    unknown = runner.invoke(app, ["warn", "forecast", "--db", str(scored), "--level", "street"])
    assert unknown.exit_code != 0 and "unknown level 'street'" in str(unknown.exception)
