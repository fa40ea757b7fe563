"""Anomalies in the funds: each rule's precision and recall against what the synthetic
funds injected (truth_fund_anomalies), and the bank reconciliation's outcomes likewise.

    .venv/bin/python benchmarks/bench_fund_anomalies.py [--people 100000] [--seed 1]
        [--write]

Builds a store of the synthetic province (benchmarks/out/fund-anomalies-<people>.duckdb),
runs the pipeline and the identification, books a year of synthetic funds through the
product's own functions (appropriations, allocations, payment lists, bank returns, goods
in kind, with anomalies injected at known rates), raises the anomaly flags as of the
year's end and scores them: a flag is right when it names what was injected (the same
payment line; for shared_account the same household; for late_disbursement the same
batch; for idle_funds the same region and programme).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, precision_recall_table, truth_score, write_section
from povertycloud.cli.synth import build_store
from povertycloud.funds.anomalies import load_anomaly_rules, raise_fund_flags
from povertycloud.funds.programmes import load_programmes
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.synth.funds import FundsConfig, synthesize_funds

KEYS = {"shared_account": "household_id", "late_disbursement": "batch_id",
        "idle_funds": "region_code || '/' || programme"}
LINE = "batch_id || '/' || line"
NOTE = ("The synthetic funds are clean but for what was injected, so each rule's "
        "figures show that it finds what it is meant to and nothing of the others' "
        "cases; real data's precision is the officers' verified outcomes (`funds flags "
        "list`), docs/funds.md.")


def scores(store: Store) -> list[tuple[str, int, int, int]]:
    """Per rule: injected, flagged, right."""
    rules = [str(r) for r in store.column(
        "SELECT DISTINCT rule FROM fund_flags UNION SELECT DISTINCT rule "
        "FROM truth_fund_anomalies ORDER BY 1")]
    rows = []
    for rule in rules:
        key = KEYS.get(rule, LINE)
        if rule.startswith("bank_"):
            found = f"SELECT {LINE} AS k FROM fund_reconciliations WHERE outcome = " \
                    f"'{rule[5:]}'"
        else:
            found = f"SELECT DISTINCT {key} AS k FROM fund_flags WHERE rule = '{rule}'"
        truth = f"SELECT DISTINCT {key} AS k FROM truth_fund_anomalies WHERE rule = '{rule}'"
        rows.append((rule, *truth_score(store, truth, found)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true",
                        help="put the table into docs/benchmarks.md")
    args = parser.parse_args()
    db = ROOT / "benchmarks" / "out" / f"fund-anomalies-{args.people}.duckdb"
    db.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    build_store(SynthConfig(people=args.people), db, feeds=True)
    with Store(db) as store, tempfile.TemporaryDirectory() as folder:
        run_on_store(store)
        identify(store, load_rules(), store.latest_year("household_years") or 0)
        started = time.perf_counter()
        counts = synthesize_funds(store, Path(folder), FundsConfig(seed=args.seed))
        booked = time.perf_counter() - started
        started = time.perf_counter()
        raise_fund_flags(store, load_anomaly_rules(), load_programmes(),
                         dt.date(2026, 12, 31))
        raised = time.perf_counter() - started
        rows = scores(store)
    lines = [f"Command: `.venv/bin/python benchmarks/bench_fund_anomalies.py --people "
             f"{args.people} --seed {args.seed}` ({dt.date.today()}, {machine()}): "
             f"{counts['lines']:,} payment lines in {counts['batches']:,} batches and "
             f"{counts['entries']:,} entries booked in {booked:.1f} s; the rules ran in "
             f"{raised:.1f} s.", "",
             *precision_recall_table(rows, "rule")]
    lines += ["", NOTE]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("fund-anomalies", "## Funds: anomalies against the synthetic truth"
                      "\n\n" + body)


if __name__ == "__main__":
    main()
