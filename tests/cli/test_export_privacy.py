"""Personal data on the command line: `export` and `history as-of` mask ID numbers,
phones and health fields (the web's masks, access/privacy.py) unless run --as a user who
may unmask over the whole scope; that export is audited (who, the command, the scope,
the rows) before it is written; anyone else is refused on one line."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_killed, store_content
from typer.testing import CliRunner

from povertycloud.access.accounts import create_user
from povertycloud.access.privacy import HEALTH_EVENTS, HIDDEN, mask_id_number, mask_phone
from povertycloud.cli.main import app
from povertycloud.cli.synth import build_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig

PROVINCE, COUNTY, OTHER_COUNTY = "520000000000", "520121000000", "520122000000"
HEALTH_FIELDS = ("chronic_illness", "serious_illness", "disability_kind", "disability_grade")
runner = CliRunner()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small province with an officer over it, a county officer and an auditor."""
    db = tmp_path_factory.mktemp("exports") / "s.duckdb"
    build_store(SynthConfig(people=1_000, seed=5), db)
    with Store(db) as store:
        for username, role, region in (("officer", "officer", PROVINCE),
                                       ("county", "officer", COUNTY),
                                       ("auditor", "auditor", PROVINCE)):
            create_user(store, username, "a-long-password", role, region)
    return db


@pytest.fixture
def db(source: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(source, tmp_path / "s.duckdb"))


def said(*args: object) -> str:
    done = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    return " ".join(done.output.split())


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with Store(db, read_only=True) as store:
        return store.rows(sql)


def exports(db: Path) -> list[tuple[Any, ...]]:
    return query(db, "SELECT username, object_id, region_code, detail, client FROM "
                     "audit_log WHERE action = 'export_unmasked' ORDER BY audit_id")


def test_exports_are_masked_without_a_user(db: Path, tmp_path: Path) -> None:
    before = store_content(db)
    ids = dict(query(db, "SELECT person_id::VARCHAR, id_number FROM people"))
    phones = dict(query(db, "SELECT household_id::VARCHAR, phone FROM households"))
    out = said("export", "people", tmp_path / "people.csv", "--db", db)
    assert "Masked: id_number, chronic_illness" in out and "--as USER" in out
    people = rows_of(tmp_path / "people.csv")
    assert [p["id_number"] for p in people] == [mask_id_number(ids[p["person_id"]])
                                                for p in people]
    assert {p[f] for p in people for f in HEALTH_FIELDS} == {HIDDEN}
    said("history", "as-of", "2020-12-31", "--db", db, "--out", tmp_path / "h.csv")
    households = rows_of(tmp_path / "h.csv")
    assert [h["phone"] for h in households] == [mask_phone(phones[h["household_id"]]) or ""
                                                for h in households]
    assert {h["address"] for h in households} == {HIDDEN}
    said("export", "household_years", tmp_path / "years.csv", "--db", db)
    assert {y["medical_expense"] for y in rows_of(tmp_path / "years.csv")} == {HIDDEN}
    out = said("export", "events", tmp_path / "events.csv", "--db", db)
    assert "Left out: health events" in out
    assert query(db, "SELECT count(*) FROM events WHERE kind IN ('serious_illness', "
                     "'disability', 'recovery')")[0][0] > 0
    assert not HEALTH_EVENTS & {e["kind"] for e in rows_of(tmp_path / "events.csv")}
    assert store_content(db) == before  # nothing audited: nothing was shown


def test_as_a_user_who_may_unmask_the_export_is_clear_and_audited(
        db: Path, tmp_path: Path) -> None:
    out = said("export", "people", tmp_path / "people.csv", "--db", db, "--as", "officer")
    assert "Masked" not in out
    people = rows_of(tmp_path / "people.csv")
    ids = set(next(zip(*query(db, "SELECT id_number FROM people"), strict=True)))
    assert {p["id_number"] for p in people} == ids
    said("history", "as-of", "2020-12-31", "--db", db, "--out", tmp_path / "h.csv",
         "--table", "people", "--region", COUNTY, "--as", "county")
    county = rows_of(tmp_path / "h.csv")
    assert county and all(p["id_number"] in ids for p in county)
    assert exports(db) == [
        ("officer", "export people", PROVINCE, f"the whole store: {len(people):,} rows",
         "command line"),
        ("county", "history as-of 2020-12-31 --table people", COUNTY,
         f"region {COUNTY}: {len(county):,} rows", "command line")]


@pytest.mark.parametrize(("case", "args", "names"), [
    ("--as a user of no account", ["export", "people", "p.csv", "--as", "nobody"],
     ("nobody",)),
    ("--as a user who may not unmask", ["export", "people", "p.csv", "--as", "auditor"],
     ("auditor", "may not unmask")),
    ("--as a user over part of the store", ["export", "people", "p.csv", "--as", "county"],
     ("county", "jurisdiction")),
    ("--as a user of another region", ["history", "as-of", "2020-12-31", "--out", "h.csv",
                                       "--region", OTHER_COUNTY, "--as", "county"],
     ("county", "jurisdiction")),
])
def test_the_others_are_refused_on_one_line(
        db: Path, tmp_path: Path, refuse: Callable[..., str], case: str, args: list[str],
        names: tuple[str, ...]) -> None:
    out = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    refuse(case, [*out, "--db", str(db)], names, db=db)
    assert not list(tmp_path.glob("*.csv"))


def test_an_export_in_clear_is_never_written_unaudited(db: Path, tmp_path: Path) -> None:
    """The audit comes first (write 1), the file after (write 2): killed before the
    audit, nothing is written; killed before the file, the attempt is logged."""
    out = tmp_path / "people.csv"
    args = ["export", "people", str(out), "--db", str(db), "--as", "officer"]
    assert run_killed(args, 1) != 0
    assert not exports(db) and not out.exists()
    assert run_killed(args, 2) != 0
    assert len(exports(db)) == 1 and not out.exists()
    assert run_killed(args) == 0 and out.exists() and len(exports(db)) == 2
