"""The store: the one door through which every statement reaches the database.

Domain code, reports, the web and the command line hold a :class:`Store` and ask it for
rows, records, a scalar or a transaction; none of them holds a database connection. Each
statement is logged at debug level with its time (never its parameters, which may be ID
numbers), and one slower than the store's threshold is logged as a warning.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

import duckdb

from .. import __version__
from ..errors import StoreError, StoreNotWritable
from ..standard.tables import VERSION as STANDARD_VERSION
from . import append_only, keys
from .append_only import REGISTRY as APPEND_ONLY
from .append_only import AppendOnly
from .backends import Backend, EmbeddedFile, backend, is_url
from .failures import conflicting, denied_reason, memory_limit, not_writable, translated
from .keys import Key
from .known import KnownTables
from .migrations import MIGRATIONS, SCHEMA_VERSION, migration_sql
from .sealer import Sealer

if TYPE_CHECKING:
    import pyarrow as pa  # loaded by DuckDB when a query's rows are asked for as Arrow

SLOW_VARIABLE = "POVERTYCLOUD_SLOW_STATEMENT_MS"  # statements slower than this are warned of
SLOW_DEFAULT_MS = 10_000.0
# For crash tests: the process dies (as by kill -9) before its N-th write or commit.
CRASH_VARIABLE = "POVERTYCLOUD_CRASH_AT_WRITE"
WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "COPY", "COMMIT")
_writes = 0  # writes and commits of this process, for CRASH_VARIABLE
_LEADING_COMMENTS = re.compile(r"\A(?:\s*--[^\n]*(?:\n|\Z))*\s*")

log = logging.getLogger("povertycloud.store")
Params = Sequence[Any] | dict[str, Any] | None
Row = tuple[Any, ...]


_META_TABLE = "CREATE TABLE pc_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"


class StoreConflict(StoreError):
    """A write that conflicts with another transaction (two writers changed the same row
    at once) or with a stored row (a key already taken): nothing of it was written."""


class Result(Protocol):
    """What a statement gives back: its rows, fetched once."""

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> list[Row]: ...


def _slow_threshold() -> float:
    return float(os.environ.get(SLOW_VARIABLE, SLOW_DEFAULT_MS))


def _statement(sql: str) -> str:
    """``sql`` without the comment lines before its first word."""
    return _LEADING_COMMENTS.sub("", sql, count=1)


def _crash_point(sql: str) -> None:
    """Die before this statement if it is the write or commit ``CRASH_VARIABLE`` names."""
    global _writes
    crash_at = os.environ.get(CRASH_VARIABLE)
    if crash_at and _statement(sql).upper().startswith(WRITES):
        _writes += 1
        if _writes == int(crash_at):
            os._exit(137)  # no cleanup, no rollback: what a kill leaves


@contextmanager
def _without_pandas() -> Iterator[None]:
    """DuckDB's client imports pandas (with pyarrow, some 45 MB) to bind a statement's
    parameters, which plain Python values never need. In a process of one thread (a
    command, not the server) that has not loaded pandas, the binding goes without it;
    pandas still loads as usual for whatever needs it later."""
    if "pandas" in sys.modules or threading.active_count() > 1:
        yield
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # import pandas: ImportError
    try:
        yield
    finally:
        del sys.modules["pandas"]


def _summary(sql: str) -> str:
    """The statement as logged: one line, cut short (parameters are never logged)."""
    text = " ".join(_statement(sql).split())
    return text if len(text) <= 300 else text[:297] + "..."


class Store:
    """A povertycloud store: one DuckDB file, or a PostgreSQL database (``backends``).

    Open an existing store with ``Store(target)``, a path or a ``postgresql://`` URL;
    ``Store.create(target)`` makes a new one. Opening a store of an older schema migrates
    it; a newer one is refused. A thread that needs its own handle on the same store (a
    web request) takes ``store.cursor()``.
    """

    Error: ClassVar[type[Exception]] = duckdb.Error  # what a failed statement raises
    con: duckdb.DuckDBPyConnection  # for the engines only (tests/architecture/test_one_door.py)

    def __init__(self, target: Path | str, *, read_only: bool = False,
                 slow_ms: float | None = None, key: Key | Literal["configured"] | None =
                 "configured", as_written: bool = False) -> None:
        self.backend: Backend = backend(target, keys.configured() if key == "configured"
                                        else key)
        self.target, self.label = target, self.backend.label
        self.slow_ms = _slow_threshold() if slow_ms is None else slow_ms
        self._in_transaction = False
        self._known = KnownTables()  # shared with its cursors
        self._append_only: frozenset[str] = frozenset()  # read once migrated
        if not self.backend.exists():
            raise StoreError(f"no store at {self.label}: create one with "
                             f"`povertycloud synth --db {self.label}` or "
                             f"`povertycloud store init {self.label}`")
        limit = memory_limit()
        if not read_only:
            self._check_folder()
        try:
            self.con = self.backend.connect(read_only)
        except duckdb.Error as exc:
            found, denied = translated(exc, self.backend.file), denied_reason(exc)
            if read_only and denied:
                found = StoreError(f"{self.label} cannot be read ({denied})")
            raise found or StoreError(f"{self.label} is not a povertycloud store: "
                                      f"{exc}") from None
        self.con.execute("SET enable_progress_bar = false")
        # Beyond this DuckDB spills to disk, so a province of millions stays within memory.
        self.con.execute(f"SET memory_limit = '{limit}'")
        self._check_version(read_only, as_written)
        try:
            self._prepare(read_only)
        except BaseException:
            self.con.close()
            raise

    def _prepare(self, read_only: bool) -> None:
        """What the backend needs done on opening (sealing a table not sealed yet), in
        one transaction; then its catalogue read afresh (the views of sealed tables)."""
        if self.has_table(APPEND_ONLY):  # not in a store of an older schema, read as written
            self._append_only = frozenset(self.column(f"SELECT table_name FROM "
                                                      f"{APPEND_ONLY}"))
        pending = self.backend.prepare(self.con, read_only)
        if pending:
            with self.transaction():
                for statement in pending:
                    self.execute(statement)
        self.backend.forget_catalog(self.con)

    @property
    def path(self) -> Path:
        """The file of an embedded store (``target`` is what opens either kind)."""
        return Path(self.label)

    def _check_folder(self) -> None:
        """Refuse a store whose folder cannot be written before any work is done: each
        commit goes through the write-ahead log beside the file, so a writer needs it."""
        folder = self.backend.scratch
        if folder is None:
            return
        try:
            tempfile.TemporaryFile(dir=folder).close()  # no name left behind
        except OSError as exc:
            raise not_writable(self.path.with_name(f"{self.path.name}.wal"),
                                exc.strerror or str(exc)) from None

    @classmethod
    def create(cls, target: Path | str,
               key: Key | Literal["configured"] | None = "configured") -> Store:
        """A new, empty store at ``target``: a file that must not exist (made beside it
        and renamed when whole: killed half-way, nothing is left at the path), or a
        PostgreSQL database that holds no tables."""
        found = keys.configured() if key == "configured" else key
        if is_url(target):
            return cls._create_in_database(str(target), found)
        return cls._create_file(Path(target), found)

    @classmethod
    def _create_in_database(cls, url: str, key: Key | None) -> Store:
        found = backend(url, key)
        con = found.connect(read_only=False)
        try:
            tables = con.execute(found.tables_sql()).fetchall()
            if tables:
                raise StoreError(f"{found.label} already holds tables "
                                 f"({', '.join(sorted(t[0] for t in tables)[:5])}...); "
                                 "choose an empty database")
            for statement in found.ddl(_META_TABLE):
                con.execute(statement)
            con.execute("INSERT INTO pc_meta VALUES ('schema_version', '0'), "
                        "('created_by', ?)", [__version__])
            if found.key is not None:  # sealed from the start: its values never in clear
                con.execute("INSERT INTO pc_meta VALUES ('sealed_key', ?)",
                            [Sealer(found.key).fingerprint])
        finally:
            con.close()
        return cls(url, key=key)

    @classmethod
    def _create_file(cls, path: Path, key: Key | None) -> Store:
        if path.exists():
            raise StoreError(f"{path} already exists; choose another path or remove it")
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=path.parent).close()  # a folder it may write in
            for left in (partial, partial.with_name(partial.name + ".wal")):  # of a kill
                left.unlink(missing_ok=True)
            with EmbeddedFile(partial, key).connect(read_only=False) as con:
                con.execute(_META_TABLE)
                con.execute("INSERT INTO pc_meta VALUES ('schema_version', '0'), "
                            "('created_by', ?)", [__version__])
        except OSError as exc:
            raise StoreNotWritable(f"{path} cannot be created: the folder {path.parent} "
                                   f"cannot be written ({exc.strerror})") from None
        except duckdb.Error as exc:
            raise translated(exc, path) or StoreError(f"{path} cannot be created: "
                                                      f"{exc}") from None
        cls(partial, key=key).close()  # migrated to the current schema
        partial.replace(path)
        return cls(path, key=key)

    def cursor(self) -> Store:
        """A handle of its own on the same store, for one thread (a web request):
        its own transactions, the same data. Close it when done."""
        handle = object.__new__(Store)
        handle.backend, handle.target, handle.label = self.backend, self.target, self.label
        handle.slow_ms, handle._in_transaction = self.slow_ms, False
        handle._known, handle._append_only = self._known, self._append_only
        handle.con = self.con.cursor()
        self.backend.use(handle.con)
        return handle

    def interrupt(self) -> None:
        """Stop the statement this handle is running (called from another thread); that
        statement raises :attr:`Error`."""
        self.con.interrupt()

    # -- statements ---------------------------------------------------------------------

    def execute(self, sql: str, params: Params = None) -> Result:
        """Run one statement (or several, without parameters); its result to fetch. A
        conflicting write raises :class:`StoreConflict`."""
        with self._timed(sql):
            return self._run(sql, params)

    def _run(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        """Run a statement (a write to a sealed table rewritten to seal its values); a
        DuckDB error the user can act on (out of memory, a folder that cannot be written)
        becomes its :class:`StoreError`."""
        refused = append_only.refusal(sql, self._append_only)
        if refused:
            raise AppendOnly(refused)
        sql = self.backend.rewritten(sql, lambda table: list(self.columns(table)))
        _crash_point(sql)
        try:
            try:
                return self._bound(sql, params)
            except duckdb.CatalogException:
                # a table another process made since: PostgreSQL's catalogue is cached
                if self._in_transaction or not self.backend.forget_catalog(self.con):
                    raise
                return self._bound(sql, params)
            finally:
                self._known.ran(sql)
        except duckdb.Error as exc:
            found = translated(exc, self.backend.file)
            if found is not None:
                raise found from exc
            if isinstance(exc, duckdb.TransactionException | duckdb.ConstraintException) \
                    or conflicting(exc):
                raise StoreConflict(str(exc)) from exc
            raise

    def _bound(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        if not params:
            result = self.con.execute(sql)
        else:
            with _without_pandas():
                result = self.con.execute(sql, params)
        self.backend.settle(self.con)
        return result

    @contextmanager
    def _timed(self, sql: str) -> Iterator[None]:
        """Log the statement with its time: at debug level, or as a warning when slow."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            if elapsed >= self.slow_ms:
                log.warning("slow statement (%.0f ms): %s", elapsed, _summary(sql))
            elif log.isEnabledFor(logging.DEBUG):
                log.debug("%.1f ms: %s", elapsed, _summary(sql))

    def rows(self, sql: str, params: Params = None) -> list[Row]:
        """Every row of a query."""
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = None) -> Row | None:
        """The first row of a query, or None."""
        return self.execute(sql, params).fetchone()

    def records(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Every row of a query as a dict keyed by column name."""
        result = self.execute(sql, params)
        names = [d[0] for d in result.description or []]
        return [dict(zip(names, r, strict=True)) for r in result.fetchall()]

    def record(self, sql: str, params: Params = None) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        found = self.records(sql, params)
        return found[0] if found else None

    def value(self, sql: str, params: Params = None) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = self.one(sql, params)
        return row[0] if row else None

    def scalar(self, sql: str, params: Params = None) -> int:
        """The integer a query of one value gives (0 when it gives no row or NULL);
        an ``INSERT`` gives the rows it added."""
        found = self.value(sql, params)
        return int(found) if found is not None else 0

    def column(self, sql: str, params: Params = None) -> list[Any]:
        """The first column of every row."""
        return [r[0] for r in self.rows(sql, params)]

    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        """The rows of a query as an Arrow table (columnar, for bulk work)."""
        with self._timed(sql):
            return self._run(sql, params).to_arrow_table()

    def batches(self, sql: str, rows: int, params: Params = None) -> pa.RecordBatchReader:
        """The rows of a query as a stream of Arrow batches of up to ``rows`` rows."""
        with self._timed(sql):
            return self._run(sql, params).to_arrow_reader(rows)

    def register(self, name: str, table: pa.Table | pa.RecordBatchReader) -> None:
        """Expose Arrow data (a table, or a stream read once) to this handle's queries
        as ``name``."""
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    @contextmanager
    def registered(self, name: str, table: pa.Table | pa.RecordBatchReader
                   ) -> Iterator[str]:
        """``table`` readable as ``name`` inside the block only."""
        self.register(name, table)
        try:
            yield name
        finally:
            self.unregister(name)

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything inside happens, or nothing does. Inside another transaction of
        this handle it joins that one (DuckDB has no nested transactions): the outer
        one commits or rolls back everything."""
        if self._in_transaction:
            yield self
            return
        self._in_transaction = True
        try:
            self.execute("BEGIN TRANSACTION")
            try:
                yield self
            except BaseException as exc:
                self.execute("ROLLBACK")
                # an engine's statement (not through this door) that ran out of memory
                found = (translated(exc, self.backend.file)
                         if isinstance(exc, duckdb.Error) else None)
                if found is not None:
                    raise found from exc
                raise
            self.execute("COMMIT")
        finally:
            self._in_transaction = False

    # -- the catalogue ------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        found = self.value("SELECT value FROM pc_meta WHERE key = 'schema_version'")
        return int(found) if found is not None else 0

    def _check_version(self, read_only: bool, as_written: bool = False) -> None:
        """Refuse a newer schema; migrate an older one, unless it is opened read-only
        ``as_written`` (a backup read at the schema version it was taken at)."""
        try:
            version = self.schema_version
        except duckdb.CatalogException:
            self.con.close()
            raise StoreError(self.backend.not_a_store()) from None
        if version > SCHEMA_VERSION:
            self.con.close()
            raise StoreError(
                f"{self.label} was written by a newer povertycloud (schema version {version}, "
                f"this program knows up to {SCHEMA_VERSION}); upgrade povertycloud to open it")
        if version < SCHEMA_VERSION and not (read_only and as_written):
            if read_only:
                self.con.close()
                raise StoreError(f"{self.label} needs migrating; open it for writing once")
            self.migrate()

    def migrate(self) -> None:
        """Apply the migrations this store lacks, all in one transaction."""
        with self.transaction():
            for migration in MIGRATIONS[self.schema_version:]:
                for statement in self.backend.ddl(migration_sql(migration)):
                    self.execute(statement)
            guarded = self.column(f"SELECT table_name FROM {APPEND_ONLY}")
            for statement in self.backend.protect_sql(guarded):
                self.execute(statement)
            self.set_meta("schema_version", str(SCHEMA_VERSION))
            self.set_meta("standard_version", STANDARD_VERSION)
            self.index_all()

    def index_all(self) -> None:
        """Make the indexes every table needs on this backend, where one is missing (a
        store made before an index was listed gets it)."""
        for table in sorted(self.tables()):
            self.index(table)

    def index(self, table: str) -> None:
        """Make the indexes ``table`` needs on this backend (``indexes``), if missing."""
        for statement in self.backend.index_sql(table):
            self.execute(statement)

    def replace_table(self, table: str, select: str) -> None:
        """``table`` (a name, or :meth:`qualified`) made anew from the query ``select``,
        with its indexes."""
        self.execute(f"CREATE OR REPLACE TABLE {table} AS {select}")
        self.index(table.rsplit(".", 1)[-1])

    def set_meta(self, key: str, value: str) -> None:
        """Record ``value`` under ``key`` in the store's own settings (``pc_meta``)."""
        self.execute("INSERT INTO pc_meta VALUES (?, ?) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", [key, value])

    @property
    def catalog(self) -> str:
        """The name DuckDB gives this store's database (its file name without suffix)."""
        return str(self.value("SELECT current_database()") or "")

    def qualified(self, name: str) -> str:
        """The store's own table ``name``, which a temporary view of that name shadows."""
        return f'"{self.catalog}".{self.backend.schema}.{name}'

    def tables(self) -> set[str]:
        """Names of the tables and views the store holds."""
        return set(self.column("SHOW TABLES")) | set(self.column(self.backend.tables_sql()))

    def seal(self, table: str, columns: dict[str, str], lookup: Sequence[str] = ()) -> None:
        """Register ``columns`` (name to type) of ``table`` as sensitive: where the store
        seals values (PostgreSQL with a key), they are sealed from now on."""
        if not columns:
            return
        for name, type_ in columns.items():
            self.execute("INSERT INTO pc_sealed VALUES (?, ?, ?, ?, false) ON CONFLICT DO "
                         "NOTHING", [table, name, type_, name in lookup])
        for statement in self.backend.seal(self.con, table):
            self.execute(statement)
        self.backend.settle(self.con, table)

    def lookup_hash(self, value: str) -> str:
        """SQL of the hash of ``value`` (an expression) kept to look a value up: keyed
        where values are sealed."""
        return self.backend.lookup_hash(value)

    def has_table(self, name: str) -> bool:
        """Whether the store holds a table ``name`` (temporary tables and views do not
        count); a table seen before is not asked for again (``known``), nor remembered
        when seen inside a transaction, which may not commit."""
        if self._known.holds(name):
            return True
        era = self._known.era
        names = self.column(self.backend.tables_sql())
        if not self._in_transaction:
            self._known.seen(names, era)
        return name in names

    def has_view(self, name: str) -> bool:
        """Whether the store holds a view ``name``."""
        return name in self.views()

    def views(self) -> dict[str, str]:
        """The store's views, each with the statement that makes it."""
        return dict(self.rows(self.backend.views_sql()))

    def columns(self, relation: str) -> dict[str, str]:
        """The columns of a table, view or query, name to SQL type, in order."""
        return dict(self.rows(f"SELECT column_name, column_type FROM (DESCRIBE {relation})"))

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}")

    def latest(self, table: str, column: str) -> Any:
        """The largest ``column`` of the store's table ``table`` (None when it has no
        row), computed where the rows are."""
        return self.value(self.backend.latest_sql(table, column))

    def latest_year(self, table: str = "household_years") -> int | None:
        """The latest ``year`` in ``table`` (None when it has no row)."""
        found = self.value(f"SELECT max(year) FROM {table}")
        return int(found) if found is not None else None

    def draw(self, sequence: str, count: int) -> int:
        """Take ``count`` numbers from ``sequence``; returns the one before the first.

        Ids for many rows at once, in an order of the caller's choosing: DuckDB gives the
        numbers of a sequence to the rows of one INSERT in the order of its SELECT only up
        to a row group (122,880 rows), so a command that inserts many rows draws their
        numbers first and numbers the rows itself, ``start + row_number() OVER (ORDER BY
        ...)``. They are consecutive unless another transaction draws from the sequence at
        the same moment, and then an id taken twice fails the insert (a conflict: nothing
        written)."""
        if count <= 0:
            return 0
        return self.scalar(self.backend.draw_sql(sequence, count)) - count

    def sequences(self) -> dict[str, int]:
        """Each sequence of the store and the last number drawn from it (0: none yet)."""
        return {str(n): int(v or 0) for n, v in self.rows(self.backend.sequences_sql())}

    def next_batch_id(self) -> int:
        return self.scalar("SELECT coalesce(max(batch_id), 0) + 1 FROM batches")

    def audit(self, action: str, *, username: str | None = None, role: str | None = None,
              user_id: int | None = None, object_kind: str | None = None,
              object_id: str | None = None, region_code: str | None = None,
              detail: str | None = None, client: str | None = None) -> None:
        """One line of the audit log (who did what to which object, in which region);
        never a sensitive value."""
        self.execute(
            "INSERT INTO audit_log (logged_at, user_id, username, role, action, object_kind, "
            "object_id, region_code, detail, client) VALUES (now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [user_id, username, role, action, object_kind, object_id, region_code, detail,
             client])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
