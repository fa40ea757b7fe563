"""Time and peak memory of `povertycloud synth` at 1 and 10 million people.

    .venv/bin/python benchmarks/bench_synth.py [--sizes 1000000 10000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from _common import CLI, machine, run_measured, write_section

LIMIT = 8 * 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    rows = []
    for people in args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="bench-synth-", dir=Path.cwd()))
        try:
            seconds, peak = run_measured([CLI, "synth", "--people", str(people),
                                          "--out", str(tmp / "province")])
            size = sum(f.stat().st_size for f in (tmp / "province").rglob("*.parquet"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        verdict = "under" if peak < LIMIT else "OVER"
        rows.append(f"| {people:,} | {seconds:.1f} s | {people / seconds:,.0f} | "
                    f"{peak / 2**30:.2f} GiB ({verdict} 8 GiB) | {size / 2**20:,.0f} MiB |")
        print(rows[-1], flush=True)
    write_section("synth", f"""
## Synthetic province: `synth` to Parquet

Command: `.venv/bin/python benchmarks/bench_synth.py --sizes {' '.join(map(str, args.sizes))}`
({dt.date.today()}, {machine()}). Peak memory is the resident set of the whole process
tree, sampled every 50 ms.

| people | time | people per second | peak memory | Parquet on disk |
|---|---|---|---|---|
{chr(10).join(rows)}
""")


if __name__ == "__main__":
    main()
