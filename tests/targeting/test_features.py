"""Encodings learnt on T and applied unchanged to P."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from povertycloud.targeting import TargetingError
from povertycloud.targeting.features import FeatureSet

T = pa.table({
    "land": pa.array([1.0, None, 3.0, 5.0]),
    "members": pa.array([1, 2, 3, 4], pa.int64()),
    "safe_water": pa.array([True, False, True, None]),
    "grade": pa.array(["A", "B", None, "B"]),
    "surveyed": pa.array([dt.date(1970, 1, 2)] * 4),
})
NAMES = T.column_names


def test_linear_encoding_imputes_flags_and_one_hots() -> None:
    design = FeatureSet.fit(T, NAMES).linear(T)
    assert design.names == ("land", "land (missing)", "members", "safe_water",
                            "safe_water (missing)", "grade=(missing)", "grade=A", "grade=B",
                            "surveyed")
    np.testing.assert_array_equal(design.x[:, 0], [1.0, 3.0, 3.0, 5.0])  # median of 1, 3, 5
    np.testing.assert_array_equal(design.x[:, 1], [0, 1, 0, 0])
    np.testing.assert_array_equal(design.x[:, 3], [1, 0, 1, 1])  # median of 1, 0, 1
    np.testing.assert_array_equal(design.x[:, 5:8], [[0, 1, 0], [0, 0, 1], [1, 0, 0],
                                                     [0, 0, 1]])
    np.testing.assert_array_equal(design.x[:, 8], [1, 1, 1, 1])  # days since 1970-01-01


def test_native_encoding_keeps_gaps_and_codes_levels() -> None:
    design = FeatureSet.fit(T, NAMES).native(T)
    assert design.names == tuple(NAMES)
    assert design.categorical == (3,)
    np.testing.assert_array_equal(design.x[:, 0], [1.0, np.nan, 3.0, 5.0])
    np.testing.assert_array_equal(design.x[:, 3], [1, 2, 0, 2])


def test_prediction_table_gets_the_same_columns() -> None:
    features = FeatureSet.fit(T, NAMES)
    p = pa.table({"surveyed": pa.array([dt.date(1970, 1, 3)]), "grade": ["C"],
                  "safe_water": [True], "members": pa.array([2.5]), "land": [None],
                  "extra": [1]})
    linear = features.linear(p)
    assert linear.names == features.linear(T).names
    np.testing.assert_array_equal(linear.x, [[3.0, 1, 2.5, 1, 0, 0, 0, 0, 2]])
    assert np.isnan(features.native(p).x[0, 3])  # a level T never had


def test_a_column_without_values_in_t_is_ignored() -> None:
    table = T.append_column("empty", pa.array([None] * 4, pa.float64()))
    features = FeatureSet.fit(table, [*NAMES, "empty"])
    assert features.ignored == ("empty",)
    assert "empty" not in features.native(table).names


def test_unusable_types_are_named() -> None:
    table = pa.table({"tags": pa.array([[1], [2]])})
    with pytest.raises(TargetingError, match="'tags'"):
        FeatureSet.fit(table, ["tags"])


def test_text_where_t_had_numbers_is_refused() -> None:
    features = FeatureSet.fit(T, NAMES)
    p = T.set_column(1, "members", pa.array(["one", "two", "three", "four"]))
    with pytest.raises(TargetingError, match="'members'"):
        features.linear(p)
