"""Importing files into the store: round trips from every format, validation that names the
file, row and field, all-or-nothing batches, quarantine with keep_good, and duplicates.

A small province is generated once per module and loaded into a source store; its tables are
exported and imported into fresh stores.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from povertycloud.errors import Issue, PovertyCloudError, UnknownNameError, ValidationFailed
from povertycloud.intake import BatchReport, export_table, import_file
from povertycloud.standard import ids
from povertycloud.standard.tables import TABLES
from povertycloud.store import Store

from ..conftest import CLI
from .conftest import source_store, write_csv

PEOPLE = TABLES["people"].names
REGIONS = TABLES["regions"].names
EARLIER = 3  # people already in the store before a bad file comes
BAD_ROW = 4  # the bad line of a bad CSV, as editors count lines (header is line 1)
CONTROL = "contains a control character (a line break, tab, NUL...)"

Row = dict[str, str]


@dataclasses.dataclass
class Source:
    root: Path
    store: Store
    base: Path  # a store file with regions and households imported with import_file
    with_people: Path  # the same with the first EARLIER people imported
    people: list[Row]  # the source's people as CSV text

    def export(self, table: str, suffix: str) -> Path:
        path = self.root / "exports" / f"{table}{suffix}"
        if not path.exists():
            export_table(self.store, table, path)
        return path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    root = tmp_path_factory.mktemp("intake")
    src = source_store(root)
    s = Source(root, src, root / "base.duckdb", root / "with_people.duckdb", [])
    with Store.create(s.base) as base:
        import_file(base, "regions", s.export("regions", ".csv"))
        import_file(base, "households", s.export("households", ".csv"))
    with s.export("people", ".csv").open(newline="", encoding="utf-8") as f:
        s.people = list(csv.DictReader(f))
    shutil.copy(s.base, s.with_people)
    earlier = root / "earlier_people.csv"
    write_csv(earlier, PEOPLE, s.people[:EARLIER])
    with Store(s.with_people) as store:
        import_file(store, "people", earlier)
    yield s
    src.close()


def _open_copy(template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "store.duckdb"
    shutil.copy(template, path)
    with Store(path) as s:
        yield s


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "store.duckdb") as s:
        yield s


@pytest.fixture
def base(source: Source, tmp_path: Path) -> Iterator[Store]:
    """A fresh store holding the source's regions and households."""
    yield from _open_copy(source.base, tmp_path)


@pytest.fixture
def with_people(source: Source, tmp_path: Path) -> Iterator[Store]:
    """A fresh store holding regions, households and the first few people."""
    yield from _open_copy(source.with_people, tmp_path)



def _rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    t = TABLES[table]
    return store.execute(f"SELECT {', '.join(t.names)} FROM {table} "
                         f"ORDER BY {', '.join(t.primary_key)}").fetchall()


def _counts(store: Store) -> dict[str, int]:
    return {name: store.count(name) for name in [*TABLES, "batches", "quarantine"]}


# -- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_regions_round_trip(source: Source, empty: Store, suffix: str) -> None:
    path = source.export("regions", suffix)
    report = import_file(empty, "regions", path)
    n = source.store.count("regions")
    assert report == BatchReport("regions", str(path), rows_in=n, accepted=n, quarantined=0,
                                 batch_id=1, duplicate_of=None, reasons={})
    assert _rows(empty, "regions") == _rows(source.store, "regions")
    assert empty.execute("SELECT * EXCLUDE (checksum, received_at) FROM batches"
                         ).fetchall() == [(1, "regions", str(path), n, n, 0)]


def test_households_import_after_regions(source: Source, base: Store) -> None:
    assert _rows(base, "households") == _rows(source.store, "households")
    assert _rows(base, "regions") == _rows(source.store, "regions")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_people_import_after_households(source: Source, base: Store, suffix: str) -> None:
    report = import_file(base, "people", source.export("people", suffix))
    assert report.accepted == report.rows_in == source.store.count("people")
    assert report.quarantined == 0
    assert _rows(base, "people") == _rows(source.store, "people")


def test_people_need_their_households(source: Source, empty: Store) -> None:
    import_file(empty, "regions", source.export("regions", ".csv"))
    no_match = re.escape("has no match in households.household_id")
    with pytest.raises(ValidationFailed, match=no_match):
        import_file(empty, "people", source.export("people", ".csv"))
    assert empty.count("people") == 0


# -- bad people -------------------------------------------------------------------------


def _replace_check_digit(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    idn = row["id_number"]
    row["id_number"] = idn[:17] + ("0" if idn[17] != "0" else "1")


def _shorten_id(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    row["id_number"] = row["id_number"][:17]


def _impossible_birth_date(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    first17 = row["id_number"][:6] + "19990230" + row["id_number"][14:17]  # 30 February
    row["id_number"] = first17 + ids.check_digit(first17)


def _flip_sex(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    row["sex"] = "female" if row["sex"] == "male" else "male"


def _shift_birth_date(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    row["birth_date"] = (dt.date.fromisoformat(row["birth_date"])
                         + dt.timedelta(days=1)).isoformat()


def _born_on(day: str) -> Callable[[Row, list[Row], list[Row]], None]:
    """Born on ``day``, the ID number agreeing (its check digit made right)."""
    def mutate(row: Row, rows: list[Row], earlier: list[Row]) -> None:
        first17 = row["id_number"][:6] + day.replace("-", "") + row["id_number"][14:17]
        row.update(id_number=first17 + ids.check_digit(first17), birth_date=day)
    return mutate


def _set(**values: str) -> Callable[[Row, list[Row], list[Row]], None]:
    def mutate(row: Row, rows: list[Row], earlier: list[Row]) -> None:
        row.update(values)
    return mutate


def _duplicate_in_file(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    row["person_id"] = rows[0]["person_id"]


def _already_stored(row: Row, rows: list[Row], earlier: list[Row]) -> None:
    row["person_id"] = earlier[0]["person_id"]


@dataclasses.dataclass(frozen=True)
class Case:
    mutate: Callable[[Row, list[Row], list[Row]], None]
    field: str
    reason: str
    bad_rows: tuple[int, ...] = (BAD_ROW,)


CASES = {
    "wrong check digit": Case(_replace_check_digit, "id_number",
                              "check digit does not match (GB 11643)"),
    "17-character ID": Case(_shorten_id, "id_number", "must have 18 characters"),
    "impossible birth date in the ID": Case(
        _impossible_birth_date, "id_number", "birth date in the ID number is not a valid date"),
    "sex disagrees with the ID": Case(_flip_sex, "sex", "does not agree with the ID number"),
    "birth_date disagrees with the ID": Case(_shift_birth_date, "birth_date",
                                             "does not agree with the ID number"),
    "unknown enum value": Case(
        _set(education="doctorate"), "education",
        "must be one of: none, preschool, primary, junior_secondary, senior_secondary, "
        "vocational, tertiary"),
    "migrant_months 13": Case(_set(migrant_months="13"), "migrant_months",
                              "is above the maximum 12"),
    "missing required value": Case(_set(name=""), "name", "is required"),
    "household not in households": Case(_set(household_id="5201211002009999"), "household_id",
                                        "has no match in households.household_id"),
    "duplicate person_id in the file": Case(
        _duplicate_in_file, "person_id",
        "duplicate key: the same key is in another row of the file", bad_rows=(2, BAD_ROW)),
    "person_id already in the store": Case(_already_stored, "person_id",
                                           "a row with this key is already in the store"),
    "born in 2090, the ID agreeing": Case(_born_on("2090-01-01"), "birth_date",
                                          f"is in the future (after {dt.date.today()})"),
    "death before the birth": Case(_set(death_date="1950-01-01"), "death_date",
                                   "is before the birth date"),
    "NUL byte in a name": Case(_set(name="朱\x00"), "name", CONTROL),
    "line break in a name": Case(_set(name="朱\n丽"), "name", CONTROL),
}


def _bad_people(source: Source, tmp_path: Path, case: Case) -> tuple[Path, list[Row]]:
    """Six people not yet stored (rows 2 to 7), the one at BAD_ROW made bad."""
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 6]]
    case.mutate(rows[BAD_ROW - 2], rows, source.people[:EARLIER])
    return write_csv(tmp_path / "people.csv", PEOPLE, rows), rows


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_person_fails_the_whole_file(source: Source, with_people: Store, tmp_path: Path,
                                           name: str) -> None:
    case = CASES[name]
    path, _ = _bad_people(source, tmp_path, case)
    before = _counts(with_people)
    with pytest.raises(ValidationFailed) as caught:
        import_file(with_people, "people", path)
    line = f"{path}, line {BAD_ROW}, field {case.field!r}: {case.reason}"
    assert any(shown.endswith(f" {line}") for shown in str(caught.value).splitlines())
    assert Issue(str(path), BAD_ROW, case.field, case.reason, "line") in caught.value.issues
    assert {i.row for i in caught.value.issues} == set(case.bad_rows)
    assert _counts(with_people) == before


@pytest.mark.parametrize("name", list(CASES))
def test_keep_good_quarantines_a_bad_person(source: Source, with_people: Store,
                                            tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path, rows = _bad_people(source, tmp_path, case)
    before = _counts(with_people)
    report = import_file(with_people, "people", path, keep_good=True)
    bad = len(case.bad_rows)
    assert (report.rows_in, report.accepted, report.quarantined) == (6, 6 - bad, bad)
    assert report.batch_id == before["batches"] + 1
    assert report.reasons[f"{case.field}: {case.reason}"] == bad
    # The good rows went in, and nothing else.
    good = [r["person_id"] for i, r in enumerate(rows, start=2) if i not in case.bad_rows]
    stored = with_people.execute(
        "SELECT CAST(person_id AS VARCHAR) FROM people WHERE batch_id = ? ORDER BY person_id",
        [report.batch_id]).fetchall()
    assert [r[0] for r in stored] == sorted(good)
    # Each bad row is quarantined with its problems and its record as JSON.
    quarantined = with_people.execute(
        "SELECT table_name, source, row_number, problems, record FROM quarantine "
        "WHERE batch_id = ? ORDER BY row_number", [report.batch_id]).fetchall()
    assert [q[2] for q in quarantined] == list(case.bad_rows)
    for table_name, quarantined_source, row_number, problems, record in quarantined:
        assert (table_name, quarantined_source) == ("people", str(path))
        assert f"{case.field}: {case.reason}" in problems.split("; ")
        original = {k: v or None for k, v in rows[row_number - 2].items()}
        assert json.loads(record) == original
    # The batch records the same counts, and other tables are untouched.
    assert with_people.execute(
        "SELECT table_name, source, rows_in, rows_accepted, rows_quarantined FROM batches "
        "WHERE batch_id = ?", [report.batch_id]).fetchall() == [
        ("people", str(path), 6, 6 - bad, bad)]
    after = _counts(with_people)
    assert after["people"] == before["people"] + 6 - bad
    assert after["quarantine"] == before["quarantine"] + bad
    assert {k: v for k, v in after.items() if k not in ("people", "quarantine", "batches")} == {
        k: v for k, v in before.items() if k not in ("people", "quarantine", "batches")}


def test_issues_are_listed_in_row_order_and_counted(source: Source, with_people: Store,
                                                    tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 30]]
    for r in rows:
        r["migrant_months"] = "13"
    path = write_csv(tmp_path / "people.csv", PEOPLE, rows)
    with pytest.raises(ValidationFailed) as caught:
        import_file(with_people, "people", path)
    assert caught.value.total == 30
    assert [i.row for i in caught.value.issues] == list(range(2, 22))
    message = str(caught.value)
    assert message.startswith("30 problem(s) found; nothing was imported")
    assert message.endswith("... and 10 more")


def test_a_decimal_in_an_integer_field_is_refused(source: Source, with_people: Store,
                                                  tmp_path: Path) -> None:
    case = Case(_set(migrant_months="7.6"), "migrant_months", "is not a whole number")
    path, _ = _bad_people(source, tmp_path, case)
    before = _counts(with_people)
    with pytest.raises(ValidationFailed, match=f"line {BAD_ROW}, field 'migrant_months'"):
        import_file(with_people, "people", path)
    assert _counts(with_people) == before


def test_the_same_key_written_two_ways_is_a_duplicate(source: Source, with_people: Store,
                                                      tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 6]]
    rows[BAD_ROW - 2]["person_id"] = "0" + rows[0]["person_id"]
    path = write_csv(tmp_path / "people.csv", PEOPLE, rows)
    before = _counts(with_people)
    with pytest.raises(ValidationFailed, match="duplicate key"):
        import_file(with_people, "people", path)
    assert _counts(with_people) == before


def test_row_numbers_count_blank_lines_in_a_csv(source: Source, with_people: Store,
                                                tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 4]]
    rows[2]["migrant_months"] = "13"
    path = write_csv(tmp_path / "people.csv", PEOPLE, rows)
    with path.open(newline="", encoding="utf-8") as f:
        lines = f.readlines()
    with path.open("w", newline="", encoding="utf-8") as f:
        f.writelines([*lines[:2], "\r\n", *lines[2:]])
    # Line 1 the header, 2 a person, 3 blank, 4 a person, 5 the bad person.
    with pytest.raises(ValidationFailed) as caught:
        import_file(with_people, "people", path)
    assert [(i.row, i.field) for i in caught.value.issues] == [(5, "migrant_months")]


# -- bad regions ------------------------------------------------------------------------


def _region(code: str, level: str, parent: str, name: str = "新村") -> Row:
    row = dict.fromkeys(REGIONS, "")
    row.update(code=code, name=name, level=level, parent_code=parent, terrain="hill",
               ethnic_minority_area="false", revolutionary_base="false", road_access="true",
               water_access="true", electricity_access="true", internet_access="true")
    return row


def _a_township(source: Source) -> tuple[str, str]:
    """A stored township and its county."""
    row = source.store.execute(
        "SELECT code, parent_code FROM regions WHERE level = 'township' ORDER BY code LIMIT 1"
    ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_a_new_village_imports(source: Source, base: Store, tmp_path: Path) -> None:
    township, _ = _a_township(source)
    path = write_csv(tmp_path / "regions.csv", REGIONS,
                      [_region(township[:9] + "999", "village", township)])
    assert import_file(base, "regions", path).accepted == 1


REGION_CASES: dict[str, tuple[Callable[[str, str], Row], str, str]] = {
    "wrong level for its code": (lambda t, c: _region(t[:9] + "999", "township", t),
                                 "level", "does not agree with the code"),
    "parent_code not the code's parent": (lambda t, c: _region(t[:9] + "999", "village", c),
                                          "parent_code", "is not the code's parent"),
    "parent_code for a province": (lambda t, c: _region("530000000000", "province", c),
                                   "parent_code", "must be empty for a province"),
}


@pytest.mark.parametrize("name", list(REGION_CASES))
def test_a_bad_region_fails_the_whole_file(source: Source, base: Store, tmp_path: Path,
                                           name: str) -> None:
    make, field, reason = REGION_CASES[name]
    township, county = _a_township(source)
    good = _region(township[:9] + "998", "village", township)
    path = write_csv(tmp_path / "regions.csv", REGIONS, [good, make(township, county)])
    before = _counts(base)
    with pytest.raises(ValidationFailed) as caught:
        import_file(base, "regions", path)
    assert caught.value.issues == [Issue(str(path), 3, field, reason, "line")]
    assert f"{path}, line 3, field {field!r}: {reason}" in str(caught.value)
    assert _counts(base) == before


def test_a_village_code_with_zero_county_digits_is_refused(base: Store,
                                                           tmp_path: Path) -> None:
    # Its parent, a township with zero county digits, comes in the same file: the parent
    # of 520100100000 by the digits is the stored prefecture 520100000000.
    rows = [_region("520100100000", "township", "520100000000"),
            _region("520100100200", "village", "520100100000")]
    path = write_csv(tmp_path / "regions.csv", REGIONS, rows)
    before = _counts(base)
    with pytest.raises(ValidationFailed) as caught:
        import_file(base, "regions", path)
    assert f"{path}, line 3, field 'code'" in str(caught.value)
    assert _counts(base) == before


def test_keep_good_does_not_keep_a_child_of_a_quarantined_parent(
        source: Source, base: Store, tmp_path: Path) -> None:
    _, county = _a_township(source)
    township = county[:6] + "998000"
    rows = [_region(township, "township", county, name=""),  # bad: no name
            _region(township[:9] + "001", "village", township)]
    path = write_csv(tmp_path / "regions.csv", REGIONS, rows)
    import_file(base, "regions", path, keep_good=True)
    assert base.execute(
        "SELECT count(*) FROM regions c WHERE parent_code IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM regions p WHERE p.code = c.parent_code)").fetchone() == (0,)


# -- duplicates, headers, files and names -----------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(source: Source, empty: Store) -> None:
    path = source.export("regions", ".csv")
    first = import_file(empty, "regions", path)
    before = _counts(empty)
    second = import_file(empty, "regions", path)
    assert second.duplicate_of == first.batch_id == 1
    assert (second.batch_id, second.accepted, second.quarantined) == (None, 0, 0)
    assert _counts(empty) == before


def test_a_copy_of_an_imported_file_is_a_duplicate(source: Source, empty: Store,
                                                   tmp_path: Path) -> None:
    path = source.export("regions", ".csv")
    first = import_file(empty, "regions", path)
    copy = tmp_path / "copy.csv"
    shutil.copy(path, copy)
    assert import_file(empty, "regions", copy).duplicate_of == first.batch_id


def _regions_with_columns(source: Source, tmp_path: Path,
                          change: Callable[[list[str]], list[str]]) -> Path:
    with source.export("regions", ".csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = change(list(REGIONS))
    out = [{k: r.get(k, "x") for k in header} for r in rows]
    return write_csv(tmp_path / "regions.csv", header, out)


def test_an_unknown_column_is_refused(source: Source, empty: Store, tmp_path: Path) -> None:
    path = _regions_with_columns(source, tmp_path, lambda h: [*h, "colour"])
    with pytest.raises(PovertyCloudError) as caught:
        import_file(empty, "regions", path)
    assert not isinstance(caught.value, ValidationFailed)
    assert str(caught.value).startswith(f"{path}, line 1 (header): unknown column(s) 'colour'")
    assert _counts(empty)["batches"] == 0


def test_a_missing_required_column_is_refused(source: Source, empty: Store,
                                              tmp_path: Path) -> None:
    path = _regions_with_columns(source, tmp_path, lambda h: [c for c in h if c != "name"])
    with pytest.raises(PovertyCloudError) as caught:
        import_file(empty, "regions", path)
    assert str(caught.value) == (f"{path}, line 1 (header): missing required column(s) "
                                 "'name'")
    assert _counts(empty)["batches"] == 0


def test_a_missing_optional_column_is_allowed(source: Source, empty: Store,
                                              tmp_path: Path) -> None:
    path = _regions_with_columns(source, tmp_path,
                                 lambda h: [c for c in h if c != "boundary"])
    report = import_file(empty, "regions", path)
    assert report.accepted == source.store.count("regions")
    assert empty.execute("SELECT count(boundary) FROM regions").fetchone() == (0,)


def test_a_missing_file_is_refused(empty: Store, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(PovertyCloudError, match="no such file") as caught:
        import_file(empty, "regions", path)
    assert str(path) in str(caught.value)


def test_an_unknown_extension_is_refused(source: Source, empty: Store,
                                         tmp_path: Path) -> None:
    path = tmp_path / "regions.txt"
    shutil.copy(source.export("regions", ".csv"), path)
    with pytest.raises(PovertyCloudError, match=re.escape("unknown file type '.txt'")) as caught:
        import_file(empty, "regions", path)
    assert str(path) in str(caught.value)


def test_an_unknown_table_is_refused(source: Source, empty: Store) -> None:
    with pytest.raises(UnknownNameError) as caught:
        import_file(empty, "villages", source.export("regions", ".csv"))
    assert isinstance(caught.value, KeyError)
    message = str(caught.value)
    assert "'villages'" in message
    for name in TABLES:
        assert name in message


# -- values normalised, dates against the day of the import ------------------------------


def test_an_id_number_padded_or_with_a_small_x_is_normalised(source: Source, base: Store,
                                                             tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people if r["id_number"].endswith("X")][:1]
    sent = rows[0]["id_number"]
    rows[0]["id_number"] = f"  {sent[:17]}x\u3000"  # spaces around, the check letter small
    report = import_file(base, "people", write_csv(tmp_path / "people.csv", PEOPLE, rows))
    assert (report.accepted, report.quarantined) == (1, 0)
    assert base.value("SELECT id_number FROM people") == sent


def test_dates_are_checked_against_the_day_of_the_import(source: Source, base: Store,
                                                         tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 2]]
    _born_on("2021-06-01")(rows[1], rows, [])
    path = write_csv(tmp_path / "people.csv", PEOPLE, rows)
    with pytest.raises(ValidationFailed) as caught:
        import_file(base, "people", path, today=dt.date(2021, 5, 31))
    assert caught.value.issues == [Issue(str(path), 3, "birth_date",
                                         "is in the future (after 2021-05-31)", "line")]
    assert import_file(base, "people", path, today=dt.date(2021, 6, 1)).accepted == 2


def test_an_update_counts_the_rows_unchanged(source: Source, with_people: Store,
                                             tmp_path: Path) -> None:
    rows = [dict(r) for r in source.people[EARLIER:EARLIER + 20]]
    import_file(with_people, "people", write_csv(tmp_path / "people.csv", PEOPLE, rows))
    for r in rows[:5]:
        r["migrant_months"] = str((int(r["migrant_months"]) + 1) % 12)
    path = write_csv(tmp_path / "update.csv", PEOPLE, rows)
    with_people.close()
    done = subprocess.run([str(CLI), "import", "people", str(path), "--db",
                           str(with_people.path), "--update"], capture_output=True,
                          text=True, check=True)
    assert "20 rows in, 5 accepted (5 updated), 15 unchanged, 0 quarantined" in done.stdout
