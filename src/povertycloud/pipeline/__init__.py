"""The batch pipeline: named SQL steps run in order on any engine.

Inputs are the standard's tables; outputs are ``household_indicators`` (one row per
household and survey year), ``status_periods`` (each registry status a household held,
with its dates) and ``region_rollups`` (every level, as of each year's end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..engines import Engine
from ..errors import PovertyCloudError
from ..synth import table_path
from . import indicators, rollups

INPUTS = ("regions", "households", "people", "household_years", "status_changes")
OUTPUTS = ("household_indicators", "status_periods", "region_rollups")


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    materialize: bool = False  # computed once because later steps read it often


def steps(years: list[int]) -> list[Step]:
    """The pipeline for the given survey years: roll-ups as of each year's 31 December."""
    per_year = [Step(f"rollups_{y}", rollups.rollups_sql(dt.date(y, 12, 31), y)) for y in years]
    union = " UNION ALL ".join(f"SELECT * FROM rollups_{y}" for y in years)
    return [
        Step("member_counts", indicators.member_counts_sql()),
        Step("household_indicators", indicators.household_indicators_sql(), materialize=True),
        Step("status_periods", rollups.status_periods_sql(), materialize=True),
        *per_year,
        Step("region_rollups", union),
    ]


def run(engine: Engine, years: list[int],
        progress: Callable[[str], None] | None = None) -> None:
    """Define every step on ``engine``, whose inputs are already registered.

    Engines evaluate lazily: results are computed when written or queried.
    """
    engine.register_arrow("poverty_lines", indicators.poverty_lines())
    for step in steps(years):
        if progress:
            progress(step.name)
        if step.materialize:
            engine.materialize(step.name, step.sql)
        else:
            engine.create_view(step.name, step.sql)


def run_on_parquet(engine: Engine, input_dir: Path, output_dir: Path,
                   progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Read the inputs from ``input_dir``, write the outputs to ``output_dir`` (new)."""
    missing = [n for n in INPUTS if not table_path(input_dir, n).exists()]
    if missing:
        raise PovertyCloudError(f"{input_dir}: missing input table(s) {', '.join(missing)}")
    for name in INPUTS:
        engine.register_parquet(name, table_path(input_dir, name))
    years = [int(r["year"]) for r in engine.query(
        "SELECT DISTINCT year FROM household_years ORDER BY year").to_pylist()]
    if not years:
        raise PovertyCloudError(f"{input_dir}: household_years is empty")
    run(engine, years, progress)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in OUTPUTS:
        if progress:
            progress(f"write {name}")
        path = output_dir / f"{name}.parquet"
        engine.write_parquet(name, path)
        written[name] = path
    return written
