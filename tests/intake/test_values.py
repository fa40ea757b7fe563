"""Bad values refused with the file, row and field, by `import` and `intake` alike: dates
after the day of the import, a death before the birth, control characters in text; the
same rows quarantined with their reasons under --keep-good."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from povertycloud.feeds.sources import load_sources
from povertycloud.intake import export_table, import_file
from povertycloud.standard import ids
from povertycloud.standard.tables import TABLES
from povertycloud.store import Store

from .conftest import source_store, write_csv

DEATHS = load_sources()["public_security_deaths"].table
FUTURE = f"is in the future (after {dt.date.today()})"
CONTROL = "contains a control character (a line break, tab, NUL...)"
Row = dict[str, str]


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Row]]]:
    """A store of regions and households, and people to import into it."""
    root = tmp_path_factory.mktemp("values")
    with source_store(root) as source:
        for name in ("regions", "households", "people"):
            export_table(source, name, root / f"{name}.csv")
    with Store.create(root / "base.duckdb") as base:
        import_file(base, "regions", root / "regions.csv")
        import_file(base, "households", root / "households.csv")
    with (root / "people.csv").open(newline="", encoding="utf-8") as f:
        yield root / "base.duckdb", list(csv.DictReader(f))


@pytest.fixture
def db(province: tuple[Path, list[Row]], tmp_path: Path) -> Path:
    return Path(shutil.copy(province[0], tmp_path / "store.duckdb"))



def _born(row: Row, day: str) -> Row:
    """The person born on ``day``, the ID number agreeing."""
    first17 = row["id_number"][:6] + day.replace("-", "") + row["id_number"][14:17]
    return {**row, "id_number": first17 + ids.check_digit(first17), "birth_date": day}


PEOPLE = {  # case: (change to the second person, field, reason)
    "born in 2090, the ID agreeing": (lambda r: _born(r, "2090-01-01"), "birth_date", FUTURE),
    "died before the birth": (lambda r: {**r, "death_date": "1930-05-01"}, "death_date",
                              "is before the birth date"),
    "NUL in a name": (lambda r: {**r, "name": "朱\x00"}, "name", CONTROL),
}


@pytest.mark.parametrize("case", list(PEOPLE))
def test_import_refuses_a_bad_value(province: tuple[Path, list[Row]], db: Path,
                                    tmp_path: Path, refuse: Callable[..., str], case: str) -> None:
    change, field, reason = PEOPLE[case]
    people = province[1][:3]
    path = write_csv(tmp_path / "people.csv", TABLES["people"].names,
                  [people[0], change(people[1]), people[2]])
    message = refuse(f"import: {case}", ["import", "people", str(path), "--db", str(db)],
                     names=(str(path), "line 3", f"field '{field}'", reason), db=db)
    assert message.startswith("error: 1 problem(s) found; nothing was imported")


def _death(record_id: int, **values: str) -> Row:
    return {"record_id": str(record_id), "name": "王五", "id_number": "", "sex": "",
            "birth_date": "", "death_date": "2020-03-01", "address": "", **values}


FEEDS = {  # case: (record, field, reason)
    "death date in 2099": (_death(2, death_date="2099-01-01"), "death_date", FUTURE),
    "death before the birth date": (_death(2, birth_date="1960-01-01", death_date="1959-12-31"),
                                    "death_date", "is before the birth date"),
    "death before the ID number's birth": (
        _death(2, id_number="110101199003076632", death_date="1980-01-01"), "death_date",
        "is before the birth date"),
    "NUL in a name": (_death(2, name="朱\x00"), "name", CONTROL),
    "tab in an address": (_death(2, address="东街\t3号"), "address", CONTROL),
    "line break in an address": (_death(2, address="东街\n3号"), "address", CONTROL),
}


@pytest.mark.parametrize("case", list(FEEDS))
def test_intake_refuses_a_bad_value(db: Path, tmp_path: Path, refuse: Callable[..., str],
                                    case: str) -> None:
    record, field, reason = FEEDS[case]
    with Store(db) as store:  # the feed has come before
        import_file(store, DEATHS, write_csv(tmp_path / "earlier.csv", DEATHS.names,
                                          [_death(9)]))
    path = write_csv(tmp_path / "deaths.csv", DEATHS.names, [_death(1), record])
    refuse(f"intake: {case}", ["intake", "--source", "public_security_deaths", str(path),
                               "--db", str(db)],
           names=(str(path), "line 3", f"field '{field}'", reason), db=db)


@pytest.mark.parametrize("case", list(FEEDS))
def test_keep_good_quarantines_a_bad_feed_value(db: Path, tmp_path: Path,
                                                case: str) -> None:
    record, field, reason = FEEDS[case]
    path = write_csv(tmp_path / "deaths.csv", DEATHS.names, [_death(1), record])
    with Store(db) as store:
        report = import_file(store, DEATHS, path, keep_good=True)
        assert (report.accepted, report.quarantined) == (1, 1)
        assert report.reasons == {f"{field}: {reason}": 1}
        assert store.rows("SELECT row_number, problems FROM quarantine") == [
            (3, f"{field}: {reason}")]


def test_a_valid_id_number_older_than_the_death_passes(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "deaths.csv", DEATHS.names,
                  [_death(1, id_number="110101199003076632", death_date="2020-01-01"),
                   _death(2, id_number="not an ID", death_date="1900-01-01")])  # for linkage
    with Store(db) as store:
        assert import_file(store, DEATHS, path).accepted == 2
