"""Where poverty will be next year: the early warning's risks (warning.py) summed per
village, township or county — the expected number of households at or above the line
this year that fall below it next year, with an interval — beside this year's figure;
and the same checked out of sample on the panel.

Each household falls or not on its own chance ``p`` (its calibrated risk), so a region's
count has mean Σp and variance Σp(1 − p) (a Poisson-binomial); the interval is the
normal one at 95%. Shocks shared by a village (a flood) make falls move together, so the
check reports how often the intervals held rather than assuming they do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..lines import PovertyLines, national
from ..standard.regions import ancestor, check_level, level_below, prefix, sql_ancestor
from ..store import Store
from .warning import (
    TABLE,
    WarningError,
    WarningRules,
    learnt_before,
    load_warning,
    risk,
    scored_years,
)
from .warning_features import labelled_years, why_unlabelled

Z = 1.959963984540054  # the normal 97.5% point: a 95% interval


def forecast(store: Store, level: str = "county", prefix: str = "",
             year: int | None = None) -> pa.Table:
    """Per region at ``level`` under ``prefix``, from the warning scores of origin year
    ``year`` (default the latest scored): households scored, the expected number falling
    below the line the next year with its 95% interval, and the households below the
    line in ``year`` (this year's figure)."""
    check_level(level)
    if not scored_years(store):
        raise WarningError("no warning scores yet: run `povertycloud warn score` first")
    year = year if year is not None else scored_years(store)[-1]
    if year not in scored_years(store):
        raise WarningError(f"no warning scores of {year}; scored: "
                           f"{', '.join(map(str, scored_years(store)))}")
    region = sql_ancestor("village_code", level)
    return store.arrow(f"""
WITH expected AS (
  SELECT {region} AS region_code, count(*) AS households, sum(risk) AS expected,
    sqrt(sum(risk * (1 - risk))) AS sd
  FROM {TABLE} WHERE year = ? AND starts_with(village_code, ?) GROUP BY 1),
below AS (
  SELECT {region} AS region_code, sum(income_below_line::INT) AS below_now
  FROM household_indicators WHERE year = ? AND starts_with(village_code, ?) GROUP BY 1)
SELECT e.region_code, g.name AS region_name, CAST(? AS BIGINT) AS year,
  e.households, round(e.expected, 1) AS expected_falls,
  round(greatest(e.expected - {Z} * e.sd, 0), 1) AS low,
  round(e.expected + {Z} * e.sd, 1) AS high, coalesce(b.below_now, 0) AS below_now
FROM expected e LEFT JOIN below b USING (region_code)
LEFT JOIN regions g ON g.code = e.region_code ORDER BY e.region_code""",
                       [year, prefix, year, prefix, year])


@dataclass(frozen=True)
class Check:
    """Forecasts of one past origin year against the falls that followed."""

    year: int
    level: str
    regions: int
    expected: float  # households, all regions
    fell: int
    covered: float  # share of regions whose falls lay inside the 95% interval
    mean_abs_error: float  # households per region
    table: pa.Table  # per region: code, households, expected, low, high, fell


def check(store: Store, year: int, level: str = "county", rules: WarningRules | None = None,
          lines: PovertyLines | None = None) -> Check:
    """Train the warning model on the origin years before ``year``, sum its risks of
    ``year`` per region at ``level`` and compare with the households that did fall
    below the line in ``year`` + 1 (those surveyed then)."""
    check_level(level)
    rules, lines = rules or load_warning(), lines or national()
    if year not in labelled_years(store):
        raise WarningError(why_unlabelled(store, year))
    origin, booster, _ = learnt_before(store, year, rules, lines)
    target = origin.select(~np.isnan(origin.label))  # surveyed the next year
    p = risk(booster, target.x, rules)
    codes = np.asarray([ancestor(c, level) for c in target.village_code])
    regions, index = np.unique(codes, return_inverse=True)
    expected = np.bincount(index, p, len(regions))
    sd = np.sqrt(np.bincount(index, p * (1 - p), len(regions)))
    fell = np.bincount(index, target.label, len(regions))
    low, high = np.maximum(expected - Z * sd, 0), expected + Z * sd
    inside = (fell >= low) & (fell <= high)
    return Check(year, level, len(regions), float(expected.sum()), int(fell.sum()),
                 float(inside.mean()) if len(regions) else math.nan,
                 float(np.abs(fell - expected).mean()) if len(regions) else math.nan,
                 pa.table({"region_code": regions,
                           "households": np.bincount(index, minlength=len(regions)),
                           "expected": expected.round(1), "low": low.round(1),
                           "high": high.round(1), "fell": fell.astype(np.int64)}))


def of_children(store: Store, code: str) -> pa.Table:
    """:func:`forecast` of the regions directly below ``code`` (none below a village)."""
    level = level_below(code)
    return forecast(store, level, prefix(code)) if level else pa.table({"region_code": []})


def below(store: Store, code: str) -> dict[str, dict[str, Any]]:
    """The forecast of the regions directly below ``code`` (the latest year scored), by
    code, as map and table figures: ``expected_falls`` with ``falls_low`` and
    ``falls_high``, and ``expected_fall_rate`` (per 100 households scored); empty when
    nothing is scored or ``code`` is a village."""
    if not scored_years(store):
        return {}
    return {r["region_code"]: {
        "forecast_year": r["year"] + 1, "expected_falls": r["expected_falls"],
        "falls_low": r["low"], "falls_high": r["high"],
        "expected_fall_rate": round(100 * r["expected_falls"] / r["households"], 2)
        if r["households"] else None} for r in of_children(store, code).to_pylist()}
