"""The allocation of a county's budget: people lifted per million yuan by the mixed-integer
programme (HiGHS) against the greedy rules officers use, in the same run, with the solve
time and the gap to the LP bound, at several budgets.

    .venv/bin/python benchmarks/bench_allocation.py [--people 200000] [--time-limit 120]
        [--shares 0.05 0.1 0.2] [--rebuild] [--write]

Builds (once; --rebuild again) a store of the synthetic province
(benchmarks/out/allocation-<people>.duckdb), runs the pipeline and the identification, and
takes its county with the most households. Each budget is a share of what every offered
measure and project would cost together.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time

from _common import ROOT, machine, write_section
from povertycloud.assistance.allocation import allocate, allocation_problem
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.cli.synth import build_store
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig

NOTE = ("Assumptions (docs/assistance.md): a household is out of poverty when its income "
        "plus the expected effects of what it gets reaches the line and every guarantee it "
        "fails is met; effects add up and are those of rules/help_measures.yaml, not yet "
        "measured. The greedy rules keep the same budget, limits, exclusive groups and "
        "entitlements; HiGHS starts from the better of them, so it is never worse.")


def _store(people: int, rebuild: bool) -> Store:
    db = ROOT / "benchmarks" / "out" / f"allocation-{people}.duckdb"
    if rebuild or not db.exists():
        db.unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        build_store(SynthConfig(people=people), db)
        with Store(db) as store:
            run_on_store(store)
            identify(store, load_rules(), store.latest_year("household_years") or 0)
    return Store(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--shares", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--write", action="store_true",
                        help="put the table into docs/benchmarks.md")
    args = parser.parse_args()
    catalogue = load_catalogue()
    with _store(args.people, args.rebuild) as store:
        county, households = store.one(
            "SELECT substr(village_code, 1, 6) || '000000', count(*) FROM households "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1") or ("", 0)
        started = time.perf_counter()
        problem = allocation_problem(store, catalogue, county, 2026, 1)
        read = time.perf_counter() - started
    everything = int(problem.items.cost_fen.sum() + problem.projects.cost_fen.sum())
    kinds = len(set(problem.items.measures) | set(problem.projects.measures))
    lines = [f"Command: `.venv/bin/python benchmarks/bench_allocation.py --people "
             f"{args.people} --time-limit {args.time_limit:g} --shares "
             f"{' '.join(f'{s:g}' for s in args.shares)}` ({dt.date.today()}, {machine()}; "
             "HiGHS on one thread).", "",
             f"County {county}: {households:,} households, of which "
             f"{len(problem.households):,} still poor ({int(problem.households.members.sum()):,}"
             f" people); {len(problem.items):,} household measures and "
             f"{len(problem.projects):,} village projects on offer, {kinds} kinds of "
             f"measure; all of them would cost {everything / 1e8:,.1f} million yuan. "
             f"Reading the problem took {read:.1f} s.", "",
             "| budget (million yuan) | people out, MILP | per million yuan: MILP | "
             "cheapest first | poorest first | MILP ÷ best greedy | solve (s) | LP (s) | "
             "gap to LP bound | HiGHS |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for share in args.shares:
        budget = max(int(everything * share), int(problem.items.cost_fen[
            problem.items.entitled].sum()))
        done = allocate(dataclasses.replace(problem, budget_fen=budget),
                        time_limit=args.time_limit)
        milp, cheap, poor = (done.method(n).outcome for n in
                             ("milp", "cheapest_first", "poorest_first"))
        best = max(cheap.people_per_million, poor.people_per_million)
        lines.append(
            f"| {budget / 1e8:,.1f} | {milp.people_lifted:,} | {milp.people_per_million:,.1f} | "
            f"{cheap.people_per_million:,.1f} | {poor.people_per_million:,.1f} | "
            f"{milp.people_per_million / best:.2f}× | {done.solved.seconds:.1f} | "
            f"{done.solved.lp_seconds:.1f} | {done.solved.gap_to_lp:.2%} | "
            f"{done.solved.status} |")
        print(lines[-1], flush=True)
    lines += ["", NOTE]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("allocation", "## Allocation: the programme against the greedy rules"
                      "\n\n" + body)


if __name__ == "__main__":
    main()
