"""Alkire–Foster multidimensional poverty: the adjusted headcount M0 and its M1, M2 relatives.

Person i is deprived in indicator j when y_ij < z_j (strictly below the cutoff); the score
c_i = Σ_j w_j g_ij sums the weights of their deprivations, with Σ_j w_j = 1; they are poor when
c_i ≥ k. Non-poor rows are censored to zero, then H = q/n, A = Σ c_i(k)/q and
M0 = H·A = Σ_j w_j h_j(k). Alkire & Foster (2011), doi:10.1016/j.jpubeco.2010.11.006.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from numbers import Rational
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .fgt import (
    Number,
    Value,
    Vector,
    _array,
    _convert,
    _rational,
    _sample_weights,
    _scalar,
    _value,
)

TOLERANCE = 1e-9
"""Float slack for Σ w_j = 1 and for c_i ≥ k, so that 1/6 + 3·(1/18) reaches k = 1/3."""


@dataclass(frozen=True)
class AlkireFosterResult:
    """The Alkire–Foster measures of one population (and, optionally, of its groups).

    Every number is an exact ``Fraction`` when all inputs were ``int`` or ``Fraction``,
    otherwise a ``float``. Shares are weighted by the sample weights.

    Attributes
    ----------
    H : Fraction or float
        Multidimensional headcount ratio: share of people who are poor (c_i ≥ k).
    A : Fraction or float
        Intensity: average score c_i among the poor (0 when nobody is poor).
    M0 : Fraction or float
        Adjusted headcount ratio H·A, equal to Σ_j w_j · censored_headcounts[j].
    M1 : Fraction or float
        Adjusted poverty gap H·A·G, from normalised gaps (z_j − y_ij)/z_j of the censored
        matrix (cardinal data).
    M2 : Fraction or float
        Adjusted squared poverty gap H·A·S, from squared normalised gaps.
    G : Fraction or float
        Average normalised gap over the (weighted) deprivations of the poor; M1/M0.
    S : Fraction or float
        Average squared normalised gap over the same deprivations; M2/M0.
    k : Fraction or float
        The poverty cutoff used, as a share of the total weight.
    population : Fraction or float
        Total sample weight (the number of people when unweighted).
    names : tuple of str
        Indicator names, keys of the ``*_by_name`` views.
    weights, cutoffs : tuple
        Indicator weights w_j and deprivation cutoffs z_j used.
    uncensored_headcounts : tuple
        h_j: share of people deprived in indicator j.
    censored_headcounts : tuple
        h_j(k): share of people who are poor and deprived in indicator j.
    contributions : tuple
        w_j · h_j(k) / M0, shares of M0 summing to 1 (all 0 when M0 = 0).
    scores : tuple
        Deprivation score c_i of each person, before censoring.
    poor : tuple of bool
        Whether each person is multidimensionally poor.
    by_group : mapping
        Group → result for that group alone (empty when no groups were given).
    group_shares : mapping
        Group → its share of the population (of the total sample weight).
    group_contributions : mapping
        Group → its contribution to M0, share · M0_group / M0 (all 0 when M0 = 0).
    """

    H: Value
    A: Value
    M0: Value
    M1: Value
    M2: Value
    G: Value
    S: Value
    k: Value
    population: Value
    names: tuple[str, ...]
    weights: tuple[Value, ...]
    cutoffs: tuple[Value, ...]
    uncensored_headcounts: tuple[Value, ...]
    censored_headcounts: tuple[Value, ...]
    contributions: tuple[Value, ...]
    scores: tuple[Value, ...] = field(repr=False)
    poor: tuple[bool, ...] = field(repr=False)
    by_group: Mapping[Hashable, AlkireFosterResult] = field(
        default_factory=dict, repr=False, hash=False)
    group_shares: Mapping[Hashable, Value] = field(default_factory=dict, repr=False, hash=False)
    group_contributions: Mapping[Hashable, Value] = field(
        default_factory=dict, repr=False, hash=False)

    @property
    def censored_scores(self) -> tuple[Value, ...]:
        """c_i(k): each person's score, or 0 when they are not poor."""
        return tuple(c if p else c * 0 for c, p in zip(self.scores, self.poor, strict=True))

    @property
    def contributions_by_name(self) -> dict[str, Value]:
        """Indicator name → its share of M0."""
        return dict(zip(self.names, self.contributions, strict=True))

    @property
    def uncensored_headcounts_by_name(self) -> dict[str, Value]:
        """Indicator name → share of people deprived in it."""
        return dict(zip(self.names, self.uncensored_headcounts, strict=True))

    @property
    def censored_headcounts_by_name(self) -> dict[str, Value]:
        """Indicator name → share of people poor and deprived in it."""
        return dict(zip(self.names, self.censored_headcounts, strict=True))

    @property
    def weights_by_name(self) -> dict[str, Value]:
        """Indicator name → its weight."""
        return dict(zip(self.names, self.weights, strict=True))


def alkire_foster(
    data: Sequence[Sequence[Number]] | NDArray[Any],
    cutoffs: Vector,
    k: Number,
    weights: Vector | None = None,
    sample_weights: Vector | None = None,
    groups: Sequence[Hashable] | NDArray[Any] | None = None,
    names: Sequence[str] | None = None,
) -> AlkireFosterResult:
    """Alkire–Foster multidimensional poverty measures H, A, M0, M1 and M2.

    A person is deprived in indicator j when their value is strictly below the cutoff
    (y_ij < z_j: a value equal to the cutoff is not deprived), and poor when the weighted
    sum of their deprivations reaches k (c_i ≥ k).

    Parameters
    ----------
    data : sequence of rows or 2-D numpy array, shape (n, d)
        Achievement y_ij of person i in indicator j, higher being better. Binary
        indicators can be coded 1 (fine) and 0 (deprived) with cutoff 1.
    cutoffs : sequence of d numbers
        Deprivation cutoff z_j of each indicator; must be positive (gaps divide by it).
    k : number
        Poverty cutoff as a share of the total weight, 0 < k ≤ 1: with four equally
        weighted indicators, "2 of 4" is ``Fraction(1, 2)``; the Global MPI uses 1/3.
    weights : sequence of d numbers, optional
        Indicator weights w_j, non-negative and summing to 1 (exactly when given as
        ``int``/``Fraction``, else within 1e-9). Default: equal weights 1/d.
    sample_weights : sequence of n numbers, optional
        Weight of each person (non-negative, positive total); a weight of 2 counts the
        row twice. Default: each row counts once.
    groups : sequence of n hashable labels, optional
        Group of each person (region, sex, ...); fills ``by_group``, ``group_shares`` and
        ``group_contributions``.
    names : sequence of d str, optional
        Indicator names for the ``*_by_name`` views; default ``"d1"``, ``"d2"``, ...

    Returns
    -------
    AlkireFosterResult
        The measures; every number is an exact ``Fraction`` when data, cutoffs, k and any
        weights are all ``int`` or ``Fraction`` (numpy integer arrays included), else a
        ``float``. In float mode a score within 1e-9 below k still counts as poor.

    Raises
    ------
    ValueError
        For empty or ragged data, lengths that do not match, a non-positive cutoff, k
        outside (0, 1], negative weights or weights not summing to 1, sample weights that
        are negative or all zero, a group of zero total weight, non-finite values, or
        duplicate names.
    TypeError
        If an input is not a number.

    Examples
    --------
    >>> r = alkire_foster([[0, 1], [0, 0], [1, 1]], cutoffs=[1, 1], k=1)
    >>> r.H, r.A, r.M0
    (Fraction(1, 3), Fraction(1, 1), Fraction(1, 3))
    """
    x_raw = _array("data", data, ndim=2)
    n, d = x_raw.shape
    z_raw = _array("cutoffs", cutoffs, ndim=1, length=d, per="indicator (column of data)")
    w_raw = None if weights is None else _array(
        "weights", weights, ndim=1, length=d, per="indicator (column of data)")
    s_raw = None if sample_weights is None else _array(
        "sample_weights", sample_weights, ndim=1, length=n, per="row of data")
    exact = (_rational(x_raw) and _rational(z_raw) and isinstance(k, Rational)
             and (w_raw is None or _rational(w_raw)) and (s_raw is None or _rational(s_raw)))
    x = _convert("data", x_raw, exact)
    z = _convert("cutoffs", z_raw, exact)
    if (z <= 0).any():
        raise ValueError("cutoffs must be positive (normalised gaps divide by them)")
    cut = _scalar("k", k, exact)
    if not 0 < cut <= (1 if exact else 1 + TOLERANCE):
        raise ValueError(f"k must be a share of the total weight in (0, 1], got {k}; "
                         "for example 2 of 4 equally weighted indicators is k = 1/2")
    w = _indicator_weights(w_raw, d, exact)
    s = _sample_weights("sample_weights", s_raw, n, exact)
    labels = _names(names, d)
    result = _measure(x, z, w, cut, s, labels, exact)
    if groups is None:
        return result
    return _with_groups(result, groups, x, z, w, cut, s, labels, exact)


def _indicator_weights(raw: NDArray[Any] | None, d: int, exact: bool) -> NDArray[Any]:
    """Checked indicator weights: non-negative, summing to 1; equal by default."""
    if raw is None:
        if exact:
            return np.full(d, Fraction(1, d), dtype=object)
        return np.full(d, 1 / d)
    total = _convert("weights", raw, True).sum() if _rational(raw) else None
    w = _convert("weights", raw, exact)
    if (w < 0).any():
        raise ValueError("weights must be non-negative")
    if total is None:
        total = float(w.sum())
        if abs(total - 1) > TOLERANCE:
            raise ValueError(f"weights must sum to 1 (within {TOLERANCE}), got {total}")
    elif total != 1:
        raise ValueError(f"weights must sum to 1, got {total}")
    return w


def _names(names: Sequence[str] | None, d: int) -> tuple[str, ...]:
    if names is None:
        return tuple(f"d{j + 1}" for j in range(d))
    labels = tuple(names)
    if len(labels) != d:
        raise ValueError(f"names has {len(labels)} entries but there are {d} indicators")
    if len(set(labels)) != d:
        raise ValueError("names must be unique")
    return labels


def _measure(x: NDArray[Any], z: NDArray[Any], w: NDArray[Any], k: Any, s: NDArray[Any],
             names: tuple[str, ...], exact: bool) -> AlkireFosterResult:
    """The measures of one population from checked, converted inputs."""
    zero: Any = Fraction(0) if exact else 0.0
    deprived = x < z
    scores = np.where(deprived, w, zero).sum(axis=1)
    poor = scores >= (k if exact else k - TOLERANCE)
    censored = deprived & poor[:, None]
    gaps = np.where(censored, (z - x) / z, zero)
    total = s.sum()
    h = (s[:, None] * deprived).sum(axis=0) / total
    ch = (s[:, None] * censored).sum(axis=0) / total
    H = s[poor].sum() / total
    M0 = (s * np.where(poor, scores, zero)).sum() / total
    M1 = (s * (gaps * w).sum(axis=1)).sum() / total
    M2 = (s * (gaps**2 * w).sum(axis=1)).sum() / total

    def values(arr: NDArray[Any]) -> tuple[Value, ...]:
        return tuple(_value(v, exact) for v in arr)

    return AlkireFosterResult(
        H=_value(H, exact), A=_value(M0 / H if H else zero, exact), M0=_value(M0, exact),
        M1=_value(M1, exact), M2=_value(M2, exact),
        G=_value(M1 / M0 if M0 else zero, exact), S=_value(M2 / M0 if M0 else zero, exact),
        k=_value(k, exact), population=_value(total, exact), names=names,
        weights=values(w), cutoffs=values(z),
        uncensored_headcounts=values(h), censored_headcounts=values(ch),
        contributions=values(w * ch / M0 if M0 else w * zero),
        scores=values(scores), poor=tuple(bool(p) for p in poor),
    )


def _with_groups(result: AlkireFosterResult, groups: Sequence[Hashable] | NDArray[Any],
                 x: NDArray[Any], z: NDArray[Any], w: NDArray[Any], k: Any, s: NDArray[Any],
                 names: tuple[str, ...], exact: bool) -> AlkireFosterResult:
    """``result`` with each group's own measures, population share and share of M0."""
    labels = groups.tolist() if isinstance(groups, np.ndarray) else list(groups)
    if len(labels) != len(x):
        raise ValueError(f"groups has {len(labels)} entries but needs one per row of data "
                         f"({len(x)})")
    members: dict[Hashable, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    by_group, shares, contributions = {}, {}, {}
    for label, rows in members.items():
        weight = s[rows].sum()
        if not weight > 0:
            raise ValueError(f"group {label!r} has zero total sample weight")
        by_group[label] = _measure(x[rows], z, w, k, s[rows], names, exact)
        shares[label] = _value(weight / s.sum(), exact)
        contributions[label] = (shares[label] * by_group[label].M0 / result.M0
                                if result.M0 else shares[label] * 0)
    return replace(result, by_group=MappingProxyType(by_group),
                   group_shares=MappingProxyType(shares),
                   group_contributions=MappingProxyType(contributions))
