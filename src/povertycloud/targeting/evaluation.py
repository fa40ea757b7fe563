"""Targeting quality by rank and cut (domain.md §10).

With coverage p over n households, the truth marks the ⌊pn⌉ with the lowest true welfare
as poor and the prediction targets the ⌊pn⌉ with the lowest predicted welfare; ties keep
row order. Inclusion error = non-poor targeted ÷ targeted; exclusion error = poor not
targeted ÷ all poor; recall = 1 − exclusion error. As both sets have the same size,
inclusion and exclusion errors are equal here; they differ under a poverty line.

AUC keeps the truth at coverage p and sweeps the share targeted over 1 %, 2 %, …, 99 %
(and p itself), adding (0, 0) and (1, 1), and integrates TPR over FPR by trapezoids.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import spearmanr

from .errors import TargetingError

ArrayLike = npt.ArrayLike


@dataclass(frozen=True)
class Metrics:
    """How well a prediction targets the poorest ``coverage`` share."""

    coverage: float
    households: int
    poor: int
    inclusion_error: float
    exclusion_error: float
    precision: float
    recall: float
    accuracy: float
    auc: float
    spearman: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def evaluate(true_welfare: ArrayLike, predicted_welfare: ArrayLike,
             coverage: float) -> Metrics:
    """Score ``predicted_welfare`` against ``true_welfare`` at ``coverage`` (0 < p < 1)."""
    truth, predicted = _vectors(true_welfare, predicted_welfare)
    n = truth.size
    k = cut(n, coverage)
    poor = lowest(truth, k)
    by_prediction = np.argsort(predicted, kind="stable")
    # hits[j - 1]: the poor among the j households with the lowest predictions
    hits = np.cumsum(poor[by_prediction], dtype=np.int64)
    caught = int(hits[k - 1])
    missed = k - caught
    return Metrics(
        coverage=coverage, households=n, poor=k,
        inclusion_error=missed / k, exclusion_error=missed / k,
        precision=caught / k, recall=caught / k,
        accuracy=(n - 2 * missed) / n,
        auc=_auc(hits, k, coverage),
        spearman=_spearman(truth, predicted),
    )


def cut(n: int, coverage: float) -> int:
    """How many of ``n`` households the poorest ``coverage`` share holds (at least one,
    and never all)."""
    if not 0 < coverage < 1:
        raise TargetingError(f"coverage must be a share between 0 and 1, not {coverage}")
    k = round(coverage * n)
    if not 1 <= k < n:
        raise TargetingError(f"a coverage of {coverage:.1%} of {n} households targets "
                             f"{k}: too few households to evaluate")
    return k


def lowest(values: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.bool_]:
    """A mask of the ``k`` lowest values (ties in row order)."""
    mask = np.zeros(values.size, dtype=bool)
    mask[np.argsort(values, kind="stable")[:k]] = True
    return mask


def _vectors(truth: ArrayLike, predicted: ArrayLike) -> tuple[npt.NDArray[np.float64],
                                                              npt.NDArray[np.float64]]:
    a = np.asarray(truth, dtype=np.float64).ravel()
    b = np.asarray(predicted, dtype=np.float64).ravel()
    if a.size != b.size:
        raise TargetingError(f"{a.size} true values but {b.size} predictions")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise TargetingError("true and predicted welfare must be finite numbers, with no gaps")
    return a, b


def _auc(hits: npt.NDArray[np.int64], poor: int, coverage: float) -> float:
    n = hits.size
    shares = np.union1d(np.arange(1, 100) / 100, [coverage])
    targeted = np.clip(np.rint(shares * n).astype(np.int64), 1, n)
    tp = hits[targeted - 1]
    tpr = np.r_[0.0, tp / poor, 1.0]
    fpr = np.r_[0.0, (targeted - tp) / (n - poor), 1.0]
    return float(np.trapezoid(tpr, fpr))


def _spearman(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan  # undefined for a constant
    return float(spearmanr(a, b).statistic)
