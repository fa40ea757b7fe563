"""Where poverty will be next year, checked out of sample on the panel: for each origin
year, the warning model trained on the years before it, its risks summed per region at
each level, against the households that did fall below the line the next year.

    .venv/bin/python benchmarks/bench_forecast.py [--people 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt

from _common import CLI, ROOT, machine, run_measured, write_section
from povertycloud.dynamic.forecast import check
from povertycloud.store import Store

LEVELS = ("county", "township", "village")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, nargs="+", default=[2016, 2017, 2018, 2019])
    args = parser.parse_args()
    db = ROOT / "benchmarks" / "out" / f"forecast-{args.people}.duckdb"
    if not db.exists():
        run_measured([CLI, "synth", "--people", str(args.people), "--db", str(db)])
    rows = []
    with Store(db, read_only=True) as store:
        for year in args.years:
            for level in LEVELS:
                done = check(store, year, level)
                rows.append(f"| {year} → {year + 1} | {level} | {done.regions:,} | "
                            f"{done.expected:,.0f} | {done.fell:,} | "
                            f"{done.expected / done.fell:.2f} | {done.covered:.0%} | "
                            f"{done.mean_abs_error:,.1f} |")
                print(rows[-1], flush=True)
    write_section("forecast", f"""
### Where poverty will be next year, out of sample

Command: `.venv/bin/python benchmarks/bench_forecast.py --people {args.people}`
({dt.date.today()}, {machine()}). For each origin year, the warning model (rules/warning.yaml)
trained on the years before it scores that year's households at or above the line; the
risks summed per region (`warn forecast --check YEAR --level LEVEL`) against the
households that fell below the line the next year (those surveyed then). "Held" is the
share of regions whose falls lay inside the 95% interval.

| origin → next | level | regions | expected | fell | expected ÷ fell | held | mean abs. error |
|---|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}
""")


if __name__ == "__main__":
    main()
