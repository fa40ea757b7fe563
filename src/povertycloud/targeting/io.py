"""Reading and writing targeting tables as Parquet or CSV, chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ..intake.exports import check_output
from .errors import TargetingError

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def read_table(path: Path) -> pa.Table:
    """The table in ``path`` (``.parquet``, ``.pq`` or ``.csv``)."""
    kind = _format(path)
    if not path.is_file():
        raise TargetingError(f"{path} does not exist or is not a file")
    try:
        return pq.read_table(path) if kind == "parquet" else pcsv.read_csv(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise TargetingError(f"cannot read {path} as {kind.upper()}: {exc}") from exc


def write_table(table: pa.Table, path: Path, overwrite: bool = False) -> None:
    """Write ``table`` to ``path`` in the format its extension names; an existing file is
    refused unless ``overwrite``."""
    kind = _format(path)
    check_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "parquet":
        pq.write_table(table, path)
    else:
        pcsv.write_csv(table, path)


def _format(path: Path) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise TargetingError(f"{path}: unknown file type {path.suffix!r}; "
                             f"use one of {', '.join(FORMATS)}")
    return kind
