"""Decisions that change between two versions of a model, and why."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from povertycloud.targeting import TargetingError
from povertycloud.targeting.stability import decision_changes

IDS = list(range(1, 11))


def _version(welfare: list[float], pulls: list[dict[str, float]] | None = None) -> pa.Table:
    table = pa.table({"id": IDS, "predicted_welfare": welfare})
    if pulls is not None:
        table = table.append_column("pulls", pa.array([json.dumps(p) for p in pulls]))
    return table


def test_two_households_that_swap_across_the_cut_are_the_changes() -> None:
    a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    b = [1.0, 4.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 2.5]  # 2 rises, 10 falls
    pulls_a = [{"assets": 0.0}] * 10
    pulls_b = [{"assets": 0.0}] * 10
    pulls_b[1] = {"assets": 0.4, "disasters": -0.1}
    pulls_b[9] = {"assets": -0.9}
    result = decision_changes(_version(a, pulls_a), _version(b, pulls_b), "id", 0.2)
    assert (result.targeted_by_both, result.now_targeted, result.no_longer_targeted) == (1, 1, 1)
    assert result.changed == 2 and result.changed_share == pytest.approx(0.2)
    rows = {r["id"]: r for r in result.changes.to_pylist()}
    assert rows[2]["decision"] == "no longer targeted" and rows[10]["decision"] == "now targeted"
    assert rows[2]["rank_a"] == pytest.approx(0.1) and rows[2]["rank_b"] == pytest.approx(0.4)
    # each change explained by the input whose pull moved its way
    assert rows[2]["explanation"] == "assets +0.00 → +0.40"
    assert rows[10]["explanation"] == "assets +0.00 → -0.90"


def test_the_same_predictions_change_nothing() -> None:
    a = _version([float(i) for i in IDS])
    result = decision_changes(a, a, "id", 0.3)
    assert result.changed == 0 and result.changes.num_rows == 0
    assert "explanation" not in result.changes.column_names  # no pulls to explain with


def test_predictions_of_other_households_are_refused() -> None:
    a = _version([float(i) for i in IDS])
    b = a.set_column(0, "id", pa.array([i + 5 for i in IDS]))
    with pytest.raises(TargetingError, match="not of the same households"):
        decision_changes(a, b, "id", 0.2)
    with pytest.raises(TargetingError, match="prediction B has no column 'predicted_welfare'"):
        decision_changes(a, a.drop_columns(["predicted_welfare"]), "id", 0.2)
