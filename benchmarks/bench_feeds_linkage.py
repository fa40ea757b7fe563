"""Linkage of the synthetic department feeds (Chinese names) to the registry: precision
and recall per kind of fault.

    .venv/bin/python benchmarks/bench_feeds_linkage.py [--people 200000]

Generates a province and its feeds (benchmarks/out/feeds-<people>/), links each feed's
records to the registry's people as `povertycloud checks run` does (ID number, then name,
birth date where the feed has it, and address), and scores the matches against the
feeds' truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter

import duckdb
import pyarrow.parquet as pq

from _common import ROOT, machine, write_section
from povertycloud.feeds.checks import link_config
from povertycloud.feeds.sources import load_sources
from povertycloud.linkage.link import link
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.feeds import FAULTS, FEEDS, write_feeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    args = parser.parse_args()
    root = ROOT / "benchmarks" / "out" / f"feeds-{args.people}"
    if not root.exists():
        generate(SynthConfig(people=args.people), root)
    if not all((root / "feeds" / f"{f.name}.parquet").exists() for f in FEEDS):
        write_feeds(root, root / "feeds")
    registry = duckdb.sql(f"""
SELECT p.person_id, p.id_number, p.name, p.birth_date, h.address
FROM '{root / "people.parquet"}' p JOIN '{root / "households.parquet"}' h
USING (household_id)""").to_arrow_table()
    sources = load_sources()
    found, right, total = Counter(), Counter(), Counter()
    seconds = 0.0
    for feed in FEEDS:
        records = pq.read_table(root / "feeds" / f"{feed.name}.parquet")
        config = link_config(sources[feed.name])  # as `checks run` links the feed
        linked = link(records, registry.select(["person_id",
                                                *(c.name for c in config.columns)]), config)
        seconds += linked.seconds
        matches = {int(p["left_key"]): int(p["right_key"]) for p in linked.pairs.to_pylist()
                   if p["decision"] == "match"}
        for t in pq.read_table(root / "feeds" / "truth" / f"{feed.name}_links.parquet"
                               ).to_pylist():
            fault, person, record = t["fault"], t["person_id"], t["record_id"]
            total[fault] += 1
            if record in matches:
                found[fault] += 1
                right[fault] += matches[record] == person
    rows = []
    for fault in FAULTS:
        precision = right[fault] / found[fault] if found[fault] else float("nan")
        recall = right[fault] / total[fault] if fault != "not_in_registry" else float("nan")
        rows.append(f"| {fault} | {total[fault]:,} | {found[fault]:,} | "
                    f"{precision:.4f} | {recall:.4f} |")
    all_found = sum(found.values())
    all_right = sum(right.values())
    linkable = sum(v for k, v in total.items() if k != "not_in_registry")
    table = "\n".join(rows)
    overall = (f"| all | {sum(total.values()):,} | {all_found:,} | "
               f"{all_right / all_found:.4f} | {all_right / linkable:.4f} |")
    print(table)
    write_section("feeds-linkage", f"""
## Linking the synthetic department feeds (Chinese names)

Command: `.venv/bin/python benchmarks/bench_feeds_linkage.py --people {args.people}`
({dt.date.today()}, {machine()}). The {len(FEEDS)} feeds of a province of
{args.people:,} people (deaths, vehicles, businesses, serious-illness claims, disaster
reports, births, public employees, housing purchases, income tax; a quarter of the
records with one fault each)
linked to the registry's people on the ID number, then on name, birth date and address
(matches from a probability of 0.9), {seconds:.1f} s in all. Precision: of the records
matched, the share matched to the right person; recall: of the records of registry
people, the share matched to the right person. A record of someone not in the registry
should match nobody: its row counts the ones that did.

| fault | records | matched | precision | recall |
|---|---|---|---|---|
{table}
{overall}

Names are compared by characters, then by pinyin, so homophone characters and names
written in pinyin match without the ID number too. Records of people
outside the registry that matched someone are the main source of false matches: they
share the surname and the county, and most feeds carry no birth date.
""")


if __name__ == "__main__":
    main()
