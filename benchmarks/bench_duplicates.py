"""Duplicates within the registry: people registered twice found, precision and recall
by kind, and the time to search the whole registry.

    .venv/bin/python benchmarks/bench_duplicates.py [--people 1000000] [--share 0.002]

Builds a store of the synthetic province (benchmarks/out/duplicates-<people>.duckdb),
registers a share of living adults a second time in the next household of their
village (six in ten under the same ID number, the rest under another valid one with
the same name, sex and birth date), then runs `povertycloud registry duplicates`' search
and scores the proposed pairs against that truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter

from _common import ROOT, machine, write_section
from povertycloud.cli.synth import build_store
from povertycloud.registry.duplicates import find_duplicates
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.synth.duplicates import register_twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.002)
    args = parser.parse_args()
    db = ROOT / "benchmarks" / "out" / f"duplicates-{args.people}.duckdb"
    db.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    build_store(SynthConfig(people=args.people), db)
    with Store(db) as store:
        truth = register_twice(store, share=args.share)
        people = store.execute("SELECT count(*) FROM people WHERE death_date IS NULL"
                               ).fetchone()
        found = find_duplicates(store)
        pairs = {(a, b): (p, on) for a, b, p, on in store.execute(
            "SELECT person_id, duplicate_id, match_probability, matched_on "
            "FROM registry_duplicates").fetchall()}
    assert people is not None
    kinds = Counter(k for *_, k in truth)
    got = Counter(k for a, b, k in truth if (a, b) in pairs)
    matched = Counter(k for a, b, k in truth if pairs.get((a, b), (0.0, ""))[0] >= 0.9)
    true_pairs = {(a, b) for a, b, _ in truth}
    wrong = [p for pair, p in pairs.items() if pair not in true_pairs]
    wrong_matches = sum(1 for p, _ in wrong if p >= 0.9)
    rows = "\n".join(f"| {k} | {kinds[k]:,} | {got[k]:,} ({got[k] / kinds[k]:.4f}) | "
                     f"{matched[k]:,} ({matched[k] / kinds[k]:.4f}) |" for k in sorted(kinds))
    proposed, above = len(pairs), sum(1 for p, _ in pairs.values() if p >= 0.9)
    text = f"""
## Duplicates within the registry

Command: `.venv/bin/python benchmarks/bench_duplicates.py --people {args.people}
--share {args.share}` ({dt.date.today()}, {machine()}). {len(truth):,} people of a
province of {args.people:,} ({int(people[0]):,} living after the second registrations)
registered a second time; the search (same ID number, then Splink deduplication on ID
number, name and pinyin, birth date, sex and address, blocked on birth date and pinyin)
took {found.seconds:.1f} s and proposed {proposed:,} pairs, {above:,} of them from a
probability of 0.9.

| registered twice | pairs | proposed (recall) | from 0.9 (recall) |
|---|---|---|---|
{rows}

Precision of the proposals: {(proposed - len(wrong)) / proposed:.4f} ({len(wrong):,} pairs
of two different people proposed, {wrong_matches:,} of them from 0.9). Different people
with the same name, sex and birth date in one county look exactly like a second
registration under a mistyped ID number: an officer decides each pair.
"""
    print(text)
    write_section("registry-duplicates", text)


if __name__ == "__main__":
    main()
