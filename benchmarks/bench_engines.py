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
from povertycloud.identification.plan import identify_plan, load_rules
from povertycloud.pipeline import run_on_parquet
from povertycloud.pipeline.plan import register_inputs, run_plan, write_outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2020, help="year to identify")
    args = parser.parse_args()
    base = ROOT / "benchmarks" / "out"
    inputs = base / f"province-{args.people}"
    if not inputs.exists():
        run_measured([CLI, "synth", "--people", str(args.people), "--out", str(inputs)])
    seconds = {}
    plan = identify_plan(load_rules(), args.year)
    for name in ("duckdb", "spark"):
        out = base / f"engines-{name}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        engine = get_engine(name)
        seconds[f"{name} start"] = time.perf_counter() - started
        started = time.perf_counter()
        run_on_parquet(engine, inputs, out / "pipeline")
        seconds[name] = time.perf_counter() - started
        started = time.perf_counter()
        register_inputs(engine, plan.inputs, inputs)
        run_plan(engine, plan)
        write_outputs(engine, plan, out / "identify")
        seconds[f"{name} identify"] = time.perf_counter() - started
        engine.close()
        print(name, f"{seconds[name]:.1f} s, identify {seconds[f'{name} identify']:.1f} s",
              flush=True)
    ratio = seconds["spark"] / seconds["duckdb"]
    ratio_identify = seconds["spark identify"] / seconds["duckdb identify"]
    write_section("engines", f"""
## Spark local against DuckDB

Command: `.venv/bin/python benchmarks/bench_engines.py --people {args.people} --year {args.year}`
({dt.date.today()}, {machine()}). Both engines read the same Parquet files and write the
same outputs: the batch pipeline (household indicators for every year, status periods,
region roll-ups for each year end) and the identification of {args.year} (income test,
guarantees, 48-indicator scorecard, causes, measures). Tests assert the outputs of both
engines are equal. Times exclude engine start-up, shown apart.

| engine | start-up | batch pipeline | identification |
|---|---|---|---|
{_row("DuckDB", "duckdb", seconds)}
{_row("Spark, `local[*]`", "spark", seconds)}

Spark takes **{ratio:.1f} times** as long as DuckDB for the pipeline and **{ratio_identify:.1f}
times** for identification, on one machine of 2 cores: Spark pays for distribution it
cannot use here; its place is a cluster, when a province outgrows one machine.
""")


def _row(label: str, name: str, seconds: dict[str, float]) -> str:
    return (f"| {label} | {seconds[f'{name} start']:.1f} s | {seconds[name]:.1f} s | "
            f"{seconds[f'{name} identify']:.1f} s |")


if __name__ == "__main__":
    main()
