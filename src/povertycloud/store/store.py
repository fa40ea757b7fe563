"""The embedded store: one DuckDB file holding the registry, its batches and quarantine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from .. import __version__
from ..errors import StoreError
from ..standard.tables import VERSION as STANDARD_VERSION
from .migrations import MIGRATIONS, SCHEMA_VERSION, apply

MEMORY_LIMIT = "6GB"  # DuckDB's working memory for a store; more spills to disk
MEMORY_VARIABLE = "POVERTYCLOUD_MEMORY_LIMIT"


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on ``con`` (a store's connection or a cursor of it): everything
    inside happens, or nothing does."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def audit_entry(con: duckdb.DuckDBPyConnection, action: str, *, username: str | None = None,
                role: str | None = None, user_id: int | None = None,
                object_kind: str | None = None, object_id: str | None = None,
                region_code: str | None = None, detail: str | None = None,
                client: str | None = None) -> None:
    """One line of the audit log (who did what to which object, in which region); never
    a sensitive value."""
    con.execute(
        "INSERT INTO audit_log (logged_at, user_id, username, role, action, object_kind, "
        "object_id, region_code, detail, client) VALUES (now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [user_id, username, role, action, object_kind, object_id, region_code, detail,
         client])


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """The integer a query of one value gives (0 when it gives no row)."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def inserted(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
             ) -> int:
    """Run an INSERT; the rows it added."""
    return scalar(con, sql, params)


def records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows of an executed query as dicts keyed by column name."""
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


class Store:
    """A povertycloud store in one DuckDB file.

    Open an existing store with ``Store(path)``; ``Store.create(path)`` makes a new one.
    Opening a store of an older schema migrates it; a newer one is refused.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._in_transaction = False
        if not self.path.exists():
            raise StoreError(f"no store at {self.path}: create one with "
                             f"`povertycloud synth --db {self.path}` or "
                             f"`povertycloud store init {self.path}`")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path} is not a povertycloud store: {exc}") from None
        self.con.execute("SET enable_progress_bar = false")
        # Beyond this DuckDB spills to disk, so a province of millions stays within memory.
        self.con.execute(f"SET memory_limit = '{os.environ.get(MEMORY_VARIABLE, MEMORY_LIMIT)}'")
        self._check_version(read_only)

    @classmethod
    def create(cls, path: Path) -> Store:
        """A new, empty store at ``path``, which must not exist."""
        path = Path(path)
        if path.exists():
            raise StoreError(f"{path} already exists; choose another path or remove it")
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE pc_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO pc_meta VALUES ('schema_version', '0'), "
                    "('created_by', ?)", [__version__])
        con.close()
        return cls(path)

    @property
    def schema_version(self) -> int:
        row = self.con.execute(
            "SELECT value FROM pc_meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self, read_only: bool) -> None:
        try:
            version = self.schema_version
        except duckdb.CatalogException:
            self.con.close()
            raise StoreError(f"{self.path} is a DuckDB file but not a povertycloud store") \
                from None
        if version > SCHEMA_VERSION:
            self.con.close()
            raise StoreError(
                f"{self.path} was written by a newer povertycloud (schema version {version}, "
                f"this program knows up to {SCHEMA_VERSION}); upgrade povertycloud to open it")
        if version < SCHEMA_VERSION:
            if read_only:
                self.con.close()
                raise StoreError(f"{self.path} needs migrating; open it for writing once")
            self.migrate()

    def migrate(self) -> None:
        """Apply the migrations this store lacks, all in one transaction."""
        with self.transaction():
            for migration in MIGRATIONS[self.schema_version:]:
                apply(self.con, migration)
            self.con.execute("INSERT OR REPLACE INTO pc_meta VALUES ('schema_version', ?)",
                             [str(SCHEMA_VERSION)])
            self.con.execute("INSERT OR REPLACE INTO pc_meta VALUES ('standard_version', ?)",
                             [STANDARD_VERSION])

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Everything inside happens, or nothing does. Inside another transaction of
        this store it joins that one (DuckDB has no nested transactions): the outer
        one commits or rolls back everything."""
        if self._in_transaction:
            yield self.con
            return
        self._in_transaction = True
        try:
            with atomic(self.con):
                yield self.con
        finally:
            self._in_transaction = False

    @property
    def catalog(self) -> str:
        """The name DuckDB gives this store's database (its file name without suffix)."""
        row = self.con.execute("SELECT current_database()").fetchone()
        return str(row[0]) if row else ""

    def tables(self) -> set[str]:
        """Names of the tables the store holds."""
        return {r[0] for r in self.con.execute("SHOW TABLES").fetchall()}

    def count(self, table: str) -> int:
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def next_batch_id(self) -> int:
        row = self.con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchone()
        return int(row[0]) if row else 1

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
