"""The embedded default: DuckDB, in memory or inside a store (over its connection)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..sqltext import literal
from .base import BatchMap, Dialect, Engine, StoreConnection

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPI


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = Dialect()  # the canonical one
    in_store = True

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None, *,
                 threads: int | None = None) -> None:
        self.owned = con is None
        self.con = con if con is not None else duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        if threads is not None:  # one thread: sums of doubles the same to the last bit
            self.con.execute(f"SET threads = {int(threads)}")

    @classmethod
    def for_store(cls, store: StoreConnection) -> DuckDBEngine:
        """Inside the store: steps are temporary views and tables over its own tables."""
        return cls(store.con)

    def relation(self, name: str) -> str:
        return f"temp.main.{name}"

    def register_parquet(self, name: str, path: Path) -> None:
        target = f"{path}/**/*.parquet" if Path(path).is_dir() else str(path)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                         f"SELECT * FROM read_parquet({literal(target)})")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.drop(name)
        self.con.register(name, table)  # no copy: a temporary view until dropped

    def write_parquet(self, name: str, path: Path) -> None:
        self.write(name, path, "PARQUET")

    def write(self, name: str, path: Path, fmt: str) -> None:
        """Write the view or table ``name`` to ``path`` in DuckDB's ``COPY`` format
        ``fmt`` (``PARQUET``, or ``CSV, HEADER``)."""
        self.con.execute(f"COPY {name} TO {literal(path)} (FORMAT {fmt})")

    def _create_view(self, name: str, sql: str) -> None:
        self.drop(name)
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")

    def _materialize(self, name: str, sql: str) -> None:
        self.drop(name)
        self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")

    def _map_batches(self, name: str, sql: str, batches: BatchMap) -> None:
        """Stream the query's batches through the function in this process; the mapped
        rows become a temporary table."""
        reader = self.con.sql(sql).to_arrow_reader(batches.rows)
        mapped = pa.Table.from_batches([batches.function(b) for b in reader],
                                       schema=batches.schema)
        self.drop(name)
        self.con.register("_mapped_batches", mapped)
        try:
            self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _mapped_batches")
        finally:
            self.con.unregister("_mapped_batches")

    def drop(self, name: str) -> None:
        """Drop the temporary view or table ``name`` (a plan may view what another plan
        materialised); stored tables of the same name are left alone."""
        row = self.con.execute(
            "SELECT 'VIEW' FROM duckdb_views() WHERE database_name = 'temp' AND view_name = ? "
            "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE database_name = 'temp' "
            "AND table_name = ?", [name, name]).fetchone()
        if row:
            self.con.execute(f"DROP {row[0]} temp.main.{name}")

    def _query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def splink_api(self) -> DatabaseAPI[Any]:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def close(self) -> None:
        if self.owned:
            self.con.close()
