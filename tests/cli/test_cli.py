"""The `povertycloud` command, run as a user runs it: the installed console script in a
subprocess, in a scratch folder, judged by exit code, output and the files it leaves.

Each run pays the CLI's start-up (about half a second), so the stores are built once per
module by the commands under test: a province of 2,000 people as a folder and as a store,
a copy of that store after the pipeline, an empty store and one holding only the regions.
Tests that change a store work on a copy.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from tests.conftest import store_content

import povertycloud
from povertycloud.access.accounts import authenticate
from povertycloud.standard.tables import TABLES, table_path
from povertycloud.store import Store
from povertycloud.store.migrations import SCHEMA_VERSION

POVERTYCLOUD = Path(sys.executable).parent / "povertycloud"
# Output as a user without a terminal gets it, but wide and plain whatever runs the tests.
ENV = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")} | {
    "COLUMNS": "200", "NO_COLOR": "1", "PYTHONUTF8": "1"}
PEOPLE = "2000"
CrashTest = Callable[..., tuple[Any, Any, int]]  # the crash_test fixture (tests/conftest.py)
EXCHANGED = [name for name, t in TABLES.items() if not t.ground_truth]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        """Everything printed, with Rich's line wrapping undone."""
        return " ".join((self.out + "\n" + self.err).split())


def run(cwd: Path, *args: str | Path) -> Run:
    """Run the console script in ``cwd``; a Python traceback is never acceptable."""
    proc = subprocess.run([str(POVERTYCLOUD), *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, encoding="utf-8", timeout=300, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


def ok(cwd: Path, *args: str | Path) -> Run:
    result = run(cwd, *args)
    assert result.code == 0, result.said
    return result


def fails(cwd: Path, *args: str | Path, code: int | None = 1) -> Run:
    """Run a command that must fail: with ``code``, or any non-zero code when None."""
    result = run(cwd, *args)
    assert result.code != 0, result.said
    if code is not None:
        assert result.code == code, result.said
    return result


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def province(shared: Path) -> Path:
    """``synth --out``: the standard's tables as Parquet."""
    ok(shared, "synth", "--people", PEOPLE, "--out", "province")
    return shared / "province"


@pytest.fixture(scope="module")
def store(shared: Path) -> Path:
    """``synth --db``: a store holding the province; the pipeline has not run on it."""
    ok(shared, "synth", "--people", PEOPLE, "--db", "base.duckdb")
    return shared / "base.duckdb"


@pytest.fixture(scope="module")
def pipelined(shared: Path, store: Path) -> Path:
    """A copy of ``store`` after ``pipeline --db`` (DuckDB)."""
    db = shared / "pipelined.duckdb"
    shutil.copy(store, db)
    result = ok(shared, "pipeline", "--db", db.name)
    assert "household_indicators" in result.said and "region_rollups" in result.said
    return db


def export_in_clear(cwd: Path, db: Path | str, table: str, out: str) -> Run:
    """``export`` with personal data in clear: as a user who may unmask, added to ``db``."""
    ok(cwd, "users", "add", "--db", db, "--username", "exporter", "--role", "admin",
       "--region", "520000000000", "--password", "a-long-password")
    return ok(cwd, "export", table, out, "--db", db, "--as", "exporter")


@pytest.fixture(scope="module")
def exported(shared: Path, store: Path) -> Path:
    """``export``: regions as Parquet and households as CSV (in clear, for the round
    trip: from a copy of ``store`` with a user who may unmask), in their own folder."""
    folder = shared / "exported"
    folder.mkdir()
    regions = ok(folder, "export", "regions", "regions.parquet", "--db", store)
    source = Path(shutil.copy(store, folder / "source.duckdb"))
    households = export_in_clear(folder, source, "households", "households.csv")
    source.unlink()
    assert "Wrote 6 rows of regions to regions.parquet" in regions.said
    assert "rows of households to households.csv" in households.said
    return folder


@pytest.fixture(scope="module")
def empty_store(shared: Path) -> Path:
    """``store init``."""
    result = ok(shared, "store", "init", "empty.duckdb")
    assert "Created an empty store at empty.duckdb" in result.said
    return shared / "empty.duckdb"


@pytest.fixture(scope="module")
def regions_only(shared: Path, empty_store: Path, exported: Path) -> Path:
    """An empty store after ``import regions``, ready for files that refer to regions."""
    db = shared / "regions-only.duckdb"
    shutil.copy(empty_store, db)
    result = ok(shared, "import", "regions", exported / "regions.parquet", "--db", db.name)
    assert "Batch 1: 6 rows in, 6 accepted, 0 quarantined" in result.said
    return db


def copy_store(store: Path, folder: Path, name: str = "store.duckdb") -> Path:
    db = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(store, db)
    return db


# -- help and version ------------------------------------------------------------------------


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = ok(tmp_path, "--help")
    for command in ("demo", "synth", "import", "export", "template", "pipeline", "rollup",
                    "docs", "store"):
        assert command in result.out, command
    assert list(tmp_path.iterdir()) == []


def test_no_arguments_shows_the_help(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert "Usage: povertycloud" in result.said


@pytest.mark.parametrize("command", ["synth", "store"])
def test_each_command_has_help(tmp_path: Path, command: str) -> None:
    assert f"Usage: povertycloud {command}" in ok(tmp_path, command, "--help").said


def test_version_is_the_package_version(tmp_path: Path) -> None:
    result = ok(tmp_path, "--version")
    assert result.out.strip() == f"povertycloud {povertycloud.__version__}"
    assert povertycloud.__version__ == version("povertycloud")


# -- synth -----------------------------------------------------------------------------------


def test_synth_out_writes_the_tables(province: Path) -> None:
    for name in TABLES:
        assert table_path(province, name).exists(), name
    assert sorted(p.name for p in province.glob("*.parquet")) == sorted(
        f"{name}.parquet" for name in EXCHANGED)
    people = pq.read_metadata(table_path(province, "people")).num_rows
    assert 1_500 < people < 2_500


def test_synth_out_refuses_an_existing_folder(province: Path) -> None:
    before = listing(province)
    result = fails(province.parent, "synth", "--people", PEOPLE, "--out", province.name)
    assert f"{province.name} exists" in result.err
    assert listing(province) == before


def test_synth_db_creates_a_store(store: Path) -> None:
    result = ok(store.parent, "store", "info", store.name)
    assert f"{store.name}: schema version {SCHEMA_VERSION}" in result.said
    counts = dict(query(store, "SELECT table_name, rows_accepted FROM batches"))
    assert set(counts) == set(TABLES)
    assert all(n > 0 for n in counts.values()), counts
    assert not list(store.parent.glob("*.partial"))
    assert not list(store.parent.glob("povertycloud-synth-*"))


def test_synth_db_refuses_an_existing_store(store: Path) -> None:
    before = store.read_bytes()
    result = fails(store.parent, "synth", "--people", PEOPLE, "--db", store.name)
    assert f"{store.name} exists" in result.err
    assert store.read_bytes() == before


@pytest.mark.parametrize("targets", [[], ["--out", "dir", "--db", "store.duckdb"]],
                         ids=["neither", "both"])
def test_synth_needs_exactly_one_target(tmp_path: Path, targets: list[str]) -> None:
    result = fails(tmp_path, "synth", "--people", PEOPLE, *targets, code=None)
    assert "exactly one of --out and --db" in result.said
    assert list(tmp_path.iterdir()) == []


def test_synth_writes_department_feeds(tmp_path: Path) -> None:
    result = ok(tmp_path, "synth", "--people", PEOPLE, "--out", "p", "--feeds")
    for name in ("public_security_deaths", "transport_vehicles", "market_businesses"):
        assert f"feed {name}:" in result.said
        records = pq.read_table(tmp_path / "p" / "feeds" / f"{name}.parquet")
        truth = pq.read_table(tmp_path / "p" / "feeds" / "truth" / f"{name}_links.parquet")
        assert records.num_rows == truth.num_rows
    result = fails(tmp_path, "synth", "--people", PEOPLE, "--db", "s.duckdb", "--feeds",
                   code=None)
    assert "--feeds needs --out" in result.said
    assert not (tmp_path / "s.duckdb").exists()


@pytest.mark.parametrize("target", ["--out", "--db"])
def test_synth_refuses_too_few_people(tmp_path: Path, target: str) -> None:
    result = fails(tmp_path, "synth", "--people", "10", target, "small")
    assert "people must be between 1,000 and 10,000,000, not 10" in result.said
    assert list(tmp_path.iterdir()) == []


# -- store -----------------------------------------------------------------------------------


def test_store_init_then_info(empty_store: Path) -> None:
    info = ok(empty_store.parent, "store", "info", empty_store.name)
    assert f"{empty_store.name}: schema version {SCHEMA_VERSION}" in info.said
    for name in (*TABLES, "batches", "quarantine"):
        assert name in info.out, name
    assert query(empty_store, "SELECT count(*) FROM batches") == [(0,)]


def test_log_sql_logs_each_statement_with_its_time(empty_store: Path) -> None:
    quiet = ok(empty_store.parent, "store", "info", empty_store.name)
    assert "povertycloud.store" not in quiet.err
    logged = ok(empty_store.parent, "--log-sql", "store", "info", empty_store.name)
    assert re.search(r"povertycloud\.store DEBUG [0-9.]+ ms: SELECT count\(\*\) FROM batches",
                     logged.err), logged.err


def test_store_init_refuses_an_existing_file(tmp_path: Path, empty_store: Path) -> None:
    db = copy_store(empty_store, tmp_path)
    before = db.read_bytes()
    result = fails(tmp_path, "store", "init", db.name)
    assert f"{db.name} already exists" in result.err
    assert db.read_bytes() == before


def test_store_info_of_a_missing_file(tmp_path: Path) -> None:
    result = fails(tmp_path, "store", "info", "missing.duckdb")
    assert "no store at missing.duckdb" in result.said
    assert not (tmp_path / "missing.duckdb").exists()
    assert list(tmp_path.iterdir()) == []


def test_store_info_of_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.duckdb").write_text("not a database", encoding="utf-8")
    result = fails(tmp_path, "store", "info", "notes.duckdb")
    assert "notes.duckdb is not a povertycloud store" in result.said


# -- template, export and import -------------------------------------------------------------


def test_template_writes_a_workbook_of_the_table(tmp_path: Path) -> None:
    result = ok(tmp_path, "template", "people", "people.xlsx")
    assert "Wrote the people template to people.xlsx" in result.said
    book = load_workbook(tmp_path / "people.xlsx")
    assert book.sheetnames[0] == "data"
    header = next(book["data"].iter_rows(min_row=1, max_row=1, values_only=True))
    assert list(header) == TABLES["people"].names
    book.close()


def test_template_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "people.xlsx"
    target.write_bytes(b"keep me")
    result = fails(tmp_path, "template", "people", "people.xlsx")
    assert "people.xlsx exists" in result.said and "--overwrite" in result.said
    assert target.read_bytes() == b"keep me"


def test_template_of_an_unknown_table(tmp_path: Path) -> None:
    result = fails(tmp_path, "template", "nosuch", "t.xlsx")
    assert "unknown table 'nosuch'" in result.said
    assert not (tmp_path / "t.xlsx").exists()


def test_export_writes_the_standard_columns(exported: Path, store: Path) -> None:
    with (exported / "households.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == TABLES["households"].names
    assert len(rows) - 1 == query(store, "SELECT count(*) FROM households")[0][0]
    regions = pq.read_table(exported / "regions.parquet")
    assert regions.column_names == TABLES["regions"].names
    assert not list(exported.glob("*.partial"))


def test_export_refuses_an_existing_file(exported: Path, store: Path) -> None:
    target = exported / "households.csv"
    before = target.read_bytes()
    result = fails(exported, "export", "households", "households.csv", "--db", store)
    assert "households.csv exists" in result.said and "--overwrite" in result.said
    assert target.read_bytes() == before


def test_export_overwrite_replaces_the_file(tmp_path: Path, store: Path) -> None:
    (tmp_path / "regions.csv").write_text("old", encoding="utf-8")
    ok(tmp_path, "export", "regions", "regions.csv", "--db", store, "--overwrite")
    assert (tmp_path / "regions.csv").read_text(encoding="utf-8").startswith("code,name,level")


def test_import_round_trip(tmp_path: Path, exported: Path, regions_only: Path) -> None:
    copy_store(regions_only, tmp_path, "new.duckdb")
    households = ok(tmp_path, "import", "households", exported / "households.csv",
                    "--db", "new.duckdb")
    assert "0 quarantined" in households.said
    again = ok(tmp_path, "import", "households", exported / "households.csv",
               "--db", "new.duckdb")
    assert "was already imported as batch 2; nothing changed" in again.said
    export_in_clear(tmp_path, "new.duckdb", "households", "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == (
        exported / "households.csv").read_bytes()


def bad_households(exported: Path, path: Path) -> None:
    """The first five households, row 3 with a bad key and row 5 with a bad status."""
    with (exported / "households.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[:6]
    status = rows[0].index("registration_status")
    rows[2][0] = rows[2][0][:11] + "X" + rows[2][0][12:]
    rows[4][status] = "bogus"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


@pytest.fixture
def store_with_regions(tmp_path: Path, exported: Path, regions_only: Path) -> Path:
    bad_households(exported, tmp_path / "bad.csv")
    return copy_store(regions_only, tmp_path, "new.duckdb")


def test_import_of_a_bad_csv_names_file_row_and_field(store_with_regions: Path) -> None:
    folder = store_with_regions.parent
    result = fails(folder, "import", "households", "bad.csv", "--db", "new.duckdb")
    assert "2 problem(s) found; nothing was imported" in result.said
    assert "bad.csv, line 3, field 'household_id': is not a whole number" in result.said
    assert "bad.csv, line 5, field 'registration_status': must be one of" in result.said
    assert query(store_with_regions, "SELECT count(*) FROM households") == [(0,)]
    assert query(store_with_regions, "SELECT count(*) FROM batches") == [(1,)]


def test_import_keep_good_quarantines_the_bad_rows(store_with_regions: Path) -> None:
    folder = store_with_regions.parent
    result = ok(folder, "import", "households", "bad.csv", "--db", "new.duckdb", "--keep-good")
    assert "5 rows in, 3 accepted, 2 quarantined" in result.said
    assert "household_id: is not a whole number" in result.said
    assert "registration_status: must be one of" in result.said
    assert query(store_with_regions, "SELECT count(*) FROM households") == [(3,)]
    assert query(store_with_regions,
                 "SELECT row_number FROM quarantine ORDER BY 1") == [(3,), (5,)]


def test_import_of_a_missing_file(tmp_path: Path, empty_store: Path) -> None:
    copy_store(empty_store, tmp_path, "new.duckdb")
    result = fails(tmp_path, "import", "households", "nope.csv", "--db", "new.duckdb")
    assert "nope.csv: no such file" in result.said


# -- pipeline and rollup ---------------------------------------------------------------------


def test_pipeline_db_keeps_its_results_in_the_store(pipelined: Path, province: Path) -> None:
    tables = {r[0] for r in query(pipelined, "SHOW TABLES")}
    assert {"household_indicators", "region_rollups"} <= tables
    surveys = pq.read_metadata(table_path(province, "household_years")).num_rows
    assert query(pipelined, "SELECT count(*) FROM household_indicators") == [(surveys,)]


def test_rollup_writes_csv_and_geojson(pipelined: Path, tmp_path: Path) -> None:
    result = ok(tmp_path, "rollup", "--db", pipelined, "--as-of", "2018-12-31",
                "--level", "county", "--out", "f.csv", "--geojson", "g.geojson")
    assert "Wrote g.geojson" in result.said and "regions to f.csv" in result.said
    with (tmp_path / "f.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["region_code"]: r for r in csv.DictReader(f)}
    assert rows
    assert {r["level"] for r in rows.values()} == {"county"}
    assert {r["as_of"] for r in rows.values()} == {"2018-12-31"}
    collection = json.loads((tmp_path / "g.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert sorted(f["id"] for f in features) == sorted(rows)
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        props = feature["properties"]
        figures = rows[feature["id"]]
        assert props["level"] == "county" and props["as_of"] == "2018-12-31"
        for key in ("households", "people", "people_registered_poor",
                    "people_income_below_line"):
            assert props[key] == int(figures[key]), key
        assert props["households"] > 0


def test_rollup_prints_a_table_without_out(pipelined: Path, tmp_path: Path) -> None:
    result = ok(tmp_path, "rollup", "--db", pipelined, "--as-of", "2018-12-31")
    assert "Roll-up" in result.out and "520000000000" in result.out
    assert list(tmp_path.iterdir()) == []


def test_rollup_before_the_pipeline_says_to_run_it(store: Path) -> None:
    result = fails(store.parent, "rollup", "--db", store.name, "--as-of", "2018-12-31")
    assert "has no pipeline results yet" in result.said
    assert f"povertycloud pipeline --db {store.name}" in result.said


def test_rollup_refuses_an_impossible_date(pipelined: Path, tmp_path: Path) -> None:
    result = fails(tmp_path, "rollup", "--db", pipelined, "--as-of", "2018-13-45",
                   "--out", "f.csv", code=None)
    assert "'2018-13-45' is not a date" in result.said
    assert list(tmp_path.iterdir()) == []


def test_rollup_before_any_survey(pipelined: Path, tmp_path: Path) -> None:
    result = fails(tmp_path, "rollup", "--db", pipelined, "--as-of", "2010-01-01")
    assert "no annual survey on or before 2010-01-01" in result.said


def test_rollup_writes_nothing_when_out_is_refused(pipelined: Path, tmp_path: Path) -> None:
    result = fails(tmp_path, "rollup", "--db", pipelined, "--as-of", "2018-12-31",
                   "--level", "county", "--out", "f.txt", "--geojson", "g.geojson")
    assert "f.txt: write .csv, .parquet or .xlsx" in result.said
    assert list(tmp_path.iterdir()) == []


def test_pipeline_unknown_engine_leaves_the_store_unchanged(store: Path,
                                                             tmp_path: Path) -> None:
    db = copy_store(store, tmp_path)
    before = listing(tmp_path)
    result = fails(tmp_path, "pipeline", "--db", db.name, "--engine", "nosuch")
    assert "unknown engine 'nosuch'" in result.said
    assert listing(tmp_path) == before


def test_pipeline_input_output(province: Path, tmp_path: Path) -> None:
    ok(tmp_path, "pipeline", "--input", province, "--output", "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "household_indicators.parquet", "region_rollups.parquet", "status_periods.parquet"]
    surveys = pq.read_table(table_path(province, "household_years"), columns=["year"])
    years = len(set(surveys.column("year").to_pylist()))
    regions = pq.read_metadata(table_path(province, "regions")).num_rows
    assert pq.read_metadata(out / "household_indicators.parquet").num_rows == surveys.num_rows
    assert pq.read_metadata(out / "region_rollups.parquet").num_rows == regions * years


def test_pipeline_refuses_an_existing_output(province: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep", encoding="utf-8")
    before = listing(tmp_path)
    result = fails(tmp_path, "pipeline", "--input", province, "--output", "out")
    assert "out exists" in result.said
    assert listing(tmp_path) == before


def test_pipeline_of_a_missing_input(tmp_path: Path) -> None:
    result = fails(tmp_path, "pipeline", "--input", "nope", "--output", "out")
    assert "nope: no such folder" in result.said
    assert list(tmp_path.iterdir()) == []


def test_pipeline_needs_db_or_input_and_output(tmp_path: Path) -> None:
    result = fails(tmp_path, "pipeline", "--output", "out", code=None)
    assert "give --db, or both --input and --output" in result.said


def test_pipeline_on_an_empty_store_names_the_store(tmp_path: Path,
                                                    empty_store: Path) -> None:
    copy_store(empty_store, tmp_path, "empty.duckdb")
    result = fails(tmp_path, "pipeline", "--db", "empty.duckdb")
    assert "empty.duckdb has no household_years" in result.said
    assert "povertycloud-" not in result.said
    assert "empty.duckdb" in result.said


# -- a store from a newer povertycloud -------------------------------------------------------


def test_a_store_from_a_newer_version_is_refused(store: Path, tmp_path: Path) -> None:
    db = copy_store(store, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("UPDATE pc_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    before = listing(tmp_path)
    for args in (["store", "info", db.name], ["pipeline", "--db", db.name]):
        result = fails(tmp_path, *args)
        assert f"{db.name} was written by a newer povertycloud" in result.said, args
        assert "schema version 99" in result.said
    assert listing(tmp_path) == before


# -- paths with a quote ----------------------------------------------------------------------


def test_import_from_a_path_with_a_quote(tmp_path: Path, exported: Path,
                                         empty_store: Path) -> None:
    shutil.copy(exported / "regions.parquet", tmp_path / "it's.parquet")
    copy_store(empty_store, tmp_path, "new.duckdb")
    result = ok(tmp_path, "import", "regions", "it's.parquet", "--db", "new.duckdb")
    assert "6 accepted" in result.said


def test_export_to_a_path_with_a_quote(tmp_path: Path, store: Path) -> None:
    ok(tmp_path, "export", "regions", "it's.csv", "--db", store)
    assert (tmp_path / "it's.csv").exists()


def test_rollup_out_to_a_path_with_a_quote(tmp_path: Path, pipelined: Path) -> None:
    ok(tmp_path, "rollup", "--db", pipelined, "--as-of", "2018-12-31", "--out", "it's.csv")
    assert (tmp_path / "it's.csv").exists()


def test_pipeline_input_with_a_quote(tmp_path: Path, province: Path) -> None:
    shutil.copytree(province, tmp_path / "it's")
    ok(tmp_path, "pipeline", "--input", "it's", "--output", "out")
    assert (tmp_path / "out" / "region_rollups.parquet").exists()


def test_pipeline_db_in_a_folder_with_a_quote(tmp_path: Path, store: Path) -> None:
    db = copy_store(store, tmp_path / "it's")
    ok(tmp_path, "pipeline", "--db", db.relative_to(tmp_path))
    assert "region_rollups" in {r[0] for r in query(db, "SHOW TABLES")}


def test_synth_db_in_a_folder_with_a_quote(tmp_path: Path) -> None:
    ok(tmp_path, "synth", "--people", "1000", "--db", "it's/store.duckdb")
    assert (tmp_path / "it's" / "store.duckdb").exists()


# -- demo ------------------------------------------------------------------------------------


def test_demo_builds_once_then_reuses_the_store(tmp_path: Path) -> None:
    first = ok(tmp_path, "demo", "--people", PEOPLE, "--dir", "D", "--no-serve")
    db, geojson = tmp_path / "D" / "province.duckdb", tmp_path / "D" / "counties.geojson"
    assert "Building a demo province of 2,000 people at D/province.duckdb" in first.said
    for text in ("Province, year by year", "Households failing", "Where everything is",
                 "povertycloud store info D/province.duckdb", "the plan of 5"):
        assert text in first.said, text
    assert first.out.rstrip().splitlines()[-1].startswith("Done in")  # the panel closes it:
    assert first.said.rindex("Where everything is") > first.said.rindex("Demo users")
    assert db.exists()
    collection = json.loads(geojson.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"]
    assert all("registered_incidence" in f["properties"] for f in collection["features"])
    inode, batches = db.stat().st_ino, query(db, "SELECT count(*) FROM batches")

    second = ok(tmp_path, "demo", "--people", PEOPLE, "--dir", "D", "--no-serve")
    assert "Using the demo store at D/province.duckdb" in second.said
    assert "Building" not in second.said
    assert "Where everything is" in second.said
    assert db.stat().st_ino == inode
    assert query(db, "SELECT count(*) FROM batches") == batches
    assert sorted(p.name for p in (tmp_path / "D").iterdir()) == [
        "accounts.txt", "assessment", "counties.geojson", "funds", "plans",
        "province.duckdb", "verified-2020.csv"]  # too few verified to learn causes from
    assert "No cause model" in first.said and "No cause model" not in second.said
    assert query(db, "SELECT count(*) FROM region_plans") == [(1,)]  # a plan, once
    assert query(db, "SELECT count(*) > 0 FROM fund_payments") == [(True,)]  # funds paid
    assert query(db, "SELECT count(*) > 0 FROM assessment_estimates") == [(True,)]  # assessed
    accounts = (tmp_path / "D" / "accounts.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[2] for line in accounts] == [
        "officer"] * 5 + ["field_officer", "auditor", "assessor", "admin"]
    for line in accounts:  # the printed passwords log in
        username, password = line.split("\t")[:2]
        assert username in first.said and password in first.said
        with Store(db, read_only=True) as store:
            assert authenticate(store, username, password) is not None


def test_intake_checks_the_schema_version_and_reports(tmp_path: Path) -> None:
    ok(tmp_path, "synth", "--people", PEOPLE, "--out", "p", "--feeds")
    ok(tmp_path, "store", "init", "s.duckdb")
    feed = Path("p") / "feeds" / "transport_vehicles.parquet"
    wrong = fails(tmp_path, "intake", "--source", "transport_vehicles", feed, "--db",
                  "s.duckdb", "--schema-version", "2")
    assert "at version 1; nothing imported" in wrong.said
    first = ok(tmp_path, "intake", "--source", "transport_vehicles", feed, "--db",
               "s.duckdb", "--schema-version", "1")
    assert "accepted" in first.said
    again = ok(tmp_path, "intake", "--source", "transport_vehicles", feed, "--db",
               "s.duckdb")
    assert "was already imported" in again.said
    unknown = fails(tmp_path, "intake", "--source", "tax", feed, "--db", "s.duckdb")
    assert "unknown source 'tax'" in unknown.said
    assert "transport_vehicles" in ok(tmp_path, "sources").said


# -- killed at a write: all or nothing, and a re-run completes it -----------------------------


def test_pipeline_killed_at_any_write_keeps_all_outputs_or_none(
        store: Path, tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its commit (one transaction; each run takes
    seconds), `pipeline` leaves no output; run again, it gives what an uninterrupted
    run gives."""
    before, after, _ = crash_test(
        store, tmp_path, lambda db: ["pipeline", "--db", str(db)], store_content, sample=2)
    assert {"household_indicators", "region_rollups"} <= set(after) - set(before)


def test_import_killed_at_any_write_takes_the_batch_or_not(
        empty_store: Path, exported: Path, tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its commit (one transaction), `import` leaves
    no batch; run again, it takes the file in."""
    _, after, _ = crash_test(
        empty_store, tmp_path, lambda db: ["import", "regions",
                                           str(exported / "regions.parquet"), "--db", str(db)],
        store_content, sample=2)
    assert after["regions"][0] == 6


def test_an_update_killed_at_any_write_replaces_all_or_nothing(
        store: Path, exported: Path, tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its commit (one transaction), `import --update`
    leaves the households and their history as they were; run again, it updates them."""
    changed = tmp_path / "households.csv"
    with (exported / "households.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    rows[0]["address"] += "（新址）"
    with changed.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before, after, _ = crash_test(
        store, tmp_path, lambda db: ["import", "households", str(changed), "--update",
                                     "--valid-from", "2021-01-01", "--db", str(db)],
        store_content, sample=2)
    assert after["household_history"][0] == before["household_history"][0] + 1


def test_users_add_killed_at_its_write_adds_the_user_or_not(
        regions_only: Path, tmp_path: Path, crash_test: CrashTest) -> None:
    before, after, writes = crash_test(
        regions_only, tmp_path, lambda db: [
            "users", "add", "--db", str(db), "--username", "li", "--role", "officer",
            "--region", "520000000000", "--password", "a-long-password"],
        lambda db: query(db, "SELECT user_id, username, role FROM users"))
    assert (before, after, writes) == ([], [(1, "li", "officer")], 1)


def test_store_init_killed_at_any_write_leaves_no_store_or_a_whole_one(
        tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its last (all in a file beside the path),
    `store init` leaves no store (before, one of schema version 0 that a re-run refused
    as existing); run again, it makes the store."""
    _, after, writes = crash_test(tmp_path / "none.duckdb", tmp_path,
                                  lambda db: ["store", "init", str(db)], store_content,
                                  sample=2)
    assert "pc_meta" in after and writes >= 3


def test_synth_db_killed_at_any_write_leaves_no_store_or_a_whole_one(
        tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its last (each run generates a province: a few
    seconds), `synth --db` leaves no store; run again, it builds the same one."""
    _, after, _ = crash_test(
        tmp_path / "none.duckdb", tmp_path,
        lambda db: ["synth", "--people", "1000", "--db", str(db)], synthesized, sample=2)
    assert after["people"][0] > 0


def synthesized(db: Path) -> dict[str, Any]:
    """:func:`store_content`, the batches without their files (in a scratch folder)."""
    found: dict[str, Any] = store_content(db)
    if found:
        found["batches"] = query(db, "SELECT * EXCLUDE (source, received_at) FROM batches "
                                     "ORDER BY ALL")
    return found
