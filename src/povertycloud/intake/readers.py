"""Read an input file into a staging table of text columns, each row numbered where the
user finds it: in a CSV the line it starts on, as editors count lines (the header is
line 1); in a workbook its sheet row (the header is row 1); in Parquet and JSON its
place, from 1. A file that cannot be read is refused with one line naming it."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from ..errors import PovertyCloudError
from ..sqltext import literal
from ..store import Store
from . import csvlines

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "excel", ".json": "json"}


def file_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise PovertyCloudError(
            f"{path}: unknown file type {path.suffix!r}; use one of "
            f"{', '.join(FORMATS)}") from None


def checksum(path: Path) -> str:
    """The file's SHA-256, in hex: what tells a file imported before."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def unit(name: str) -> str:
    """What the file ``name`` counts its rows in: a CSV's lines, as editors count them
    (a quoted value may span lines), a workbook's or a table's rows."""
    return "line" if name.lower().endswith(".csv") else "row"


# how each binary format starts, to tell a file renamed from what it is
MAGIC = {"excel": b"PK\x03\x04", "parquet": b"PAR1"}
NAMES = {"csv": "a CSV file", "json": "a JSON file", "parquet": "a Parquet file",
         "excel": "an Excel workbook"}


def check_file(path: Path, kind: str) -> None:
    """Refuse, naming ``path``, a file that is missing, a folder, unreadable, empty, or of
    another format than ``kind`` (its name says) by its first bytes."""
    if not path.exists():
        raise PovertyCloudError(f"{path}: no such file")
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError as exc:
        raise PovertyCloudError(f"{path}: cannot be read: {exc.strerror}") from None
    if not head:
        raise PovertyCloudError(f"{path}: the file is empty")
    actual = next((k for k, magic in MAGIC.items() if head.startswith(magic)), None)
    if actual != (kind if kind in MAGIC else None):
        found = f" but {NAMES[actual]}" if actual else ""
        raise PovertyCloudError(f"{path}: not {NAMES[kind]}{found} (renamed?)")
    if kind == "json":
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        if not text.startswith("["):
            raise PovertyCloudError(f"{path}: not a list of records: a JSON file holds "
                                    "an array of them, [{...}, {...}]")
        if text[1:].lstrip().startswith("]"):
            raise PovertyCloudError(f"{path}: no rows")


def stage(store: Store, path: Path, name: str) -> list[str]:
    """Create the temporary table ``name`` from ``path``; returns the file's columns."""
    kind = file_format(path)
    check_file(path, kind)
    lines: pa.Array | None = None  # each row's line or row, where not just first + n - 1
    text = path
    try:
        if kind == "csv":
            text = as_utf8(path)
            source, first, lines = _csv_source(text, path)
        elif kind == "json":
            source, first = (f"read_json({literal(path)}, format = 'array', "
                             "records = true, sample_size = -1)"), 1
        elif kind == "parquet":
            source, first = f"read_parquet({literal(path)})", 1
        else:
            table = _excel_table(path)
            source, first, lines = f"{name}_arrow", 2, table["_row"]
            store.register(source, table.drop_columns("_row"))
        _create(store, name, source, first, lines, path, kind)
    finally:
        if text != path:
            text.unlink(missing_ok=True)
    if kind != "parquet" and not store.scalar(f"SELECT count(*) FROM {name}"):
        raise PovertyCloudError(f"{path}: no rows")  # a program's empty batch is taken
    columns = [r[0] for r in store.execute(f"DESCRIBE {name}").fetchall()]
    return [c for c in columns if c != "_row"]


def _csv_source(text: Path, path: Path) -> tuple[str, int, pa.Array | None]:
    """The CSV ``text`` (``path`` as UTF-8) as a table function, its first data row's
    line, and each row's line where not just its number + 1."""
    found = csvlines.layout(text, path)
    columns = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in found.header)
    source = (f"read_csv({literal(text)}, header = true, auto_detect = false, "
              f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
              f"max_line_size = {csvlines.MAX_RECORD + 2})")
    return source, 2, None if found.plain else pa.array(found.lines, pa.int64())


def _create(store: Store, name: str, source: str, first: int, lines: pa.Array | None,
            path: Path, kind: str) -> None:
    """The table ``name`` of ``source`` as text, each row with its number in the file."""
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


def as_utf8(path: Path) -> Path:
    """``path`` if it is UTF-8 text; a temporary UTF-8 copy if it is GBK (GB 18030), for
    the caller to remove; an error naming the first line that is neither, or a line of
    each encoding when the file mixes them."""
    if _is_utf8(path):
        return path
    utf8, gbk = [], []
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
                if any(b >= 0x80 for b in line):
                    utf8.append(number)
            except UnicodeDecodeError as exc:
                if exc.reason == "unexpected end of data" and not line.endswith(b"\n"):
                    raise PovertyCloudError(f"{path}, line {number}: the file ends inside "
                                            "a character: truncated?") from None
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    raise PovertyCloudError(f"{path}, line {number}: neither UTF-8 nor GBK "
                                            "text") from None
                gbk.append(number)
            if utf8 and gbk:
                raise PovertyCloudError(
                    f"{path}: mixed encodings: line {utf8[0]} is UTF-8, line {gbk[0]} is GBK; "
                    "send the file in one encoding")
    if not gbk:
        return path
    copy = Path(tempfile.mkstemp(prefix="povertycloud-", suffix=".csv")[1])
    decoder = codecs.getincrementaldecoder("gb18030")()
    with path.open("rb") as raw, copy.open("w", encoding="utf-8", newline="") as out:
        for block in _blocks(raw):
            out.write(decoder.decode(block))
        out.write(decoder.decode(b"", final=True))
    return copy


def _blocks(file: BinaryIO) -> Iterator[bytes]:
    """``file`` read a block at a time (16 MiB)."""
    return iter(lambda: file.read(1 << 24), b"")


def _is_utf8(path: Path) -> bool:
    """Whether the whole of ``path`` is UTF-8, read a block at a time (the quick answer
    for most files; the line-by-line look names the lines of the others)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as raw:
        try:
            for block in _blocks(raw):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


@contextmanager
def workbook(path: Path) -> Iterator[Any]:
    """The workbook ``path`` open to read, closed after; refused, naming it, when it is
    a zip but not a workbook, or cut off."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise PovertyCloudError(f"{path}: cannot be read as excel (truncated, or not "
                                f"a .xlsx workbook?): {exc}") from None
    try:
        yield book
    finally:
        book.close()


def _excel_table(path: Path) -> pa.Table:
    with workbook(path) as book:
        header, rows = sheet_rows(book["data"] if "data" in book.sheetnames
                                  else book.worksheets[0])
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
