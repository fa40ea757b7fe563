"""Model-based targeting: predict the welfare of households whose income is not verified.

A proxy-means test and two alternatives learn log welfare from a labelled table T (households
whose income was verified) and predict it for a table P; K-fold cross-validation on T picks
the candidate that misses the fewest poor at the coverage the programme can afford
(domain.md §10). ``fit_predict`` is the entry point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import TargetingError

if TYPE_CHECKING:
    from .evaluation import Metrics, evaluate
    from .selection import TargetingReport, fit_predict

__all__ = ["Metrics", "TargetingError", "TargetingReport", "evaluate", "fit_predict"]


def __getattr__(name: str) -> Any:
    # scikit-learn, LightGBM and SciPy load on first use, so importing the package is cheap.
    if name in ("fit_predict", "TargetingReport"):
        from . import selection
        return getattr(selection, name)
    if name in ("evaluate", "Metrics"):
        from . import evaluation
        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
