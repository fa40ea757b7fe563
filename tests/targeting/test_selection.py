"""fit_predict on a real synthetic province: 40 % of households labelled, the rest predicted."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from povertycloud.errors import PovertyCloudError
from povertycloud.targeting import TargetingError, TargetingReport, fit_predict
from povertycloud.targeting.evaluation import evaluate
from povertycloud.targeting.models import CANDIDATES
from povertycloud.targeting.selection import fit
from povertycloud.targeting.synthetic import Split

ID, WELFARE = "household_id", "welfare"


@pytest.fixture(scope="module")
def result(households: Split) -> tuple[pa.Table, TargetingReport]:
    return fit_predict(households.labelled, households.unlabelled, WELFARE, ID,
                       households.poverty_rate)


def test_every_household_of_p_gets_a_prediction(
        households: Split, result: tuple[pa.Table, TargetingReport]) -> None:
    out, _ = result
    assert out.column_names == [ID, "predicted_welfare"]
    assert out.column(ID).equals(households.unlabelled.column(ID))
    predicted = out.column("predicted_welfare").to_numpy()
    assert np.isfinite(predicted).all() and (predicted > 0).all()  # back from logs


def test_report_scores_each_candidate_and_names_the_best(
        households: Split, result: tuple[pa.Table, TargetingReport]) -> None:
    _, report = result
    assert set(report.cv) == set(CANDIDATES)
    best = min(m.exclusion_error for m in report.cv.values())
    assert report.cv[report.chosen].exclusion_error == best
    assert report.log_scale and report.folds == 5
    assert report.train_rows == households.labelled.num_rows
    assert report.predict_rows == households.unlabelled.num_rows
    assert "asset_value_yuan" in report.features and "welfare" not in report.features
    assert json.loads(json.dumps(report.as_dict()))["chosen"] == report.chosen


def test_predictions_find_the_poor_out_of_sample(
        households: Split, result: tuple[pa.Table, TargetingReport]) -> None:
    out, _ = result
    truth = households.unlabelled_truth.column("true_income_per_capita").to_numpy()
    m = evaluate(truth, out.column("predicted_welfare").to_numpy(), households.poverty_rate)
    assert m.exclusion_error < 0.45
    assert m.auc > 0.9
    assert m.spearman > 0.7


def test_same_seed_same_predictions(households: Split) -> None:
    t, p = households.labelled.slice(0, 1_000), households.unlabelled.slice(0, 200)
    runs = [fit_predict(t, p, WELFARE, ID, 0.2, folds=2, candidates=["gbm", "ols"])
            for _ in range(2)]
    assert runs[0][0].equals(runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_rows_without_welfare_are_left_out(households: Split) -> None:
    t = households.labelled.slice(0, 600)
    welfare = [None] * 99 + [float("nan")] + t.column(WELFARE).to_pylist()[100:]
    t = t.set_column(t.column_names.index(WELFARE), WELFARE, pa.array(welfare, pa.float64()))
    _, report = fit_predict(t, households.unlabelled.slice(0, 10), WELFARE, ID, 0.2,
                            folds=2, candidates=["ols"])
    assert (report.train_rows, report.dropped_rows) == (500, 100)


def test_welfare_that_is_not_positive_is_modelled_as_is(households: Split) -> None:
    t = households.labelled.slice(0, 400)
    log = pc.ln(t.column(WELFARE)).cast(pa.float64())
    t = t.set_column(t.column_names.index(WELFARE), WELFARE, pc.subtract(log, 8.5))
    out, report = fit_predict(t, households.unlabelled.slice(0, 50), WELFARE, ID, 0.2,
                              folds=2, candidates=["ols"])
    assert not report.log_scale
    assert pc.min(out.column("predicted_welfare")).as_py() < 0


def _broken(households: Split, what: str) -> tuple[pa.Table, pa.Table, str]:
    t, p = households.labelled.slice(0, 300), households.unlabelled.slice(0, 30)
    if what == "no welfare":
        return t.drop_columns([WELFARE]), p, "'welfare'"
    if what == "text welfare":
        i = t.column_names.index(WELFARE)
        return t.set_column(i, WELFARE, t.column(WELFARE).cast(pa.string())), p, \
            "'welfare' must be numeric"
    if what == "duplicate ids":
        ids = t.column(ID).to_pylist()
        ids[5], ids[9] = ids[0], ids[1]
        repeated = f"{ids[0]}, {ids[1]}" if ids[0] < ids[1] else f"{ids[1]}, {ids[0]}"
        return t.set_column(0, ID, pa.array(ids)), p, f"repeats 2 id\\(s\\): {repeated}"
    if what == "no id in P":
        return t, p.drop_columns([ID]), "prediction table has no id column 'household_id'"
    if what == "nothing in common":
        return t, p.select([ID]), "share no feature column"
    raise AssertionError(what)


@pytest.mark.parametrize("what", ["no welfare", "text welfare", "duplicate ids", "no id in P",
                                  "nothing in common"])
def test_bad_input_is_named(households: Split, what: str) -> None:
    t, p, message = _broken(households, what)
    with pytest.raises(TargetingError, match=message):
        fit_predict(t, p, WELFARE, ID, 0.2)


@pytest.mark.parametrize(("options", "message"), [
    ({"coverage": 1.5}, "between 0 and 1"),
    ({"folds": 1}, "at least 2 folds"),
    ({"folds": 200}, "too few households"),
    ({"candidates": ["forest"]}, "unknown"),
])
def test_bad_settings_are_named(households: Split, options: dict[str, object],
                                message: str) -> None:
    settings: dict[str, object] = {"coverage": 0.2, **options}
    with pytest.raises(TargetingError, match=message):
        fit_predict(households.labelled.slice(0, 300), households.unlabelled.slice(0, 30),
                    WELFARE, ID, **settings)  # type: ignore[arg-type]


def test_targeting_errors_are_errors_the_user_can_act_on() -> None:
    assert issubclass(TargetingError, PovertyCloudError)


def test_a_welfare_column_in_p_is_never_used(households: Split) -> None:
    t, p = households.labelled.slice(0, 800), households.unlabelled.slice(0, 100)
    planted = p.append_column(WELFARE, pa.array([1e9] * 100))
    plain = fit_predict(t, p, WELFARE, ID, 0.2, folds=2, candidates=["ols"])[0]
    assert fit_predict(t, planted, WELFARE, ID, 0.2, folds=2, candidates=["ols"])[0] == plain


def test_an_empty_p_gets_an_empty_answer(households: Split) -> None:
    out, _ = fit_predict(households.labelled.slice(0, 800), households.unlabelled.slice(0, 0),
                         WELFARE, ID, 0.2, folds=2, candidates=["gbm"])
    assert out.num_rows == 0 and out.column_names == [ID, "predicted_welfare"]


def test_a_feature_with_no_values_at_all_is_refused(households: Split) -> None:
    t = households.labelled.select([ID, WELFARE]).append_column(
        "empty", pa.array([None] * households.labelled.num_rows, pa.float64()))
    p = households.unlabelled.select([ID]).append_column(
        "empty", pa.array([1.0] * households.unlabelled.num_rows))
    with pytest.raises(TargetingError, match="no usable feature"):
        fit_predict(t, p, WELFARE, ID, 0.2, folds=2, candidates=["ols"])


@pytest.mark.parametrize("model", ["ols", "gbm"])
def test_pulls_add_up_to_each_prediction(households: Split, model: str) -> None:
    """Each household's pulls sum to its prediction less the average household's (in
    log welfare), so the reasons named are the model's own arithmetic."""
    t, p = households.labelled, households.unlabelled.slice(0, 200)
    names = [c for c in t.column_names if c not in (ID, WELFARE)]
    fitted = fit(model, t, names, np.log(t.column(WELFARE).to_numpy()), 0, 0.2, True)
    sources, pulls = fitted.pulls(p)
    assert set(sources) <= set(names) and pulls.shape == (200, len(sources))
    log_predicted = np.log(fitted.predict(p))
    offset = log_predicted - pulls.sum(axis=1)
    assert np.allclose(offset, offset[0], atol=1e-6)  # one average household for all
    text, every = fitted.reasons(p)
    first = json.loads(every[0])
    lowest = min(first, key=first.__getitem__)
    assert text[0].startswith(f"{lowest} {first[lowest]:+.2f}")


def test_fit_predict_gives_reasons_when_asked(households: Split) -> None:
    out, _ = fit_predict(households.labelled, households.unlabelled.slice(0, 50), WELFARE, ID,
                         0.2, candidates=["ols"], reasons=True)
    assert out.column_names == [ID, "predicted_welfare", "reasons", "pulls"]
    assert all(json.loads(p) for p in out.column("pulls").to_pylist())
