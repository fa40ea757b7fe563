"""Score prediction tables against a truth table by id: the joins and checks behind
``povertycloud targeting evaluate``, then the protocol (``protocol.assess``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import TargetingError
from .protocol import DRAWS, Assessment, Floats, assess

PREDICTED = "predicted_welfare"


def assess_tables(truth: pa.Table, predicted: pa.Table, welfare: str, id: str,
                  coverage: float, *, baseline: pa.Table | None = None,
                  groups: Sequence[str] = (), groups_from: pa.Table | None = None,
                  draws: int = DRAWS, progress: Callable[[int], None] | None = None
                  ) -> Assessment:
    """The protocol for the households of ``truth``: each must have a prediction (and a
    baseline prediction, and a row of ``groups_from``, when given); ``groups`` are columns
    of ``groups_from`` (default: of ``truth``)."""
    _need(truth, "truth", (id, welfare))
    _ids(truth, "truth", id)
    rows = truth.select([id, welfare]).rename_columns([id, "truth"])
    rows = _join(rows, predicted, "prediction", id, PREDICTED, "predicted")
    if baseline is not None:
        rows = _join(rows, baseline, "baseline", id, PREDICTED, "baseline")
    source = groups_from if groups_from is not None else truth
    label = "group table" if groups_from is not None else "truth"
    if groups:
        _need(source, label, (id, *groups))
        rows = _join(rows, source.select([id, *groups]), label, id, None, None)
    return assess(numbers(rows.column("truth"), f"the truth table's {welfare!r}"),
                  numbers(rows.column("predicted"), f"the prediction table's {PREDICTED!r}"),
                  coverage,
                  baseline=numbers(rows.column("baseline"), f"the baseline table's "
                                   f"{PREDICTED!r}") if baseline is not None else None,
                  groups={g: rows.column(g).to_pylist() for g in groups},
                  draws=draws, progress=progress)


def _need(table: pa.Table, label: str, columns: Sequence[str]) -> None:
    for name in columns:
        if name not in table.column_names:
            raise TargetingError(f"the {label} table has no column {name!r}; its columns "
                                 f"are: {', '.join(table.column_names)}")


def _join(rows: pa.Table, other: pa.Table, label: str, id: str, column: str | None,
          rename: str | None) -> pa.Table:
    """``rows`` with ``other``'s ``column`` (as ``rename``), or all its columns; every id
    of ``rows`` must be in ``other`` once."""
    if column is not None:
        _need(other, label, (id, column))
        other = other.select([id, column]).rename_columns([id, rename or column])
    _ids(other, label, id)
    joined = rows.join(other, id, join_type="inner")
    if joined.num_rows < rows.num_rows:
        raise TargetingError(f"{rows.num_rows - joined.num_rows:,} id(s) of the truth have "
                             f"no row in the {label} table")
    return joined.sort_by(id)


def _ids(table: pa.Table, label: str, id: str) -> None:
    ids = table.column(id)
    if ids.null_count:
        raise TargetingError(f"the {label} table has {ids.null_count:,} empty id(s) in {id!r}")
    if pc.count_distinct(ids).as_py() != table.num_rows:
        raise TargetingError(f"the {label} table repeats ids in {id!r}")


def numbers(column: pa.ChunkedArray, what: str) -> Floats:
    """A column as float64, refused naming ``what`` if it is not numbers or has gaps."""
    try:
        values = pc.cast(column, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise TargetingError(f"{what} must be numbers, not {column.type}") from exc
    if values.null_count:
        raise TargetingError(f"{what} is empty in {values.null_count:,} of the rows scored; "
                             "score only households with a value")
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
