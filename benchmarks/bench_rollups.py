"""Region roll-ups at every level over a large province on DuckDB.

    .venv/bin/python benchmarks/bench_rollups.py [--people 10000000] [--runs 5]

Builds (or reuses) benchmarks/out/rollups-<people>.duckdb with `synth --db` and
`pipeline --db`, then times `povertycloud.reports.rollup` for all levels at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from _common import CLI, ROOT, machine, run_measured, write_section
from povertycloud.reports import rollup
from povertycloud.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = ROOT / "benchmarks" / "out" / f"rollups-{args.people}.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    setup = []
    if not db.exists():
        seconds, peak = run_measured([CLI, "synth", "--people", str(args.people), "--db", str(db)])
        setup.append(f"`synth --db`: {seconds:.0f} s, peak {peak / 2**30:.2f} GiB")
        seconds, peak = run_measured([CLI, "pipeline", "--db", str(db)])
        setup.append(f"`pipeline --db` (DuckDB): {seconds:.0f} s, peak {peak / 2**30:.2f} GiB")
    with Store(db, read_only=True) as store:
        people = store.count("people")
        times, rows = [], 0
        for i in range(args.runs + 1):
            as_of = dt.date(2014 + i % 7, 12, 31)
            started = time.perf_counter()
            rows = rollup(store, as_of).num_rows
            if i:  # the first run warms the caches
                times.append(time.perf_counter() - started)
    line = (f"| {people:,} | {rows:,} | {statistics.median(times) * 1000:.0f} ms | "
            f"{max(times) * 1000:.0f} ms |")
    print(line)
    notes = "\n".join(f"- {s}" for s in setup) or "- store reused from an earlier run"
    write_section("rollups", f"""
## Roll-ups at every level, DuckDB

Command: `.venv/bin/python benchmarks/bench_rollups.py --people {args.people} --runs {args.runs}`
({dt.date.today()}, {machine()}). One call of `rollup(store, as_of)` computes every level
(province to village) as of a year end, from the stored household indicators and the
status history; {args.runs} timed runs after one warm-up. Target: at most 1 second.

| people | regions returned | median | slowest |
|---|---|---|---|
{line}

Setup in this run:
{notes}
""")


if __name__ == "__main__":
    main()
