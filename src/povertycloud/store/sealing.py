"""Sensitive columns sealed in a PostgreSQL store: encrypted by the application, so a copy
of the database's files (or of its dumps and write-ahead log) without the key reveals no
ID number, phone, address, health detail or a record holding them.

Each value of a sealed column is AES-GCM ciphertext (a fresh 96-bit nonce per value,
base64); a column looked up by value (the ID number) also keeps an HMAC-SHA-256 of it,
``<column>_mac``. Both keys derive from the store's key (HKDF), which never reaches the
database. The tables that hold sealed columns live in PostgreSQL's schema ``sealed``; the
store reads them through views of the same names in DuckDB's in-memory catalogue that
open the values (``pc_open``, a vectorised Python function), and its writes to them are
rewritten to seal the values on the way in (``sealed_sql.Sealing.rewrite``). A table is
sealed as a whole; which columns are is the registry ``pc_sealed`` (migration 14, and
each department feed's sensitive fields as its table is made). A statement no rewrite
covers fails: a value is never written in clear nor read as ciphertext. The cryptography
is in ``sealer``; this module opens, seals and re-keys a store's sealed tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StoreError
from . import keys
from .keys import Key
from .native import CATALOG, asked_there, run_there
from .sealed_sql import REGISTRY, SCHEMA, Sealing, layout_sql, registered, reseal_sql
from .sealer import Sealer, register

if TYPE_CHECKING:
    import duckdb


def opened(con: duckdb.DuckDBPyConnection, key: Key | None, label: str, schema: str,
           read_only: bool) -> tuple[SealedTables | None, list[str]]:
    """The sealed tables of the store ``con`` holds, opened with ``key`` (None: a store
    in clear), and the statements (to run in order, in one transaction) that seal what
    is not sealed yet; the key checked to be the store's. A sealed store without its
    key, or a store in clear with one, refused."""
    recorded = con.execute("SELECT value FROM pc_meta WHERE key = 'sealed_key'").fetchone()
    if key is None:
        if recorded:
            raise StoreError(f"{label} is encrypted: give its key in "
                             f"{keys.FILE_VARIABLE} (a file) or {keys.VALUE_VARIABLE}")
        return None, []
    sealer = Sealer(key)
    if not recorded:
        raise StoreError(f"{label} is not encrypted, but a key is set ({key.source}): "
                         "unset it to open this store, or encrypt the store with "
                         "`povertycloud keys rotate`")
    if recorded[0] != sealer.fingerprint:
        raise StoreError(f"{label} was encrypted with another key than the one in "
                         f"{key.source}: give the store's own key")
    return _sealed_with(con, sealer, label, schema, read_only)


def sealed_from_now(con: duckdb.DuckDBPyConnection, key: Key, label: str, schema: str
                    ) -> tuple[SealedTables, list[str]]:
    """A store in clear until now, to be sealed with ``key``: its sealed tables and the
    statements (to run in order, in one transaction) that seal them."""
    sealer = Sealer(key)
    sealed, statements = _sealed_with(con, sealer, label, schema, read_only=False)
    return sealed, [*statements, _recorded(sealer)]


def _sealed_with(con: duckdb.DuckDBPyConnection, sealer: Sealer, label: str, schema: str,
                 read_only: bool) -> tuple[SealedTables, list[str]]:
    """The store's sealed tables with ``sealer``'s functions, and what seals them all."""
    register(con, sealer)
    sealed = SealedTables(label, schema)
    return sealed, sealed.seal(con, None, read_only)


def _recorded(sealer: Sealer) -> str:
    return ("INSERT INTO pc_meta VALUES ('sealed_key', "
            f"'{sealer.fingerprint}') ON CONFLICT (key) DO UPDATE SET value = excluded.value")


class SealedTables:
    """The sealed tables of one PostgreSQL store, as one process sees them."""

    def __init__(self, label: str, schema: str) -> None:
        self.label, self.schema = label, schema
        self.sealing = Sealing(CATALOG)

    def seal(self, con: duckdb.DuckDBPyConnection, table: str | None,
             read_only: bool = False) -> list[str]:
        """The statements (to run in order, in one transaction) that seal ``table``
        (every registered table: None) where it is not yet: moved into the schema
        ``sealed``, its registered columns made text and their values sealed."""
        self.sealing.tables = registered(con.execute(
            f"SELECT table_name, column_name, column_type, lookup FROM {REGISTRY}"
        ).fetchall())
        pending = self._pending(con, table)
        if pending and read_only:
            raise StoreError(f"{self.label} has values to seal; open it for writing once")
        statements = []
        for name, (layout, columns) in pending.items():
            statements += [run_there(s) for s in layout] + ["CALL pg_clear_cache()"]
            if columns:
                statements.append(reseal_sql(self.sealing, name, "CAST", columns))
            statements.append(f"UPDATE {REGISTRY} SET sealed = true "
                              f"WHERE table_name = '{name}'")
        return statements

    def settle(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
        """A sealed table just made (or ``table``, just sealed) gets its view on this
        connection at once (DuckDB makes no view in the in-memory catalogue within a
        transaction that wrote here; other connections make theirs when they first miss
        it)."""
        if table is not None:
            self.sealing.made.add(table)
        if not self.sealing.made:
            return
        made, then = sorted(self.sealing.made), self.sealing.then
        self.sealing.made, self.sealing.then = set(), []
        for name in made:  # made by a CREATE: laid out now
            for statement in self.seal(con, name):
                con.execute(statement)
        for name in set(made) & set(self.present(con)):  # not one only registered
            con.execute(self.sealing.view_sql(name, temporary=True))
        for statement in then:  # a CREATE ... AS SELECT's rows
            con.execute(statement)

    def rekey(self, con: duckdb.DuckDBPyConnection, key: Key) -> list[str]:
        """The statements (to run in order, in one transaction) that seal every value
        again with ``key``."""
        sealer = Sealer(key)
        register(con, sealer, suffix="_to")
        return [*(reseal_sql(self.sealing, table, "pc_open", suffix="_to")
                  for table in self.present(con)), _recorded(sealer)]

    def present(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """The registered tables present in the schema ``sealed``."""
        present = {r[0] for r in con.execute("SELECT * FROM " + asked_there(
            f"SELECT tablename::text FROM pg_tables WHERE schemaname = '{SCHEMA}'")
        ).fetchall()}
        return sorted(present & set(self.sealing.tables))

    def _pending(self, con: duckdb.DuckDBPyConnection, only: str | None
                 ) -> dict[str, tuple[list[str], list[str]]]:
        """Per table not wholly sealed: PostgreSQL's statements that lay it out, and the
        columns whose values are still in clear."""
        found: dict[str, dict[str, str]] = {}
        schemas: dict[str, str] = {}
        for schema, table, column, type_ in con.execute("SELECT * FROM " + asked_there(
                "SELECT table_schema::text, table_name::text, column_name::text, "
                "data_type::text FROM information_schema.columns WHERE table_schema IN "
                f"('{self.schema}', '{SCHEMA}')")).fetchall():
            if table in self.sealing.tables:
                found.setdefault(table, {})[column] = type_
                schemas[table] = schema
        clear = {(t, c) for t, c in con.execute(
            f"SELECT table_name, column_name FROM {REGISTRY} WHERE NOT sealed"
        ).fetchall()}
        pending = {}
        for table, columns in self.sealing.tables.items():
            if table not in found or (only is not None and table != only):
                continue
            statements = layout_sql(table, columns, found[table],
                                            schemas[table] == self.schema)
            unsealed = [c for c in columns if (table, c) in clear]
            if statements or unsealed:
                pending[table] = (statements, unsealed)
        return pending

    def views(self, con: duckdb.DuckDBPyConnection) -> None:
        self.sealing.tables = registered(con.execute(
            f"SELECT table_name, column_name, column_type, lookup FROM {REGISTRY}"
        ).fetchall())
        for table in self.present(con):
            con.execute(self.sealing.view_sql(table))
