"""Export store tables as Parquet, CSV or Excel, and make Excel templates for field use."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..access.privacy import masked_table
from ..engines import DuckDBEngine
from ..errors import OutputExistsError, PovertyCloudError
from ..sqltext import literal
from ..standard.fields import Field, Kind, Table
from ..standard.tables import VERSION
from ..standard.tables import table as standard_table
from ..store import Store
from .checks import FALSE_WORDS, TRUE_WORDS
from .readers import file_format

EXCEL_MAX_ROWS = 1_048_575  # one row of Excel's limit is the header
SHEET = "Sheet"  # the one sheet of a table written to Excel (openpyxl's first)


def workbook(sheets: dict[str, list[dict[str, Any]]],
             columns: dict[str, Sequence[str]] | None = None) -> bytes:
    """An Excel workbook with one sheet per table: its columns as given, else its first
    row's; a list or mapping in a cell written as JSON."""
    from openpyxl import Workbook

    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name[:31])
        header = list((columns or {}).get(name) or (rows[0] if rows else []))
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def check_output(path: Path, overwrite: bool) -> None:
    """Refuse to write over an existing file unless asked to."""
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; choose another path or pass --overwrite")


TABLE_FORMATS = {".csv": "CSV, HEADER", ".parquet": "PARQUET", ".xlsx": "excel"}


def check_table_output(out: Path, overwrite: bool) -> None:
    """Refuse, before any work, an output that exists (unless ``overwrite``) or that is
    not .csv, .parquet or .xlsx."""
    check_output(out, overwrite)
    if out.suffix.lower() not in TABLE_FORMATS:
        raise PovertyCloudError(f"{out}: write .csv, .parquet or .xlsx")


def write_table(table: pa.Table, out: Path) -> None:
    """Write a result (an Arrow table) to .csv, .parquet or .xlsx by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        out.write_bytes(workbook({SHEET: table.to_pylist()}, {SHEET: table.column_names}))
        return
    with DuckDBEngine() as engine:
        engine.register_arrow("result", table)
        engine.write("result", out, TABLE_FORMATS[suffix])


def export_table(store: Store, table_name: str, path: Path, *, overwrite: bool = False,
                 where: str | None = None, masked: bool = False,
                 before: Callable[[int], None] | None = None) -> int:
    """Write the standard columns of a store table to ``path``; returns the rows written.
    ``masked``: as who may not unmask reads them (access/privacy.py ``masked_table``);
    ``before`` is told the rows once the export is checked, before it is written (the
    audit of an export in clear)."""
    table = standard_table(table_name)
    path = Path(path)
    check_output(path, overwrite)
    kind = file_format(path)
    query = f"SELECT {', '.join(table.names)} FROM {table.name}" + \
        (f" WHERE {where}" if where else "") + f" ORDER BY {', '.join(table.primary_key)}"
    with ExitStack() as stack:
        if masked:
            data = masked_table(table, store.arrow(query))
            query = f"SELECT * FROM {stack.enter_context(store.registered('masked', data))}"
        rows = store.scalar(f"SELECT count(*) FROM ({query})")
        if kind == "excel" and rows > EXCEL_MAX_ROWS:
            raise PovertyCloudError(f"{table.name} has {rows:,} rows, more than Excel "
                                    "holds; export to Parquet or CSV instead")
        if before is not None:
            before(rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        if kind == "excel":
            book = _workbook(table, store.rows(query))
            book.save(tmp)
        else:
            fmt = "PARQUET" if kind == "parquet" else "CSV, HEADER"
            store.execute(f"COPY ({query}) TO {literal(tmp)} (FORMAT {fmt})")
    tmp.replace(path)
    return rows


def write_template(table_name: str, path: Path, *, overwrite: bool = False) -> None:
    """An empty Excel workbook for field use: the table's columns with drop-down lists
    for coded fields, a sheet documenting each field, and the standard's version."""
    table = standard_table(table_name)
    path = Path(path)
    check_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    _workbook(table, []).save(path)


def _workbook(table: Table, rows: list[tuple[object, ...]]):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = "data"
    data.append(table.names)
    for i, f in enumerate(table.fields, start=1):
        cell = data.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFE699" if f.required else "DDEBF7")
        cell.comment = Comment(f"{f.label_zh}: {f.description}", "povertycloud")
        letter = cell.column_letter
        data.column_dimensions[letter].width = max(12, len(f.name) + 2)
        if f.kind in (Kind.STRING, Kind.ID_NUMBER, Kind.REGION_CODE, Kind.INTEGER):
            for col in data.iter_cols(min_col=i, max_col=i, min_row=2, max_row=1000):
                for c in col:
                    c.number_format = "@"  # text: long codes keep every digit
        options = _options(f)
        if options:
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                  allow_blank=not f.required)
            rule.error = f"{f.name} must be one of: {', '.join(options)}"
            data.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{EXCEL_MAX_ROWS}")
    for row in rows:
        data.append([_excel_value(v) for v in row])
    data.freeze_panes = "A2"
    _fields_sheet(book.create_sheet("fields"), table)
    about = book.create_sheet("about")
    about.append(["standard", "povertycloud data-exchange standard"])
    about.append(["version", VERSION])
    about.append(["table", table.name])
    about.append(["how", "Fill the 'data' sheet from row 2; yellow columns are required."])
    return book


def _options(f: Field) -> tuple[str, ...]:
    if f.kind is Kind.ENUM and len(",".join(f.values)) < 250:
        return f.values
    if f.kind is Kind.BOOLEAN:
        return (TRUE_WORDS[0], FALSE_WORDS[0])
    return ()


def _excel_value(v: object) -> object:
    return str(v) if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**14 else v


def _fields_sheet(sheet, table: Table) -> None:  # type: ignore[no-untyped-def]
    sheet.append(["field", "label", "type", "required", "allowed", "unit", "description"])
    for f in table.fields:
        allowed = ", ".join(f.values) if f.values else _range(f)
        sheet.append([f.name, f.label_zh, f.kind.value, "yes" if f.required else "no",
                      allowed, f.unit or "", f.description])


def _range(f: Field) -> str:
    if f.minimum is None and f.maximum is None:
        return ""
    lo = "" if f.minimum is None else f"{f.minimum:g}"
    hi = "" if f.maximum is None else f"{f.maximum:g}"
    return f"{lo} .. {hi}"
