"""The same pipeline on Spark (local mode) and on DuckDB over the same Parquet input.

    .venv/bin/python benchmarks/bench_engines.py [--people 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time

from _common import CLI, ROOT, machine, run_measured, write_section
from povertycloud.engines import get_engine
from povertycloud.pipeline import run_on_parquet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args()
    base = ROOT / "benchmarks" / "out"
    inputs = base / f"province-{args.people}"
    if not inputs.exists():
        run_measured([CLI, "synth", "--people", str(args.people), "--out", str(inputs)])
    seconds = {}
    for name in ("duckdb", "spark"):
        out = base / f"engines-{name}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        engine = get_engine(name)
        seconds[f"{name} start"] = time.perf_counter() - started
        started = time.perf_counter()
        run_on_parquet(engine, inputs, out)
        seconds[name] = time.perf_counter() - started
        engine.close()
        print(name, f"{seconds[name]:.1f} s", flush=True)
    ratio = seconds["spark"] / seconds["duckdb"]
    write_section("engines", f"""
## The pipeline on Spark local against DuckDB

Command: `.venv/bin/python benchmarks/bench_engines.py --people {args.people}`
({dt.date.today()}, {machine()}). Both engines read the same Parquet files and write the
same outputs (household indicators, region roll-ups for each of the seven year ends);
a test asserts the outputs are equal. Times exclude engine start-up, shown apart.

| engine | start-up | pipeline |
|---|---|---|
| DuckDB | {seconds['duckdb start']:.1f} s | {seconds['duckdb']:.1f} s |
| Spark, `local[*]` | {seconds['spark start']:.1f} s | {seconds['spark']:.1f} s |

Spark takes **{ratio:.1f} times** as long as DuckDB on one machine of 2 cores: Spark pays
for distribution it cannot use here; its place is a cluster, when a province outgrows one
machine.
""")


if __name__ == "__main__":
    main()
