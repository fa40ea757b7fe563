"""Alkire–Foster: the worked example of domain.md §11 exactly, boundaries, sample weights as
duplicated rows, subgroup decomposition, the identities between the measures, monotonicity of
M1 and M2, the Global MPI weighting checked by hand, and clear errors for bad input."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povertycloud.measures import AlkireFosterResult, alkire_foster

F = Fraction
PROPERTY = settings(max_examples=60, deadline=None, database=None)

# domain.md §11: people A–D, indicators d1–d4, deprived iff value < cutoff.
EXAMPLE: list[list[Fraction | int]] = [
    [F("13.1"), 14, 4, 1],  # A: none
    [F("15.2"), 7, 5, 0],   # B: d2, d4
    [F("12.5"), 10, 1, 0],  # C: all four
    [20, 11, 3, 1],         # D: d2 only; 3 is not < 3
]
CUTOFFS = [13, 12, 3, 1]
HALF = F(2, 4)  # k = 2 of 4 equally weighted indicators


def example(**kwargs: Any) -> AlkireFosterResult:
    return alkire_foster(EXAMPLE, CUTOFFS, HALF, **kwargs)


def test_worked_example_is_exact() -> None:
    r = example()
    assert (F(1, 2), F(3, 4), F(3, 8)) == (r.H, r.A, r.M0)
    assert all(isinstance(v, Fraction) for v in (r.H, r.A, r.M0, r.M1, r.M2, r.G, r.S))
    assert r.censored_headcounts == (F(1, 4), F(1, 2), F(1, 4), F(1, 2))
    assert r.contributions == (F(1, 6), F(1, 3), F(1, 6), F(1, 3))
    assert r.poor == (False, True, True, False)
    assert r.scores == (F(0), F(1, 2), F(1), F(1, 4))
    assert r.censored_scores == (F(0), F(1, 2), F(1), F(0))
    assert r.weights == (F(1, 4),) * 4
    assert r.k == F(1, 2)
    assert r.population == 4


def test_worked_example_value_equal_to_cutoff_is_not_deprived() -> None:
    # D has 3 in d3 with cutoff 3: only C (value 1) is deprived in d3.
    r = example()
    assert r.uncensored_headcounts == (F(1, 4), F(3, 4), F(1, 4), F(1, 2))
    assert r.scores[3] == F(1, 4)


def test_worked_example_gaps_by_hand() -> None:
    # Censored normalised gaps: B (5/12 in d2, 1 in d4); C (0.5/13, 2/12, 2/3, 1); weight 1/4.
    b = (F(5, 12) + 1) / 4
    c = (F(1, 26) + F(1, 6) + F(2, 3) + 1) / 4
    b2 = (F(5, 12) ** 2 + 1) / 4
    c2 = (F(1, 26) ** 2 + F(1, 6) ** 2 + F(2, 3) ** 2 + 1) / 4
    r = example()
    assert r.M1 == (b + c) / 4 == F(171, 832)
    assert (b2 + c2) / 4 == r.M2
    assert r.M1 == r.H * r.A * r.G
    assert r.M2 == r.H * r.A * r.S


def test_worked_example_in_floats() -> None:
    data = [[float(v) for v in row] for row in EXAMPLE]
    r = alkire_foster(data, CUTOFFS, 0.5)
    assert isinstance(r.M0, float)
    assert (r.H, r.A, r.M0) == (0.5, 0.75, 0.375)
    assert r.contributions == pytest.approx([1 / 6, 1 / 3, 1 / 6, 1 / 3])
    assert pytest.approx(171 / 832) == r.M1


def test_numpy_input() -> None:
    data = np.array([[float(v) for v in row] for row in EXAMPLE])
    assert alkire_foster(data, np.array(CUTOFFS), 0.5).M0 == 0.375
    ints = np.array([[1, 0], [0, 0], [1, 1]])
    r = alkire_foster(ints, np.array([1, 1]), F(1, 2))
    assert F(1, 2) == r.M0
    assert isinstance(r.M0, Fraction)


def test_names_key_the_dict_views() -> None:
    r = example(names=["income", "school", "health", "water"])
    assert r.contributions_by_name == {
        "income": F(1, 6), "school": F(1, 3), "health": F(1, 6), "water": F(1, 3)}
    assert r.censored_headcounts_by_name["school"] == F(1, 2)
    assert r.uncensored_headcounts_by_name["school"] == F(3, 4)
    assert r.weights_by_name["water"] == F(1, 4)
    assert list(example().contributions_by_name) == ["d1", "d2", "d3", "d4"]


def test_score_equal_to_k_is_poor_and_value_equal_to_cutoff_is_not_deprived() -> None:
    r = alkire_foster([[0, 5, 9], [5, 5, 5]], [5, 5, 5], F(1, 3))
    assert r.poor == (True, False)
    assert r.scores == (F(1, 3), F(0))


def test_nobody_poor() -> None:
    r = alkire_foster([[5, 5], [6, 0]], [5, 5], 1)
    assert (F(0),) * 7 == (r.H, r.A, r.M0, r.M1, r.M2, r.G, r.S)
    assert r.contributions == (F(0), F(0))
    assert r.uncensored_headcounts == (F(0), F(1, 2))


def test_uneven_weights() -> None:
    r = alkire_foster([[0, 1, 1], [1, 0, 0], [1, 1, 0]], [1, 1, 1], F(1, 2),
                      weights=[F(1, 2), F(1, 4), F(1, 4)])
    assert r.poor == (True, True, False)
    assert F(1, 3) == r.M0
    assert r.contributions == (F(1, 2), F(1, 4), F(1, 4))


def test_worked_example_by_group() -> None:
    r = example(groups=["north", "north", "south", "south"])
    north, south = r.by_group["north"], r.by_group["south"]
    assert (F(1, 2), F(1, 4)) == (north.H, north.M0)  # B poor with score 1/2
    assert (F(1, 2), F(1, 2)) == (south.H, south.M0)  # C poor with score 1
    assert r.group_shares == {"north": F(1, 2), "south": F(1, 2)}
    assert r.group_contributions == {"north": F(1, 3), "south": F(2, 3)}
    assert example().by_group == {}


# --- Global MPI shape: 3 dimensions at 1/3, 10 indicators, k = 1/3 --------------------------
MPI_NAMES = ["nutrition", "child_mortality", "schooling", "attendance", "cooking_fuel",
             "sanitation", "water", "electricity", "housing", "assets"]
MPI_WEIGHTS = [F(1, 6)] * 4 + [F(1, 18)] * 6
# 1 = not deprived, 0 = deprived; cutoff 1 for every indicator.
MPI_DATA = [
    [0, 1, 1, 1, 0, 1, 1, 1, 0, 1],  # P1: nutrition + 2 living = 1/6 + 2/18 = 5/18: not poor
    [1, 1, 0, 1, 0, 0, 0, 1, 1, 1],  # P2: schooling + 3 living = 1/6 + 3/18 = 1/3: poor
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],  # P3: 3 of 4 health/education + 6 living = 5/6: poor
    [1] * 10,                        # P4: nothing
    [1, 1, 1, 1, 1, 1, 1, 0, 1, 1],  # P5: electricity = 1/18: not poor
]


def test_global_mpi_by_hand() -> None:
    r = alkire_foster(MPI_DATA, [1] * 10, F(1, 3), weights=MPI_WEIGHTS, names=MPI_NAMES)
    assert r.scores == (F(5, 18), F(1, 3), F(5, 6), F(0), F(1, 18))
    assert r.poor == (False, True, True, False, False)
    assert (F(2, 5), F(7, 12), F(7, 30)) == (r.H, r.A, r.M0)
    fifth = F(1, 5)
    assert r.censored_headcounts == (fifth,) * 4 + (2 * fifth,) * 3 + (fifth,) * 3
    assert r.uncensored_headcounts == (2 * fifth, fifth, fifth, fifth, 3 * fifth, 2 * fifth,
                                       2 * fifth, 2 * fifth, 2 * fifth, fifth)
    shares = r.contributions_by_name
    assert shares["nutrition"] == F(1, 7)
    assert shares["cooking_fuel"] == F(2, 21)
    assert shares["electricity"] == F(1, 21)
    health = shares["nutrition"] + shares["child_mortality"]
    education = shares["schooling"] + shares["attendance"]
    living = sum(shares[n] for n in MPI_NAMES[4:])
    assert (health, education, living) == (F(2, 7), F(2, 7), F(3, 7))
    # Binary data: every gap is 1, so M1 = M2 = M0.
    assert r.M1 == r.M2 == r.M0


def test_global_mpi_float_weights_reach_k() -> None:
    # In floats 1/6 + 3·(1/18) may miss 1/3 by rounding; a score within 1e-9 of k is poor.
    r = alkire_foster(MPI_DATA, [1] * 10, 1 / 3, weights=[1 / 6] * 4 + [1 / 18] * 6)
    assert r.poor == (False, True, True, False, False)
    assert pytest.approx(7 / 30) == r.M0


# --- Properties ---------------------------------------------------------------------------
@dataclass
class Case:
    data: list[list[int]]
    cutoffs: list[int]
    weights: list[Fraction]
    k: Fraction


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 4))
    data = draw(st.lists(st.lists(st.integers(-2, 6), min_size=d, max_size=d),
                         min_size=n, max_size=n))
    cutoffs = draw(st.lists(st.integers(1, 5), min_size=d, max_size=d))
    raw = draw(st.lists(st.integers(1, 4), min_size=d, max_size=d))
    weights = [F(w, sum(raw)) for w in raw]
    k = F(draw(st.integers(1, 12)), 12)
    return Case(data, cutoffs, weights, k)


def measure(case: Case, **kwargs: Any) -> AlkireFosterResult:
    return alkire_foster(case.data, case.cutoffs, case.k, weights=case.weights, **kwargs)


SUMMARY = ("H", "A", "M0", "M1", "M2", "G", "S", "uncensored_headcounts",
           "censored_headcounts", "contributions")


@PROPERTY
@given(cases(), st.data())
def test_sample_weights_equal_duplicated_rows(case: Case, data: st.DataObject) -> None:
    counts = data.draw(st.lists(st.integers(0, 3), min_size=len(case.data),
                                max_size=len(case.data)).filter(any))
    weighted = measure(case, sample_weights=counts)
    rows = [row for row, c in zip(case.data, counts, strict=True) for _ in range(c)]
    duplicated = alkire_foster(rows, case.cutoffs, case.k, weights=case.weights)
    for name in SUMMARY:
        assert getattr(weighted, name) == getattr(duplicated, name), name


@PROPERTY
@given(cases(), st.data())
def test_m0_decomposes_by_group(case: Case, data: st.DataObject) -> None:
    groups = data.draw(st.lists(st.sampled_from("abc"), min_size=len(case.data),
                                max_size=len(case.data)))
    r = measure(case, groups=groups)
    assert set(r.by_group) == set(groups)
    assert sum(r.group_shares.values()) == 1
    assert sum(r.group_shares[g] * r.by_group[g].M0 for g in r.by_group) == r.M0
    assert sum(r.group_shares[g] * r.by_group[g].H for g in r.by_group) == r.H
    assert sum(r.group_contributions.values()) == (1 if r.M0 else 0)


@PROPERTY
@given(cases())
def test_identities(case: Case) -> None:
    r = measure(case)
    assert sum(w * h for w, h in zip(r.weights, r.censored_headcounts, strict=True)) == r.M0
    assert r.M0 == r.H * r.A
    assert r.M1 == r.H * r.A * r.G
    assert r.M2 == r.H * r.A * r.S
    assert sum(r.contributions) == (1 if r.M0 else 0)
    assert all(c <= u for c, u in zip(r.censored_headcounts, r.uncensored_headcounts,
                                      strict=True))


@PROPERTY
@given(cases(), st.data())
def test_a_poor_person_getting_poorer_does_not_lower_m1_or_m2(case: Case,
                                                               data: st.DataObject) -> None:
    before = measure(case)
    spots = [(i, j) for i, row in enumerate(case.data) for j, v in enumerate(row)
             if before.poor[i] and v < case.cutoffs[j]]
    if not spots:
        return
    i, j = data.draw(st.sampled_from(spots))
    case.data[i][j] -= data.draw(st.integers(1, 3))
    after = measure(case)
    assert after.M0 == before.M0
    assert after.M1 >= before.M1
    assert after.M2 >= before.M2


@PROPERTY
@given(cases())
def test_float_agrees_with_exact(case: Case) -> None:
    exact = measure(case)
    floats = alkire_foster([[float(v) for v in row] for row in case.data], case.cutoffs,
                           float(case.k), weights=[float(w) for w in case.weights])
    assert floats.poor == exact.poor
    for name in ("H", "A", "M0", "M1", "M2"):
        assert getattr(floats, name) == pytest.approx(float(getattr(exact, name))), name


# --- Errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"data": []}, "data must be a matrix"),
    ({"data": [[]]}, "data must not be empty"),
    ({"data": [[1, 2], [3]]}, "data must be a rectangular array"),
    ({"data": [1, 2, 3, 4]}, "data must be a matrix"),
    ({"cutoffs": [13, 12, 3]}, "cutoffs has 3 entries but needs one per indicator"),
    ({"cutoffs": [13, 12, 0, 1]}, "cutoffs must be positive"),
    ({"k": 0}, r"k must be a share of the total weight in \(0, 1\]"),
    ({"k": 2}, "2 of 4 equally weighted indicators is k = 1/2"),
    ({"weights": [F(1, 2), F(1, 4), F(1, 4), F(1, 4)]}, "weights must sum to 1, got 5/4"),
    ({"weights": [0.3, 0.3, 0.3, 0.3]}, "weights must sum to 1"),
    ({"weights": [F(1, 2), F(1, 2), F(1, 2), F(-1, 2)]}, "weights must be non-negative"),
    ({"weights": [1]}, "weights has 1 entries but needs one per indicator"),
    ({"sample_weights": [1, 1, 1]}, "sample_weights has 3 entries but needs one per row"),
    ({"sample_weights": [1, -1, 1, 1]}, "sample_weights must be non-negative"),
    ({"sample_weights": [0, 0, 0, 0]}, "sample_weights must not all be zero"),
    ({"sample_weights": [1, 1, 0, 0], "groups": "aabb"}, "group 'b' has zero total"),
    ({"groups": ["a", "b"]}, "groups has 2 entries but needs one per row"),
    ({"names": ["a", "b"]}, "names has 2 entries"),
    ({"names": ["a", "a", "b", "c"]}, "names must be unique"),
    ({"data": [[1.0, 2, 3, float("nan")]]}, "data must be finite"),
])
def test_bad_input_is_a_clear_value_error(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"data": EXAMPLE, "cutoffs": CUTOFFS, "k": HALF} | kwargs
    with pytest.raises(ValueError, match=message):
        alkire_foster(**args)


def test_non_numbers_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="data must hold numbers"):
        alkire_foster([["a", "b"]], [1, 1], HALF)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="k must be a number"):
        alkire_foster([[1, 2]], [1, 1], "1/2")  # type: ignore[arg-type]


def test_float_weights_sum_within_tolerance() -> None:
    r = alkire_foster(EXAMPLE, CUTOFFS, 0.5, weights=[0.1, 0.2, 0.3, 0.4 + 1e-12])
    assert isinstance(r.M0, float)
