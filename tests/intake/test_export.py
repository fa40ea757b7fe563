"""Exporting store tables to Parquet, CSV and Excel, and Excel templates for field use that
import again once filled in."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from povertycloud.errors import OutputExistsError, ValidationFailed
from povertycloud.intake import export_table, import_file, write_template
from povertycloud.standard.fields import Kind
from povertycloud.standard.tables import TABLES, VERSION
from povertycloud.store import Store

from .conftest import source_store

EXCHANGED = [name for name, t in TABLES.items() if not t.ground_truth]
SUFFIXES = [".parquet", ".csv", ".xlsx"]


@dataclasses.dataclass
class Source:
    root: Path
    store: Store


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    root = tmp_path_factory.mktemp("export")
    store = source_store(root)
    yield Source(root, store)
    store.close()


def _header_and_rows(path: Path) -> tuple[list[str], int]:
    """The column names of an exported file and its number of data rows."""
    if path.suffix == ".parquet":
        meta = pq.read_metadata(path)
        return list(meta.schema.to_arrow_schema().names), meta.num_rows
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as f:
            header, *rows = list(csv.reader(f))
        return header, len(rows)
    book = load_workbook(path, read_only=True)
    header, *data = list(book["data"].iter_rows(values_only=True))
    book.close()
    # Rows below the data are formatted as text for typing in, but hold no values.
    return [str(h) for h in header], sum(1 for r in data if any(v is not None for v in r))


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", list(TABLES))
def test_export_writes_the_standards_columns(source: Source, tmp_path: Path, name: str,
                                             suffix: str) -> None:
    path = tmp_path / f"{name}{suffix}"
    rows = export_table(source.store, name, path)
    assert rows == source.store.count(name) > 0
    assert _header_and_rows(path) == (TABLES[name].names, rows)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no .partial left behind


def test_parquet_export_has_the_standards_types(source: Source, tmp_path: Path) -> None:
    for name in TABLES:
        path = tmp_path / f"{name}.parquet"
        export_table(source.store, name, path)
        schema = pq.read_schema(path)
        assert [(f.name, f.type) for f in schema] == [
            (f.name, f.type) for f in TABLES[name].arrow_schema], name


def test_export_can_select_rows(source: Source, tmp_path: Path) -> None:
    path = tmp_path / "villages.csv"
    rows = export_table(source.store, "regions", path, where="level = 'village'")
    assert 0 < rows < source.store.count("regions")
    with path.open(newline="", encoding="utf-8") as f:
        assert {r["level"] for r in csv.DictReader(f)} == {"village"}


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_refuses_an_existing_output(source: Source, tmp_path: Path,
                                           suffix: str) -> None:
    path = tmp_path / f"regions{suffix}"
    path.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError, match="pass --overwrite") as caught:
        export_table(source.store, "regions", path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == b"keep me"
    rows = export_table(source.store, "regions", path, overwrite=True)
    assert _header_and_rows(path) == (TABLES["regions"].names, rows)


# -- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXCHANGED)
def test_template_has_data_fields_and_about(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.xlsx"
    write_template(name, path)
    book = load_workbook(path)
    assert book.sheetnames == ["data", "fields", "about"]
    table = TABLES[name]
    data = book["data"]
    assert [c.value for c in data[1]] == table.names
    assert all(c.value is None for row in data.iter_rows(min_row=2) for c in row)
    # Every coded column offers its code list from row 2 on.
    rules = {str(r.sqref): r.formula1 for r in data.data_validations.dataValidation}
    for i, f in enumerate(table.fields, start=1):
        letter = data.cell(row=1, column=i).column_letter
        if f.kind is Kind.ENUM:
            assert rules[f"{letter}2:{letter}1048575"] == '"' + ",".join(f.values) + '"', f.name
        if f.kind is Kind.BOOLEAN:
            assert rules[f"{letter}2:{letter}1048575"] == '"true,false"', f.name
    # The fields sheet documents each field; the about sheet carries the version.
    fields = list(book["fields"].iter_rows(values_only=True))
    assert fields[0][:4] == ("field", "label", "type", "required")
    assert [r[0] for r in fields[1:]] == table.names
    about = {r[0]: r[1] for r in book["about"].iter_rows(values_only=True)}
    assert about["version"] == VERSION
    assert about["table"] == name


def test_template_refuses_an_existing_output(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"keep me")
    with pytest.raises(OutputExistsError):
        write_template("people", path)
    assert path.read_bytes() == b"keep me"
    write_template("people", path, overwrite=True)
    assert load_workbook(path).sheetnames == ["data", "fields", "about"]


@pytest.fixture
def with_households(source: Source, tmp_path: Path) -> Iterator[Store]:
    """A fresh store holding the source's regions and households."""
    with Store.create(tmp_path / "store.duckdb") as store:
        for name in ("regions", "households"):
            path = tmp_path / f"{name}.parquet"
            export_table(source.store, name, path)
            import_file(store, name, path)
        yield store


def _people(source: Source, n: int) -> list[tuple[Any, ...]]:
    names = ", ".join(TABLES["people"].names)
    return source.store.execute(
        f"SELECT {names} FROM people ORDER BY person_id LIMIT {n}").fetchall()


def _cell(value: Any) -> Any:
    """As someone filling in the template would type it: long IDs as text."""
    return str(value) if isinstance(value, int) and value > 10**14 else value


def _fill(path: Path, rows: Sequence[list[Any] | None]) -> None:
    book = load_workbook(path)
    data = book["data"]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row or [], start=1):
            data.cell(row=i, column=j, value=_cell(value))
    book.save(path)


def test_a_filled_template_imports(source: Source, with_households: Store,
                                   tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    write_template("people", path)
    people = _people(source, 2)
    _fill(path, [list(p) for p in people])
    assert isinstance(load_workbook(path)["data"]["A2"].value, str)
    report = import_file(with_households, "people", path)
    assert (report.rows_in, report.accepted, report.quarantined) == (2, 2, 0)
    names = ", ".join(TABLES["people"].names)
    assert with_households.execute(
        f"SELECT {names} FROM people ORDER BY person_id").fetchall() == people


def test_a_template_filled_by_hand_imports(source: Source, with_households: Store,
                                           tmp_path: Path) -> None:
    """Booleans as 是/否, dates as Excel dates, small numbers as numbers."""
    path = tmp_path / "people.xlsx"
    write_template("people", path)
    people = _people(source, 2)
    typed = [[{True: "是", False: "否"}.get(v, v) if isinstance(v, bool) else
              dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v
              for v in p] for p in people]
    _fill(path, typed)
    assert import_file(with_households, "people", path).accepted == 2
    names = ", ".join(TABLES["people"].names)
    assert with_households.execute(
        f"SELECT {names} FROM people ORDER BY person_id").fetchall() == people


def test_a_bad_row_in_a_template_is_reported_with_its_row(source: Source,
                                                          with_households: Store,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    write_template("people", path)
    rows = [list(p) for p in _people(source, 3)]
    rows[2][TABLES["people"].names.index("migrant_months")] = 13
    _fill(path, rows)
    with pytest.raises(ValidationFailed) as caught:
        import_file(with_households, "people", path)
    assert [(i.source, i.row, i.field) for i in caught.value.issues] == [
        (str(path), 4, "migrant_months")]
    assert with_households.count("people") == 0


def test_row_numbers_count_blank_rows_in_a_workbook(source: Source, with_households: Store,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    write_template("people", path)
    good, bad = (list(p) for p in _people(source, 2))
    bad[TABLES["people"].names.index("migrant_months")] = 13
    _fill(path, [good, None, bad])
    with pytest.raises(ValidationFailed) as caught:
        import_file(with_households, "people", path)
    assert [(i.row, i.field) for i in caught.value.issues] == [(4, "migrant_months")]


def test_a_workbook_without_a_data_sheet_reads_its_first_sheet(
        source: Source, with_households: Store, tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(TABLES["people"].names)
    people = _people(source, 2)
    for p in people:
        sheet.append([_cell(v) for v in p])
    book.save(path)
    assert import_file(with_households, "people", path).accepted == 2
