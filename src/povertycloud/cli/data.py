"""Commands that move data in and out of a store: import, export, template, store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..intake import export_table, import_file, write_template
from ..standard.tables import TABLES
from ..store import Store
from .common import DbOption, OverwriteOption, console

store_app = typer.Typer(help="Create and inspect stores.", no_args_is_help=True)

TableArgument = Annotated[str, typer.Argument(
    help=f"Table of the standard: {', '.join(TABLES)}.")]


def import_(
    table: TableArgument,
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or Excel (.xlsx) file.")],
    db: DbOption,
    keep_good: Annotated[bool, typer.Option(
        "--keep-good", help="Import the valid rows and quarantine the others.")] = False,
) -> None:
    """Validate a file against the standard and append it to the store as one batch:
    all or nothing, unless --keep-good."""
    with Store(db) as store:
        report = import_file(store, table, file, keep_good=keep_good)
    if report.duplicate_of is not None:
        console.print(f"{file} was already imported as batch {report.duplicate_of}; "
                      "nothing changed")
        return
    console.print(f"Batch {report.batch_id}: {report.rows_in:,} rows in, "
                  f"[green]{report.accepted:,} accepted[/], "
                  f"[yellow]{report.quarantined:,} quarantined[/]")
    for reason, count in report.reasons.items():
        console.print(f"  {count:,} × {reason}", highlight=False)


def export(
    table: TableArgument,
    out: Annotated[Path, typer.Argument(help="Output file: .parquet, .csv or .xlsx.")],
    db: DbOption,
    overwrite: OverwriteOption = False,
) -> None:
    """Export a table of the store in the standard's columns."""
    with Store(db, read_only=True) as store:
        rows = export_table(store, table, out, overwrite=overwrite)
    console.print(f"Wrote {rows:,} rows of {table} to {out}")


def template(
    table: TableArgument,
    out: Annotated[Path, typer.Argument(help="The Excel workbook to write (.xlsx).")],
    overwrite: OverwriteOption = False,
) -> None:
    """Write an empty Excel template of a table for field use, with drop-down lists."""
    write_template(table, out, overwrite=overwrite)
    console.print(f"Wrote the {table} template to {out}")


@store_app.command("init")
def init(db: Annotated[Path, typer.Argument(help="Path of the new store.")]) -> None:
    """Create an empty store at the current schema version."""
    Store.create(db).close()
    console.print(f"Created an empty store at {db}")


@store_app.command("info")
def info(db: Annotated[Path, typer.Argument(help="The store.")]) -> None:
    """Show a store's schema version, tables and latest batches."""
    with Store(db, read_only=True) as store:
        console.print(f"{db}: schema version {store.schema_version}")
        tables = RichTable("table", "rows", title="Tables")
        for name in sorted(store.tables()):
            tables.add_row(name, f"{store.count(name):,}")
        console.print(tables)
        batches = RichTable("batch", "table", "source", "in", "accepted", "quarantined",
                            "received", title="Latest batches")
        for row in store.con.execute("SELECT * EXCLUDE (checksum) FROM batches "
                                     "ORDER BY batch_id DESC LIMIT 10").fetchall():
            batches.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
        console.print(batches)
