"""The protocol's full table: bootstrapped intervals, the cut against a baseline and the
errors by group, on predictions whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest

from povertycloud.targeting import TargetingError
from povertycloud.targeting.evaluation import evaluate
from povertycloud.targeting.protocol import assess

RNG = np.random.default_rng(5)
TRUTH = RNG.lognormal(8, 0.6, 2_000)
GOOD = TRUTH * RNG.lognormal(0, 0.3, TRUTH.size)
BAD = TRUTH * RNG.lognormal(0, 0.9, TRUTH.size)


def test_intervals_hold_the_estimate_and_narrow_with_a_better_model() -> None:
    good = assess(TRUTH, GOOD, 0.2, draws=200)
    bad = assess(TRUTH, BAD, 0.2, draws=200)
    for result in (good, bad):
        for key, span in result.intervals.items():
            assert span.low <= getattr(result.metrics, key) <= span.high, key
    assert good.intervals["exclusion_error"].high < bad.intervals["exclusion_error"].low
    assert assess(TRUTH, TRUTH, 0.2, draws=50).intervals["exclusion_error"].high == 0


def test_the_cut_against_a_baseline_is_paired() -> None:
    result = assess(TRUTH, GOOD, 0.2, baseline=BAD, draws=200)
    expected = 1 - evaluate(TRUTH, GOOD, 0.2).exclusion_error \
        / evaluate(TRUTH, BAD, 0.2).exclusion_error
    assert result.exclusion_cut == pytest.approx(expected)
    assert result.cut_interval is not None
    assert 0 < result.cut_interval.low <= expected <= result.cut_interval.high
    same = assess(TRUTH, GOOD, 0.2, baseline=GOOD, draws=50)
    assert same.exclusion_cut == 0 and same.cut_interval is not None
    assert same.cut_interval.low == same.cut_interval.high == 0


def test_group_errors_add_up_to_the_whole() -> None:
    groups = {"sex": np.where(RNG.random(TRUTH.size) < 0.3, "female", "male"),
              "terrain": RNG.choice(["hill", "mountain", "plain"], TRUTH.size)}
    result = assess(TRUTH, BAD, 0.2, groups=groups, draws=50)
    overall = result.metrics.exclusion_error
    for name in groups:
        rows = [g for g in result.groups if g.column == name]
        assert sum(g.households for g in rows) == TRUTH.size
        assert sum(g.poor for g in rows) == result.metrics.poor
        missed = sum(g.exclusion_error * g.poor for g in rows)
        assert missed / result.metrics.poor == pytest.approx(overall)
        for g in rows:
            assert g.exclusion_interval is not None
            assert g.exclusion_interval.low <= g.exclusion_error <= g.exclusion_interval.high


def test_a_group_the_model_ranks_wrong_shows_a_higher_exclusion_error() -> None:
    group = np.where(np.arange(TRUTH.size) % 2 == 0, "a", "b")
    predicted = np.where(group == "b", TRUTH * 3, TRUTH)  # b looks richer than it is
    rows = {g.value: g for g in assess(TRUTH, predicted, 0.2, groups={"g": group},
                                       draws=0).groups}
    assert rows["a"].exclusion_error == 0 < rows["b"].exclusion_error
    assert rows["a"].exclusion_interval is None  # no draws, no intervals


def test_no_draws_no_intervals_and_bad_shapes_refused() -> None:
    assert assess(TRUTH, GOOD, 0.2, draws=0).intervals == {}
    with pytest.raises(TargetingError, match="baseline"):
        assess(TRUTH, GOOD, 0.2, baseline=GOOD[:10], draws=0)
    with pytest.raises(TargetingError, match="group column 'g' has 3 values"):
        assess(TRUTH, GOOD, 0.2, groups={"g": ["x", "y", "z"]}, draws=0)


def test_a_rate_of_no_one_is_null_in_the_json() -> None:
    """A group with no poor has no exclusion error: None in the JSON, never NaN."""
    group = np.where(np.quantile(TRUTH, 0.5) < TRUTH, "rich", "mixed")
    result = assess(TRUTH, GOOD, 0.2, groups={"g": group}, draws=20)
    rich = next(g for g in result.as_dict()["groups"] if g["value"] == "rich")
    assert rich["poor"] == 0 and rich["exclusion_error"] is None
    json.dumps(result.as_dict(), allow_nan=False)
