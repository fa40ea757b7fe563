"""`povertycloud pipeline` and `povertycloud rollup`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ..errors import OutputExistsError, PovertyCloudError
from .common import (
    DbOption,
    EngineOption,
    OverwriteOption,
    WaitOption,
    console,
    keys,
    open_store,
    parse_date,
    progress_bar,
)

if TYPE_CHECKING:
    pass

def pipeline(
    db: Annotated[str | None, typer.Option(
        envvar="POVERTYCLOUD_DB", metavar="FILE|URL",
        help="Run over this store (a DuckDB file or a postgresql:// URL) and keep the "
             "results in it.")] = None,
    input: Annotated[Path | None, typer.Option(
        "--input", help="Or read the standard's Parquet tables from this folder...")] = None,
    output: Annotated[Path | None, typer.Option(
        help="...and write the results to this new folder.")] = None,
    engine: EngineOption = "duckdb",
    wait: WaitOption = 0,
) -> None:
    """Run the batch pipeline (household indicators, region roll-ups for each year) on
    DuckDB or Spark."""
    from ..engines import check_engine, get_engine
    from ..pipeline import run_on_parquet
    from ..pipeline.on_store import run_on_store

    check_engine(engine)
    if db is not None:  # a store that cannot be opened: said before any progress is shown
        open_store(db).close()
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(f"Pipeline on {engine}", total=None)
        def step(name: str) -> None:
            bar.update(task, description=f"Pipeline on {engine}: {name}")
        if db is not None and input is None and output is None:
            with open_store(db, wait=wait) as store:
                counts = run_on_store(store, engine, step)
        elif db is None and input is not None and output is not None:
            if output.exists():
                raise OutputExistsError(f"{output} exists; choose another folder")
            if not input.is_dir():
                raise PovertyCloudError(f"{input}: no such folder")
            runner = get_engine(engine)
            try:
                written = run_on_parquet(runner, input, output, step)
            finally:
                runner.close()
            counts = dict.fromkeys(written, -1)
        else:
            raise typer.BadParameter("give --db, or both --input and --output")
        bar.update(task, description=f"Pipeline on {engine}: done", total=1, completed=1)
    shown = ", ".join(f"{k} ({v:,} rows)" if v >= 0 else k for k, v in counts.items())
    console.print(f"Wrote {shown} in {time.perf_counter() - started:.1f} s")


def rollup(
    db: DbOption,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Date of the figures (YYYY-MM-DD), from the registry's history; "
        "without it, the current figures.")] = None,
    level: Annotated[str | None, typer.Option(
        help="Only this level: province, prefecture, county, township or village.")] = None,
    within: Annotated[str | None, typer.Option(
        help="Only regions within this region code.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the table to a .csv, .parquet or .xlsx file.")] = None,
    geojson: Annotated[Path | None, typer.Option(
        help="Write boundaries with the figures as GeoJSON (needs --level).")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Households and people by status and by indicator, at every level, as of a date
    (or now)."""
    from ..intake.exports import check_output, check_table_output, write_table
    from ..reports import rollup as rollup_query
    from ..reports import rollup_geojson

    date = parse_date(as_of) if as_of else None
    if out is not None:
        check_table_output(out, overwrite)
    if geojson is not None:
        check_output(geojson, overwrite)
    if geojson is not None and level is None:
        raise typer.BadParameter("--geojson needs --level")
    with open_store(db, read_only=True) as store:
        table = rollup_query(store, date, level, within)
        if geojson is not None and level is not None:
            geojson.write_text(json.dumps(rollup_geojson(store, date, level, within),
                                          ensure_ascii=False), encoding="utf-8")
            console.print(f"Wrote {geojson}")
    if out is not None:
        write_table(table, out)
        console.print(f"Wrote {table.num_rows:,} regions to {out}")
    else:
        _print_rollup(table)


def _print_rollup(table) -> None:  # type: ignore[no-untyped-def]
    view = keys(RichTable("region", "name", "level", "households", "people",
                          "registered poor", "exited", "incidence %", "below line",
                          title="Roll-up"), "region")
    for r in table.to_pylist()[:200]:
        view.add_row(r["region_code"], r["region_name"] or "", r["level"],
                     f"{r['households']:,}", f"{r['people']:,}",
                     f"{r['people_registered_poor']:,}", f"{r['people_exited']:,}",
                     f"{r['registered_incidence']:.2f}", f"{r['people_income_below_line']:,}")
    console.print(view)
    if table.num_rows > 200:
        console.print(f"... {table.num_rows - 200:,} more rows: use --level, --within or --out")
