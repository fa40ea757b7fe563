"""Training a cause model on the verified households (cause_model.py holds the file).

The training set is exactly the latest verification of each household up to a day
(verified.py), with the profile of the survey year it checks and the rules' strengths.
LightGBM's settings are chosen by stratified cross-validation; the out-of-fold scores
then say, cause by cause, whether the model beats the rules (it decides only there) and
calibrate its probabilities (isotonic). The final boosters learn from every row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..pipeline.on_store import preview
from ..standard.codes import CAUSES
from ..standard.tables import VERSION
from ..store import Store
from .cause_model import (
    FORMAT,
    MIN_VERIFIED,
    CauseModel,
    CauseModelError,
    calibrate,
    feature_spec,
    matrix,
    save,
)
from .evaluation import f1
from .plan import Rules, identify_plan
from .verified import verified_as_of

if TYPE_CHECKING:
    import lightgbm as lgb

Floats = npt.NDArray[np.float64]
MIN_CLASS = 10  # verified households of a cause, at least, for the model to learn it
FOLDS = 5
SEED = 0
SIMPLER = 0.01  # a simpler candidate whose log loss is within 1% of the least is chosen
# The LightGBM settings cross-validation chooses among, simplest first, at LightGBM's own
# learning rate: scoring costs per tree, for every household helped, and at 0.03 the
# 10-million benchmark's model grew 1,716 trees (identify took 16 times the rules' time).
CANDIDATES: tuple[dict[str, Any], ...] = tuple(
    {"num_leaves": leaves, "learning_rate": 0.1, "num_boost_round": 300,
     "min_data_in_leaf": 10 if leaves < 15 else 20} for leaves in (7, 15, 31))


@dataclass(frozen=True)
class Training:
    """A trained model and how it did out of sample against the rules."""

    model: CauseModel
    year: int
    verified: int  # verified poor households with a cause, surveyed in ``year``
    skipped: int  # verified households not poor, without a cause or not surveyed then

    @property
    def validation(self) -> dict[str, Any]:
        return dict(self.model.content["validation"])


def survey_year_checked(store: Store, as_of: dt.date) -> int:
    """The survey year a verification up to ``as_of`` checks: the latest before the
    day's year (a visit in March 2020 checks the survey of 2019), else that year's."""
    years = [int(y) for y in store.column("SELECT DISTINCT year FROM household_years "
                                          "WHERE year <= ? ORDER BY 1", [as_of.year])]
    before = [y for y in years if y < as_of.year]
    if not years:
        raise CauseModelError(f"{store.label} has no survey up to {as_of}")
    return before[-1] if before else years[-1]


def train_causes(store: Store, rules: Rules, as_of: dt.date, out: Path,
                 year: int | None = None, prefix: str = "") -> Training:
    """Train on the households verified under ``prefix`` up to ``as_of`` and write the
    model to ``out``; refused when too few are verified."""
    year = year if year is not None else survey_year_checked(store, as_of)
    verified, fingerprint = verified_as_of(store, as_of, prefix)
    table = _examples(store, rules, year, verified)
    if table.num_rows < MIN_VERIFIED:
        raise CauseModelError(
            f"{table.num_rows} verified poor households with a cause surveyed in {year} "
            f"(up to {as_of}{f', under {prefix}' if prefix else ''}); a cause model needs "
            f"{MIN_VERIFIED} at least: verify more (`povertycloud verification import`)")
    causes = [c for c, _ in rules.causes.strengths]
    spec = feature_spec(causes)
    x, truth = matrix(table, spec), np.asarray(table.column("v_primary").to_pylist())
    counts = {c: int((truth == c).sum()) for c in sorted(set(truth))}
    classes = [c for c, n in counts.items() if n >= MIN_CLASS]
    if len(classes) < 2:
        raise CauseModelError(f"the verified households show {len(classes)} cause(s) with "
                              f"{MIN_CLASS} households or more; a model needs two")
    rules_primary = np.asarray(table.column("r_primary").to_pylist())
    unlearned = [c for c in CAUSES if c not in classes and counts.get(c, 0)]
    params, primary, oof = _primary(x, truth, classes)
    flags, flag_scores = _flags(x, table, params)
    kept = np.isin(rules_primary, unlearned)
    final = np.where(kept, rules_primary, oof)
    validation: dict[str, Any] = {
        "folds": FOLDS, "params": params, "rows": len(truth),
        "primary": {"model_accuracy": _accuracy(truth, final),
                    "rules_accuracy": _accuracy(truth, rules_primary),
                    "model_macro_f1": _macro_f1(truth, final),
                    "rules_macro_f1": _macro_f1(truth, rules_primary),
                    "mean_confidence": primary["mean_confidence"]},
        "flags": flag_scores, "groups": _groups(table, truth, final, rules_primary)}
    decides = {"primary": validation["primary"]["model_accuracy"]
               > validation["primary"]["rules_accuracy"],
               "flags": [c for c, s in flag_scores.items() if s["model_f1"] > s["rules_f1"]]}
    content = {
        "format": FORMAT, "id": "cause-model", "version": f"{as_of}.{fingerprint[:8]}",
        "standard": VERSION, "features": spec, "unlearned": unlearned, "decides": decides,
        "trained": {"as_of": as_of.isoformat(), "year": year, "prefix": prefix,
                    "verified": len(truth), "fingerprint": fingerprint,
                    "rules": rules.versions()["causes"], "counts": counts},
        "primary": {"classes": classes, "booster": primary["booster"],
                    "calibration": primary["calibration"]},
        "flags": flags, "validation": validation}
    return Training(save(content, out), year, len(truth), verified.num_rows - len(truth))


def _groups(table: pa.Table, truth: npt.NDArray[Any], model: npt.NDArray[Any],
            rules: npt.NDArray[Any]) -> dict[str, dict[str, dict[str, float]]]:
    """Accuracy out of fold, model and rules, by the groups whose errors should not differ
    much: terrain, minority area, the head's sex, a disabled member or none."""
    disabled = np.asarray(table.column("disabled").to_pylist(), dtype=float) > 0
    by = {"terrain": table.column("terrain").to_pylist(),
          "ethnic_minority_area": ["yes" if v else "no"
                                   for v in table.column("ethnic_minority_area").to_pylist()],
          "head_sex": table.column("head_sex").to_pylist(),
          "disability": ["a disabled member" if d else "none" for d in disabled]}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, values in by.items():
        groups = np.asarray([str(v) for v in values])
        out[name] = {g: {"households": int((groups == g).sum()),
                         "model_accuracy": _accuracy(truth[groups == g], model[groups == g]),
                         "rules_accuracy": _accuracy(truth[groups == g], rules[groups == g])}
                     for g in sorted(set(groups))}
    return out


def _examples(store: Store, rules: Rules, year: int, verified: pa.Table) -> pa.Table:
    """The profile, the rules' causes and the verified causes of each verified poor
    household surveyed in ``year``."""
    with preview(store, identify_plan(rules, year)) as result, \
            store.registered("verified_set", verified):
        return store.arrow(f"""
SELECT c.*, v.primary_cause AS v_primary, ';' || v.causes || ';' AS v_causes, p.head_sex
FROM {result("cause_results")} c JOIN verified_set v USING (household_id)
LEFT JOIN (SELECT household_id, any_value(sex) FILTER (WHERE relation = 'head') AS head_sex
           FROM people GROUP BY household_id) p USING (household_id)
WHERE v.poor AND v.primary_cause IS NOT NULL ORDER BY household_id""")


def _folds(labels: npt.NDArray[Any]) -> list[tuple[npt.NDArray[np.int64], ...]]:
    from sklearn.model_selection import StratifiedKFold

    split = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    return [tuple(f) for f in split.split(np.zeros(len(labels)), labels)]


def _fit(x: Floats, y: Floats, params: dict[str, Any], classes: int = 0) -> lgb.Booster:
    """A booster of ``classes`` classes (multiclass), or of a yes or no (binary)."""
    import lightgbm as lgb

    settings = {k: v for k, v in params.items() if k != "num_boost_round"}
    objective = {"objective": "multiclass", "num_class": classes} if classes \
        else {"objective": "binary"}
    return lgb.train({**objective, **settings, "seed": SEED, "deterministic": True,
                      "force_col_wise": True, "num_threads": 2, "verbose": -1},
                     lgb.Dataset(x, y), num_boost_round=params["num_boost_round"])


def _primary(x: Floats, truth: npt.NDArray[Any], classes: list[str]
             ) -> tuple[dict[str, Any], dict[str, Any], npt.NDArray[Any]]:
    """The settings (and rounds, stopped early) of least out-of-fold log loss (the
    simplest within :data:`SIMPLER` of it), the final booster with its calibrated
    confidence, and each row's primary cause out of fold (a row of a cause never learnt
    is never trained on: the final booster guesses it)."""
    learnt = np.flatnonzero(np.isin(truth, classes))
    y = np.asarray([classes.index(c) for c in truth[learnt]], dtype=float)
    folds = _folds(truth[learnt])
    tried = []
    for params in CANDIDATES:
        loss, rounds, probs = _cross_validated(x[learnt], y, params, folds, len(classes))
        tried.append((loss, {**params, "num_boost_round": rounds}, probs))
    least = min(loss for loss, _, _ in tried)
    # the simplest within SIMPLER of the least loss: each household scores faster
    _, params, probs = next(t for t in tried if t[0] <= least * (1 + SIMPLER))
    booster = _fit(x[learnt], y, params, len(classes))
    everyone = np.asarray(booster.predict(x))
    everyone[learnt] = probs
    guess = np.asarray(classes, dtype=object)[everyone.argmax(axis=1)]
    calibration = _isotonic(everyone.max(axis=1), (guess == truth).astype(float))
    return params, {"booster": booster.model_to_string(), "calibration": calibration,
                    "mean_confidence": float(calibrate(calibration,
                                                       everyone.max(axis=1)).mean())}, guess


def _cross_validated(x: Floats, y: Floats, params: dict[str, Any],
                     folds: list[tuple[npt.NDArray[np.int64], ...]], classes: int
                     ) -> tuple[float, int, Floats]:
    """LightGBM's cross-validation, stopped when the log loss stops falling: the loss,
    the rounds and the out-of-fold probabilities."""
    import lightgbm as lgb

    settings = {k: v for k, v in params.items() if k != "num_boost_round"}
    found = lgb.cv({"objective": "multiclass", "num_class": classes, **settings,
                    "seed": SEED, "deterministic": True, "force_col_wise": True,
                    "num_threads": 2, "verbose": -1}, lgb.Dataset(x, y),
                   num_boost_round=params["num_boost_round"], folds=folds,
                   callbacks=[lgb.early_stopping(20, verbose=False)], return_cvbooster=True)
    losses: list[float] = found["valid multi_logloss-mean"]  # type: ignore[assignment]
    boosters: lgb.CVBooster = found["cvbooster"]  # type: ignore[assignment]
    probs = np.zeros((len(y), classes))
    for booster, (_, test) in zip(boosters.boosters, folds, strict=True):
        probs[test] = booster.predict(x[test], num_iteration=boosters.best_iteration)
    return float(losses[-1]), len(losses), probs


def _flags(x: Floats, table: pa.Table, params: dict[str, Any]
           ) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """One binary booster per cause the verified households show often enough, with its
    out-of-fold F1 against the rules' flag."""
    verified = table.column("v_causes").to_pylist()
    boosters, scores = {}, {}
    for cause in CAUSES[:-1]:
        y = np.asarray([f";{cause};" in (v or "") for v in verified], dtype=float)
        if min(y.sum(), len(y) - y.sum()) < MIN_CLASS:
            continue
        raw = np.zeros(len(y))
        for train, test in _folds(y):
            raw[test] = _fit(x[train], y[train], params).predict(x[test])
        calibration = _isotonic(raw, y)
        said = calibrate(calibration, raw) >= 0.5
        rules = np.asarray(table.column(f"r_has_{cause}").to_pylist(), dtype=bool)
        scores[cause] = {"model_f1": _f1(y.astype(bool), said),
                         "rules_f1": _f1(y.astype(bool), rules), "verified": int(y.sum())}
        boosters[cause] = {"booster": _fit(x, y, params).model_to_string(),
                           "calibration": calibration}
    return boosters, scores


def _isotonic(raw: Floats, outcome: Floats) -> dict[str, list[float]]:
    """The isotonic map from a raw probability to the observed rate, as its knots."""
    from sklearn.isotonic import IsotonicRegression

    fitted = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(raw, outcome)
    return {"x": [float(v) for v in fitted.X_thresholds_],
            "y": [float(v) for v in fitted.y_thresholds_]}


def _accuracy(truth: npt.NDArray[Any], guess: npt.NDArray[Any]) -> float:
    return float((truth == guess).mean())


def _macro_f1(truth: npt.NDArray[Any], guess: npt.NDArray[Any]) -> float:
    """Macro F1 over the causes the truth holds (as `rules evaluate-causes` measures)."""
    return float(np.mean([_f1(truth == c, guess == c) for c in sorted(set(truth))]))


def _f1(truth: npt.NDArray[np.bool_], said: npt.NDArray[np.bool_]) -> float:
    return f1(int((truth & said).sum()), int((~truth & said).sum()), int((truth & ~said).sum()))
