"""From a table to a feature matrix: learnt on T, applied unchanged to P.

Numbers (and dates, as days) stay as they are; booleans become 0/1; strings and dictionary
columns are categories. Two encodings of the same columns:

* ``linear`` for the linear models: categories one-hot (one column per level seen in T, so
  a level unseen in T is all zeros), missing numbers imputed with T's median plus a
  ``name (missing)`` indicator for each column that had gaps in T;
* ``native`` for LightGBM: numbers with NaN for missing, categories as level codes (NaN for
  missing or unseen), which LightGBM splits on natively.

A missing category (null) is a level of its own, ``(missing)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .errors import TargetingError

Floats = npt.NDArray[np.float64]
MISSING = "(missing)"


@dataclass(frozen=True)
class Column:
    """How one input column becomes features."""

    name: str
    categorical: bool
    median: float = 0.0  # numeric: the value imputed for a gap (linear encoding)
    gaps: bool = False  # numeric: T had gaps, so the linear encoding adds an indicator
    levels: tuple[str, ...] = ()  # categorical: the levels seen in T, sorted


@dataclass(frozen=True)
class Design:
    """A feature matrix with its column names and the input column each comes from;
    ``categorical`` indexes the columns that hold level codes (native encoding only)."""

    x: Floats
    names: tuple[str, ...]
    sources: tuple[str, ...]
    categorical: tuple[int, ...] = ()


@dataclass(frozen=True)
class FeatureSet:
    """The transform learnt from T: apply it to T, to folds of T, or to P."""

    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ()  # numeric columns with no value at all in T

    @classmethod
    def fit(cls, table: pa.Table, names: list[str]) -> FeatureSet:
        """Learn levels and medians of ``names`` from ``table`` (T)."""
        columns, ignored = [], []
        for name in names:
            col = table.column(name)
            if _is_categorical(col.type):
                levels = pc.unique(_strings(col, name)).to_pylist()
                columns.append(Column(name, True, levels=tuple(sorted(levels))))
                continue
            values = _numbers(col, name)
            present = values[~np.isnan(values)]
            if present.size == 0:
                ignored.append(name)
                continue
            columns.append(Column(name, False, float(np.median(present)),
                                  bool(present.size < values.size)))
        return cls(tuple(columns), tuple(ignored))

    def linear(self, table: pa.Table) -> Design:
        """One-hot categories, imputed numbers and gap indicators."""
        parts: list[Floats] = []
        names: list[str] = []
        sources: list[str] = []
        for c in self.columns:
            col = table.column(c.name)
            if c.categorical:
                codes = _codes(col, c)
                parts.append((codes[:, None] == np.arange(len(c.levels))[None, :]).astype(float))
                names.extend(f"{c.name}={level}" for level in c.levels)
                sources.extend(c.name for _ in c.levels)
                continue
            values = _numbers(col, c.name)
            gap = np.isnan(values)
            parts.append(np.where(gap, c.median, values)[:, None])
            names.append(c.name)
            if c.gaps:
                parts.append(gap.astype(float)[:, None])
                names.append(f"{c.name} {MISSING}")
            sources.extend([c.name] * (1 + c.gaps))
        return Design(_stack(parts), tuple(names), tuple(sources))

    def native(self, table: pa.Table) -> Design:
        """Numbers with NaN gaps and categories as level codes, for LightGBM."""
        parts = [_codes(table.column(c.name), c) if c.categorical
                 else _numbers(table.column(c.name), c.name) for c in self.columns]
        categorical = tuple(i for i, c in enumerate(self.columns) if c.categorical)
        x = _stack([p[:, None] for p in parts])
        names = tuple(c.name for c in self.columns)
        return Design(x, names, names, categorical)


def _is_categorical(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_string_view(kind) or pa.types.is_dictionary(kind))


def _is_numeric(kind: pa.DataType) -> bool:
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind)
                or pa.types.is_decimal(kind) or pa.types.is_boolean(kind)
                or pa.types.is_null(kind))


def _numbers(col: pa.ChunkedArray, name: str) -> Floats:
    """A numeric, boolean or temporal column as float64 with NaN for every gap."""
    kind = col.type
    if pa.types.is_date(kind):
        col = pc.cast(col, pa.date32()).cast(pa.int32())
    elif pa.types.is_timestamp(kind) or pa.types.is_duration(kind):
        col = col.cast(pa.int64())
    elif not _is_numeric(kind):
        raise TargetingError(f"column {name!r} has type {kind}; a feature must be numbers, "
                             "booleans, dates or text, of the same kind in both tables")
    values: Floats = np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False),
                                dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def _strings(col: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """A column as strings, with ``(missing)`` for nulls."""
    try:
        text = pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise TargetingError(f"column {name!r} is a category in the labelled table but has "
                             f"type {col.type} here, which cannot be read as text") from exc
    return pc.fill_null(text, MISSING)


def _codes(col: pa.ChunkedArray, c: Column) -> Floats:
    """Level numbers of a categorical column; NaN for a level T never had."""
    index = pc.index_in(_strings(col, c.name), value_set=pa.array(c.levels, pa.string()))
    codes: Any = pc.cast(index, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.float64)


def _stack(parts: list[Floats]) -> Floats:
    """Columns (each rows × k) side by side."""
    if not parts:
        raise TargetingError("no usable feature columns: every one is empty in the "
                             "labelled table")
    return np.ascontiguousarray(np.hstack(parts), dtype=np.float64)
