"""The embedded default: DuckDB, in memory or over a store's connection."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from ..sqltext import literal
from .base import Engine


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.owned = con is None
        self.con = con if con is not None else duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")

    def register_parquet(self, name: str, path: Path) -> None:
        target = f"{path}/**/*.parquet" if Path(path).is_dir() else str(path)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                         f"SELECT * FROM read_parquet({literal(target)})")

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")

    def write_parquet(self, name: str, path: Path) -> None:
        self.con.execute(f"COPY {name} TO {literal(path)} (FORMAT PARQUET)")

    def _create_view(self, name: str, sql: str) -> None:
        self._drop_temporary(name)
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")

    def _materialize(self, name: str, sql: str) -> None:
        self._drop_temporary(name)
        self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")

    def _drop_temporary(self, name: str) -> None:
        """Drop an earlier step of that name, view or table (a plan may view what another
        plan materialised); stored tables of the same name are left alone."""
        row = self.con.execute(
            "SELECT 'VIEW' FROM duckdb_views() WHERE database_name = 'temp' AND view_name = ? "
            "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE database_name = 'temp' "
            "AND table_name = ?", [name, name]).fetchone()
        if row:
            self.con.execute(f"DROP {row[0]} temp.main.{name}")

    def _query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        if self.owned:
            self.con.close()
