"""The candidate models. Each learns (log) welfare from a :class:`Design` and predicts it.

* ``ols``: the proxy-means test, a least-squares regression on standardised features;
* ``quantile``: linear quantile regression at a low quantile (the coverage, kept within
  0.10–0.50), which weighs the lower tail where the targeting decision falls; fitted by
  HiGHS on at most 20,000 rows (a seeded random subsample beyond that: the linear
  programme grows with rows, and 20,000 pin a low quantile down well);
* ``gbm``: LightGBM gradient boosting, which finds the thresholds, caps and curvature the
  linear models miss; many small trees (three leaves each), since log welfare is mostly a
  sum of such effects; seeded and deterministic, on two threads from 50,000 rows. The
  parameters were chosen on a synthetic province of another seed than the benchmark's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np
from sklearn.linear_model import QuantileRegressor

from .features import Design, Floats

QUANTILE_RANGE = (0.10, 0.50)
QUANTILE_MAX_ROWS = 20_000

GBM_PARAMS: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.03,
    "num_leaves": 3,
    "min_data_in_leaf": 30,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "cat_smooth": 10.0,
    "deterministic": True,
    "force_col_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
GBM_ROUNDS = 2_000
# Below this many rows LightGBM runs on one thread: thousands of tiny trees make each
# round's thread synchronisation cost more than it saves, and on a busy machine (a test
# run in parallel) spinning threads slowed a fit of 1,400 rows from 3 s to 40 s.
GBM_THREADED_ROWS = 50_000


class Model(ABC):
    """A candidate model. ``native`` says which encoding of the features it takes."""

    name: ClassVar[str]
    native: ClassVar[bool] = False

    def __init__(self, seed: int = 0, coverage: float = 0.25) -> None:
        self.seed = seed
        self.coverage = coverage

    @abstractmethod
    def fit(self, design: Design, y: Floats) -> None:
        """Learn from the features of T and its (log) welfare."""

    @abstractmethod
    def predict(self, design: Design) -> Floats:
        """Predicted (log) welfare for each row of ``design``."""

    @abstractmethod
    def contributions(self, design: Design) -> Floats:
        """Each design column's share of each row's prediction, against T's average
        household (rows × columns, in the units of the prediction)."""


class LinearModel(Model):
    """A linear model on standardised features: subclasses only solve for coefficients."""

    mean: Floats
    scale: Floats
    coef: Floats
    intercept: float

    def fit(self, design: Design, y: Floats) -> None:
        self.mean = design.x.mean(axis=0)
        scale = design.x.std(axis=0)
        self.scale = np.where(scale > 0, scale, 1.0)
        self.coef, self.intercept = self.solve((design.x - self.mean) / self.scale, y)

    def predict(self, design: Design) -> Floats:
        z = (design.x - self.mean) / self.scale
        prediction: Floats = z @ self.coef + self.intercept
        return prediction

    def contributions(self, design: Design) -> Floats:
        shares: Floats = (design.x - self.mean) / self.scale * self.coef
        return shares

    @abstractmethod
    def solve(self, z: Floats, y: Floats) -> tuple[Floats, float]:
        """Coefficients and intercept for standardised features ``z``."""


class OLS(LinearModel):
    name = "ols"

    def solve(self, z: Floats, y: Floats) -> tuple[Floats, float]:
        # Minimum-norm least squares through the normal equations (pinv(A'A) A'y equals
        # pinv(A) y): one-hot levels that sum to the intercept are harmless, and the small
        # Gram matrix is far quicker to solve than A itself.
        a = np.column_stack([np.ones(len(y)), z])
        beta = np.asarray(np.linalg.pinv(a.T @ a, hermitian=True) @ (a.T @ y),
                          dtype=np.float64)
        return beta[1:], float(beta[0])


class Quantile(LinearModel):
    name = "quantile"

    @property
    def quantile(self) -> float:
        return float(np.clip(self.coverage, *QUANTILE_RANGE))

    def solve(self, z: Floats, y: Floats) -> tuple[Floats, float]:
        if len(y) > QUANTILE_MAX_ROWS:
            keep = np.random.default_rng(self.seed).choice(len(y), QUANTILE_MAX_ROWS,
                                                           replace=False)
            z, y = z[keep], y[keep]
        fitted = QuantileRegressor(quantile=self.quantile, alpha=0.0, solver="highs").fit(z, y)
        return np.asarray(fitted.coef_, dtype=np.float64), float(fitted.intercept_)


class GBM(Model):
    name = "gbm"
    native = True
    booster: lgb.Booster

    def fit(self, design: Design, y: Floats) -> None:
        params = {**GBM_PARAMS, "seed": self.seed}
        if len(y) < GBM_THREADED_ROWS:
            params["num_threads"] = 1
        data = lgb.Dataset(design.x, y, feature_name=[f"f{i}" for i in range(len(design.names))],
                           categorical_feature=list(design.categorical), params=params)
        self.booster = lgb.train(params, data, num_boost_round=GBM_ROUNDS)

    def predict(self, design: Design) -> Floats:
        return np.asarray(self.booster.predict(design.x), dtype=np.float64)

    def contributions(self, design: Design) -> Floats:
        # SHAP values (TreeSHAP); the last column is the average prediction
        shares = np.asarray(self.booster.predict(design.x, pred_contrib=True), dtype=np.float64)
        return shares[:, :-1]


CANDIDATES: dict[str, type[Model]] = {m.name: m for m in (OLS, Quantile, GBM)}
