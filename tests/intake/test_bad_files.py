"""Files that cannot be taken in are refused with one line naming the file (and the line
or row where it breaks), by `import` and `intake` alike, the store unchanged; problems
in a CSV are named at the line the record starts on, as editors count lines."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from povertycloud.errors import ValidationFailed
from povertycloud.feeds.sources import ddl, load_sources
from povertycloud.intake import import_file
from povertycloud.standard.tables import TABLES
from povertycloud.store import Store

SOURCE = "public_security_deaths"
DEATHS = "record_id,name,death_date\n"
# The sixth record is bad and starts on line 9: a name spans lines 3-4, line 5 is blank.
SPREAD = (DEATHS + '1,张三,2020-01-02\n2,"李\n四",2020-01-03\n\n3,王五,2020-01-04\n'
          "4,赵六,2020-01-05\n5,钱七,2020-01-06\n6,孙八,2020-13-01\n")
Write = Callable[[Path], Path]


def commands(path: Path, db: Path) -> dict[str, list[str]]:
    """The ways of taking a file in."""
    return {"import": ["import", "regions", str(path), "--db", str(db)],
            "intake": ["intake", "--source", SOURCE, str(path), "--db", str(db)],
            "survey import": ["survey", "import", str(path), "--db", str(db)]}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new store with the feed's table already made (intake makes it when missing)."""
    path = tmp_path_factory.mktemp("bad-files") / "store.duckdb"
    with Store.create(path) as store:
        store.execute(ddl(load_sources()[SOURCE].table))
    return path


def text(name: str, content: str, encoding: str = "utf-8", errors: str = "strict") -> Write:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(content.encode(encoding, errors))
        return folder / name
    return write


def workbook(name: str, rows: int = 1, cut: bool = False) -> Write:
    """A workbook of the feed's columns and ``rows`` rows, its second half cut off."""
    def write(folder: Path) -> Path:
        book = Workbook()
        book.active.append(["record_id", "name", "death_date"])
        for n in range(rows):
            book.active.append([str(n + 1), "张三", "2020-01-02"])
        book.save(folder / name)
        if cut:
            whole = (folder / name).read_bytes()
            (folder / name).write_bytes(whole[:len(whole) // 2])
        return folder / name
    return write


def folder(name: str) -> Write:
    def write(parent: Path) -> Path:
        (parent / name).mkdir()
        return parent / name
    return write


def header_only(table: str) -> Write:
    """The header a table's file would have, and no row."""
    return text("header.csv", ",".join(TABLES[table].names) + "\n") if table in TABLES \
        else text("header.csv", DEATHS)


BAD_FILES: dict[str, tuple[Write, tuple[str, ...]]] = {
    "an empty file": (text("empty.csv", ""), ("empty",)),
    "a folder": (folder("folder.csv"), ("Is a directory",)),
    "a CSV renamed .xlsx": (text("renamed.xlsx", DEATHS + "1,张三,2020-01-02\n"),
                            ("not an Excel workbook",)),
    "a workbook renamed .csv": (workbook("renamed.csv"), ("not a CSV file",)),
    "binary garbage": (text("garbage.csv", "\udcff" * 4000, "utf-8", "surrogateescape"),
                       ("line 1", "neither UTF-8 nor GBK")),
    "a workbook with a header and no rows": (workbook("header.xlsx", rows=0), ("no rows",)),
    "a workbook cut off": (workbook("cut.xlsx", cut=True), ("cannot be read as excel",)),
    "JSON cut off": (text("cut.json", '[{"record_id": "1", "name": "张'),
                     ("cannot be read as json",)),
    "a Parquet file that is not one": (text("bad.parquet", "not parquet"),
                                       ("not a Parquet file",)),
    "JSON: one object, not a list": (text("one.json", '{"record_id": "1"}'),
                                     ("not a list of records",)),
    "JSON: an empty list": (text("none.json", "[ ]"), ("no rows",)),
    "a 10 MB value": (text("long.csv", DEATHS + "1,张三,2020-01-02\n2," + "名" * 3_500_000
                           + ",2020-01-03\n"), ("line 3",)),
    "a file cut off inside a quoted value": (
        text("cut.csv", DEATHS + '1,张三,2020-01-02\n2,"李\n四'), ("line 3", "never closed")),
    "a quote inside an unquoted value": (
        text("quote.csv", DEATHS + '1,张三,2020-01-02\n\n2,李"四,2020-01-03\n'), ("line 4",)),
    "a header with a comma too many": (text("comma.csv", DEATHS.replace("\n", ",\n")
                                             + "1,张三,2020-01-02,\n"), ("line 1", "no name")),
    "a row wider than the header": (
        text("wide.csv", SPREAD.replace("4,赵六,", "4,赵六,x,")), ("line 7", "4 values")),
}


# what survey import reads too (its exports are CSV or XLSX, any other name read as CSV)
SURVEY_CASES = ["an empty file", "a folder", "a CSV renamed .xlsx", "a workbook renamed .csv",
                "binary garbage", "a 10 MB value", "a workbook cut off",
                "a workbook with a header and no rows"]


@pytest.mark.parametrize(("case", "command"), [
    (case, command) for case in BAD_FILES for command in ("import", "intake", "survey import")
    if command != "survey import" or case in SURVEY_CASES])
def test_a_bad_file_is_refused_naming_it(refuse: Callable[..., str], db: Path,
                                         tmp_path: Path, case: str, command: str) -> None:
    write, names = BAD_FILES[case]
    path = write(tmp_path)
    refuse(case, commands(path, db)[command], names=(path.name, *names), db=db)


@pytest.mark.parametrize(("command", "table"), [
    ("import", "regions"), ("intake", SOURCE), ("survey import", "household_years")])
def test_a_csv_with_a_header_and_no_rows_is_refused(refuse: Callable[..., str], db: Path,
                                                    tmp_path: Path, command: str,
                                                    table: str) -> None:
    path = header_only(table)(tmp_path)
    refuse("a CSV with a header and no rows", commands(path, db)[command],
           names=(path.name, "no rows"), db=db)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
@pytest.mark.parametrize("command", ["import", "intake"])
def test_a_file_that_cannot_be_read_is_refused(refuse: Callable[..., str], db: Path,
                                               tmp_path: Path, command: str) -> None:
    path = text("locked.csv", SPREAD)(tmp_path)
    path.chmod(0)
    refuse("a file that cannot be read", commands(path, db)[command],
           names=(path.name, "Permission denied"), db=db)


@pytest.mark.parametrize(("name", "content", "encoding"), [
    ("spread.csv", SPREAD, "utf-8"),
    ("crlf.csv", SPREAD.replace("\n", "\r\n"), "utf-8"),
    ("gbk.csv", SPREAD, "gbk"),
])
def test_a_problem_is_named_at_the_line_its_record_starts(tmp_path: Path, name: str,
                                                          content: str, encoding: str) -> None:
    path = text(name, content, encoding)(tmp_path)
    with Store.create(tmp_path / "store.duckdb") as store, \
            pytest.raises(ValidationFailed) as caught:
        import_file(store, load_sources()[SOURCE].table, path)
    # the name over two lines is refused too (no line break in text), at the line it starts
    assert [(i.row, i.field) for i in caught.value.issues] == [(3, "name"), (9, "death_date")]
    assert f"{path}, line 9, field 'death_date'" in str(caught.value)


def test_a_problem_in_a_workbook_is_named_at_its_sheet_row(tmp_path: Path) -> None:
    book = Workbook()  # the sixth record on row 8: row 4 is empty
    for row in [["record_id", "name", "death_date"], ["1", "张三", "2020-01-02"],
                ["2", "李\n四", "2020-01-03"], [], ["3", "王五", "2020-01-04"],
                ["4", "赵六", "2020-01-05"], ["5", "钱七", "2020-01-06"],
                ["6", "孙八", "2020-13-01"]]:
        book.active.append(row)
    book.save(tmp_path / "deaths.xlsx")
    with Store.create(tmp_path / "store.duckdb") as store, \
            pytest.raises(ValidationFailed) as caught:
        import_file(store, load_sources()[SOURCE].table, tmp_path / "deaths.xlsx")
    assert [(i.row, i.field) for i in caught.value.issues] == [(3, "name"), (8, "death_date")]
    assert f"{tmp_path / 'deaths.xlsx'}, row 8, field 'death_date'" in str(caught.value)


def test_a_survey_export_numbers_its_rows_by_the_line_they_start_on(tmp_path: Path) -> None:
    from povertycloud.intake.survey import _read

    path = text("export.csv", 'KEY,name\nuuid:1,"李\n四"\n\nuuid:2,王五\n')(tmp_path)
    assert [n for n, _ in _read(path)[1]] == [2, 5]
