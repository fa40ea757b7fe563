"""The evaluation protocol's full table (domain.md §10): the metrics of a prediction with
bootstrapped intervals, its relative cut in exclusion error against a baseline (the OLS
proxy-means test) with a paired interval, and its errors by group (ethnicity, sex of the
head, disability, terrain).

Each bootstrap draw resamples the households with replacement and ranks and cuts the
sample afresh; a baseline is scored on the same draw, so the interval of the cut is of
the difference itself. Every household weighs the same (the registry is a census); the
intervals are the 2.5th and 97.5th percentiles of the draws.

Within a group, the poor and the targeted are those of the whole population: exclusion
error = the group's poor not targeted ÷ the group's poor; inclusion error = the group's
targeted who are not poor ÷ the group's targeted (undefined, NaN, for none).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import TargetingError
from .evaluation import Metrics, cut, evaluate, lowest

Floats = npt.NDArray[np.float64]
BOUNDED = ("exclusion_error", "inclusion_error", "precision", "recall", "accuracy", "auc",
           "spearman")
DRAWS = 1_000
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class GroupErrors:
    """Errors within one value of a group column."""

    column: str
    value: str
    households: int
    poor: int
    targeted: int
    exclusion_error: float
    inclusion_error: float
    exclusion_interval: Interval | None = None


@dataclass(frozen=True)
class Assessment:
    """The protocol's table for one prediction."""

    metrics: Metrics
    intervals: dict[str, Interval]
    draws: int
    baseline: Metrics | None = None
    exclusion_cut: float | None = None  # 1 - exclusion error / the baseline's
    cut_interval: Interval | None = None
    groups: tuple[GroupErrors, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The metrics at the top level (as ``Metrics.as_dict``), then the rest."""
        out: dict[str, Any] = {**self.metrics.as_dict(), "draws": self.draws,
                               "intervals": {k: asdict(v) for k, v in self.intervals.items()}}
        if self.baseline is not None:
            out["baseline"] = self.baseline.as_dict()
            out["exclusion_cut"] = self.exclusion_cut
            out["cut_interval"] = asdict(self.cut_interval) if self.cut_interval else None
        out["groups"] = [asdict(g) for g in self.groups]
        defined: dict[str, Any] = _defined(out)
        return defined


def assess(truth: Floats, predicted: Floats, coverage: float, *,
           baseline: Floats | None = None, groups: Mapping[str, npt.ArrayLike] | None = None,
           draws: int = DRAWS, seed: int = 0,
           progress: Callable[[int], None] | None = None) -> Assessment:
    """Score ``predicted`` against ``truth`` at ``coverage`` with ``draws`` bootstrap
    draws (0: no intervals); with ``baseline`` (another prediction of the same rows), the
    relative cut in exclusion error; with ``groups`` (column name → one value per row),
    errors by group. ``progress`` is called with the number of draws done."""
    metrics = evaluate(truth, predicted, coverage)
    if baseline is not None and np.asarray(baseline).size != truth.size:
        raise TargetingError(f"{truth.size} true values but {np.asarray(baseline).size} "
                             "baseline predictions")
    coded = {name: _codes(name, values, truth.size) for name, values in (groups or {}).items()}
    rng = np.random.default_rng(seed)
    seen: dict[str, list[float]] = {k: [] for k in BOUNDED}
    cuts: list[float] = []
    group_draws: dict[str, list[Floats]] = {name: [] for name in coded}
    for i in range(draws):
        rows = rng.integers(0, truth.size, truth.size)
        m = evaluate(truth[rows], predicted[rows], coverage)
        for key in BOUNDED:
            seen[key].append(getattr(m, key))
        if baseline is not None:
            cuts.append(_cut(m, evaluate(truth[rows], baseline[rows], coverage)))
        if coded:
            poor, targeted = _sets(truth[rows], predicted[rows], coverage)
            for name, (codes, levels) in coded.items():
                group_draws[name].append(_group_exclusion(poor, targeted, codes[rows],
                                                          len(levels)))
        if progress is not None:
            progress(i + 1)
    intervals = {k: _interval(v) for k, v in seen.items()} if draws else {}
    base = evaluate(truth, baseline, coverage) if baseline is not None else None
    poor, targeted = _sets(truth, predicted, coverage)
    table = tuple(g for name, (codes, levels) in coded.items()
                  for g in _groups(name, levels, codes, poor, targeted, group_draws[name]))
    return Assessment(metrics, intervals, draws, base,
                      _cut(metrics, base) if base is not None else None,
                      _interval(cuts) if cuts else None, table)


def _defined(value: Any) -> Any:
    """``value`` with every NaN (a rate of no one) as None, so that it is valid JSON."""
    if isinstance(value, dict):
        return {k: _defined(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_defined(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def _cut(m: Metrics, baseline: Metrics) -> float:
    if baseline.exclusion_error == 0:
        return float("nan")
    return 1 - m.exclusion_error / baseline.exclusion_error


def _interval(values: list[float] | Floats) -> Interval:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.nanpercentile(np.asarray(values, dtype=np.float64), [tail, 100 - tail])
    return Interval(float(low), float(high))


def _sets(truth: Floats, predicted: Floats, coverage: float
          ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    k = cut(truth.size, coverage)
    return lowest(truth, k), lowest(predicted, k)


def _codes(name: str, values: npt.ArrayLike, n: int) -> tuple[npt.NDArray[np.int64], list[str]]:
    text = np.asarray([("(missing)" if v is None else str(v)) for v in np.asarray(values,
                                                                                 dtype=object)])
    if text.size != n:
        raise TargetingError(f"the group column {name!r} has {text.size} values for {n} rows")
    levels, codes = np.unique(text, return_inverse=True)
    return codes.astype(np.int64), [str(level) for level in levels]


def _group_exclusion(poor: npt.NDArray[np.bool_], targeted: npt.NDArray[np.bool_],
                     codes: npt.NDArray[np.int64], levels: int) -> Floats:
    in_group = np.bincount(codes, weights=poor, minlength=levels)
    missed = np.bincount(codes, weights=poor & ~targeted, minlength=levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        share: Floats = missed / in_group
    return share


def _groups(name: str, levels: list[str], codes: npt.NDArray[np.int64],
            poor: npt.NDArray[np.bool_], targeted: npt.NDArray[np.bool_],
            draws: list[Floats]) -> list[GroupErrors]:
    exclusion = _group_exclusion(poor, targeted, codes, len(levels))
    households = np.bincount(codes, minlength=len(levels))
    poor_n = np.bincount(codes, weights=poor, minlength=len(levels))
    targeted_n = np.bincount(codes, weights=targeted, minlength=len(levels))
    wrong = np.bincount(codes, weights=targeted & ~poor, minlength=len(levels))
    spread = np.asarray(draws) if draws else None
    out = []
    for j, level in enumerate(levels):
        interval = _interval(spread[:, j]) if spread is not None \
            and np.isfinite(spread[:, j]).any() else None
        out.append(GroupErrors(
            name, level, int(households[j]), int(poor_n[j]), int(targeted_n[j]),
            float(exclusion[j]),
            float(wrong[j] / targeted_n[j]) if targeted_n[j] else float("nan"), interval))
    return out
