"""`identify` with a cause model against `identify` with the rules alone, on the same store
in the same run: wall time and peak memory of each command as a whole process.

    .venv/bin/python benchmarks/bench_identify_models.py [--people 10000000] [--year 2014]

The store is a copy of the rollups benchmark's province (built when missing); 10% of the
year's households are verified and a model trained on them (not timed here: see
bench_learned_causes.py), then the two commands alternate ``--rounds`` times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics

from _common import CLI, ROOT, machine, run_measured, write_section
from povertycloud.access.accounts import user_named
from povertycloud.cli.web import demo_users
from povertycloud.identification.cause_training import train_causes
from povertycloud.identification.plan import load_rules
from povertycloud.intake.verifications import import_verifications
from povertycloud.store import Store
from povertycloud.synth.verifications import write_verifications

OUT = ROOT / "benchmarks" / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    source = OUT / f"rollups-{args.people}.duckdb"
    if not source.exists():
        run_measured([CLI, "synth", "--people", str(args.people), "--db", str(source)])
    db, model = OUT / f"identify-models-{args.people}.duckdb", OUT / "identify-model.json"
    shutil.copy(source, db)
    with Store(db) as store:
        if not store.scalar("SELECT count(*) FROM users WHERE username = 'province_officer'"):
            demo_users(store)
        file = OUT / "identify-models-verified.csv"
        write_verifications(store, args.year, 0.1, file)
        import_verifications(store, file, user_named(store, "province_officer"))
        trained = train_causes(store, load_rules(), dt.date(args.year + 1, 3, 15), model)
        households = store.scalar("SELECT count(*) FROM household_years WHERE year = ?",
                                  [args.year])
    base = [CLI, "identify", "--db", str(db), "--year", str(args.year)]
    runs: dict[str, list[tuple[float, int]]] = {"rules": [], "model": []}
    for _ in range(args.rounds):
        runs["rules"].append(run_measured(base))
        runs["model"].append(run_measured([*base, "--cause-model", str(model)]))
        print(runs, flush=True)
    with Store(db, read_only=True) as store:
        learned = store.scalar("SELECT count(*) FROM identification WHERE year = ? AND "
                               "cause_source = 'model'", [args.year])
    db.unlink()
    rules_s = statistics.median(t for t, _ in runs["rules"])
    model_s = statistics.median(t for t, _ in runs["model"])
    rules_m = max(m for _, m in runs["rules"]) / 2**30
    model_m = max(m for _, m in runs["model"]) / 2**30
    write_section("identify-models", f"""
### identify with a cause model, {args.people:,} people

Command: `.venv/bin/python benchmarks/bench_identify_models.py --people {args.people}
--year {args.year} --rounds {args.rounds}` ({dt.date.today()}, {machine()}). The
{households:,} households of {args.year}; the model trained on
{trained.verified:,} verified poor households (10% of the year's households visited)
scores the {learned:,} whose cause it gives (poor or at risk) in Arrow batches, on
DuckDB. Each command timed as a whole process (median of {args.rounds}; peak resident
memory of its process tree), alternating in the same run.

| identify | wall time | peak memory |
|---|---:|---:|
| rules only | {rules_s:.0f} s | {rules_m:.1f} GiB |
| with the cause model | {model_s:.0f} s | {model_m:.1f} GiB |
| ratio | {model_s / rules_s:.2f} | {model_m / rules_m:.2f} |
""")


if __name__ == "__main__":
    main()
