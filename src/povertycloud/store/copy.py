"""A store copied whole into another: a DuckDB file into PostgreSQL (moving a province to
the operational store), a store into a backup file, a backup into a new store.

The source is read in one transaction, so the copy is one consistent moment of it even
while others write; the rows stream across in Arrow batches (a province of millions
never sits in memory whole), and the target is written in one transaction: a copy
killed half-way leaves the target as it was. ``tally`` gives each table's rows and a
checksum of them that does not depend on the backend, to check a copy equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import StoreError

if TYPE_CHECKING:
    from .store import Store

BATCH_ROWS = 100_000
STREAMED = "copied_rows"  # the name the source's rows are read under in the target
Tally = dict[str, tuple[int, int]]  # table: rows, checksum
Counter = Callable[[str, int, int], None]  # table, tables done, tables in all
MANIFEST = "backup_manifest"  # what a backup says of itself (store.backup), in its pc_meta
# Keys of pc_meta that describe a store itself, not its data: not copied.
OWN_META = ("schema_version", "created_by", "sealed_key", MANIFEST)
# The store's own tables, copied by what they mean: its settings, its sealed columns;
# the append-only tables are made so by the migrations of every store.
OWN_TABLES = ("pc_meta", "pc_sealed", "pc_append_only")
# What the web derives from the data (its tables, and in pc_meta the stamps of the data
# they reflect), named so: not copied, the target builds its own when it serves (with its
# own lookup keys: a people search built by DuckDB would not find a sealed number in
# PostgreSQL).
DERIVED = "web_"


def tables(store: Store) -> list[str]:
    """The store's tables (not its views, not its own, not those the web derives), in
    name order."""
    views = store.views()
    return sorted(t for t in store.tables() if t not in OWN_TABLES and t not in views
                  and not t.startswith(DERIVED))


def tally(store: Store) -> Tally:
    """Each table's rows and a checksum of them, the same for the same rows on either
    backend (each row hashed as its text, so a BIGINT here and an INTEGER there agree)."""
    found = {}
    for table in tables(store):
        row = store.one(f"SELECT count(*), coalesce(sum(hash(CAST({table} AS VARCHAR))"
                        f"::HUGEINT), 0) FROM {table}")
        assert row is not None
        found[table] = (int(row[0]), int(row[1]))
    return found


def copy_store(source: Store, target: Store, counter: Counter | None = None) -> Tally:
    """Every table of ``source`` into ``target``, a store of the same schema version that
    holds no rows yet; the sequences of ``target`` continue where those of ``source``
    stand. Returns the tally of what was copied, checked equal to the target's."""
    if source.schema_version != target.schema_version:
        raise StoreError(f"{source.label} is of schema version {source.schema_version}, "
                         f"{target.label} of {target.schema_version}: open the older one "
                         "for writing once (it migrates) and copy again")
    filled = [t for t in tables(target) if target.scalar(f"SELECT count(*) FROM {t}")]
    if filled:
        raise StoreError(f"{target.label} already holds rows (in {', '.join(filled[:3])}); "
                         "copy into a new, empty store")
    with source.transaction(), target.transaction():
        _copy_sealed(source, target)
        names = tables(source)
        for done, table in enumerate(names):
            if counter:
                counter(table, done, len(names))
            _copy_table(source, target, table)
        for sequence, last in source.sequences().items():
            target.draw(sequence, last)
        _copy_meta(source, target)
        for statement in source.views().values():
            target.execute(statement)
        copied = tally(source)
        if tally(target) != copied:
            raise StoreError(f"the copy of {source.label} into {target.label} differs from "
                             "its source; nothing was kept")
    return copied


def _copy_table(source: Store, target: Store, table: str) -> None:
    made = not target.has_table(table)
    if made:  # made by the work done on the source (a department's feed, results)
        columns = ", ".join(f'"{c}" {t}' for c, t in source.columns(table).items())
        target.execute(f"CREATE TABLE {table} ({columns})")
    # the source's rows streamed once (no other statement of the source meanwhile)
    reader = source.batches(f"SELECT * FROM {table}", BATCH_ROWS)
    with target.registered(STREAMED, reader):
        target.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {STREAMED}")
    if made:
        target.index(table)


def _copy_sealed(source: Store, target: Store) -> None:
    """The sensitive columns of the source's own tables (a department's feed) sensitive
    in the target too (sealed before a row is copied, where the target seals)."""
    found: dict[str, dict[str, str]] = {}
    lookups: dict[str, list[str]] = {}
    for table, column, type_, lookup in source.rows(
            "SELECT table_name, column_name, column_type, lookup FROM pc_sealed"):
        found.setdefault(table, {})[column] = type_
        if lookup:
            lookups.setdefault(table, []).append(column)
    for table, columns in found.items():
        target.seal(table, columns, lookups.get(table, ()))


def _copy_meta(source: Store, target: Store) -> None:
    """The settings the data goes with (the rate limits' salt), not those of the store
    itself (``OWN_META``) nor the stamps of what the web derived (``DERIVED``)."""
    kept = ", ".join(f"'{key}'" for key in OWN_META)
    for key, value in source.rows(f"SELECT key, value FROM pc_meta WHERE key NOT IN ({kept}) "
                                  f"AND NOT starts_with(key, '{DERIVED}')"):
        target.set_meta(key, value)

