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
        lines = [_timed(store, people, args.runs, 12, 31, "year end: the pipeline's figures"),
                 _timed(store, people, args.runs, 6, 30, "mid-year: rolled up from the "
                        "registry and the status history")]
    print("\n".join(lines))
    notes = "\n".join(f"- {s}" for s in setup) or "- store reused from an earlier run"
    write_section("rollups", f"""
## Roll-ups at every level, DuckDB

Command: `.venv/bin/python benchmarks/bench_rollups.py --people {args.people} --runs {args.runs}`
({dt.date.today()}, {machine()}). One call of `rollup(store, as_of)` gives every level
(province to village) as of a day; {args.runs} timed runs after one warm-up, the days in
2014-2020. At a year end the pipeline's stored figures answer (while no status changed
and no household moved since it ran); on any other day every level is rolled up from
the stored household indicators and the status history, which is the work the target
is about. Target: at most 1 second.

| as of | people | regions returned | median | slowest |
|---|---|---|---|---|
{chr(10).join(lines)}

Setup in this run:
{notes}
""")


def _timed(store: Store, people: int, runs: int, month: int, day: int, label: str) -> str:
    times, rows = [], 0
    for i in range(runs + 1):
        as_of = dt.date(2014 + i % 7, month, day)
        started = time.perf_counter()
        rows = rollup(store, as_of).num_rows
        if i:  # the first run warms the caches
            times.append(time.perf_counter() - started)
    return (f"| {label} | {people:,} | {rows:,} | {statistics.median(times) * 1000:.0f} ms | "
            f"{max(times) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
