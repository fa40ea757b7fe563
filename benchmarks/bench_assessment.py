"""The assessment's estimates against the truth, over repeated draws: for each rate, the
bias of the sampled estimate and the share of its 95 % intervals that hold the true rate
of the county (aim: 93-97 %), with assessors who make no error, and again with assessors
who get a share of their verdicts wrong.

    .venv/bin/python benchmarks/bench_assessment.py [--people 200000] [--draws 200]
        [--error 0.02] [--error-draws 50] [--write]

Builds a store of the synthetic province (benchmarks/out/assessment-<people>.duckdb), runs
the pipeline and the identification, writes the truth of its largest county
(synth/assessment.py), then for each draw goes the product's whole way: a design with the
draw's seed, the draw, the returns written from the truth, their import (checks,
weights, the rates estimated with svy). The true rate is over every household of the
county's frame.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, write_section
from povertycloud.access.accounts import create_user, user_named
from povertycloud.assessment.design import make_design
from povertycloud.assessment.draw import draw_sample
from povertycloud.assessment.rates import RATES, estimates
from povertycloud.assessment.returns import import_returns
from povertycloud.assessment.rules import load_assessment_rules
from povertycloud.cli.synth import build_store
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.synth.assessment import (
    AssessmentConfig,
    true_rates,
    write_returns,
    write_truth,
)

PASSWORD = "benchmark password"


def province(people: int, seed: int) -> Path:
    db = ROOT / "benchmarks" / "out" / f"assessment-{people}.duckdb"
    if db.exists():
        return db
    build_store(SynthConfig(people=people, seed=seed), db)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), store.latest_year("household_years") or 0)
        code = store.value("SELECT min(code) FROM regions WHERE level = 'province'")
        create_user(store, "province_officer", PASSWORD, "officer", code)
        create_user(store, "third_party", PASSWORD, "assessor", code)
    return db


Found = dict[str, list[tuple[float, float, float]]]  # rate: (estimate, low, high) a draw
INTERVALS = ("korn-graubard", "logit", "wilson")


def draws(store: Store, county: str, as_of: dt.date, count: int, error: float,
          first_seed: int) -> tuple[dict[str, Found], float, int]:
    """By interval method, each rate's (estimate, low, high) over ``count`` draws (the
    rules' method through the import, the others estimated again from the same returns);
    seconds a draw took from design to rates; households returned in the last."""
    rules = load_assessment_rules()
    officer, assessor = user_named(store, "province_officer"), user_named(store, "third_party")
    found: dict[str, Found] = {m: {r: [] for r in RATES} for m in INTERVALS}
    seconds, households = [], 0
    with tempfile.TemporaryDirectory() as folder:
        for k in range(count):
            started = time.perf_counter()
            seed = first_seed + k
            assessment = make_design(store, rules, county, as_of, seed, officer)
            draw_sample(store, assessment, ["a1", "a2", "a3"], officer)
            path = Path(folder) / f"returns-{seed}.csv"
            households = write_returns(store, assessment, path,
                                       AssessmentConfig(seed=seed, assessor_error=error))
            import_returns(store, rules, assessment, path, assessor)
            seconds.append(time.perf_counter() - started)
            for r in store.records("SELECT rate, estimate, ci_low, ci_high FROM "
                                   "assessment_estimates WHERE assessment_id = ? AND "
                                   "level = 'county'", [assessment]):
                if r["estimate"] is not None:
                    found[rules.interval][r["rate"]].append(
                        (r["estimate"], r["ci_low"], r["ci_high"]))
            for method in INTERVALS:
                if method != rules.interval:
                    other = dataclasses.replace(rules, interval=method)
                    for r in estimates(store, other, assessment):
                        if r["level"] == "county" and r["estimate"] is not None:
                            found[method][r["rate"]].append(
                                (r["estimate"], r["ci_low"], r["ci_high"]))
    return found, statistics.median(seconds), households


def table(found: dict[str, Found], truth: dict[str, float]) -> list[str]:
    """Bias and coverage of each rate, the coverage and width of each interval method."""
    methods = [m for m in INTERVALS if any(found[m].values())]
    lines = ["| rate | true % | mean estimate % | bias (points) | "
             + " | ".join(f"{m}: holding the truth, mean width (points)" for m in methods)
             + " |", "|---|---|---|---|" + "---|" * len(methods)]
    for rate in RATES:
        t, values = truth[rate], found[methods[0]][rate]
        mean = statistics.fmean(v[0] for v in values)
        cells = []
        for m in methods:
            runs = found[m][rate]
            held = sum(lo <= t <= hi for _, lo, hi in runs) / len(runs)
            width = statistics.fmean(hi - lo for _, lo, hi in runs)
            cells.append(f"{100 * held:.1f} % of {len(runs)}, {100 * width:.2f}")
        lines.append(f"| {rate} | {100 * t:.2f} | {100 * mean:.2f} | {100 * (mean - t):+.2f} "
                     f"| {' | '.join(cells)} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--error", type=float, default=0.02)
    ap.add_argument("--error-draws", type=int, default=50)
    ap.add_argument("--write", action="store_true", help="Write into docs/benchmarks.md.")
    args = ap.parse_args()
    db = province(args.people, args.seed)
    with Store(db) as store:
        county = str(store.value(
            "SELECT substr(village_code, 1, 6) || '000000' FROM households GROUP BY 1 "
            "ORDER BY count(*) DESC, 1 LIMIT 1"))
        year = store.latest_year("household_years") or 0
        as_of = dt.date(year + 1, 3, 1)
        households = write_truth(store, county, as_of, AssessmentConfig(seed=args.seed))
        truth = true_rates(store, county)
        clean, seconds, drawn = draws(store, county, as_of, args.draws, 0.0, 1)
        erring, _, _ = draws(store, county, as_of, args.error_draws, args.error, 10_001)
    command = (f".venv/bin/python benchmarks/bench_assessment.py --people {args.people} "
               f"--draws {args.draws} --error {args.error} --error-draws {args.error_draws}")
    body = "\n".join([
        "## Assessment: sampled rates against the truth", "",
        f"`{command}` ({machine()}, {dt.date.today()}): the synthetic province of "
        f"{args.people:,} people, its largest county ({county}, {households:,} households "
        f"in the frame of {as_of}); each draw takes about {drawn:,} households in "
        f"{load_assessment_rules().villages} villages and runs design, draw, returns, "
        f"import and estimation in {seconds:.1f} s (median).", "",
        f"Assessors without error, {args.draws} draws:", "", *table(clean, truth), "",
        f"Assessors who get {100 * args.error:.0f} % of their verdicts wrong, "
        f"{args.error_draws} draws: their errors bias the rates of rare events upwards "
        "(a wrong verdict among the many non-poor outweighs one among the few poor), which "
        "no interval of the sample can show:", "", *table(erring, truth)])
    print(body)
    if args.write:
        write_section("assessment", body)


if __name__ == "__main__":
    main()
