"""Ids drawn from a sequence for many rows, numbered in the caller's order."""

from __future__ import annotations

from pathlib import Path

from povertycloud.store import Store

ROWS = 300_000  # beyond a row group, where DuckDB's own numbering follows no order


def test_drawn_ids_follow_the_order_given_and_the_sequence_moves_past_them(
        tmp_path: Path) -> None:
    with Store.create(tmp_path / "store.duckdb") as store:
        store.execute("CREATE SEQUENCE things START 1")
        store.execute("CREATE TABLE t (id BIGINT PRIMARY KEY DEFAULT nextval('things'), "
                      "k DOUBLE)")
        store.execute("CREATE TEMP TABLE src AS SELECT random() AS k FROM range(?)", [ROWS])
        with store.transaction():
            first = store.draw("things", ROWS)
            store.execute(f"INSERT INTO t SELECT {first} + row_number() OVER (ORDER BY k), k "
                          "FROM src")
        assert first == 0
        assert store.scalar("SELECT count(*) FROM (SELECT id, row_number() OVER "
                            "(ORDER BY k) AS n FROM t) WHERE id <> n") == 0
        store.execute("INSERT INTO t (k) VALUES (2)")  # the sequence goes on after them
        assert store.scalar("SELECT id FROM t WHERE k = 2") == ROWS + 1
        assert store.draw("things", 0) == 0
