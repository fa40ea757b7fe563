"""The batch pipeline: household profiles and indicators for every survey year, status
periods, and region roll-ups as of each year's end, on any engine.

Outputs: ``household_indicators`` (one row per household and survey year),
``status_periods`` (each registry status a household held, with its dates) and
``region_rollups`` (every level, as of each year's 31 December).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from ..engines import Engine
from ..errors import PovertyCloudError
from ..profile import household as profile
from . import indicators, rollups
from .plan import Plan, Progress, Step, register_inputs, run_plan, write_outputs

INPUTS = ("regions", "households", "people", "household_years", "status_changes", "events")
OUTPUTS = ("household_indicators", "status_periods", "region_rollups")


def profile_steps(year: int | None = None,
                  member_lists: Mapping[str, str] | None = None) -> list[Step]:
    """Steps that build ``household_profile`` (for one survey year, or all), with the
    ``member_lists`` (column: member condition) that :func:`profile.member_counts_sql`
    describes. Views: each plan reads the profile once."""
    return [
        Step("member_rows", profile.member_rows_sql(year)),
        Step("member_counts", profile.member_counts_sql(member_lists)),
        Step("event_counts", profile.event_counts_sql(year)),
        Step("household_profile", profile.profile_sql(year, member_lists)),
    ]


def batch_plan(years: list[int]) -> Plan:
    """The pipeline for the given survey years: roll-ups as of each year's 31 December."""
    per_year = [Step(f"rollups_{y}", rollups.rollups_sql(dt.date(y, 12, 31), y)) for y in years]
    union = " UNION ALL ".join(f"SELECT * FROM rollups_{y}" for y in years)
    steps = [
        *profile_steps(),
        Step("household_indicators", indicators.household_indicators_sql(), materialize=True),
        Step("status_periods", rollups.status_periods_sql(), materialize=True),
        *per_year,
        Step("region_rollups", union),
    ]
    return Plan(INPUTS, tuple(steps), OUTPUTS, {"poverty_lines": indicators.poverty_lines()})


def survey_years(engine: Engine) -> list[int]:
    return [int(r["year"]) for r in engine.query(
        "SELECT DISTINCT year FROM household_years ORDER BY year").to_pylist()]


def run_on_parquet(engine: Engine, input_dir: Path, output_dir: Path,
                   progress: Progress | None = None) -> dict[str, Path]:
    """Read the inputs from ``input_dir``, write the outputs to ``output_dir`` (new)."""
    register_inputs(engine, INPUTS, input_dir)
    years = survey_years(engine)
    if not years:
        raise PovertyCloudError(f"{input_dir}: household_years is empty")
    plan = batch_plan(years)
    run_plan(engine, plan, progress)
    return write_outputs(engine, plan, output_dir, progress)


__all__ = ["INPUTS", "OUTPUTS", "Plan", "Step", "batch_plan", "run_on_parquet", "run_plan"]
