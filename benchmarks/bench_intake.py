"""Intake of a department's Parquet batch: rows per second, checked and kept, against
DuckDB copying the same file into a table unchecked (the baseline, same run).

    .venv/bin/python benchmarks/bench_intake.py [--rows 2000000]

The batch is a vehicle-registration feed (benchmarks/out/vehicles-<rows>.parquet, made
from the synthetic feed's records repeated under new record ids).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb

from _common import ROOT, machine, write_section
from povertycloud.feeds.sources import load_sources
from povertycloud.intake import import_file
from povertycloud.sqltext import literal
from povertycloud.store import Store
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.feeds import write_feeds

TARGET = 500_000
SOURCE = "transport_vehicles"


def batch(rows: int) -> Path:
    out = ROOT / "benchmarks" / "out"
    path = out / f"vehicles-{rows}.parquet"
    if path.exists():
        return path
    province = out / "feeds-200000"
    if not province.exists():
        generate(SynthConfig(people=200_000), province)
    feed = province / "feeds" / f"{SOURCE}.parquet"
    if not feed.exists():
        write_feeds(province, province / "feeds")
    duckdb.execute(f"""COPY (
SELECT row_number() OVER () AS record_id, f.* EXCLUDE (record_id)
FROM read_parquet({literal(feed)}) f,
  range(CAST(ceil({rows} / (SELECT count(*) FROM read_parquet({literal(feed)}))) AS BIGINT))
LIMIT {rows}) TO {literal(path)} (FORMAT PARQUET)""")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    path = batch(args.rows)
    table = load_sources()[SOURCE].table
    with tempfile.TemporaryDirectory() as folder, \
            Store.create(Path(folder) / "intake.duckdb") as store:
        started = time.perf_counter()
        report = import_file(store, table, path)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        store.execute(f"CREATE TABLE copied AS SELECT * FROM read_parquet("
                      f"{literal(path)})")
        baseline = time.perf_counter() - started
    rate, base_rate = report.rows_in / seconds, report.rows_in / baseline
    print(f"{report.rows_in:,} rows: intake {seconds:.1f} s ({rate:,.0f} rows/s), "
          f"unchecked copy {baseline:.1f} s ({base_rate:,.0f} rows/s)")
    write_section("intake", f"""
## Intake of a department's Parquet batch

Command: `.venv/bin/python benchmarks/bench_intake.py --rows {args.rows}`
({dt.date.today()}, {machine()}). A vehicle-registration batch of {report.rows_in:,}
rows (six fields) taken in by `import_file` into a new store: read, every field checked
(types, required values, ranges, no date after the day, no control character, duplicate
keys in the file, corrections of stored records), kept with its batch in one
transaction ({report.accepted:,} accepted). The baseline is DuckDB copying the
same file into a table with no checks, in the same run.

| | time | rows per second |
|---|---|---|
| intake, checked | {seconds:.1f} s | {rate:,.0f} |
| baseline: unchecked copy | {baseline:.1f} s | {base_rate:,.0f} |

Target: at least {TARGET:,} rows per second: {"met" if rate >= TARGET else "**not met**"}
(intake costs {seconds / baseline:.1f} times the unchecked copy).
""")


if __name__ == "__main__":
    main()
