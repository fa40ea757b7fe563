"""Backups: one consistent moment of a store while others write, restored and checked
equal on either backend, whole or not at all, and bad backups and targets refused."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
import pytest
from tests import postgres
from tests.conftest import (
    CLI,
    KillTest,
    Refusal,
    Reliability,
    count_writes,
    run_killed,
    store_state,
)

from povertycloud.store import Store
from povertycloud.store.backup import Manifest, backup
from povertycloud.store.copy import MANIFEST, OWN_TABLES, Tally, tally
from povertycloud.store.migrations import MIGRATIONS, SCHEMA_VERSION, migration_sql


def run(*args: object) -> str:
    done = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def tally_of(target: Path | str) -> Tally:
    """The tally of the store ``target``; {} when there is none."""
    if isinstance(target, Path) and not target.exists():
        return {}
    with Store(target, read_only=True) as store:
        return tally(store)


def manifest_of(backup_file: Path) -> Manifest:
    with Store(backup_file, read_only=True) as store:
        return Manifest.of(str(store.value("SELECT value FROM pc_meta WHERE key = ?",
                                           [MANIFEST])))


@pytest.fixture
def pg_store(db: Path) -> Iterator[str]:
    """The identified store ``db``, copied into a PostgreSQL database of its own."""
    server = postgres.server()
    url = server.copy_of(db)
    yield url
    server.drop(url)


@pytest.fixture
def pg_empty() -> Iterator[str]:
    with postgres.server().database() as url:
        yield url


def test_a_backup_on_postgresql_is_one_moment_while_others_write(
        pg_empty: str, tmp_path: Path) -> None:
    """Another connection commits a row to each of two tables in one transaction, again
    and again, while the backup reads the first table, then (pairs committed in between)
    the last: the backup holds as many rows in each, those of one moment."""
    with Store.create(pg_empty) as store:
        store.execute("CREATE TABLE aa_pairs (n BIGINT)")  # copied first
        store.execute("CREATE TABLE zz_pairs (n BIGINT)")  # copied last
        store.execute("INSERT INTO aa_pairs SELECT range FROM range(50000)")
        store.execute("INSERT INTO zz_pairs SELECT range FROM range(50000)")
    committed, stop = [0], threading.Event()

    def write_pairs() -> None:
        with psycopg.connect(pg_empty) as con:
            while not stop.is_set():
                with con.transaction():
                    for table in ("aa_pairs", "zz_pairs"):
                        con.execute(f"INSERT INTO {table} VALUES (%s)",  # type: ignore[arg-type]
                                    [committed[0]])
                committed[0] += 1

    seen: list[int] = []

    def counter(table: str, done: int, total: int) -> None:
        if done == 1:  # aa_pairs is read
            seen.append(committed[0])
        if table == "zz_pairs":  # let pairs be committed between the two
            while committed[0] < seen[0] + 20:
                time.sleep(0.01)

    writer = threading.Thread(target=write_pairs)
    writer.start()
    try:
        with Store(pg_empty, read_only=True) as source:
            manifest = backup(source, tmp_path / "b.duckdb", counter)
    finally:
        stop.set()
        writer.join()
    pairs = manifest.tally["aa_pairs"][0]
    assert manifest.tally["zz_pairs"][0] == pairs
    assert tally_of(tmp_path / "b.duckdb") == manifest.tally
    assert 50_000 <= pairs < 50_000 + committed[0]  # writes went on around it
    with Store(pg_empty, read_only=True) as live:
        assert live.count("aa_pairs") == live.count("zz_pairs") == 50_000 + committed[0]


def test_backup_and_restore_a_duckdb_store(db: Path, tmp_path: Path) -> None:
    """A store backed up and restored into a new file: the same tally (rows and checksum
    per table), the manifest's, and the same settings the data goes with."""
    out, restored = tmp_path / "b.duckdb", tmp_path / "restored" / "r.duckdb"
    run("backup", "--db", db, out)
    assert manifest_of(out).tally == tally_of(db)
    printed = run("restore", out, "--db", restored)
    assert "differs" not in printed and "equal" in printed
    assert tally_of(restored) == tally_of(db)
    with Store(restored, read_only=True) as store:
        assert store.value("SELECT value FROM pc_meta WHERE key = ?", [MANIFEST]) is None
    assert not list(tmp_path.rglob("*.partial"))


def test_backup_on_postgresql_restored_into_postgresql(
        pg_store: str, pg_empty: str, db: Path, tmp_path: Path) -> None:
    """PostgreSQL, backed up into a file, restored into another PostgreSQL database:
    the tally of the DuckDB store it came from, through every step; the manifest names
    the source without its password."""
    out = tmp_path / "b.duckdb"
    run("backup", "--db", pg_store, out)
    manifest = manifest_of(out)
    assert manifest.tally == tally_of(db) and "povertycloud_test@" in manifest.source
    assert ":povertycloud_test@" not in manifest.source  # no password
    run("restore", out, "--db", pg_empty)
    assert tally_of(pg_empty) == tally_of(db)
    with Store(pg_empty) as store:  # the sequences continue where they stood
        assert store.draw("user_ids", 1) >= store.scalar("SELECT max(user_id) FROM users") > 0


def test_store_copy_moves_a_store_to_postgresql_and_back(
        db: Path, pg_empty: str, tmp_path: Path) -> None:
    run("store", "copy", db, pg_empty)
    run("store", "copy", pg_empty, tmp_path / "back.duckdb")
    assert tally_of(tmp_path / "back.duckdb") == tally_of(pg_empty) == tally_of(db)


def test_synth_into_postgresql(pg_empty: str) -> None:
    out = run("synth", "--people", 1000, "--db", pg_empty)
    assert "povertycloud_test@" in out and ":povertycloud_test@" not in out
    assert tally_of(pg_empty)["people"][0] > 900


def old_backup(path: Path) -> None:
    """A backup taken at the schema version before this program's, with its manifest."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE pc_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO pc_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION - 1)])
    for migration in MIGRATIONS[:-1]:
        con.execute(migration_sql(migration))
    con.execute("INSERT INTO regions VALUES ('52', 'Guizhou', 'province', NULL, NULL, false, "
                "false, NULL, true, true, true, true, NULL, 1, '2020-01-01')")
    con.close()
    with Store(path, read_only=True, as_written=True) as store:
        manifest = Manifest("old.duckdb", "2020-01-01T00:00:00+00:00", SCHEMA_VERSION - 1,
                            "0", tally(store))
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO pc_meta VALUES (?, ?)", [MANIFEST, manifest.text()])
    con.close()


def test_a_backup_of_an_older_schema_is_checked_then_migrated(tmp_path: Path) -> None:
    old_backup(tmp_path / "old.duckdb")
    printed = run("restore", tmp_path / "old.duckdb", "--db", tmp_path / "new.duckdb")
    assert f"schema version {SCHEMA_VERSION - 1}" in printed
    with Store(tmp_path / "new.duckdb", read_only=True) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.column("SELECT name FROM regions") == ["Guizhou"]


def test_backup_killed_at_each_write_leaves_no_backup(
        db: Path, tmp_path: Path, crash_test: KillTest) -> None:
    """Killed before any of its writes (sampled), nothing is at OUT; run again, it
    writes the whole backup."""
    def out(store: Path) -> Path:
        return store.with_name(store.stem + "-backup.duckdb")

    before, after, _ = crash_test(
        db, tmp_path, lambda store: ["backup", "--db", str(store), str(out(store))],
        lambda store: tally_of(out(store)), sample=8)
    assert before == {} and after == tally_of(db)


def test_restore_killed_at_each_write_leaves_nothing(
        db: Path, tmp_path: Path, crash_test: KillTest) -> None:
    backup_file = tmp_path / "b.duckdb"
    run("backup", "--db", db, backup_file)
    (tmp_path / "kills").mkdir()
    before, after, _ = crash_test(
        tmp_path / "none.duckdb", tmp_path / "kills",
        lambda store: ["restore", "--db", str(store), str(backup_file)], store_state,
        sample=8)
    assert before == {} and after != {}


def rows_in(url: str) -> int:
    """The rows of every table of a PostgreSQL database but the store's own (``pc_meta``,
    ``pc_sealed``), read as they are (a store a kill left may need migrating)."""
    with psycopg.connect(url) as con:
        tables = [t for (t,) in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if t not in OWN_TABLES]
        return sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore
                   for t in tables)


@pytest.mark.slow  # kills on PostgreSQL, 20 s: CI runs it (--run-slow)
def test_restore_into_postgresql_killed_leaves_no_rows(
        db: Path, tmp_path: Path, reliability: Reliability) -> None:
    """Killed at its first write, half-way and at the copy's commit (the last write but
    the read's own commit), a restore into an empty PostgreSQL database leaves no rows
    (at most the empty store it made, which a restore takes); run again, it restores the
    whole backup."""
    server, backup_file = postgres.server(), tmp_path / "b.duckdb"
    run("backup", "--db", db, backup_file)
    with server.database() as counted:
        writes = count_writes(["restore", "--db", counted, str(backup_file)])
    for crash_at in (1, writes // 2, writes - 1):
        with server.database() as url:
            args = ["restore", "--db", url, str(backup_file)]
            assert run_killed(args, crash_at) == 137
            assert rows_in(url) == 0, crash_at
            assert run_killed(args) == 0 and tally_of(url) == tally_of(db)
    reliability.kills("restore (into PostgreSQL)", 3, 3)


@contextmanager
def holding(db: Path) -> Iterator[None]:
    """Another process holding the store ``db`` open for writing, as the server does."""
    with subprocess.Popen(
            [sys.executable, "-c", "import sys, time; from povertycloud.store import Store; "
             "s = Store(sys.argv[1]); print('open', flush=True); time.sleep(120)", str(db)],
            stdout=subprocess.PIPE, text=True) as held:
        try:
            assert held.stdout is not None and held.stdout.readline().strip() == "open"
            yield
        finally:
            held.kill()


def test_refused(db: Path, tmp_path: Path, refuse: Refusal) -> None:
    out = tmp_path / "b.duckdb"
    run("backup", "--db", db, out)
    refuse("restore: no such backup", ["restore", str(tmp_path / "none.duckdb"), "--db",
                                       str(tmp_path / "r.duckdb")], ("none.duckdb",))
    refuse("restore: a store, not a backup", ["restore", str(db), "--db",
                                              str(tmp_path / "r.duckdb")],
           ("not a backup", "store copy"))
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("not a database\n")
    refuse("restore: not a DuckDB file", ["restore", str(foreign), "--db",
                                          str(tmp_path / "r.duckdb")],
           ("notes.duckdb", "damaged, or not a DuckDB file"))
    refuse("restore: into an existing file", ["restore", str(out), "--db", str(db)],
           (str(db), "exists"), db=db)
    refuse("backup: over an existing file", ["backup", "--db", str(db), str(out)],
           (str(out), "exists"), db=out)
    refuse("store copy: onto an existing file", ["store", "copy", str(db), str(out)],
           (str(out), "exists"), db=out)
    assert not (tmp_path / "r.duckdb").exists()


def test_damaged_or_newer_backups_refused(db: Path, tmp_path: Path,
                                          refuse: Refusal) -> None:
    damaged, newer = tmp_path / "damaged.duckdb", tmp_path / "newer.duckdb"
    run("backup", "--db", db, damaged)
    run("backup", "--db", db, newer)
    with Store(damaged) as store:
        store.execute("DELETE FROM people WHERE person_id IN "
                      "(SELECT min(person_id) FROM people)")
    with Store(newer) as store:
        store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    target = tmp_path / "r.duckdb"
    refuse("restore: a damaged backup (a row missing)",
           ["restore", str(damaged), "--db", str(target)], ("damaged", "people"))
    refuse("restore: a backup of a newer schema",
           ["restore", str(newer), "--db", str(target)], ("newer povertycloud",))
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(newer.read_bytes()[:20_000])
    refuse("restore: a truncated backup", ["restore", str(truncated), "--db", str(target)],
           ("truncated.duckdb", "damaged"))
    assert not target.exists() and not list(tmp_path.glob("r.duckdb*"))


def test_postgresql_targets_refused(db: Path, pg_store: str, tmp_path: Path,
                                    refuse: Refusal) -> None:
    out = tmp_path / "b.duckdb"
    run("backup", "--db", db, out)
    before = tally_of(pg_store)
    refuse("restore: into a PostgreSQL store that holds rows",
           ["restore", str(out), "--db", pg_store], ("already holds rows",))
    assert tally_of(pg_store) == before
    unreachable = "postgresql://someone:secret@127.0.0.1:1/nowhere"
    for args in (["backup", "--db", unreachable, str(tmp_path / "x.duckdb")],
                 ["restore", str(out), "--db", unreachable]):
        message = refuse(f"{args[0]}: an unreachable PostgreSQL",
                         args, ("cannot connect", "127.0.0.1:1"))
        assert "secret" not in message
    refuse("backup: into PostgreSQL", ["backup", "--db", str(db), pg_store],
           ("a backup is a DuckDB file", "store copy"))


def test_backup_of_a_file_another_process_holds(db: Path, tmp_path: Path,
                                                refuse: Refusal) -> None:
    with holding(db):
        refuse("backup: a DuckDB file the server holds",
               ["backup", "--db", str(db), str(tmp_path / "b.duckdb")],
               (str(db), "held by", "backup job"))
    assert not (tmp_path / "b.duckdb").exists()


def test_a_backup_by_the_process_that_holds_a_file(db: Path, tmp_path: Path) -> None:
    """The server's backup job on an embedded store: a handle of its own on the store,
    while another handle of the process writes; the backup is the moment it began."""
    with Store(db) as store:
        before, writer = store.count("audit_log"), store.cursor()

        def counter(table: str, done: int, total: int) -> None:
            if done == 1:  # before audit_log is read
                writer.audit("written during the backup")

        manifest = backup(store.cursor(), tmp_path / "b.duckdb", counter)
        assert manifest.tally["audit_log"][0] == before
        assert store.count("audit_log") == before + 1
    assert tally_of(tmp_path / "b.duckdb") == manifest.tally
