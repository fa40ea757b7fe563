"""Relapse early warning: the model against the rules of the 2020 guidance, out of sample
on later years of the synthetic panel (AUC, recall at the monitoring capacity), with the
time to train and to score.

    .venv/bin/python benchmarks/bench_warning.py [--people 200000] [--seed 20141] [--db STORE]

Builds a store of the synthetic province (benchmarks/out/warning-<people>.duckdb) unless
--db names one; runs `povertycloud warn evaluate` (train on the origin years before the
test years, test on the rules' last two) with each village's list, then with one list for
the province, and `povertycloud warn score` on the latest year (it writes relapse_risk).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

from _common import ROOT, machine, write_section
from povertycloud.cli.synth import build_store
from povertycloud.dynamic.warning import Evaluation, evaluate, load_warning, score
from povertycloud.store import Store
from povertycloud.synth import SynthConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=SynthConfig.seed)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db
    if db is None:
        db = ROOT / "benchmarks" / "out" / f"warning-{args.people}.duckdb"
        db.unlink(missing_ok=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        build_store(SynthConfig(people=args.people, seed=args.seed), db)
    rules = load_warning()
    province = replace(rules, capacity_scope="province")
    with Store(db) as store:
        households = store.count("households")
        by_village = evaluate(store, rules)
        one_list = evaluate(store, province)
        scored = score(store, rules)
        reasons = Counter(code for (text,) in store.execute(
            "SELECT reasons FROM relapse_risk WHERE on_list AND year = ?", [scored.year]
        ).fetchall() for code in json.loads(text))
    where = (f"a province of {args.people:,} people (seed {args.seed})" if args.db is None
             else f"the store {args.db}")
    command = ("`.venv/bin/python benchmarks/bench_warning.py "
               + (f"--people {args.people} --seed {args.seed}`" if args.db is None
                  else f"--db {args.db}`"))
    common = ", ".join(f"`{code}` {n:,}" for code, n in reasons.most_common(8))
    text = f"""
## Relapse early warning: model against the rules

Command: {command} ({dt.date.today()}, {machine()}).

On {where} ({households:,} households), the model ({rules.model}: LightGBM,
{rules.rounds} rounds) learns from the origin years {_span(by_village)}
({by_village.train_households:,} households × years at or above the line) whether a
household falls below the line the next year, and is tested on the later origin years.
Baseline: the rules of the 2020 guidance (income below 1.5 times the line, or rigid
spending at least {rules.expense_share:.0%} of the year's income), flagged households
first, each group by income. Capacity: {rules.capacity_share:.0%} of the households scored,
each village its own list (rounded up), or one list for the province. Recall: the share of
the year's falls on the lists.

{_table(by_village, one_list)}

Training {by_village.fit_seconds:.1f} s; scoring and explaining a test year
{by_village.score_seconds / len(by_village.years):.1f} s. `warn score` of {scored.year}
(training on {scored.train_years[0]}–{scored.train_years[-1]}, scoring and explaining
{scored.households:,} households, writing relapse_risk): {scored.seconds:.1f} s;
{scored.listed:,} households on the lists of {scored.villages:,} villages. Reasons most
given on the lists (up to {rules.top_reasons} a household): {common}.
"""
    print(text)
    write_section("warning", text)


def _span(result: Evaluation) -> str:
    return f"{result.train_years[0]}–{result.train_years[-1]}"


def _table(by_village: Evaluation, one_list: Evaluation) -> str:
    rows = ["| origin → next | households | falls | AUC model | AUC rules | listed | "
            "recall model | recall rules | province list: model | rules | flagged by rules "
            "(recall) |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for v, p in zip(by_village.years, one_list.years, strict=True):
        rows.append(
            f"| {v.year} → {v.year + 1} | {v.households:,} | {v.falls:,} "
            f"({v.falls / v.households:.1%}) | {_f(v.model_auc)} | {_f(v.baseline_auc)} | "
            f"{v.capacity:,} | {_f(v.model_recall)} | {_f(v.baseline_recall)} | "
            f"{_f(p.model_recall)} | {_f(p.baseline_recall)} | {v.baseline_flagged:,} "
            f"({_f(v.baseline_flagged_recall)}) |")
    return "\n".join(rows)


def _f(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


if __name__ == "__main__":
    main()
