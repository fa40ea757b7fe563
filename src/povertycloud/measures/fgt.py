"""Foster–Greer–Thorbecke poverty measures, exact when the inputs are.

P_α = Σ_{y_i < z} w_i · ((z − y_i)/z)^α / Σ w_i: α = 0 is the headcount ratio, α = 1 the poverty
gap, α = 2 the severity. Poor means income strictly below the line. When every input is an
``int`` or a :class:`fractions.Fraction` (and α is a whole number) the result is an exact
``Fraction``; otherwise a ``float``. The private helpers here also serve ``alkire_foster``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Rational, Real
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

Value: TypeAlias = Fraction | float
"""A result: an exact ``Fraction`` when every input is exact, otherwise a ``float``."""

Number: TypeAlias = float | Fraction
"""An input number (``int`` is accepted wherever ``float`` is)."""

Vector: TypeAlias = Sequence[Number] | NDArray[Any]


def fgt(incomes: Vector, line: Number, alpha: Number = 0,
        weights: Vector | None = None) -> Value:
    """Foster–Greer–Thorbecke poverty measure P_α.

    P_α = Σ_{y_i < z} w_i · ((z − y_i)/z)^α / Σ_i w_i, where a person is poor when their
    income is strictly below the line z: an income equal to the line is not poor.

    Parameters
    ----------
    incomes : sequence of numbers or 1-D numpy array
        Income (or consumption) y_i of each person, at least one. Negative incomes are
        allowed; their normalised gap then exceeds 1.
    line : number
        The poverty line z; must be positive.
    alpha : number, default 0
        Poverty aversion α ≥ 0: 0 gives the headcount ratio, 1 the poverty gap index,
        2 the squared poverty gap (severity). Any α ≥ 0 is accepted.
    weights : sequence of numbers or 1-D numpy array, optional
        Sample weight w_i of each person (non-negative, positive total); a weight of 2
        counts the person twice. Default: every person counts once.

    Returns
    -------
    Fraction or float
        P_α, exact as a ``Fraction`` when incomes, line and weights are all ``int`` or
        ``Fraction`` (numpy integer arrays included) and α is a whole number; else ``float``.

    Raises
    ------
    ValueError
        If the line is not positive, α is negative, incomes are empty, weights are negative,
        sum to zero or differ in length from incomes, or any value is not finite.
    TypeError
        If an input is not a number.

    Examples
    --------
    >>> fgt([50, 100, 150, 200, 300], 200, alpha=1)
    Fraction(3, 10)
    >>> fgt([50.0, 100, 150, 200, 300], 200, alpha=2)
    0.175
    """
    y_raw = _array("incomes", incomes, ndim=1)
    w_raw = None if weights is None else _array("weights", weights, ndim=1, length=len(y_raw))
    exact = (_rational(y_raw) and _whole(alpha) and isinstance(line, Rational)
             and (w_raw is None or _rational(w_raw)))
    z = _scalar("line", line, exact)
    a = _scalar("alpha", alpha, exact)
    if z <= 0:
        raise ValueError(f"line must be positive, got {line}")
    if a < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha}")
    y = _convert("incomes", y_raw, exact)
    w = _sample_weights("weights", w_raw, len(y), exact)
    poor = y < z
    gaps = (z - y[poor]) / z
    terms = gaps ** (int(a) if exact else a)
    return _value((w[poor] * terms).sum() / w.sum(), exact)


def _array(name: str, values: object, ndim: int, length: int | None = None,
           per: str = "person") -> NDArray[Any]:
    """``values`` as a numpy array of ``ndim`` dimensions holding real numbers, unconverted."""
    try:
        arr = np.asarray(values)
    except ValueError as err:
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from err
    if arr.ndim != ndim:
        shape = "a sequence of numbers" if ndim == 1 else "a matrix (a sequence of equal rows)"
        raise ValueError(f"{name} must be {shape}, got {arr.ndim} dimension(s)")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype.kind == "O":
        for x in arr.flat:
            if not isinstance(x, Real | Decimal):
                raise TypeError(f"{name} must hold numbers, found {x!r}")
    elif arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, found dtype {arr.dtype}")
    if length is not None and len(arr) != length:
        raise ValueError(f"{name} has {len(arr)} entries but needs one per {per} ({length})")
    return arr


def _rational(arr: NDArray[Any]) -> bool:
    """Whether every entry is an ``int`` or ``Fraction`` (numpy integers and booleans too)."""
    if arr.dtype.kind in "biu":
        return True
    return arr.dtype.kind == "O" and all(isinstance(x, Rational) for x in arr.flat)


def _whole(x: object) -> bool:
    """Whether ``x`` is an exact whole number (an ``int`` or a ``Fraction`` like 2/1)."""
    return isinstance(x, Rational) and x.denominator == 1


def _fraction(x: Any) -> Fraction:
    return Fraction(int(x)) if isinstance(x, Integral) else Fraction(x)


def _convert(name: str, arr: NDArray[Any], exact: bool) -> NDArray[Any]:
    """Entries as ``Fraction`` objects (exact) or float64, refusing NaN and infinities."""
    if exact:
        return np.array([_fraction(x) for x in arr.astype(object).flat],
                        dtype=object).reshape(arr.shape)
    floats = arr.astype(np.float64)
    if not np.isfinite(floats).all():
        raise ValueError(f"{name} must be finite numbers (missing values are not supported)")
    return floats


def _scalar(name: str, x: object, exact: bool) -> Any:
    """A single number as a ``Fraction`` (exact) or finite ``float``."""
    if not isinstance(x, Real | Decimal):
        raise TypeError(f"{name} must be a number, got {x!r}")
    if exact:
        return _fraction(x)
    value = float(x)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {x}")
    return value


def _sample_weights(name: str, raw: NDArray[Any] | None, n: int, exact: bool) -> NDArray[Any]:
    """Checked sample weights (one per person by default), non-negative with positive total."""
    if raw is None:
        return np.full(n, Fraction(1) if exact else 1.0, dtype=object if exact else np.float64)
    w = _convert(name, raw, exact)
    if (w < 0).any():
        raise ValueError(f"{name} must be non-negative")
    if not w.sum() > 0:
        raise ValueError(f"{name} must not all be zero")
    return w


def _value(x: Any, exact: bool) -> Value:
    """A computed number as the public result type."""
    return _fraction(x) if exact else float(x)
