"""Choose a model by cross-validation on T, refit it on all of T, predict P."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import TargetingError
from .evaluation import Metrics, cut, evaluate
from .features import Design, FeatureSet, Floats
from .models import CANDIDATES, Model

SHOWN_DUPLICATES = 5
REASONS = 3  # the input columns named as the reasons of a household's rank
MIN_PULL = 0.0005  # pulls kept in the JSON of all of them (log points)


@dataclass(frozen=True)
class Fitted:
    """A model with the feature transform it was trained through."""

    features: FeatureSet
    model: Model
    log_scale: bool

    def predict(self, table: pa.Table) -> Floats:
        """Predicted welfare, on the scale of the welfare column, for each row."""
        predicted = self.model.predict(self._design(table))
        return np.exp(predicted) if self.log_scale else predicted

    def pulls(self, table: pa.Table) -> tuple[list[str], Floats]:
        """Each input column's pull on each row's prediction against T's average
        household (rows × inputs; in log points when the model learnt log welfare), and
        the inputs' names: the model's contributions summed over an input's encodings."""
        design = self._design(table)
        shares = self.model.contributions(design)
        sources = sorted(set(design.sources))
        index = {name: i for i, name in enumerate(sources)}
        pulls = np.zeros((shares.shape[0], len(sources)))
        np.add.at(pulls.T, [index[s] for s in design.sources], shares.T)
        return sources, pulls

    def reasons(self, table: pa.Table, top: int = REASONS) -> tuple[list[str], list[str]]:
        """For each row, the ``top`` inputs that lower its predicted welfare most, as
        text (why the household ranks as poor as it does), and all its pulls as JSON."""
        sources, pulls = self.pulls(table)
        order = np.argsort(pulls, axis=1, kind="stable")[:, :top]
        text = ["; ".join(f"{sources[j]} {pulls[i, j]:+.2f}" for j in row if pulls[i, j] < 0)
                for i, row in enumerate(order)]
        every = [json.dumps({name: round(float(v), 3) for name, v in zip(sources, row,
                                                                         strict=True)
                             if abs(v) >= MIN_PULL}) for row in pulls]
        return text, every

    def _design(self, table: pa.Table) -> Design:
        f = self.features
        return f.native(table) if self.model.native else f.linear(table)


@dataclass(frozen=True)
class TargetingReport:
    """What ``fit_predict`` did: each candidate's mean cross-validated metrics and the
    choice (lowest exclusion error at the coverage, then highest Spearman ρ)."""

    chosen: str
    coverage: float
    folds: int
    log_scale: bool
    train_rows: int
    dropped_rows: int  # rows of T without a usable welfare value
    predict_rows: int
    features: tuple[str, ...]
    ignored: tuple[str, ...]
    cv: dict[str, Metrics] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chosen": self.chosen, "coverage": self.coverage, "folds": self.folds,
            "log_scale": self.log_scale, "train_rows": self.train_rows,
            "dropped_rows": self.dropped_rows, "predict_rows": self.predict_rows,
            "features": list(self.features), "ignored": list(self.ignored),
            "cv": {name: m.as_dict() for name, m in self.cv.items()},
        }


def fit_predict(train: pa.Table, predict: pa.Table, welfare: str, id: str,
                coverage: float, folds: int = 5, seed: int = 0,
                candidates: Sequence[str] | None = None, reasons: bool = False
                ) -> tuple[pa.Table, TargetingReport]:
    """Predict ``welfare`` for every row of ``predict`` from a model learnt on ``train``.

    Features are the columns the two tables share, less ``id`` and ``welfare``. Each
    candidate (all of ``CANDIDATES`` unless ``candidates`` names some) is scored by
    ``folds``-fold cross-validation on ``train`` at ``coverage``; the one with the lowest
    exclusion error (ties: highest Spearman ρ) is refitted on all of ``train``. Returns a
    table of ``id`` and ``predicted_welfare`` (and, with ``reasons``, ``reasons`` and
    ``pulls``: ``Fitted.reasons``) in the row order of ``predict``, and the report.
    """
    names = _check(train, predict, welfare, id, candidates)
    labelled, y, dropped = _labelled(train, welfare)
    if folds < 2:
        raise TargetingError(f"cross-validation needs at least 2 folds, not {folds}")
    log_scale = bool((y > 0).all())
    target = np.log(y) if log_scale else y
    parts = np.array_split(np.random.default_rng(seed).permutation(labelled.num_rows), folds)
    for part in parts:
        cut(part.size, coverage)  # every fold must hold poor and non-poor rows
    chosen = list(candidates) if candidates is not None else list(CANDIDATES)
    cv = {name: _cross_validate(name, labelled, names, target, parts, seed, coverage)
          for name in chosen}
    best = min(chosen, key=lambda name: _rank(cv[name]))
    fitted = fit(best, labelled, names, target, seed, coverage, log_scale)
    out = pa.table({id: predict.column(id),
                    "predicted_welfare": pa.array(fitted.predict(predict), pa.float64())})
    if reasons:
        text, every = fitted.reasons(predict)
        out = out.append_column("reasons", pa.array(text, pa.string())) \
            .append_column("pulls", pa.array(every, pa.string()))
    report = TargetingReport(best, coverage, folds, log_scale, labelled.num_rows, dropped,
                             predict.num_rows, tuple(c.name for c in fitted.features.columns),
                             fitted.features.ignored, cv)
    return out, report


def fit(name: str, table: pa.Table, names: list[str], target: Floats, seed: int,
        coverage: float, log_scale: bool) -> Fitted:
    """Fit the candidate ``name`` on ``table``'s columns ``names`` against ``target``
    (already in logs when ``log_scale``)."""
    features = FeatureSet.fit(table, names)
    model = CANDIDATES[name](seed, coverage)
    model.fit(features.native(table) if model.native else features.linear(table), target)
    return Fitted(features, model, log_scale)


def _cross_validate(name: str, table: pa.Table, names: list[str], target: Floats,
                    parts: list[np.ndarray[Any, Any]], seed: int, coverage: float) -> Metrics:
    scores = []
    for i, held in enumerate(parts):
        rest = np.concatenate([p for j, p in enumerate(parts) if j != i])
        fitted = fit(name, table.take(rest), names, target[rest], seed, coverage, False)
        scores.append(evaluate(target[held], fitted.predict(table.take(held)), coverage))
    return _mean(scores)


def _mean(scores: list[Metrics]) -> Metrics:
    def avg(key: str) -> float:
        return float(np.mean([getattr(s, key) for s in scores]))
    return Metrics(
        coverage=scores[0].coverage, households=sum(s.households for s in scores),
        poor=sum(s.poor for s in scores), inclusion_error=avg("inclusion_error"),
        exclusion_error=avg("exclusion_error"), precision=avg("precision"),
        recall=avg("recall"), accuracy=avg("accuracy"), auc=avg("auc"),
        spearman=avg("spearman"))


def _rank(m: Metrics) -> tuple[float, float]:
    spearman = m.spearman if np.isfinite(m.spearman) else -np.inf
    return (m.exclusion_error, -spearman)


# -- checks -------------------------------------------------------------------------------


def _check(train: pa.Table, predict: pa.Table, welfare: str, id: str,
           candidates: Sequence[str] | None) -> list[str]:
    """Validate the inputs; return the feature columns."""
    if welfare not in train.column_names:
        raise TargetingError(f"the labelled table has no welfare column {welfare!r}; "
                             f"its columns are: {', '.join(train.column_names)}")
    kind = train.schema.field(welfare).type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_decimal(kind)):
        raise TargetingError(f"the welfare column {welfare!r} must be numeric, not {kind}")
    for label, table in (("labelled", train), ("prediction", predict)):
        if id not in table.column_names:
            raise TargetingError(f"the {label} table has no id column {id!r}")
        _unique(table.column(id), id, label)
    names = [c for c in train.column_names
             if c not in (id, welfare) and c in predict.column_names]
    if not names:
        raise TargetingError("the labelled and prediction tables share no feature column "
                             f"(besides {id!r}); both need the same predictors")
    unknown = sorted(set(candidates or ()) - set(CANDIDATES))
    if unknown or (candidates is not None and not candidates):
        raise TargetingError(f"unknown or no candidate model(s) {unknown}; "
                             f"choose among: {', '.join(CANDIDATES)}")
    return names


def _unique(ids: pa.ChunkedArray, id: str, label: str) -> None:
    if ids.null_count:
        raise TargetingError(f"the id column {id!r} of the {label} table has "
                             f"{ids.null_count} empty value(s)")
    counts = pc.value_counts(ids)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(repeated):
        shown = ", ".join(map(str, repeated[:SHOWN_DUPLICATES].to_pylist()))
        more = f" and {len(repeated) - SHOWN_DUPLICATES} more" \
            if len(repeated) > SHOWN_DUPLICATES else ""
        raise TargetingError(f"the id column {id!r} of the {label} table repeats "
                             f"{len(repeated)} id(s): {shown}{more}")


def _labelled(train: pa.Table, welfare: str) -> tuple[pa.Table, Floats, int]:
    """The rows of T with a finite welfare value, and those values."""
    values = np.asarray(pc.cast(train.column(welfare), pa.float64())
                        .to_numpy(zero_copy_only=False), dtype=np.float64)
    keep = np.isfinite(values)
    if not keep.any():
        raise TargetingError(f"the welfare column {welfare!r} has no values")
    return train.filter(pa.array(keep)), values[keep], int((~keep).sum())
