"""The store on either backend: a DuckDB file or a PostgreSQL database, the same schema
from the same migrations, the same answers, transactions whole or not at all, two
writers of one row of which exactly one wins, and clear refusals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests import postgres
from tests.conftest import CLI, Refusal

from povertycloud.errors import StoreError
from povertycloud.store import Store, StoreConflict
from povertycloud.store.backends import POOL
from povertycloud.store.copy import copy_store, tally
from povertycloud.store.migrations import SCHEMA_VERSION


@pytest.fixture(params=["duckdb", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where a new store goes: a file's path, or an empty PostgreSQL database."""
    if request.param == "duckdb":
        yield tmp_path / "store.duckdb"
        return
    with postgres.server().database() as url:
        yield url


@pytest.fixture
def store(target: Path | str) -> Iterator[Store]:
    with Store.create(target) as created:
        yield created


def test_both_backends_have_the_same_tables_and_types(tmp_path: Path) -> None:
    with postgres.server().database() as url, Store.create(url) as there, \
            Store.create(tmp_path / "here.duckdb") as here:
        assert there.schema_version == here.schema_version == SCHEMA_VERSION
        assert there.tables() == here.tables()
        for table in here.tables():
            assert there.columns(table) == here.columns(table), table


def test_a_transaction_is_whole_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO pc_meta VALUES ('a', '1')")
        raise RuntimeError("half-way")
    assert store.value("SELECT value FROM pc_meta WHERE key = 'a'") is None
    with store.transaction():
        store.set_meta("a", "2")
        store.set_meta("a", "3")
    assert store.value("SELECT value FROM pc_meta WHERE key = 'a'") == "3"


def test_ids_are_drawn_in_order(store: Store) -> None:
    assert store.draw("user_ids", 3) == 0
    assert store.draw("user_ids", 2) == 3
    assert store.sequences()["user_ids"] == 5


def test_views_are_told_from_tables(store: Store) -> None:
    store.execute("CREATE VIEW meta_keys AS SELECT key FROM pc_meta")
    assert store.has_view("meta_keys") and not store.has_table("meta_keys")
    assert store.has_table("people") and not store.has_view("people")


def test_a_second_handle_sees_a_commit_whole(store: Store) -> None:
    other = store.cursor()
    try:
        with store.transaction():
            store.execute("INSERT INTO pc_meta VALUES ('b', '1'), ('c', '1')")
            assert other.scalar("SELECT count(*) FROM pc_meta WHERE key IN ('b', 'c')") == 0
        assert other.scalar("SELECT count(*) FROM pc_meta WHERE key IN ('b', 'c')") == 2
    finally:
        other.close()


def test_every_handle_reads_a_postgresql_table_in_one_query() -> None:
    """A web request's handle (a cursor), not only the store's first connection, asks
    PostgreSQL one query per scan, which an index answers, rather than one per 1,000 pages
    of the table (each reading its range); and a server's threads stay below the
    connections a process keeps."""
    with postgres.server().database() as url, Store.create(url) as store:
        handle = store.cursor()
        try:
            assert handle.value("SELECT current_setting('pg_use_ctid_scan')") is False
        finally:
            handle.close()
        assert store.backend.at_once is not None and store.backend.at_once < POOL


def test_a_table_seen_is_not_asked_for_again_until_one_may_be_dropped(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    store.execute("CREATE TABLE seen (x INTEGER)")
    assert store.has_table("seen")
    handle = store.cursor()
    try:
        with caplog.at_level(logging.DEBUG, logger="povertycloud.store"):
            assert handle.has_table("seen") and handle.has_table("people")
        assert not caplog.records  # remembered by the store, for its every handle
        handle.execute("DROP TABLE seen")
        assert not store.has_table("seen") and store.has_table("people")
    finally:
        handle.close()
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("CREATE TABLE undone (x INTEGER)")
        assert store.has_table("undone")
        raise RuntimeError("rolled back")
    assert not store.has_table("undone")


def test_of_two_writers_of_one_row_exactly_one_wins(store: Store) -> None:
    """What the procedure's version column relies on: an update that checks the
    version it read changes the row for one writer only."""
    store.execute("INSERT INTO pc_meta VALUES ('version', '0')")
    barrier, won, lost = threading.Barrier(2), [], []

    def step(name: str) -> None:
        handle = store.cursor()
        try:
            with handle.transaction():
                barrier.wait()
                changed = handle.scalar("UPDATE pc_meta SET value = ? WHERE key = 'version' "
                                        "AND value = '0'", [name])
                (won if changed else lost).append(name)
        except StoreConflict:
            lost.append(name)
        finally:
            handle.close()

    threads = [threading.Thread(target=step, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(won) == 1 and len(lost) == 1
    assert store.value("SELECT value FROM pc_meta WHERE key = 'version'") == won[0]


def test_a_store_copied_to_the_other_backend_is_equal(store: Store, tmp_path: Path) -> None:
    store.execute("INSERT INTO pc_meta VALUES ('copied', 'yes')")
    store.draw("flag_ids", 7)
    store.execute("CREATE VIEW meta_keys AS SELECT key FROM pc_meta")
    with postgres.server().database() as url:
        other = url if store.backend.file is not None else tmp_path / "other.duckdb"
        with Store.create(other) as copy:
            copied = copy_store(store, copy)
            assert tally(copy) == copied == tally(store)
            assert copy.sequences()["flag_ids"] == 7
            assert copy.has_view("meta_keys")


def test_a_copy_into_a_store_with_rows_is_refused(store: Store, tmp_path: Path) -> None:
    store.execute("INSERT INTO rate_events VALUES ('login', 'k', 1.0)")
    with Store.create(tmp_path / "source.duckdb") as source, \
            pytest.raises(StoreError, match="already holds rows"):
        copy_store(source, store)


def test_a_newer_schema_is_refused(target: Path | str) -> None:
    with Store.create(target) as store:
        store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer povertycloud"):
        Store(target)


def test_an_unreachable_database_is_a_clear_error(refuse: Refusal) -> None:
    message = refuse("a PostgreSQL server that does not answer",
                     ["store", "info", "postgresql://someone:secret@127.0.0.1:1/nowhere"],
                     names=("cannot connect to postgresql://someone@127.0.0.1:1/nowhere",))
    assert "secret" not in message  # never a password in a message


def test_a_database_of_something_else_is_refused(refuse: Refusal) -> None:
    with postgres.server().database() as url:
        with Store.create(url) as store:
            store.execute("DROP TABLE pc_meta")
        refuse("a PostgreSQL database that is not a store", ["store", "info", url],
               names=("holds no povertycloud store", "store init"))


def test_init_refuses_a_database_that_holds_tables(refuse: Refusal) -> None:
    with postgres.server().database() as url:
        Store.create(url).close()
        refuse("store init on a database with tables", ["store", "init", url],
               names=("already holds tables",))


def test_the_cli_takes_the_store_from_the_environment(tmp_path: Path) -> None:
    import os
    import subprocess

    with postgres.server().database() as url:
        Store.create(url).close()
        shown = subprocess.run([str(CLI), "users", "list"], capture_output=True, text=True,
                               env=os.environ | {"POVERTYCLOUD_DB": url}, timeout=120)
        assert shown.returncode == 0, shown.stderr
        missing = subprocess.run([str(CLI), "users", "list"], capture_output=True, text=True,
                                 env={k: v for k, v in os.environ.items()
                                      if k != "POVERTYCLOUD_DB"}, timeout=120)
        assert missing.returncode != 0 and "--db" in missing.stderr
