"""FGT: the worked example of domain.md §11 exactly, the line boundary, weights as duplicated
people, exact versus float results, and clear errors for bad input."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povertycloud.measures import fgt

INCOMES = [50, 100, 150, 200, 300]
LINE = 200
PROPERTY = settings(max_examples=60, deadline=None, database=None)


@pytest.mark.parametrize(("alpha", "expected"), [
    (0, Fraction(3, 5)), (1, Fraction(3, 10)), (2, Fraction(7, 40))])
def test_worked_example_is_exact(alpha: int, expected: Fraction) -> None:
    result = fgt(INCOMES, LINE, alpha=alpha)
    assert isinstance(result, Fraction)
    assert result == expected


def test_worked_example_in_decimals() -> None:
    assert [float(fgt(INCOMES, LINE, a)) for a in (0, 1, 2)] == [0.6, 0.3, 0.175]


def test_headcount_is_the_default() -> None:
    assert fgt(INCOMES, LINE) == Fraction(3, 5)


def test_income_equal_to_the_line_is_not_poor() -> None:
    assert fgt([200], 200) == 0
    assert fgt([199, 200], 200) == Fraction(1, 2)
    assert fgt([200.0], 200.0) == 0.0


def test_float_inputs_give_floats() -> None:
    result = fgt([50.0, 100, 150, 200, 300], 200, alpha=1)
    assert isinstance(result, float)
    assert result == pytest.approx(0.3)
    assert isinstance(fgt(INCOMES, 200.0), float)
    assert isinstance(fgt(INCOMES, LINE, weights=[1.0] * 5), float)


def test_numpy_arrays() -> None:
    assert fgt(np.array(INCOMES), LINE, alpha=2) == Fraction(7, 40)
    as_floats = fgt(np.array(INCOMES, dtype=float), LINE, alpha=2)
    assert isinstance(as_floats, float)
    assert as_floats == pytest.approx(0.175)


def test_fraction_inputs_stay_exact() -> None:
    result = fgt([Fraction(1, 3), Fraction(2, 3)], Fraction(1, 2), alpha=1)
    assert result == Fraction(1, 2) * Fraction(1, 3)  # one poor of two, gap (1/2 - 1/3)/(1/2)


@pytest.mark.parametrize("alpha", [0.5, 1.5, 3, Fraction(5, 2)])
def test_any_non_negative_alpha(alpha: float) -> None:
    gaps = [0.75, 0.5, 0.25]
    assert float(fgt(INCOMES, LINE, alpha=alpha)) == pytest.approx(
        sum(g ** float(alpha) for g in gaps) / 5)


def test_non_integer_alpha_gives_float() -> None:
    assert isinstance(fgt(INCOMES, LINE, alpha=Fraction(1, 2)), float)
    assert isinstance(fgt(INCOMES, LINE, alpha=Fraction(4, 2)), Fraction)


def test_measures_are_ordered() -> None:
    p0, p1, p2 = (fgt(INCOMES, LINE, a) for a in (0, 1, 2))
    assert p0 >= p1 >= p2


def test_weights() -> None:
    # Weight 3 on the poorest: (3·0.75² + 0.5² + 0.25²) / 7
    assert fgt(INCOMES, LINE, 2, weights=[3, 1, 1, 1, 1]) == Fraction(
        3 * Fraction(9, 16) + Fraction(1, 4) + Fraction(1, 16), 7)
    assert fgt(INCOMES, LINE, 1, weights=[0, 1, 1, 1, 1]) == Fraction(3, 16)


@PROPERTY
@given(st.lists(st.tuples(st.integers(-50, 400), st.integers(0, 4)), min_size=1, max_size=12)
       .filter(lambda rows: any(w for _, w in rows)),
       st.integers(1, 300), st.integers(0, 3))
def test_sample_weights_equal_duplicated_people(rows: list[tuple[int, int]], line: int,
                                                alpha: int) -> None:
    incomes = [y for y, _ in rows]
    weights = [w for _, w in rows]
    duplicated = [y for y, w in rows for _ in range(w)]
    assert fgt(incomes, line, alpha, weights=weights) == fgt(duplicated, line, alpha)


@PROPERTY
@given(st.lists(st.integers(0, 400), min_size=1, max_size=12), st.integers(1, 300),
       st.integers(0, 3))
def test_float_agrees_with_exact(incomes: list[int], line: int, alpha: int) -> None:
    exact = fgt(incomes, line, alpha)
    assert 0 <= exact <= 1
    assert fgt([float(y) for y in incomes], line, alpha) == pytest.approx(float(exact))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"line": 0}, "line must be positive"),
    ({"line": -10}, "line must be positive"),
    ({"alpha": -1}, "alpha must be >= 0"),
    ({"incomes": []}, "incomes must not be empty"),
    ({"weights": [1, 1, -1, 1, 1]}, "weights must be non-negative"),
    ({"weights": [0, 0, 0, 0, 0]}, "weights must not all be zero"),
    ({"weights": [1, 1]}, "weights has 2 entries but needs one per person"),
    ({"incomes": [[1, 2], [3, 4]]}, "incomes must be a sequence of numbers"),
    ({"incomes": [1.0, float("nan")]}, "incomes must be finite"),
    ({"line": float("inf")}, "line must be a finite number"),
])
def test_bad_input_is_a_clear_value_error(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"incomes": INCOMES, "line": LINE} | kwargs
    with pytest.raises(ValueError, match=message):
        fgt(**args)


@pytest.mark.parametrize("incomes", [["50", "100"], [None, 1]])
def test_non_numbers_are_a_type_error(incomes: list[Any]) -> None:
    with pytest.raises(TypeError, match="incomes must hold numbers"):
        fgt(incomes, LINE)
