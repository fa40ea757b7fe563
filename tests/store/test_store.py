"""The store: creation with the standard's tables, refusal of missing, newer and foreign
files, migration of an old schema, and transactions that roll back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from povertycloud.errors import StoreError
from povertycloud.standard.tables import TABLES, VERSION
from povertycloud.store import Store
from povertycloud.store.migrations import SCHEMA_VERSION

BOOKKEEPING = [("batch_id", "BIGINT", False), ("recorded_at", "TIMESTAMP", False)]

# The shape of the standard's tables (columns, SQL types, required, keys) that each schema
# version stores. Migration 1 builds its tables from the standard as it is now, so a stored
# shape that changes without a new migration would leave existing stores behind.
SCHEMA_FINGERPRINTS = {
    1: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",
    2: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # the web tables
    3: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # feed checks
    4: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # resolved_by
    5: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # registry changes
    6: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # dynamic management
    7: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # identification runs
    8: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # feed_history
    9: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # contradictions
    10: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # link evidence
    11: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # rate limits
    12: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # deliveries
    13: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # jobs
    14: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # sealed columns
    15: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # funds ledger
    16: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # help plans
    17: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # allocations
    18: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # officers
    19: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # projects
    20: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # products, needs
    21: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # contacts sealed
    22: "2e3152bdc63ca38c9b7da79608bbc3c3ac00c1511208a1748edec720859ab6e5",  # assessments
    23: "2f3e6ac8ad912919c4429f2deff901474f3f642d649af7640d8ae60e6d375a26",  # household_measures
    24: "2f3e6ac8ad912919c4429f2deff901474f3f642d649af7640d8ae60e6d375a26",  # field verifications
}
WEB_TABLES = {"users", "sessions", "audit_log", "complaints", "announcements",
              "feed_links", "conflict_flags",  # the feed checks' tables
              "feed_history",  # feed records corrected
              "registry_changes", "registry_duplicates",  # changes outside batches
              "household_history", "person_history", "reevaluations", "proposals",
              "proposal_steps", "objections", "region_status_changes",
              "open_proposals",  # dynamic management
              "identification_runs",
              "rate_events",  # the web's rate limits
              "deliveries",  # departments' deliveries through the API
              "jobs",  # the server's jobs
              "pc_sealed",  # the sensitive columns, sealed on PostgreSQL with a key
              "fund_entries", "fund_postings", "fund_payment_batches", "fund_payments",
              "fund_reconciliations", "fund_flags", "pc_append_only",  # the funds ledger
              "help_plans", "plan_items", "plan_item_history",  # help plans
              "allocations", "allocation_items",  # allocations of a budget
              "work_teams", "team_members", "help_pairs", "visits",  # officers
              "officer_actions",
              "projects", "project_households", "project_milestones",  # projects
              "project_reports", "photos",
              "products", "product_households", "orders",  # sales of products
              "needs", "helpers", "pledges",  # help from society
              "assessment_designs", "assessment_villages", "assessment_households",
              "assessment_returns", "assessment_imports", "assessment_estimates",
              "measure_effects", "region_plans", "region_plan_measures",
              "survey_submissions", "verification_imports", "field_verifications"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "store.duckdb") as s:
        yield s


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, bool]]:
    rows = con.execute("SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                       "WHERE table_name = ? ORDER BY column_index", [table]).fetchall()
    return [(str(n), str(t), bool(nullable)) for n, t, nullable in rows]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM pc_meta").fetchall()}


def _write_meta_only(path: Path, rows: list[tuple[str, str]]) -> None:
    """A DuckDB file holding only pc_meta, as an old or damaged store would."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE pc_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for key, value in rows:
        con.execute("INSERT INTO pc_meta VALUES (?, ?)", [key, value])
    con.close()


# -- creating -------------------------------------------------------------------------


def test_create_gives_the_current_schema(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION
    meta = _meta(store.con)
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    assert meta["standard_version"] == VERSION


def test_create_makes_exactly_the_standards_tables(store: Store) -> None:
    assert _tables(store.con) == set(TABLES) | {"batches", "quarantine", "pc_meta"} \
        | WEB_TABLES


@pytest.mark.parametrize("name", list(TABLES))
def test_store_tables_match_the_standard(store: Store, name: str) -> None:
    """Fails when the standard gains, loses, reorders or retypes a field without a migration."""
    expected = [(f.name, f.sql_type, not f.required) for f in TABLES[name].fields]
    assert _columns(store.con, name) == expected + BOOKKEEPING


def test_the_standards_stored_shape_changes_only_with_a_migration() -> None:
    shape = {name: {"columns": [[f.name, f.sql_type, f.required] for f in t.fields],
                    "key": list(t.primary_key)} for name, t in TABLES.items()}
    fingerprint = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()
    assert fingerprint == SCHEMA_FINGERPRINTS.get(SCHEMA_VERSION), (
        "the stored shape of the standard changed: add a migration for existing stores and "
        f"record {fingerprint} for schema version {SCHEMA_VERSION}")


@pytest.mark.parametrize("name", list(TABLES))
def test_store_tables_have_the_standards_primary_key(store: Store, name: str) -> None:
    rows = store.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'", [name]).fetchall()
    assert [tuple(r[0]) for r in rows] == [TABLES[name].primary_key]


def test_create_refuses_an_existing_path(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    Store.create(path).close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="already exists"):
        Store.create(path)
    assert path.read_bytes() == before


def test_create_refuses_an_existing_directory(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="already exists"):
        Store.create(tmp_path)


def test_create_makes_missing_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.duckdb"
    with Store.create(path) as s:
        assert s.schema_version == SCHEMA_VERSION
    assert path.is_file()


# -- opening --------------------------------------------------------------------------


def test_opening_a_missing_store_says_how_to_create_one(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert f"no store at {path}" in message
    assert f"povertycloud store init {path}" in message
    assert f"povertycloud synth --db {path}" in message
    assert not path.exists()


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with Store.create(path) as s:
        s.execute("INSERT INTO batches VALUES (1, 'regions', 'x.csv', NULL, 0, 0, 0, now())")
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.count("batches") == 1
        assert s.next_batch_id() == 2


def test_a_newer_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    Store.create(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE pc_meta SET value = ? WHERE key = 'schema_version'",
                [str(SCHEMA_VERSION + 1)])
    con.close()
    before = path.read_bytes()
    for read_only in (False, True):
        with pytest.raises(StoreError, match="written by a newer povertycloud") as caught:
            Store(path, read_only=read_only)
        assert str(path) in str(caught.value)
        assert f"schema version {SCHEMA_VERSION + 1}" in str(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb"]


def test_a_duckdb_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE things (x INTEGER)")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="is a DuckDB file but not a povertycloud store"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database\n")
    with pytest.raises(StoreError, match="is not a povertycloud store") as caught:
        Store(path)
    assert str(path) in str(caught.value)
    assert path.read_text() == "not a database\n"


# -- migrating ------------------------------------------------------------------------


def test_a_version_0_store_is_migrated_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _write_meta_only(path, [("schema_version", "0"), ("created_by", "0.0.1")])
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert _tables(s.con) == set(TABLES) | {"batches", "quarantine", "pc_meta"} | WEB_TABLES
        assert _meta(s.con)["standard_version"] == VERSION
        assert _meta(s.con)["created_by"] == "0.0.1"
    with Store(path) as s:  # migrated once, opened again as is
        assert s.schema_version == SCHEMA_VERSION


def test_a_store_whose_identify_made_its_runs_table_keeps_its_runs(tmp_path: Path) -> None:
    """Before migration 7, `identify` created identification_runs itself."""
    from povertycloud.store.migrations import MIGRATIONS, migration_sql

    path = tmp_path / "v6.duckdb"
    _write_meta_only(path, [("schema_version", "6")])
    con = duckdb.connect(str(path))
    for migration in MIGRATIONS[:6]:
        con.execute(migration_sql(migration))
    con.execute("CREATE TABLE identification_runs (run_id BIGINT, year BIGINT, engine "
                "VARCHAR, households BIGINT, finished_at TIMESTAMP, rules VARCHAR)")
    con.execute("INSERT INTO identification_runs VALUES (1, 2020, 'duckdb', 9, now(), '{}')")
    con.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.rows("SELECT run_id, households FROM identification_runs") == [(1, 9)]


def test_a_version_0_store_is_not_migrated_read_only(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _write_meta_only(path, [("schema_version", "0")])
    before = path.read_bytes()
    with pytest.raises(StoreError, match="needs migrating; open it for writing once"):
        Store(path, read_only=True)
    assert path.read_bytes() == before


def test_a_store_without_a_version_row_records_its_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _write_meta_only(path, [])
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION


# -- transactions ---------------------------------------------------------------------


class Boom(Exception):
    pass


def test_transaction_rolls_back_on_an_exception(store: Store) -> None:
    with pytest.raises(Boom), store.transaction() as con:
        con.execute("INSERT INTO batches VALUES (1, 'regions', 'x.csv', NULL, 0, 0, 0, now())")
        assert store.count("batches") == 1
        raise Boom
    assert store.count("batches") == 0
    # The connection is usable afterwards, and a later transaction commits.
    with store.transaction() as con:
        con.execute("INSERT INTO batches VALUES (2, 'regions', 'y.csv', NULL, 0, 0, 0, now())")
    assert store.count("batches") == 1


def test_transaction_commits_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with Store.create(path) as s, s.transaction() as con:
        con.execute("INSERT INTO batches VALUES (1, 'regions', 'x.csv', NULL, 0, 0, 0, now())")
    with Store(path) as s:
        assert s.count("batches") == 1
