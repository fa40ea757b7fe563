"""Where a store keeps its data: one DuckDB file (the embedded default) or a PostgreSQL
database (the operational store of a deployment with many users).

Either way the store talks to DuckDB, and every statement stays in DuckDB's dialect: a
PostgreSQL database is ATTACHed to an in-memory DuckDB through its postgres extension and
made the default catalog, so reads, writes and transactions go to PostgreSQL while the
analytics run in DuckDB over its tables. What differs is a property of the backend: where
the tables are, how a migration's DDL is run, how ids are drawn from a sequence.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import duckdb

from ..errors import StoreError
from . import append_only, extensions, indexes, keys, sealing
from .keys import Key
from .native import CATALOG, asked_there, quoted, run_there
from .sealed_sql import SCHEMA
from .sealing import SealedTables

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
LOCK_TIMEOUT_VARIABLE = "POVERTYCLOUD_LOCK_TIMEOUT_MS"
LOCK_TIMEOUT_MS = 10_000
POOL = 16  # PostgreSQL connections a process keeps (4 workers: 64 of the default 100)
# Threads of a process that use the store at once, below its pool: one connection is the
# catalogue's, the server's job runner keeps two, and past the pool every statement opens
# (and authenticates) a connection of its own, which the server then waits on.
AT_ONCE = POOL - 4
_PASSWORD = re.compile(r"(://[^:/@]+):[^@]*@")


def is_url(target: Path | str) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a file."""
    return str(target).startswith(POSTGRES_SCHEMES)


class Backend(Protocol):
    schema: str  # the schema the tables are in

    @property
    def label(self) -> str: ...  # how messages name the store: a path, or a URL sans password

    @property
    def scratch(self) -> Path | None: ...  # a folder for temporary files; None: the system's

    @property
    def file(self) -> Path | None: ...  # the file that holds the data, if one does

    @property
    def at_once(self) -> int | None: ...  # threads to use the store at once at most; None: any

    def exists(self) -> bool: ...

    def not_a_store(self) -> str: ...  # what a database without pc_meta is

    def connect(self, read_only: bool) -> duckdb.DuckDBPyConnection: ...

    def use(self, con: duckdb.DuckDBPyConnection) -> None: ...  # a new cursor's default

    def ddl(self, sql: str) -> list[str]: ...  # the statements that run a migration

    def protect_sql(self, tables: list[str]) -> list[str]: ...  # append-only, natively

    def draw_sql(self, sequence: str, count: int) -> str: ...

    def sequences_sql(self) -> str: ...  # each sequence's name and the last number drawn

    def latest_sql(self, table: str, column: str) -> str: ...  # the largest value of a column

    def index_sql(self, table: str) -> list[str]: ...  # the indexes ``table`` needs here

    def views_sql(self) -> str: ...  # each view's name and the statement that makes it

    def tables_sql(self) -> str: ...  # the names of the tables (not views)

    def forget_catalog(self, con: duckdb.DuckDBPyConnection) -> bool: ...

    def rewritten(self, sql: str, columns_of: Callable[[str], list[str]]) -> str: ...

    def lookup_hash(self, value: str) -> str: ...  # SQL: a value's hash kept for look-ups

    # a store just opened: the statements its opening needs run (the store runs them)
    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> list[str]: ...

    def seal(self, con: duckdb.DuckDBPyConnection, table: str | None,
             read_only: bool = False) -> list[str]: ...

    def rekey(self, con: duckdb.DuckDBPyConnection, key: Key) -> list[str]: ...

    # after each statement (and after ``table`` was sealed): views for sealed tables made
    def settle(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None: ...


@dataclass
class EmbeddedFile:
    """One DuckDB file: zero set-up, one machine, one writing process at a time; with a
    key, the file (and its write-ahead log) encrypted by DuckDB."""

    path: Path
    key: Key | None = None
    schema: str = "main"

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def scratch(self) -> Path | None:
        return self.path.parent

    @property
    def file(self) -> Path | None:
        return self.path

    @property
    def at_once(self) -> int | None:
        return None

    def exists(self) -> bool:
        return self.path.exists()

    def not_a_store(self) -> str:
        return f"{self.path} is a DuckDB file but not a povertycloud store"

    def connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if self.key is None:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.CatalogException as exc:
                raise self._key_problem(exc) or exc from None
        # httpfs: DuckDB writes encrypted files with its OpenSSL
        return _attached("httpfs", str(self.path), f"ENCRYPTION_KEY '{self.key}'", read_only,
                         lambda exc: self._key_problem(exc) or exc)

    def _key_problem(self, exc: duckdb.Error) -> StoreError | None:
        """What a refusal to open the file says of the key, if it is about the key."""
        text = str(exc)
        where = self.key.source if self.key is not None else ""
        if "Wrong encryption key" in text:
            return StoreError(f"{self.path} was encrypted with another key than the one in "
                              f"{where}: give the store's own key")
        if "without a key" in text:
            return StoreError(f"{self.path} is encrypted: give its key in "
                              f"{keys.FILE_VARIABLE} (a file) or {keys.VALUE_VARIABLE}")
        if "is not encrypted" in text:
            return StoreError(f"{self.path} is not encrypted, but a key is set ({where}): "
                              "unset it to open this store, or encrypt the store with "
                              "`povertycloud keys rotate`")
        return None

    def use(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.key is not None:  # an attached file: a new cursor starts in memory
            con.execute(f"USE {CATALOG}")

    def ddl(self, sql: str) -> list[str]:
        return [sql]

    def protect_sql(self, tables: list[str]) -> list[str]:
        return []  # one process, whose store refuses the change (append_only)

    def draw_sql(self, sequence: str, count: int) -> str:
        return f"SELECT max(nextval('{sequence}')) FROM range({int(count)})"

    def sequences_sql(self) -> str:
        return ("SELECT sequence_name, last_value FROM duckdb_sequences() "
                "WHERE database_name = current_database()")

    def latest_sql(self, table: str, column: str) -> str:
        return f"SELECT max({column}) FROM {table}"

    def index_sql(self, table: str) -> list[str]:
        return []  # zone maps do: an index would only slow the bulk writes

    def views_sql(self) -> str:
        return ("SELECT view_name, sql FROM duckdb_views() WHERE database_name = "
                f"current_database() AND schema_name = '{self.schema}' AND NOT internal")

    def tables_sql(self) -> str:
        return ("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                f"current_database() AND schema_name = '{self.schema}'")

    def forget_catalog(self, con: duckdb.DuckDBPyConnection) -> bool:
        return False  # one process: the catalogue it sees is the file's

    def rewritten(self, sql: str, columns_of: Callable[[str], list[str]]) -> str:
        return sql  # the whole file is encrypted, or none of it

    def lookup_hash(self, value: str) -> str:
        return f"hash({value})"

    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> list[str]:
        return []

    def seal(self, con: duckdb.DuckDBPyConnection, table: str | None,
             read_only: bool = False) -> list[str]:
        return []

    def settle(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
        pass

    def rekey(self, con: duckdb.DuckDBPyConnection, key: Key) -> list[str]:
        raise StoreError(f"{self.path} is encrypted whole: it is encrypted again by a copy "
                         "(`povertycloud keys rotate`)")


@dataclass
class PostgresDatabase:
    """A PostgreSQL database, attached to DuckDB: many processes at once, row locks,
    transactions that other connections see whole or not at all."""

    url: str
    key: Key | None = None
    schema: str = "public"
    sealed: SealedTables | None = None  # with a key, once opened

    @property
    def label(self) -> str:
        return _PASSWORD.sub(r"\1@", self.url)  # never a password in a message or a log

    @property
    def scratch(self) -> Path | None:
        return None

    @property
    def file(self) -> Path | None:
        return None

    @property
    def at_once(self) -> int | None:
        return AT_ONCE

    def exists(self) -> bool:
        return True  # a database that cannot be reached says so when connected

    def not_a_store(self) -> str:
        return (f"{self.label} holds no povertycloud store: create one with "
                f"`povertycloud store init {self.label}`")

    def connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        # one query per scan, which PostgreSQL answers from an index when the filters
        # allow, rather than one per 1,000 pages of the table, each reading its range
        # (GLOBAL: for every cursor too, each web request's, not only this connection);
        # and connections kept for the threads of a web worker (``AT_ONCE``)
        con = _attached("postgres_scanner", _waiting_at_most(self.url), "TYPE postgres",
                        read_only, self._unreachable,
                        ("SET GLOBAL pg_use_ctid_scan = false",
                         f"SET pg_pool_max_connections = {POOL}"))
        self.use(con)
        return con

    def _unreachable(self, exc: duckdb.Error) -> Exception:
        reason = _PASSWORD.sub(r"\1@", str(exc).split("\n")[0].removeprefix("IO Error: "))
        return StoreError(f"cannot connect to {self.label}: {reason}")

    def use(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"USE {CATALOG}")
        # a sealed table's name is its view, found after the tables of the store's schema
        con.execute(f"SET search_path = '{CATALOG}.{self.schema},memory.main'")

    def ddl(self, sql: str) -> list[str]:
        """Each statement of DuckDB's DDL, translated to PostgreSQL's to run there (DuckDB
        cannot create a sequence in an attached database, nor a default that draws on one),
        then DuckDB's cache of the catalogue cleared."""
        import sqlglot

        return [run_there(sqlglot.transpile(s.query, read="duckdb", write="postgres")[0])
                for s in duckdb.extract_statements(sql)] + ["CALL pg_clear_cache()"]

    def protect_sql(self, tables: list[str]) -> list[str]:
        """A trigger on each append-only table: another client is refused as well."""
        return append_only.trigger_sql(tables)

    def draw_sql(self, sequence: str, count: int) -> str:
        return "SELECT max(n) FROM " + asked_there(
            f"SELECT nextval('{sequence}') AS n FROM generate_series(1, {int(count)})")

    def sequences_sql(self) -> str:
        return "SELECT * FROM " + asked_there(
            f"SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = "
            f"'{self.schema}'")

    def latest_sql(self, table: str, column: str) -> str:
        """Asked of PostgreSQL whole, which answers from an index where there is one:
        DuckDB passes no aggregate down, and would read the column whole to find it. A
        sealed column is read through its view (PostgreSQL holds only ciphertext)."""
        if self.sealed is not None and column in self.sealed.sealing.tables.get(table, {}):
            return f"SELECT max({column}) FROM {table}"
        return "SELECT * FROM " + asked_there(f"SELECT max({column}) FROM {table}")

    def index_sql(self, table: str) -> list[str]:
        """Run in PostgreSQL itself: DuckDB makes no index with a collation (nor is a
        temporary view of DuckDB's taken there for the table)."""
        return [run_there(s) for s in indexes.statements(table)]

    def views_sql(self) -> str:
        return "SELECT * FROM " + asked_there(
            "SELECT viewname::text AS name, 'CREATE VIEW ' || viewname || ' AS ' || "
            f"definition AS sql FROM pg_views WHERE schemaname = '{self.schema}'")

    def tables_sql(self) -> str:
        return "SELECT * FROM " + asked_there(
            f"SELECT tablename::text FROM pg_tables WHERE schemaname IN ('{self.schema}', "
            f"'{SCHEMA}')")

    def forget_catalog(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Forget the tables DuckDB has cached: another process may have made one (a
        sealed one gets its view)."""
        con.execute("CALL pg_clear_cache()")
        if self.sealed is not None:
            self.sealed.views(con)
        return True

    def rewritten(self, sql: str, columns_of: Callable[[str], list[str]]) -> str:
        return sql if self.sealed is None else self.sealed.sealing.rewrite(sql, columns_of)

    def lookup_hash(self, value: str) -> str:
        """The keyed hash where values are sealed (a plain hash of an ID number could be
        reversed by trying every number)."""
        return f"hash({value})" if self.sealed is None else f"pc_mac({value})"

    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> list[str]:
        """With a key, what seals the tables not sealed yet (the views that open them
        are made when the catalogue is read afresh, ``forget_catalog``)."""
        self.sealed, pending = sealing.opened(con, self.key, self.label, self.schema,
                                              read_only)
        return pending

    def seal(self, con: duckdb.DuckDBPyConnection, table: str | None,
             read_only: bool = False) -> list[str]:
        return [] if self.sealed is None else self.sealed.seal(con, table, read_only)

    def settle(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
        if self.sealed is not None:
            self.sealed.settle(con, table)

    def rekey(self, con: duckdb.DuckDBPyConnection, key: Key) -> list[str]:
        """The statements that seal the store with ``key``: again, or for the first time."""
        if self.sealed is not None:
            return self.sealed.rekey(con, key)
        self.sealed, statements = sealing.sealed_from_now(con, key, self.label, self.schema)
        return statements

def _attached(extension: str, where: str, options: str, read_only: bool,
              refused: Callable[[duckdb.Error], Exception],
              settings: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the database ``where`` attached (with ``extension``
    loaded and ``settings`` made) as its default catalogue; ``refused`` says why it
    could not be."""
    con = duckdb.connect()
    extensions.load(con, extension)
    for setting in settings:
        con.execute(setting)
    mode = ", READ_ONLY" if read_only else ""
    try:
        con.execute(f"ATTACH '{quoted(where)}' AS {CATALOG} ({options}{mode})")
    except duckdb.Error as exc:
        con.close()
        raise refused(exc) from None
    con.execute(f"USE {CATALOG}")
    return con


def _waiting_at_most(url: str) -> str:
    """``url`` with PostgreSQL's lock timeout: a write that waits longer for a row another
    transaction holds gives up (a conflict, as DuckDB's own writes do at once), so a
    request never hangs behind a long batch. Options the URL sets are kept."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    limit = int(os.environ.get(LOCK_TIMEOUT_VARIABLE, LOCK_TIMEOUT_MS))
    # native statements (an index, a migration) find a sealed table by its name too
    query.setdefault("options", f"-c lock_timeout={limit} -c search_path=public,"
                     f"{SCHEMA}")
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def backend(target: Path | str, key: Key | None = None) -> EmbeddedFile | PostgresDatabase:
    """The backend ``target`` names: a PostgreSQL URL, or the path of a DuckDB file
    (encrypted with ``key``, if given)."""
    if is_url(target):
        return PostgresDatabase(str(target), key)
    return EmbeddedFile(Path(target), key)

