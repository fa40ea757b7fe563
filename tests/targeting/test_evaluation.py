"""The protocol of domain.md §10 on examples small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from povertycloud.targeting import TargetingError
from povertycloud.targeting.evaluation import evaluate


def test_perfect_prediction_misses_no_one() -> None:
    truth = np.arange(1.0, 101.0)
    m = evaluate(truth, truth, 0.25)
    assert (m.households, m.poor) == (100, 25)
    assert m.exclusion_error == m.inclusion_error == 0
    assert m.precision == m.recall == m.accuracy == 1
    assert m.auc == pytest.approx(1.0)
    assert m.spearman == pytest.approx(1.0)


def test_reversed_prediction_targets_only_the_rich() -> None:
    truth = np.arange(1.0, 101.0)
    m = evaluate(truth, -truth, 0.25)
    assert m.exclusion_error == m.inclusion_error == 1
    assert m.accuracy == pytest.approx(0.5)  # 50 of 100 classified wrongly
    assert m.auc < 0.02
    assert m.spearman == pytest.approx(-1.0)


def test_hand_counted_example() -> None:
    # Truly poorest 3 of 10: households 0, 1, 2. The prediction targets 0, 1 and 3.
    truth = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    predicted = [1, 2, 9, 3, 5, 6, 7, 8, 4, 10]
    m = evaluate(truth, predicted, 0.3)
    assert m.exclusion_error == pytest.approx(1 / 3)  # household 2 missed
    assert m.inclusion_error == pytest.approx(1 / 3)  # household 3 wrongly targeted
    assert m.precision == m.recall == pytest.approx(2 / 3)
    assert m.accuracy == pytest.approx(0.8)


def test_only_the_ranking_counts() -> None:
    rng = np.random.default_rng(1)
    truth = rng.lognormal(8, 0.5, 500)
    predicted = truth * rng.lognormal(0, 0.3, 500)
    assert evaluate(truth, predicted, 0.2) == evaluate(np.log(truth), np.log(predicted), 0.2)


def test_random_prediction_is_a_coin_toss() -> None:
    rng = np.random.default_rng(2)
    m = evaluate(rng.random(20_000), rng.random(20_000), 0.3)
    assert m.auc == pytest.approx(0.5, abs=0.02)
    assert m.exclusion_error == pytest.approx(0.7, abs=0.02)
    assert abs(m.spearman) < 0.03


def test_auc_rises_with_the_quality_of_the_prediction() -> None:
    rng = np.random.default_rng(3)
    truth = rng.normal(size=5_000)
    aucs = [evaluate(truth, truth + rng.normal(scale=s, size=5_000), 0.25).auc
            for s in (2.0, 1.0, 0.5, 0.1)]
    assert aucs == sorted(aucs)


def test_constant_prediction_has_no_spearman() -> None:
    m = evaluate([1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0], 0.5)
    assert math.isnan(m.spearman)


def test_as_dict_names_every_metric() -> None:
    d = evaluate([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], 0.5).as_dict()
    assert {"inclusion_error", "exclusion_error", "precision", "recall", "accuracy", "auc",
            "spearman", "coverage"} <= set(d)


@pytest.mark.parametrize(("truth", "predicted", "coverage", "message"), [
    ([1.0, 2.0], [1.0, 2.0], 0.0, "between 0 and 1"),
    ([1.0, 2.0], [1.0, 2.0], 1.0, "between 0 and 1"),
    ([1.0, 2.0, 3.0], [1.0, 2.0], 0.5, "3 true values but 2 predictions"),
    ([1.0, float("nan")], [1.0, 2.0], 0.5, "finite"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 0.01, "too few households"),
])
def test_bad_input_is_refused(truth: list[float], predicted: list[float], coverage: float,
                              message: str) -> None:
    with pytest.raises(TargetingError, match=message):
        evaluate(truth, predicted, coverage)
