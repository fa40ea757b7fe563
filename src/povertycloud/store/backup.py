"""Backups: a store copied whole into a new DuckDB file, and a backup restored into a new
store, each checked equal, row counts and checksums per table.

A backup is a povertycloud store like any other (made by ``Store.create``, so it is
protected as a store file is) whose ``pc_meta`` holds its manifest: when it was taken,
of which store (a path, or a URL without its password), at which schema version, and the
tally of the source, read in the same transaction as the rows. The source is read in one
transaction: on PostgreSQL, DuckDB's postgres extension reads a transaction's statements
through one connection in ``REPEATABLE READ``, one snapshot while others write
(tests/store/test_backup.py). Every new store is written whole or not at all: a file as
``NAME.partial``, renamed when checked; a PostgreSQL database in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__
from ..errors import OutputExistsError, StoreError
from .backends import backend, is_url
from .copy import MANIFEST, Counter, Tally, copy_store, tally
from .keys import Key
from .migrations import SCHEMA_VERSION
from .store import Store

Seal = Callable[[Store, Tally], None]  # last words into a new store before it is kept


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: of which store, when, at which schema version, the tally."""

    source: str
    taken_at: str  # UTC, ISO 8601
    schema_version: int
    program: str  # the povertycloud that took it
    tally: Tally

    def text(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def of(cls, text: str) -> Manifest:
        found = json.loads(text)
        found["tally"] = {t: (int(r), int(c)) for t, (r, c) in found["tally"].items()}
        return cls(**found)


BACKUP_DIR_VARIABLE = "POVERTYCLOUD_BACKUP_DIR"


def backup(source: Store, out: Path | str, counter: Counter | None = None) -> Manifest:
    """A consistent snapshot of ``source`` into the new DuckDB file ``out``, checked
    equal, with its manifest. ``source`` may be a handle the caller shares (the server's
    job): only its transaction is used."""
    if is_url(out):
        raise StoreError(f"a backup is a DuckDB file, not {backend(out).label}: to copy a "
                         "store into PostgreSQL use `povertycloud store copy`")
    taken = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifests: list[Manifest] = []

    def seal(store: Store, copied: Tally) -> None:
        manifests.append(Manifest(source.label, taken, source.schema_version, __version__,
                                  copied))
        store.set_meta(MANIFEST, manifests[0].text())

    copy_into(source, out, counter, seal)
    return manifests[0]


def folder(store: Store) -> Path:
    """Where the server's backup job writes: ``POVERTYCLOUD_BACKUP_DIR``, else beside an
    embedded store's file (``province.duckdb.backups/``)."""
    if given := os.environ.get(BACKUP_DIR_VARIABLE):
        return Path(given)
    if store.backend.file is None:
        raise StoreError(f"set {BACKUP_DIR_VARIABLE} to the folder the server's backups go "
                         f"to (a store on PostgreSQL has no folder of its own)")
    return store.backend.file.with_name(store.backend.file.name + ".backups")


def copy_into(source: Store, target: Path | str, counter: Counter | None = None,
              seal: Seal | None = None) -> Tally:
    """``source`` copied whole into a new store at ``target``: a file that must not
    exist (written as ``.partial`` and renamed when checked), or a PostgreSQL database
    that holds no rows (an empty one, or the empty store a failed copy left); its tally."""
    if is_url(target):
        with _new_in_database(str(target)) as store:
            copied = copy_store(source, store, counter)
            if seal:
                seal(store, copied)
            return copied
    path = Path(target)
    if path.exists():
        raise OutputExistsError(f"{path} exists; choose a new file or remove it")
    with _partial(path) as partial:
        with Store.create(partial) as store:
            copied = copy_store(source, store, counter)
            if seal:
                seal(store, copied)
        partial.replace(path)
    return copied


@contextmanager
def _partial(path: Path) -> Iterator[Path]:
    """``path.partial``, cleared of what a killed run left, and removed unless renamed."""
    partial = path.with_name(path.name + ".partial")
    leftovers = [partial, partial.with_name(partial.name + ".wal")]
    for left in leftovers:
        left.unlink(missing_ok=True)
    try:
        yield partial
    finally:
        for left in leftovers:
            left.unlink(missing_ok=True)


def rotate(target: Path | str, new_key: Key | None, counter: Counter | None = None
           ) -> Tally:
    """The store ``target`` encrypted again with ``new_key`` (None: written in clear),
    opened with the key configured now. A file is copied whole into a new file beside
    it, checked equal, then put in its place; a PostgreSQL store's sealed columns are
    sealed again in place. Killed half-way, the store is as it was."""
    if is_url(target):
        return _rotate_in_database(str(target), new_key)
    path = Path(target)
    with _partial(path) as partial:
        # no one writes while it is copied
        with Store(path) as source, Store.create(partial, key=new_key) as store:
            copied = copy_store(source, store, counter)
        partial.replace(path)  # once the store is closed: its log is not left behind
    return copied


def _rotate_in_database(url: str, new_key: Key | None) -> Tally:
    """The sealed columns of the PostgreSQL store ``url`` sealed again with ``new_key``
    (or for the first time), in place and in one transaction, checked equal."""
    if new_key is None:
        raise StoreError(f"{backend(url).label} is a PostgreSQL store: its sensitive columns "
                         "stay encrypted; give the new key with --to")
    with Store(url) as store:
        before = tally(store)
        with store.transaction():
            for statement in store.backend.rekey(store.con, new_key):
                store.execute(statement)
    with Store(url, key=new_key) as store:
        after = tally(store)
    if after != before:  # not expected: the transaction holds or not at all
        raise StoreError(f"{backend(url).label} reads differently after the new key")
    return after


def _new_in_database(url: str) -> Store:
    """A store in the PostgreSQL database ``url``: made if the database is empty; the
    store there if it has no rows (``copy_store`` refuses it otherwise)."""
    try:
        return Store(url)
    except StoreError as exc:
        if str(exc) != backend(url).not_a_store():
            raise
    return Store.create(url)


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    tally: Tally  # of the restored store, at the backup's schema version
    migrated_from: int | None  # the backup's schema version, if older than this program's


def restore(backup_file: Path, target: Path | str,
            counter: Counter | None = None) -> Restored:
    """The backup ``backup_file`` into a new store at ``target`` (a file, or an empty
    PostgreSQL database), checked equal to the backup's manifest; a backup of an older
    schema is checked as written, then migrated."""
    with open_backup(backup_file) as source:
        manifest = check(source)
        if source.schema_version == SCHEMA_VERSION:
            return Restored(manifest, copy_into(source, target, counter), None)
    with _migrated(backup_file) as source:
        copy_into(source, target, counter)
    return Restored(manifest, manifest.tally, manifest.schema_version)


def open_backup(path: Path) -> Store:
    """The backup at ``path``, opened read-only at the schema it was taken at."""
    if not path.exists():
        raise StoreError(f"no backup at {path}")
    try:
        return Store(path, read_only=True, as_written=True)
    except StoreError as exc:
        unreadable = f"{path} is not a povertycloud store: "
        if not str(exc).startswith(unreadable):
            raise  # a newer schema, a DuckDB file of something else: said as it is
        raise StoreError(f"{path} cannot be read as a backup: it is damaged, or not a "
                         f"DuckDB file ({str(exc).removeprefix(unreadable)})") from None


def check(backup_store: Store) -> Manifest:
    """The backup's manifest, its rows checked equal to it, table by table."""
    path = backup_store.label
    text = backup_store.value("SELECT value FROM pc_meta WHERE key = ?", [MANIFEST])
    if text is None:
        raise StoreError(f"{path} is a povertycloud store but not a backup (it has no "
                         "manifest): restore takes a file written by `povertycloud backup`;"
                         " `povertycloud store copy` copies a store")
    try:
        manifest = Manifest.of(str(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path} is damaged: its manifest cannot be read ({exc})") from None
    try:
        found = tally(backup_store)
    except Store.Error as exc:
        reason = str(exc).split("\n")[0]
        raise StoreError(f"{path} is damaged: its rows cannot be read ({reason})") from None
    for table in sorted(manifest.tally.keys() | found.keys()):
        if found.get(table) != manifest.tally.get(table):
            raise StoreError(f"{path} is damaged: table {table} holds "
                             f"{_rows(found.get(table))}, its manifest says "
                             f"{_rows(manifest.tally.get(table))}")
    return manifest


def _rows(entry: tuple[int, int] | None) -> str:
    if entry is None:
        return "no such table"
    return f"{entry[0]:,} rows (checksum {entry[1]})"


@contextmanager
def _migrated(backup_file: Path) -> Iterator[Store]:
    """A copy of the backup migrated to this program's schema, removed after use."""
    folder = Path(tempfile.mkdtemp(prefix="povertycloud-restore-"))
    try:
        copy = Path(shutil.copy(backup_file, folder / "backup.duckdb"))
        with Store(copy) as store:
            yield store
    finally:
        shutil.rmtree(folder, ignore_errors=True)
