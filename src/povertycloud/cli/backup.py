"""`povertycloud backup`, `restore` and `store copy`: a store copied whole, checked equal."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ..errors import StoreLocked
from .common import DbOption, WaitOption, console, copy_progress, open_store

if TYPE_CHECKING:
    from ..store import Store
    from ..store.copy import Tally


def backup(
    out: Annotated[str, typer.Argument(metavar="OUT", help="The backup to write: a new "
                                       "DuckDB file.")],
    db: DbOption,
    wait: WaitOption = 0,
) -> None:
    """Take a consistent snapshot of the store into a new DuckDB file, checked equal to
    it (rows and a checksum per table), with a manifest (when, of which store, the
    tally). A store on PostgreSQL is backed up while the server serves and others write;
    a DuckDB file while no other process holds it."""
    from ..store.backup import backup as take

    started = time.perf_counter()
    with _source(db, wait) as source, copy_progress("Backing up") as counter:
        manifest = take(source, out, counter)
    console.print(f"[green]Backed up[/] {manifest.source} to {out}: {_sizes(manifest.tally)}, "
                  f"checked equal, in {time.perf_counter() - started:.1f} s",
                  highlight=False, soft_wrap=True)


@contextmanager
def _source(db: str, wait: float) -> Iterator[Store]:
    """The store to copy, read-only; a DuckDB file another process holds is refused
    saying how to back it up."""
    try:
        store = open_store(db, read_only=True, wait=wait)
    except StoreLocked as exc:
        raise StoreLocked(
            f"{db} is held by {exc.holder}, and a DuckDB file is opened by one process at "
            "a time: copy or back it up when that process is done (--wait SECONDS waits for "
            "it), or back it up while the server runs with its backup job (/admin/jobs), "
            "or move the store to PostgreSQL "
            "(docs/operations.md#backups)",
            exc.holder) from None
    with store:
        yield store


def restore(
    backup_file: Annotated[Path, typer.Argument(
        metavar="BACKUP", help="A backup written by `povertycloud backup`.")],
    db: DbOption,
) -> None:
    """Restore a backup into a new store (a new file, or an empty PostgreSQL database),
    checked equal to the backup's manifest, table by table; a backup of an older schema
    is migrated after. On failure nothing is left at the target."""
    from ..store.backup import restore as put_back

    started = time.perf_counter()
    with copy_progress("Restoring") as counter:
        restored = put_back(backup_file, db, counter)
    manifest = restored.manifest
    table = RichTable("table", "rows", "checksum", "manifest",
                      title=f"Restored {backup_file} ({manifest.source}, taken "
                            f"{manifest.taken_at}) into {_label(db)}")
    for name, (rows, checksum) in sorted(restored.tally.items()):
        equal = manifest.tally.get(name) == (rows, checksum)
        table.add_row(name, f"{rows:,}", str(checksum),
                      "[green]equal[/]" if equal else "[red]differs[/]")
    console.print(table)
    if restored.migrated_from is not None:
        console.print(f"The backup was of schema version {restored.migrated_from}: "
                      "checked as taken, then migrated.")
    console.print(f"[green]Restored[/] {_sizes(restored.tally)} in "
                  f"{time.perf_counter() - started:.1f} s", highlight=False)


def store_copy(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="The store to copy: "
                                          "a DuckDB file or postgresql://...")],
    target: Annotated[str, typer.Argument(metavar="TARGET", help="A new DuckDB file, or an "
                                          "empty PostgreSQL database.")],
    wait: WaitOption = 0,
) -> None:
    """Copy a store whole into a new one, checked equal: move a province from a DuckDB
    file to PostgreSQL, or back. The source is read in one transaction (it may be in
    use on PostgreSQL); the target is written whole or not at all."""
    from ..store.backup import copy_into

    started = time.perf_counter()
    with _source(source, wait) as store, copy_progress("Copying") as counter:
        copied = copy_into(store, target, counter)
    console.print(f"[green]Copied[/] {store.label} to {_label(target)}: {_sizes(copied)}, checked "
                  f"equal, in {time.perf_counter() - started:.1f} s", highlight=False,
                  soft_wrap=True)


def _label(target: str) -> str:
    """How to name a store in a message: a path, or a URL without its password."""
    from ..store.backends import backend

    return backend(target).label


def _sizes(tally: Tally) -> str:
    return f"{len(tally)} tables, {sum(rows for rows, _ in tally.values()):,} rows"
