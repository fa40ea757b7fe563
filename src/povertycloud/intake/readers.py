"""Read an input file into a staging table of text columns, numbered as the user counts
rows: in CSV and Excel the header is row 1, so data starts at row 2; in Parquet at row 1."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import PovertyCloudError
from ..sqltext import literal
from ..store import Store

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel", ".json": "json"}


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise PovertyCloudError(
            f"{path}: unknown file type {path.suffix!r}; use one of "
            f"{', '.join(FORMATS)}") from None


def stage(store: Store, path: Path, name: str) -> list[str]:
    """Create the temporary table ``name`` from ``path``; returns the file's columns."""
    if not path.exists():
        raise PovertyCloudError(f"{path}: no such file")
    kind = file_format(path)
    lines: pa.Array | None = None  # the file row of each data row, where not just n + 1
    text = path
    if kind == "csv":
        text = as_utf8(path)
        source = (f"read_csv({literal(text)}, all_varchar = true, header = true, "
                  "delim = ',', quote = '\"')")
        first, lines = 2, _csv_data_lines(text)
    elif kind == "json":
        source, first = (f"read_json({literal(path)}, format = 'auto', "
                         "records = true, sample_size = -1)"), 1
    elif kind == "parquet":
        source, first = f"read_parquet({literal(path)})", 1
    else:
        table = _excel_table(path)
        source, first, lines = f"{name}_arrow", 2, table["_row"]
        store.register(source, table.drop_columns("_row"))
    numbered = f"SELECT *, row_number() OVER () AS _n FROM {source}"
    row = f"CAST(_n + {first - 1} AS BIGINT)"
    if lines is not None:
        store.register(f"{name}_lines", pa.table({"_n": pa.array(range(1, len(lines) + 1),
                                                              pa.int64()), "_line": lines}))
        numbered = f"SELECT * FROM ({numbered}) JOIN {name}_lines USING (_n)"
        row = "CAST(_line AS BIGINT)"
    try:
        store.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT "
                    f"CAST(COLUMNS(* EXCLUDE (_n{', _line' if lines is not None else ''})) "
                    f"AS VARCHAR), {row} AS _row FROM ({numbered}) ORDER BY _n")
    except store.Error as exc:
        reason = str(exc).split("\n")[0]  # not the SQL DuckDB quotes after it
        raise PovertyCloudError(f"{path}: cannot be read as {kind} (truncated, or not "
                                f"{kind}?): {reason}") from None
    finally:
        if text != path:
            text.unlink(missing_ok=True)
    columns = [r[0] for r in store.execute(f"DESCRIBE {name}").fetchall()]
    return [c for c in columns if c != "_row"]


def as_utf8(path: Path) -> Path:
    """``path`` if it is UTF-8 text; a temporary UTF-8 copy if it is GBK (GB 18030), for
    the caller to remove; an error naming the first line that is neither, or a line of
    each encoding when the file mixes them."""
    utf8, gbk = [], []
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
                if any(b >= 0x80 for b in line):
                    utf8.append(number)
            except UnicodeDecodeError as exc:
                if exc.reason == "unexpected end of data" and not line.endswith(b"\n"):
                    raise PovertyCloudError(f"{path}, row {number}: the file ends inside "
                                            "a character: truncated?") from None
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    raise PovertyCloudError(f"{path}, row {number}: neither UTF-8 nor GBK "
                                            "text") from None
                gbk.append(number)
            if utf8 and gbk:
                raise PovertyCloudError(
                    f"{path}: mixed encodings: row {utf8[0]} is UTF-8, row {gbk[0]} is GBK; "
                    "send the file in one encoding")
    if not gbk:
        return path
    copy = Path(tempfile.mkstemp(prefix="povertycloud-", suffix=".csv")[1])
    copy.write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
    return copy


def _csv_data_lines(path: Path) -> pa.Array | None:
    """Line numbers of the data rows when the file has blank lines (which the CSV reader
    skips), else None. Quoted values spanning lines are not accounted for."""
    data = np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else \
        np.zeros(0, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.r_[0, ends + 1]
    ends = np.r_[ends, data.size]
    lengths = ends - starts
    carriage = (lengths > 0) & (data[np.maximum(ends - 1, 0)] == 13)
    blank = (lengths - carriage) == 0
    if data.size and not blank[:-1].any():
        return None
    nonblank = np.flatnonzero(~blank) + 1
    return pa.array(nonblank[1:], pa.int64())


def _excel_table(path: Path) -> pa.Table:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        header, rows = sheet_rows(book["data"] if "data" in book.sheetnames
                                  else book.worksheets[0])
    finally:
        book.close()
    columns = {h: [r[i] if i < len(r) else None for _, r in rows]
               for i, h in enumerate(header) if h}
    arrays = {h: pa.array(v, type=pa.string()) for h, v in columns.items()}
    return pa.table({**arrays, "_row": pa.array([n for n, _ in rows], pa.int64())})


def sheet_rows(sheet: Any) -> tuple[list[str], list[tuple[int, list[str | None]]]]:
    """A worksheet's header and its non-empty rows as text, each with the sheet's own
    row number."""
    cells = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(cells, ())]
    return header, [(number, [cell_text(c) for c in row])
                    for number, row in enumerate(cells, start=2)
                    if any(c is not None for c in row)]


def cell_text(cell: object) -> str | None:
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
