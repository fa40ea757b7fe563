"""The measured effect of each kind of help measure on income against the effect built
into the synthetic province, over repeated provinces: bias, and the share of 95%
intervals that hold the built-in effect (aim: 93-97%); beside it, the bias of the naive
comparison (the change of those who received a kind against all others) that the
difference in differences with covariates corrects, and how often the placebo's interval
holds zero.

    .venv/bin/python benchmarks/bench_measure_effects.py [--people 30000] [--draws 200]
        [--write]

Each draw generates a province with its own seed (a new population, new shocks, new
help), loads it into a new store and measures the effects the product's way
(assessment.effects.measure: the frame's SQL, the regressions with statsmodels).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from _common import machine, write_section
from povertycloud.assessment import effects
from povertycloud.intake.bulk import load_directory
from povertycloud.store import Store
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.panel import MEASURE_EFFECTS

Found = dict[str, list[tuple[float, float, float, float, bool]]]


def one_draw(people: int, seed: int, folder: Path) -> Found:
    """Each kind's (estimate, low, high, naive, placebo holds) in one province."""
    generate(SynthConfig(people=people, seed=seed), folder / f"p{seed}")
    found: Found = {}
    with Store.create(folder / f"p{seed}.duckdb", key=None) as store:
        load_directory(store, folder / f"p{seed}")
        table = effects.frame(store)
    col = {n: table.column(n).to_numpy(zero_copy_only=False) for n in table.column_names}
    for e in effects.fit(table):
        fresh = ~col[f"then_{e.kind}"] & ~col[f"before_{e.kind}"]
        got, change = col[f"now_{e.kind}"][fresh], col["change_after"][fresh]
        naive = float(change[got].mean() - change[~got].mean())
        found[e.kind] = [(e.effect, e.low, e.high, naive, e.placebo_holds)]
    return found


def table(found: Found) -> list[str]:
    lines = ["| kind | built in (log points) | mean estimate | bias | intervals holding it "
             "| mean width | naive bias | placebo holding 0 |", "|---|---|---|---|---|---|---|---|"]
    for kind, runs in found.items():
        truth = MEASURE_EFFECTS[kind]
        mean = statistics.fmean(r[0] for r in runs)
        held = sum(r[1] <= truth <= r[2] for r in runs) / len(runs)
        width = statistics.fmean(r[2] - r[1] for r in runs)
        naive = statistics.fmean(r[3] for r in runs) - truth
        placebo = sum(r[4] for r in runs) / len(runs)
        lines.append(f"| {kind} | {truth:.3f} | {mean:.3f} | {mean - truth:+.3f} | "
                     f"{100 * held:.1f} % of {len(runs)} | {width:.3f} | {naive:+.3f} | "
                     f"{100 * placebo:.1f} % |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=30_000)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--write", action="store_true", help="Write into docs/benchmarks.md.")
    args = ap.parse_args()
    found: Found = {}
    seconds = []
    for k in range(args.draws):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            for kind, runs in one_draw(args.people, 1000 + k, Path(folder)).items():
                found.setdefault(kind, []).extend(runs)
        seconds.append(time.perf_counter() - started)
        if (k + 1) % 20 == 0:
            print(f"{k + 1} draws", flush=True)
    command = (f".venv/bin/python benchmarks/bench_measure_effects.py --people {args.people} "
               f"--draws {args.draws}")
    body = "\n".join([
        "## Effects of help measures: measured against the built-in effects", "",
        f"`{command}` ({machine()}, {dt.date.today()}): {args.draws} synthetic provinces of "
        f"{args.people:,} people (seeds 1000 on), each generated, loaded and measured in "
        f"{statistics.median(seconds):.1f} s (median). Effects are gains in log income per "
        "capita the year after (0.10 is about 10.5 %); the naive bias is that of comparing "
        "the change of those who received a kind with all others, which the model's "
        "covariates and comparison (not yet treated) correct.", "",
        *table(found), "",
        f"A coverage over {args.draws} draws is itself uncertain by about "
        f"{100 * (0.95 * 0.05 / args.draws) ** 0.5:.1f} points (one standard error)."])
    print(body)
    if args.write:
        write_section("measure_effects", body)


if __name__ == "__main__":
    main()
