"""Migrating a store when a command opens it: one transaction, killed or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from tests.conftest import Reliability, run_killed

from povertycloud.store.migrations import MIGRATIONS, SCHEMA_VERSION, migration_sql


def schema(db: Path) -> tuple[str, list[str]]:
    """The store's schema version and tables, read without migrating it."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        version = con.execute("SELECT value FROM pc_meta WHERE key = 'schema_version'")
        return (str(version.fetchone()), sorted(str(t) for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()))
    finally:
        con.close()


def test_a_migration_killed_at_a_write_leaves_the_old_schema_or_the_new(
        tmp_path: Path, reliability: Reliability) -> None:
    """A store of schema version 6 opened by a writing command (`checks signals`, which
    has nothing to do), killed at the first write of its migration, at the migration's
    commit and at the command's: the store is at version 6 or migrated, never between;
    run again, it is migrated."""
    db = tmp_path / "v6.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE pc_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO pc_meta VALUES ('schema_version', '6')")
    for migration in MIGRATIONS[:6]:
        con.execute(migration_sql(migration))
    con.close()
    old = schema(db)
    whole = tmp_path / "whole.duckdb"
    shutil.copy(db, whole)
    assert run_killed(["checks", "signals", "--db", str(whole)]) == 0
    migrated = schema(whole)
    held = 0
    for crash_at in (1, 4, 5):  # a migration, its commit (after pc_meta), the command's
        killed = tmp_path / f"killed-{crash_at}.duckdb"
        shutil.copy(db, killed)
        args = ["checks", "signals", "--db", str(killed)]
        assert run_killed(args, crash_at) == 137
        assert schema(killed) in (old, migrated)
        assert run_killed(args) == 0 and schema(killed) == migrated
        held += 1
    reliability.kills("store migrate (on opening)", 3, held)
    assert old[0] == "('6',)" and migrated[0] == f"('{SCHEMA_VERSION}',)"
