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
from . import extensions, indexes, keys, sealing
from .keys import Key
from .sealing import Sealer, Sealing

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
LOCK_TIMEOUT_VARIABLE = "POVERTYCLOUD_LOCK_TIMEOUT_MS"
LOCK_TIMEOUT_MS = 10_000
CATALOG = "pc"  # the name of an attached PostgreSQL database inside DuckDB
POOL = 16  # PostgreSQL connections a process keeps (4 workers: 64 of the default 100)
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

    def exists(self) -> bool: ...

    def not_a_store(self) -> str: ...  # what a database without pc_meta is

    def connect(self, read_only: bool) -> duckdb.DuckDBPyConnection: ...

    def use(self, con: duckdb.DuckDBPyConnection) -> None: ...  # a new cursor's default

    def ddl(self, sql: str) -> list[str]: ...  # the statements that run a migration

    def draw_sql(self, sequence: str, count: int) -> str: ...

    def sequences_sql(self) -> str: ...  # each sequence's name and the last number drawn

    def index_sql(self, table: str) -> list[str]: ...  # the indexes ``table`` needs here

    def views_sql(self) -> str: ...  # each view's name and the statement that makes it

    def tables_sql(self) -> str: ...  # the names of the tables (not views)

    def forget_catalog(self, con: duckdb.DuckDBPyConnection) -> bool: ...

    def rewritten(self, sql: str, columns_of: Callable[[str], list[str]]) -> str: ...

    def lookup_hash(self, value: str) -> str: ...  # SQL: a value's hash kept for look-ups

    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> None: ...

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

    def draw_sql(self, sequence: str, count: int) -> str:
        return f"SELECT max(nextval('{sequence}')) FROM range({int(count)})"

    def sequences_sql(self) -> str:
        return ("SELECT sequence_name, last_value FROM duckdb_sequences() "
                "WHERE database_name = current_database()")

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

    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        pass

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
    sealing: Sealing | None = None  # with a key: the sealed tables

    @property
    def label(self) -> str:
        return _PASSWORD.sub(r"\1@", self.url)  # never a password in a message or a log

    @property
    def scratch(self) -> Path | None:
        return None

    @property
    def file(self) -> Path | None:
        return None

    def exists(self) -> bool:
        return True  # a database that cannot be reached says so when connected

    def not_a_store(self) -> str:
        return (f"{self.label} holds no povertycloud store: create one with "
                f"`povertycloud store init {self.label}`")

    def connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        # one query per scan, which PostgreSQL answers from an index when the filters
        # allow, rather than one per 1,000 pages of the table, each reading its range;
        # and connections kept for the threads of a web worker: past the pool, each
        # statement would open (and authenticate) a connection of its own
        con = _attached("postgres_scanner", _waiting_at_most(self.url), "TYPE postgres",
                        read_only, self._unreachable,
                        ("SET pg_use_ctid_scan = false",
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

        return [_run_there(sqlglot.transpile(s.query, read="duckdb", write="postgres")[0])
                for s in duckdb.extract_statements(sql)] + ["CALL pg_clear_cache()"]

    def draw_sql(self, sequence: str, count: int) -> str:
        return "SELECT max(n) FROM " + _asked_there(
            f"SELECT nextval('{sequence}') AS n FROM generate_series(1, {int(count)})")

    def sequences_sql(self) -> str:
        return "SELECT * FROM " + _asked_there(
            f"SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = "
            f"'{self.schema}'")

    def index_sql(self, table: str) -> list[str]:
        """Run in PostgreSQL itself: DuckDB makes no index with a collation (nor is a
        temporary view of DuckDB's taken there for the table)."""
        return [_run_there(s) for s in indexes.statements(table)]

    def views_sql(self) -> str:
        return "SELECT * FROM " + _asked_there(
            "SELECT viewname::text AS name, 'CREATE VIEW ' || viewname || ' AS ' || "
            f"definition AS sql FROM pg_views WHERE schemaname = '{self.schema}'")

    def tables_sql(self) -> str:
        return "SELECT * FROM " + _asked_there(
            f"SELECT tablename::text FROM pg_tables WHERE schemaname IN ('{self.schema}', "
            f"'{sealing.SCHEMA}')")

    def forget_catalog(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Forget the tables DuckDB has cached: another process may have made one (a
        sealed one gets its view)."""
        con.execute("CALL pg_clear_cache()")
        if self.sealing is not None:
            self._views(con)
        return True

    def rewritten(self, sql: str, columns_of: Callable[[str], list[str]]) -> str:
        return sql if self.sealing is None else self.sealing.rewrite(sql, columns_of)

    def lookup_hash(self, value: str) -> str:
        """The keyed hash where values are sealed (a plain hash of an ID number could be
        reversed by trying every number)."""
        return f"hash({value})" if self.sealing is None else f"pc_mac({value})"

    def prepare(self, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        """With a key: check it is the store's, seal what is not sealed yet and make the
        views that open the sealed tables. Without: refuse a sealed store."""
        recorded = con.execute("SELECT value FROM pc_meta WHERE key = 'sealed_key'").fetchone()
        if self.key is None:
            if recorded:
                raise StoreError(f"{self.label} is encrypted: give its key in "
                                 f"{keys.FILE_VARIABLE} (a file) or {keys.VALUE_VARIABLE}")
            return
        sealer = Sealer(self.key)
        if not recorded:
            raise StoreError(f"{self.label} is not encrypted, but a key is set "
                             f"({self.key.source}): unset it to open this store, or encrypt "
                             "the store with `povertycloud keys rotate`")
        if recorded[0] != sealer.fingerprint:
            raise StoreError(f"{self.label} was encrypted with another key than the one in "
                             f"{self.key.source}: give the store's own key")
        sealing.register(con, sealer)
        self.sealing = Sealing(CATALOG)
        pending = self.seal(con, None, read_only)
        if pending:
            con.execute("BEGIN TRANSACTION")
            try:
                for statement in pending:
                    con.execute(statement)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        self._views(con)

    def seal(self, con: duckdb.DuckDBPyConnection, table: str | None,
             read_only: bool = False) -> list[str]:
        """The statements (to run in order, in one transaction) that seal ``table``
        (every registered table: None) where it is not yet: moved into the schema
        ``sealed``, its registered columns made text and their values sealed."""
        if self.sealing is None:
            return []
        self.sealing.tables = sealing.registered(con.execute(
            f"SELECT table_name, column_name, column_type, lookup FROM {sealing.REGISTRY}"
        ).fetchall())
        pending = self._pending(con, table)
        if pending and read_only:
            raise StoreError(f"{self.label} has values to seal; open it for writing once")
        statements = []
        for name, (layout, columns) in pending.items():
            statements += [_run_there(s) for s in layout] + ["CALL pg_clear_cache()"]
            if columns:
                statements.append(sealing.reseal_sql(self.sealing, name, "CAST", columns))
            statements.append(f"UPDATE {sealing.REGISTRY} SET sealed = true "
                              f"WHERE table_name = '{name}'")
        return statements

    def settle(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
        """A sealed table just made (or ``table``, just sealed) gets its view on this
        connection at once (DuckDB makes no view in the in-memory catalogue within a
        transaction that wrote here; other connections make theirs when they first miss
        it)."""
        if self.sealing is not None and table is not None:
            self.sealing.made.add(table)
        if self.sealing is None or not self.sealing.made:
            return
        made, then = sorted(self.sealing.made), self.sealing.then
        self.sealing.made, self.sealing.then = set(), []
        for name in made:  # made by a CREATE: laid out now
            for statement in self.seal(con, name):
                con.execute(statement)
        for name in set(made) & set(self._sealed_tables(con)):  # not one only registered
            con.execute(self.sealing.view_sql(name, temporary=True))
        for statement in then:  # a CREATE ... AS SELECT's rows
            con.execute(statement)

    def rekey(self, con: duckdb.DuckDBPyConnection, key: Key) -> list[str]:
        """The statements (to run in order, in one transaction) that seal the store with
        ``key``: its values sealed again, or for the first time."""
        sealer = Sealer(key)
        if self.sealing is None:  # in clear until now
            sealing.register(con, sealer)
            self.sealing = Sealing(CATALOG)
            statements = self.seal(con, None)
        else:
            sealing.register(con, sealer, suffix="_to")
            statements = [sealing.reseal_sql(self.sealing, table, "pc_open", suffix="_to")
                          for table in self._sealed_tables(con)]
        return [*statements, "INSERT INTO pc_meta VALUES ('sealed_key', "
                f"'{sealer.fingerprint}') ON CONFLICT (key) DO UPDATE SET value = "
                "excluded.value"]

    def _sealed_tables(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """The registered tables present in the schema ``sealed``."""
        assert self.sealing is not None
        present = {r[0] for r in con.execute("SELECT * FROM " + _asked_there(
            f"SELECT tablename::text FROM pg_tables WHERE schemaname = '{sealing.SCHEMA}'")
        ).fetchall()}
        return sorted(present & set(self.sealing.tables))

    def _pending(self, con: duckdb.DuckDBPyConnection, only: str | None
                 ) -> dict[str, tuple[list[str], list[str]]]:
        """Per table not wholly sealed: PostgreSQL's statements that lay it out, and the
        columns whose values are still in clear."""
        assert self.sealing is not None
        found: dict[str, dict[str, str]] = {}
        schemas: dict[str, str] = {}
        for schema, table, column, type_ in con.execute("SELECT * FROM " + _asked_there(
                "SELECT table_schema::text, table_name::text, column_name::text, "
                "data_type::text FROM information_schema.columns WHERE table_schema IN "
                f"('{self.schema}', '{sealing.SCHEMA}')")).fetchall():
            if table in self.sealing.tables:
                found.setdefault(table, {})[column] = type_
                schemas[table] = schema
        clear = {(t, c) for t, c in con.execute(
            f"SELECT table_name, column_name FROM {sealing.REGISTRY} WHERE NOT sealed"
        ).fetchall()}
        pending = {}
        for table, columns in self.sealing.tables.items():
            if table not in found or (only is not None and table != only):
                continue
            statements = sealing.layout_sql(table, columns, found[table],
                                            schemas[table] == self.schema)
            unsealed = [c for c in columns if (table, c) in clear]
            if statements or unsealed:
                pending[table] = (statements, unsealed)
        return pending

    def _views(self, con: duckdb.DuckDBPyConnection) -> None:
        assert self.sealing is not None
        self.sealing.tables = sealing.registered(con.execute(
            f"SELECT table_name, column_name, column_type, lookup FROM {sealing.REGISTRY}"
        ).fetchall())
        for table in self._sealed_tables(con):
            con.execute(self.sealing.view_sql(table))


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
        con.execute(f"ATTACH '{_quoted(where)}' AS {CATALOG} ({options}{mode})")
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
                     f"{sealing.SCHEMA}")
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _run_there(native: str) -> str:
    """DuckDB's statement that runs PostgreSQL's statement ``native`` in the database."""
    return f"CALL postgres_execute('{CATALOG}', '{_quoted(native)}')"


def _asked_there(native: str) -> str:
    """The rows of PostgreSQL's query ``native``, as a relation of DuckDB's."""
    return f"postgres_query('{CATALOG}', '{_quoted(native)}')"


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def backend(target: Path | str, key: Key | None = None) -> EmbeddedFile | PostgresDatabase:
    """The backend ``target`` names: a PostgreSQL URL, or the path of a DuckDB file
    (encrypted with ``key``, if given)."""
    if is_url(target):
        return PostgresDatabase(str(target), key)
    return EmbeddedFile(Path(target), key)

