"""Commands that move data in and out of a store: import, export, template, store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ..standard.tables import TABLES
from .common import (
    DbOption,
    ExportAsOption,
    OverwriteOption,
    WaitOption,
    console,
    open_store,
    parse_date,
    say_masked,
)

if TYPE_CHECKING:
    from ..intake.batches import BatchReport

store_app = typer.Typer(help="Create and inspect stores.", no_args_is_help=True)

UpdateOption = Annotated[bool, typer.Option(
    "--update", help="Rows whose key is in the store replace it (households, people); "
                     "the rows before are kept in the history.")]
ValidFromOption = Annotated[str | None, typer.Option(
    "--valid-from", help="With --update: the day the new values hold from (YYYY-MM-DD).")]
TableArgument = Annotated[str, typer.Argument(
    help=f"Table of the standard: {', '.join(TABLES)}.")]


def import_(
    table: TableArgument,
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or Excel (.xlsx) file.")],
    db: DbOption,
    keep_good: Annotated[bool, typer.Option(
        "--keep-good", help="Import the valid rows and quarantine the others.")] = False,
    update: UpdateOption = False,
    valid_from: ValidFromOption = None,
    wait: WaitOption = 0,
) -> None:
    """Validate a file against the standard and append it to the store as one batch:
    all or nothing, unless --keep-good. With --update (households, people), rows already
    in the store are replaced from --valid-from (default today), their past kept."""
    from ..intake import import_file

    with open_store(db, wait=wait) as store:
        report = import_file(store, table, file, keep_good=keep_good,
                             update_from=_update_from(update, valid_from))
    print_report(report, file)


def _update_from(update: bool, valid_from: str | None) -> dt.date | None:
    if valid_from and not update:
        raise typer.BadParameter("--valid-from goes with --update")
    return (parse_date(valid_from) if valid_from else dt.date.today()) if update else None


def print_report(report: BatchReport, file: Path) -> None:
    """What became of a batch: rows in, accepted (of them updated or corrected), unchanged,
    quarantined by reason."""
    if report.duplicate_of is not None:
        console.print(f"{file} was already imported as batch {report.duplicate_of}; "
                      "nothing changed")
        return
    replaced = "corrected" if report.table not in TABLES else "updated"
    console.print(f"Batch {report.batch_id}: {report.rows_in:,} rows in, "
                  f"[green]{report.accepted:,} accepted[/]"
                  + (f" ({report.updated:,} {replaced})" if report.updated else "")
                  + (f", {report.unchanged:,} unchanged" if report.unchanged else "")
                  + f", [yellow]{report.quarantined:,} quarantined[/]")
    for reason, count in report.reasons.items():
        console.print(f"  {count:,} × {reason}", highlight=False)


def intake(
    source: Annotated[str, typer.Option(help="The source the file comes from (see "
                                             "`povertycloud sources`).")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK), JSON, Parquet or Excel.")],
    db: DbOption,
    keep_good: Annotated[bool, typer.Option(
        "--keep-good", help="Import the valid rows and quarantine the others.")] = False,
    sources: Annotated[Path | None, typer.Option(
        help="Registry of sources (YAML); the shipped one by default.")] = None,
    schema_version: Annotated[int | None, typer.Option(
        help="The schema version the batch was sent in, checked against the source's.")]
    = None,
    wait: WaitOption = 0,
) -> None:
    """Take in a batch of another department's data: checked against its source's
    schema, all or nothing unless --keep-good, into the table `feed_<source>`; the same
    batch delivered twice changes nothing."""
    from ..feeds.sources import source_named
    from ..intake.deliveries import take_in

    sent = source_named(source, sources)
    with open_store(db, wait=wait) as store:
        report = take_in(store, sent, file, keep_good=keep_good,
                         schema_version=schema_version)
    print_report(report, file)


def sources_(sources: Annotated[Path | None, typer.Option(
        help="Registry of sources (YAML); the shipped one by default.")] = None) -> None:
    """List the registered data sources: department, table, schema version, frequency,
    owner."""
    from ..feeds.sources import load_sources

    table = RichTable("source", "department", "table", "schema", "frequency", "owner",
                      title="Data sources")
    for s in load_sources(sources).values():
        table.add_row(s.id, s.department, s.table_label, str(s.schema_version),
                      s.frequency, s.owner)
    console.print(table)


def export(
    table: TableArgument,
    out: Annotated[Path, typer.Argument(help="Output file: .parquet, .csv or .xlsx.")],
    db: DbOption,
    overwrite: OverwriteOption = False,
    exported_as: ExportAsOption = None,
) -> None:
    """Export a table of the store in the standard's columns (personal data masked
    unless --as a user who may unmask; that export is audited)."""
    from ..access import audit
    from ..intake import export_table

    with open_store(db, read_only=exported_as is None) as store:
        reader = audit.exporter(store, exported_as, "") if exported_as else None

        def audited(rows: int) -> None:
            if reader is not None:
                audit.exported(store, reader, f"export {table}", "the whole store", rows)

        rows = export_table(store, table, out, overwrite=overwrite, masked=reader is None,
                            before=audited)
    console.print(f"Wrote {rows:,} rows of {table} to {out}")
    say_masked(exported_as, table)


def template(
    table: TableArgument,
    out: Annotated[Path, typer.Argument(help="The Excel workbook to write (.xlsx).")],
    overwrite: OverwriteOption = False,
) -> None:
    """Write an empty Excel template of a table for field use, with drop-down lists."""
    from ..intake import write_template

    write_template(table, out, overwrite=overwrite)
    console.print(f"Wrote the {table} template to {out}")


@store_app.command("init")
def init(db: Annotated[str, typer.Argument(
        metavar="FILE|URL", help="Path of the new store, or an empty PostgreSQL database "
                                 "(postgresql://...).")]) -> None:
    """Create an empty store at the current schema version."""
    from ..store import Store

    with Store.create(db) as store:
        console.print(f"Created an empty store at {store.label}")


@store_app.command("info")
def info(db: Annotated[str, typer.Argument(metavar="FILE|URL", help="The store.")]) -> None:
    """Show a store's schema version, tables and latest batches."""
    from ..intake.batches import recent_batches

    with open_store(db, read_only=True) as store:
        console.print(f"{store.label}: schema version {store.schema_version}")
        tables = RichTable("table", "rows", title="Tables")
        for name in sorted(store.tables()):
            tables.add_row(name, f"{store.count(name):,}")
        console.print(tables)
        batches = RichTable("batch", "table", "source", "in", "accepted", "quarantined",
                            "received", title="Latest batches")
        for row in recent_batches(store):
            batches.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
        console.print(batches)


quarantine_app = typer.Typer(help="Fix quarantined rows and take them in again.",
                             no_args_is_help=True)


@quarantine_app.command("export")
def quarantine_export(
    db: DbOption,
    batch: Annotated[int, typer.Option(help="The batch whose quarantined rows to fix.")],
    out: Annotated[Path, typer.Option(help="CSV to write, in the table's columns.")],
    overwrite: OverwriteOption = False,
) -> None:
    """Write a batch's quarantined rows to a CSV to fix, and list what is wrong with each
    (by the row of the CSV written and of the original file)."""
    from ..intake.quarantine import export_quarantine

    with open_store(db, read_only=True) as store:
        rows = export_quarantine(store, batch, out, overwrite)
    table = RichTable("row here", "row in the batch", "problems",
                      title=f"{len(rows):,} rows to fix, in {out}")
    for here, original, problems in rows:
        table.add_row(str(here), str(original), problems)
    console.print(table)


@quarantine_app.command("reprocess")
def quarantine_reprocess(
    db: DbOption,
    batch: Annotated[int, typer.Option(help="The batch whose rows were fixed.")],
    file: Annotated[Path, typer.Argument(help="The fixed file.")],
    wait: WaitOption = 0,
) -> None:
    """Take in the fixed rows of a batch's quarantine: accepted rows are marked resolved;
    rows still wrong are quarantined again under the new batch."""
    from ..intake.quarantine import reprocess

    with open_store(db, wait=wait) as store:
        report = reprocess(store, batch, file)
    print_report(report, file)


survey_app = typer.Typer(help="Field surveys on phones (ODK Collect, KoboToolbox).",
                         no_args_is_help=True)


@survey_app.command("xlsform")
def survey_xlsform(
    out: Annotated[Path, typer.Argument(help="The XLSForm workbook to write (.xlsx).")],
    overwrite: OverwriteOption = False,
) -> None:
    """Write the annual household survey as an XLSForm, from the data standard, to load
    into ODK Central or KoboToolbox."""
    from ..intake.survey import write_xlsform

    write_xlsform(out, overwrite)
    console.print(f"Wrote the household survey form to {out}")


@survey_app.command("import")
def survey_import(
    export: Annotated[Path, typer.Argument(
        help="The submissions export: CSV, or KoboToolbox's XLSX.")],
    db: DbOption,
    members: Annotated[Path | None, typer.Option(
        help="The members export (repeat group people): CSV, or XLSX with a sheet people. "
             "Default: EXPORT-people.csv beside a CSV export (ODK Central), the sheet "
             "people of an XLSX export (KoboToolbox).")] = None,
    keep_good: Annotated[bool, typer.Option(
        "--keep-good", help="Import the valid rows and quarantine the others.")] = False,
    update: UpdateOption = False,
    valid_from: ValidFromOption = None,
    wait: WaitOption = 0,
) -> None:
    """Import the submissions of the household survey (ODK Central or KoboToolbox export)
    as a batch of household_years and its members as a batch of people: both land, or
    neither does (unless --keep-good). With --update, members already registered are
    updated (their past kept in the history)."""
    from ..intake.survey import import_submissions

    with open_store(db, wait=wait) as store:
        reports = import_submissions(store, export, members=members, keep_good=keep_good,
                                     update_from=_update_from(update, valid_from))
    for report in reports:
        print_report(report, Path(report.source))
    if len(reports) == 1:
        console.print("No members export (--members, EXPORT-people.csv or a sheet people): "
                      "members not imported")
