"""Relapse early warning (防返贫监测预警): a LightGBM model trained on the registry's panel
scores each household at or above the line in an origin year t by its risk of falling
below the line of t + 1; each score carries its main reasons (the features' largest
positive contributions, grouped into reason codes) and each village gets a monitoring
list of its riskiest households, up to its capacity. The rules of the 2020 guidance are
the baseline it is evaluated against, out of sample on later years.

Rules: rules/warning.yaml. Features and labels: warning_features.py. Scores: the derived
table ``relapse_risk``; the web pages read it through :func:`monitoring_list`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..errors import PovertyCloudError
from ..lines import PovertyLines, national
from ..rulefiles import LINE, Reader, RuleSet, header, load, shipped
from ..store import Store
from .warning_features import (
    FEATURE_NAMES,
    FEATURES,
    PRESENCE,
    REASONS,
    Examples,
    baseline_flags,
    baseline_scores,
    examples,
    labelled_years,
    panel_years,
    why_unlabelled,
)

if TYPE_CHECKING:
    import lightgbm as lgb

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

DEFAULT = "warning.yaml"
SCOPES = ("village", "province")
TABLE = "relapse_risk"
# The LightGBM parameters a rule file may set: kind and allowed range.
MODEL_PARAMS: dict[str, tuple[type, float, float]] = {
    "learning_rate": (float, 1e-4, 1.0), "num_leaves": (int, 2, 4096),
    "min_data_in_leaf": (int, 1, 1e9), "max_depth": (int, -1, 64),
    "feature_fraction": (float, 0.01, 1.0), "bagging_fraction": (float, 0.01, 1.0),
    "bagging_freq": (int, 0, 1000), "lambda_l1": (float, 0.0, 1e6),
    "lambda_l2": (float, 0.0, 1e6), "min_gain_to_split": (float, 0.0, 1e6)}
CODES = tuple(REASONS)
# Which reason code each feature speaks for, as a (features, codes) 0/1 matrix.
_TO_CODE = np.array([[float(code == c) for c in CODES] for _, code in FEATURES.values()])
_PRESENCE = np.array([name in PRESENCE for name in FEATURE_NAMES])


class WarningError(PovertyCloudError):
    """Early warning cannot run on this store or these years."""


@dataclass(frozen=True)
class WarningRules(RuleSet):
    capacity_share: float
    capacity_scope: str
    expense_share: float
    test_years: int
    seed: int
    rounds: int
    threads: int
    params: dict[str, int | float]
    top_reasons: int

    @property
    def model(self) -> str:
        return f"{self.id}@{self.version}"


def load_warning(path: Path | None = None) -> WarningRules:
    """Load and check a warning rule file (the shipped one when ``path`` is None)."""
    path = Path(path) if path is not None else shipped(DEFAULT)
    top = Reader(path, load(path), "warning rules")
    capacity, baseline, evaluation, model, explain = (_section(top, key, keys) for key, keys in (
        ("capacity", {"share", "scope"}), ("baseline", {"expense_share"}),
        ("evaluation", {"test_years"}), ("model", {"seed", "rounds", "threads", "params"}),
        ("reasons", {"top"})))
    scope = capacity.get("scope", str, "village")
    if scope not in SCOPES:
        raise capacity.fail(f"'scope' must be one of {', '.join(SCOPES)}, not {scope!r}")
    params = _section(model, "params", set(MODEL_PARAMS))
    return WarningRules(
        **header(top), capacity_share=_number(capacity, "share", float, 1e-6, 1),
        capacity_scope=scope, expense_share=_number(baseline, "expense_share", float, 0.01, 100),
        test_years=int(_number(evaluation, "test_years", int, 1, 100)),
        seed=int(_number(model, "seed", int, 0, 2**31 - 1)),
        rounds=int(_number(model, "rounds", int, 1, 100_000)),
        threads=int(_number(model, "threads", int, 1, 256)),
        params={k: _number(params, k, *MODEL_PARAMS[k]) for k in params.item if k != LINE},
        top_reasons=int(_number(explain, "top", int, 1, len(CODES))))


def _section(top: Reader, key: str, keys: set[str]) -> Reader:
    section = Reader(top.path, top.get(key, dict), key)
    unknown = sorted(set(section.item) - keys - {LINE})
    if unknown:
        raise section.fail(f"unknown key(s) {', '.join(map(repr, unknown))}; "
                           f"the keys are {', '.join(sorted(keys))}")
    return section


def _number(r: Reader, key: str, kind: type, low: float, high: float) -> int | float:
    value: int | float = r.get(key, (int, float) if kind is float else int)
    if isinstance(value, bool):
        raise r.fail(f"'{key}' must be a number, not {value!r}")
    if not low <= value <= high:
        raise r.fail(f"'{key}' must be between {low:g} and {high:g}, not {value!r}")
    return value


# -- the model, its reasons and the monitoring lists ---------------------------------------

def fit(train: Examples, rules: WarningRules) -> lgb.Booster:
    """The model learnt from the labelled ``train`` examples."""
    import lightgbm as lgb

    known = ~np.isnan(train.label)
    if len(np.unique(train.label[known])) < 2:
        raise WarningError("the training years need households that fell below the line "
                           "and households that did not")
    params = {"objective": "binary", "seed": rules.seed, "deterministic": True,
              "force_col_wise": True, "num_threads": rules.threads, "verbose": -1,
              **rules.params}
    data = lgb.Dataset(np.ascontiguousarray(train.x[known]), train.label[known],
                       feature_name=list(FEATURE_NAMES))
    return lgb.train(params, data, num_boost_round=rules.rounds)


def risk(booster: lgb.Booster, x: Floats, rules: WarningRules) -> Floats:
    """The probability of falling below the line the next year."""
    return np.asarray(booster.predict(x, num_threads=rules.threads), dtype=np.float64)


def reasons(booster: lgb.Booster, x: Floats, rules: WarningRules) -> list[list[str]]:
    """The main reasons of each score: the reason codes whose features add most to the
    risk (log-odds contributions summed by code), the largest first, positive only. A
    feature of PRESENCE speaks only where it holds."""
    if not len(x):
        return []
    contrib = np.asarray(booster.predict(x, pred_contrib=True,
                                         num_threads=rules.threads))[:, :-1]
    holds = (x != 0) & ~np.isnan(x)
    by_code = np.where(_PRESENCE & ~holds, 0.0, contrib) @ _TO_CODE
    order = np.argsort(-by_code, axis=1, kind="stable")[:, :rules.top_reasons]
    return [[CODES[j] for j in row if sums[j] > 0]
            for row, sums in zip(order, by_code, strict=True)]


def listed(ex: Examples, scores: Floats, rules: WarningRules) -> tuple[Ints, Bools]:
    """For the examples of one origin year: each household's rank in its village by
    score, and whether it is on the monitoring list (its village's capacity, or the
    province's when the scope is province)."""
    ranks = _ranks(ex.village_code, scores, ex.household_id)
    if rules.capacity_scope == "village":
        _, villages, counts = np.unique(ex.village_code, return_inverse=True,
                                        return_counts=True)
        return ranks, ranks <= _capacity(counts, rules)[villages]
    overall = _ranks(np.zeros(len(ex), dtype=np.int64), scores, ex.household_id)
    return ranks, overall <= _capacity(np.array([len(ex)]), rules)[0]


def _capacity(households: Ints, rules: WarningRules) -> Ints:
    capacity: Ints = np.ceil(rules.capacity_share * households - 1e-9).astype(np.int64)
    return capacity


def _ranks(groups: npt.NDArray[Any], scores: Floats, ids: Ints) -> Ints:
    """Rank by score within each group, 1 the highest (ties: the lower id first)."""
    _, codes = np.unique(groups, return_inverse=True)
    order = np.lexsort((ids, -scores, codes))
    first = np.r_[True, codes[order][1:] != codes[order][:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    ranks: Ints = np.empty(order.size, dtype=np.int64)
    ranks[order] = np.arange(order.size) - start + 1
    return ranks


# -- evaluation out of sample --------------------------------------------------------------

@dataclass(frozen=True)
class YearResult:
    """Model against baseline on the households of one origin year (predicting t + 1)."""

    year: int
    households: int
    falls: int
    capacity: int  # households on the monitoring lists
    model_auc: float
    baseline_auc: float
    model_recall: float  # share of the falls on the model's lists
    baseline_recall: float  # on the baseline's lists
    baseline_flagged: int  # households the rules flag, whatever the capacity
    baseline_flagged_recall: float


@dataclass(frozen=True)
class Evaluation:
    model: str
    train_years: tuple[int, ...]
    train_households: int
    years: tuple[YearResult, ...]
    fit_seconds: float
    score_seconds: float  # scoring and explaining the test years


def evaluate(store: Store, rules: WarningRules | None = None,
             lines: PovertyLines | None = None, test_years: Sequence[int] | None = None
             ) -> Evaluation:
    """Train on the labelled origin years before the first test year, then score model
    and baseline on each test year (by default the rules' last ``test_years``)."""
    rules, lines = rules or load_warning(), lines or national()
    labelled = labelled_years(store)
    tests = sorted(set(test_years)) if test_years else labelled[-rules.test_years:]
    if not tests:
        raise WarningError("the panel needs two consecutive survey years at least")
    for year in tests:
        if year not in labelled:
            raise WarningError(why_unlabelled(store, year))
    train = [y for y in labelled if y < tests[0]]
    if not train:
        raise WarningError(f"no origin year before {tests[0]} to train on")
    ex = examples(store, [*train, *tests], lines)
    started = time.perf_counter()
    booster = fit(ex.select(np.isin(ex.year, train)), rules)
    fitted = time.perf_counter()
    results = tuple(_year_result(booster, ex.select(ex.year == y), y, rules, lines)
                    for y in tests)
    return Evaluation(rules.model, tuple(train), int(np.isin(ex.year, train).sum()), results,
                      fitted - started, time.perf_counter() - fitted)


def _year_result(booster: lgb.Booster, ex: Examples, year: int, rules: WarningRules,
                 lines: PovertyLines) -> YearResult:
    scores = risk(booster, ex.x, rules)
    reasons(booster, ex.x, rules)  # timed with the scores, as `score` explains them
    base = baseline_scores(ex, lines.monitoring_factor, rules.expense_share)
    flags = baseline_flags(ex, lines.monitoring_factor, rules.expense_share)
    model_list, base_list = listed(ex, scores, rules)[1], listed(ex, base, rules)[1]
    return YearResult(year, len(ex), int(np.nansum(ex.label)), int(model_list.sum()),
                      _auc(ex.label, scores), _auc(ex.label, base), _recall(ex.label, model_list),
                      _recall(ex.label, base_list), int(flags.sum()), _recall(ex.label, flags))


def _auc(label: Floats, scores: Floats) -> float:
    known = ~np.isnan(label)
    if len(np.unique(label[known])) < 2:
        return math.nan
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(label[known], scores[known]))


def _recall(label: Floats, chosen: Bools) -> float:
    falls = label == 1
    return float((falls & chosen).sum() / falls.sum()) if falls.any() else math.nan


# -- scores and monitoring lists ------------------------------------------------------------

@dataclass(frozen=True)
class Scored:
    year: int
    train_years: tuple[int, ...]
    households: int
    listed: int
    villages: int
    model: str
    seconds: float


def score(store: Store, rules: WarningRules | None = None, lines: PovertyLines | None = None,
          year: int | None = None) -> Scored:
    """Train on every labelled origin year before ``year`` (default: the latest survey
    year), score the households of ``year`` and keep them in relapse_risk (the rows of
    other origin years stay), in one transaction."""
    rules, lines = rules or load_warning(), lines or national()
    started = time.perf_counter()
    years = panel_years(store)
    year = year if year is not None else (years[-1] if years else 0)
    if year not in years:
        raise WarningError(why_unlabelled(store, year))
    target, booster, train = learnt_before(store, year, rules, lines)
    scores = risk(booster, target.x, rules)
    ranks, on_list = listed(target, scores, rules)
    table = pa.table({
        "household_id": target.household_id, "year": target.year,
        "village_code": target.village_code, "risk": scores, "rank_in_village": ranks,
        "on_list": on_list, "model": [rules.model] * len(target),
        "reasons": [json.dumps(r) for r in reasons(booster, target.x, rules)]})
    _keep(store, table, year)
    return Scored(year, tuple(train), len(target), int(on_list.sum()),
                  len(np.unique(target.village_code)), rules.model,
                  time.perf_counter() - started)


def learnt_before(store: Store, year: int, rules: WarningRules, lines: PovertyLines
                  ) -> tuple[Examples, lgb.Booster, list[int]]:
    """The examples of origin ``year``, the model trained on every labelled origin year
    before it, and those years."""
    train = [y for y in labelled_years(store) if y < year]
    if not train:
        raise WarningError(f"no labelled origin year before {year} to learn from")
    ex = examples(store, [*train, year], lines)
    return ex.select(ex.year == year), fit(ex.select(ex.year < year), rules), train


def _keep(store: Store, table: pa.Table, year: int) -> None:
    """The scores of ``year`` replace that year's, the other years' stay."""
    with store.transaction(), store.registered("new_risk", table):
        if store.has_table(TABLE):
            store.execute(f"DELETE FROM {TABLE} WHERE year = ?", [year])
            store.execute(f"INSERT INTO {TABLE} BY NAME {_RISK_ROWS}")
        else:
            store.replace_table(TABLE, _RISK_ROWS)


_RISK_ROWS = """
SELECT CAST(household_id AS BIGINT) AS household_id, CAST(year AS BIGINT) AS year,
  CAST(village_code AS VARCHAR) AS village_code, CAST(risk AS DOUBLE) AS risk,
  CAST(rank_in_village AS BIGINT) AS rank_in_village, CAST(on_list AS BOOLEAN) AS on_list,
  CAST(reasons AS VARCHAR) AS reasons, CAST(model AS VARCHAR) AS model
FROM new_risk"""


def scored_years(store: Store) -> list[int]:
    """The origin years relapse_risk holds (none before `povertycloud warn score`)."""
    if not store.has_table(TABLE):
        return []
    return [int(y) for y in store.column(f"SELECT DISTINCT year FROM {TABLE} ORDER BY year")]


_ON_LIST = f"""r.on_list AND starts_with(r.village_code, ?)
  AND r.year = coalesce(?, (SELECT max(year) FROM {TABLE}))"""


def monitoring_list(store: Store, prefix: str, year: int | None = None,
                    limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
    """The households on the monitoring lists of the villages whose code starts with
    ``prefix``, for origin year ``year`` (default: the latest scored), by village and
    rank (``limit`` of them from ``offset``): household, village and its name, risk,
    rank, reasons (a list of codes), the household's registration status, the model. No
    ID numbers, phones or health details beyond the reason codes."""
    if not prefix.isdigit() and prefix != "":
        raise WarningError(f"a region code is digits, not {prefix!r}")
    if not scored_years(store):
        return []
    rows = store.records(f"""
SELECT r.year, r.household_id, r.village_code, g.name AS village_name, r.risk,
  r.rank_in_village, r.reasons, h.registration_status, r.model
FROM {TABLE} r JOIN households h USING (household_id)
LEFT JOIN regions g ON g.code = r.village_code
WHERE {_ON_LIST}
ORDER BY r.village_code, r.rank_in_village LIMIT ? OFFSET ?""",
                         [prefix, year, max(int(limit), 0), max(int(offset), 0)])
    for row in rows:
        row["reasons"] = json.loads(row["reasons"])
    return rows


def monitoring_total(store: Store, prefix: str, year: int | None = None) -> int:
    """How many households ``monitoring_list`` has in all."""
    if not scored_years(store):
        return 0
    return store.scalar(f"SELECT count(*) FROM {TABLE} r JOIN households h "
                        f"USING (household_id) WHERE {_ON_LIST}", [prefix, year])
