"""The store as the one door: its typed helpers, handles for threads, statement logging
with a slow-statement threshold, and named queries kept beside their domain."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from povertycloud.errors import PovertyCloudError
from povertycloud.store import Queries, Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "store.duckdb") as s:
        s.execute("CREATE TABLE t (k INTEGER, v VARCHAR)")
        s.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL)")
        yield s


def test_the_helpers_give_rows_records_and_values(store: Store) -> None:
    assert store.rows("SELECT k FROM t WHERE k > ? ORDER BY k", [1]) == [(2,), (3,)]
    assert store.one("SELECT k, v FROM t WHERE k = ?", [2]) == (2, "b")
    assert store.one("SELECT k FROM t WHERE k = 9") is None
    assert store.records("SELECT * FROM t WHERE k = 1") == [{"k": 1, "v": "a"}]
    assert store.record("SELECT * FROM t WHERE k = 9") is None
    assert store.value("SELECT v FROM t WHERE k = 3") is None
    assert store.scalar("SELECT max(k) FROM t") == 3
    assert store.scalar("SELECT max(k) FROM t WHERE k > 9") == 0  # NULL counts as none
    assert store.column("SELECT v FROM t ORDER BY k") == ["a", "b", None]
    assert store.arrow("SELECT k FROM t ORDER BY k").column("k").to_pylist() == [1, 2, 3]
    assert store.columns("t") == {"k": "INTEGER", "v": "VARCHAR"}


def test_an_insert_gives_the_rows_it_added(store: Store) -> None:
    assert store.scalar("INSERT INTO t SELECT k + 10, v FROM t") == 3
    assert store.count("t") == 6


def test_tables_views_and_the_latest_year(store: Store) -> None:
    assert store.has_table("t") and "t" in store.tables()
    assert not store.has_table("nothing_like_it")
    store.execute("CREATE TEMP TABLE scratch AS SELECT 1")
    assert not store.has_table("scratch")  # temporary tables are not the store's
    store.execute("CREATE VIEW w AS SELECT * FROM t")
    assert store.has_view("w") and not store.has_table("w")
    assert store.latest_year("household_years") is None
    store.execute("CREATE TABLE ys AS SELECT * FROM range(2014, 2021) r(year)")
    assert store.latest_year("ys") == 2020


def test_an_arrow_table_is_readable_only_while_registered(store: Store) -> None:
    with store.registered("incoming", pa.table({"k": [7, 8]})):
        assert store.scalar("SELECT sum(k) FROM incoming") == 15
    with pytest.raises(store.Error):
        store.execute("SELECT * FROM incoming")


def test_a_transaction_is_all_or_nothing_and_joins_an_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO t VALUES (4, 'd')")
        with store.transaction():  # joins: the outer rollback undoes it too
            store.execute("INSERT INTO t VALUES (5, 'e')")
        raise RuntimeError("stop")
    assert store.count("t") == 3
    with store.transaction() as same:
        assert same is store
        store.execute("INSERT INTO t VALUES (4, 'd')")
    assert store.count("t") == 4


def test_a_cursor_is_a_handle_of_its_own_for_a_thread(store: Store) -> None:
    seen: list[int] = []

    def read() -> None:
        handle = store.cursor()
        try:
            seen.append(handle.count("t"))
        finally:
            handle.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [3, 3, 3, 3]
    handle = store.cursor()
    with handle.transaction():  # its own transaction, unseen by the store until commit
        handle.execute("INSERT INTO t VALUES (9, 'z')")
        assert store.count("t") == 3
    assert store.count("t") == 4
    handle.close()
    assert store.count("t") == 4  # closing a handle leaves the store open


def test_statements_are_logged_with_their_time_never_their_parameters(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="povertycloud.store"):
        store.one("SELECT k FROM t WHERE v = ?", ["110101199003070018"])
    [entry] = [r for r in caplog.records if "FROM t WHERE v = ?" in r.getMessage()]
    assert entry.levelno == logging.DEBUG
    assert " ms: SELECT k FROM t WHERE v = ?" in entry.getMessage()
    assert "110101199003070018" not in caplog.text


def test_a_statement_slower_than_the_threshold_is_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    Store.create(tmp_path / "s.duckdb").close()
    monkeypatch.setenv("POVERTYCLOUD_SLOW_STATEMENT_MS", "0")
    with Store(tmp_path / "s.duckdb") as store, \
            caplog.at_level(logging.WARNING, logger="povertycloud.store"):
        assert store.slow_ms == 0
        store.scalar("SELECT count(*) FROM range(1000)")
    assert any(r.levelno == logging.WARNING and "slow statement" in r.getMessage()
               and "range(1000)" in r.getMessage() for r in caplog.records)
    with Store(tmp_path / "s.duckdb", slow_ms=60_000) as store, \
            caplog.at_level(logging.WARNING, logger="povertycloud.store"):
        caplog.clear()
        store.scalar("SELECT count(*) FROM range(1000)")
    assert not caplog.records


def test_named_queries_are_read_from_the_file_beside_their_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "somedomain"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "queries.sql").write_text(
        "-- name: first\nSELECT 1;\n\n-- name: second\nSELECT 2\nFROM t;\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    queries = Queries("somedomain")
    assert queries.names() == ["first", "second"]
    assert queries["first"] == "SELECT 1"
    assert queries["second"] == "SELECT 2\nFROM t"
    with pytest.raises(PovertyCloudError, match=r"somedomain/queries\.sql has no query named x"):
        queries["x"]


def test_every_shipped_named_query_parses_and_is_used() -> None:
    package = Path(__file__).resolve().parents[2] / "src" / "povertycloud"
    files = sorted(package.glob("*/queries.sql"))
    assert files  # access/ and feeds/ keep theirs beside their code
    code = "\n".join(p.read_text("utf-8") for p in package.rglob("*.py"))
    for file in files:
        queries = Queries(f"povertycloud.{file.parent.name}")
        for name in queries.names():
            assert f'QUERIES["{name}"]' in code, f"{file}: {name} is never used"
