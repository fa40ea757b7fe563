"""Read an input file into a staging table of text columns, numbered as the user counts
rows: in CSV and Excel the header is row 1, so data starts at row 2; in Parquet at row 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import PovertyCloudError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel"}


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise PovertyCloudError(
            f"{path}: unknown file type {path.suffix!r}; use one of "
            f"{', '.join(FORMATS)}") from None


def stage(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> list[str]:
    """Create the temporary table ``name`` from ``path``; returns the file's columns."""
    if not path.exists():
        raise PovertyCloudError(f"{path}: no such file")
    kind = file_format(path)
    if kind == "csv":
        source = f"read_csv('{_sql_path(path)}', all_varchar = true, header = true)"
        first = 2
    elif kind == "parquet":
        source = f"read_parquet('{_sql_path(path)}')"
        first = 1
    else:
        con.register(f"{name}_arrow", _excel_table(path))
        source, first = f"{name}_arrow", 2
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT "
                    f"CAST(COLUMNS(*) AS VARCHAR), "
                    f"CAST(row_number() OVER () + {first - 1} AS BIGINT) AS _row FROM {source}")
    except duckdb.Error as exc:
        raise PovertyCloudError(f"{path}: cannot be read as {kind}: {exc}") from None
    columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
    return [c for c in columns if c != "_row"]


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _excel_table(path: Path) -> pa.Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book["data"] if "data" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    data: list[list[str | None]] = [[_cell_text(c) for c in row] for row in rows
                                    if any(c is not None for c in row)]
    book.close()
    columns = {h: [r[i] if i < len(r) else None for r in data]
               for i, h in enumerate(header) if h}
    return pa.table({h: pa.array(v, type=pa.string()) for h, v in columns.items()})


def _cell_text(cell: object) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
