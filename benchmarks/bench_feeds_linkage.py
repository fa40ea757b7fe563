"""Linkage of the synthetic department feeds (Chinese names) to a registry with twins and
clan villages: precision and recall per kind of fault, per look-alike and with or
without the ID number, records matched to more than one person, records sent to review.

    .venv/bin/python benchmarks/bench_feeds_linkage.py [--people 200000] [--missing-id 0.5]

Generates a province with twins and clan villages and its feeds as `povertycloud synth
--feeds --missing-id M` does (benchmarks/out/feeds-<people>/), links each feed's records
to the registry's people as `povertycloud checks run` does (ID number, then name, birth
date where the feed has it, and address), and scores the matches against the feeds'
truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from _common import ROOT, machine, write_section
from povertycloud.feeds.checks import link_config
from povertycloud.feeds.sources import load_sources
from povertycloud.linkage.link import link
from povertycloud.synth import SynthConfig, generate
from povertycloud.synth.feeds import EXTRA_FAULTS, FAULTS, FEEDS, LOOKALIKES, REALISTIC, write_feeds

BARE = "name and address only"  # records with neither the ID number nor a birth date
STALE = ("`stale_address`, ID or birth date", "`stale_address`, name and address only")
COLUMNS = ("records", "matched", "wrong", "several", "review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--missing-id", type=float, default=0.5,
                        help="share of records without the ID number (on top of the faults)")
    args = parser.parse_args()
    root = ROOT / "benchmarks" / "out" / f"feeds-{args.people}"
    if not (root / "people.parquet").exists():
        generate(SynthConfig(people=args.people).with_lookalikes(), root)
    feeds = root / f"feeds-missing-{args.missing_id}"
    if not all((feeds / f"{f.name}.parquet").exists() for f in FEEDS):
        write_feeds(root, feeds, extra=replace(REALISTIC, missing_id=args.missing_id))
    registry = duckdb.sql(f"""
SELECT p.person_id, p.household_id, h.village_code, p.id_number, p.name, p.birth_date,
  h.address FROM '{root / "people.parquet"}' p JOIN '{root / "households.parquet"}' h
USING (household_id)""").to_arrow_table()
    counts, seconds = score(feeds, registry)
    table = "\n".join(_row(label, counts[label]) for label in _labels(counts))
    print(table)
    _write(args, registry.num_rows, seconds, table)


def score(feeds: Path, registry: pa.Table) -> tuple[dict[str, Counter[str]], float]:
    """Per label (a fault, a look-alike, the ID present or missing, all): records, those
    matched, matched to someone else, matched to more than one, sent to review, and
    the right matches (``right``) of registry people's records (``linkable``)."""
    sources = load_sources()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    seconds = 0.0
    for feed in FEEDS:
        records = pq.read_table(feeds / f"{feed.name}.parquet")
        linked = link(records, registry, link_config(sources[feed.name]))
        seconds += linked.seconds
        matches: dict[int, list[int]] = defaultdict(list)
        review = set()
        for p in linked.pairs.select(["left_key", "right_key", "decision"]).to_pylist():
            if p["decision"] == "match":
                matches[int(p["left_key"])].append(int(p["right_key"]))
            else:
                review.add(int(p["left_key"]))
        bare = _bare(records)
        for t in pq.read_table(feeds / "truth" / f"{feed.name}_links.parquet").to_pylist():
            found = matches.get(t["record_id"], [])
            labels = [t["fault"], "ID missing" if t["id_missing"] else "ID present", "all"]
            labels += [BARE] if t["record_id"] in bare else []
            if t["fault"] == "stale_address":
                labels.append(STALE[t["record_id"] in bare])
            for label in labels + ([t["lookalike"]] if t["lookalike"] else []):
                c = counts[label]
                c["records"] += 1
                c["matched"] += bool(found)
                c["wrong"] += any(person != t["person_id"] for person in found)
                c["several"] += len(found) > 1
                c["review"] += t["record_id"] in review and not found
                c["linkable"] += t["person_id"] is not None
                c["right"] += t["person_id"] in found
    return counts, seconds


def _bare(records: pa.Table) -> set[int]:
    """The records that carry neither the ID number nor a birth date."""
    dated = "birth_date" in records.column_names
    return {r["record_id"] for r in records.to_pylist()
            if r["id_number"] is None and not (dated and r["birth_date"])}


def _labels(counts: dict[str, Counter[str]]) -> list[str]:
    faults = [label for f in FAULTS for label in ([f, *STALE] if f == "stale_address" else [f])]
    order = [*faults, *EXTRA_FAULTS, *LOOKALIKES, "ID present", "ID missing", BARE, "all"]
    return [label for label in order if label in counts]


def _row(label: str, c: Counter[str]) -> str:
    """Precision: of the matched records, those matched to their person alone; recall:
    of the records of registry people, those matched to their person."""
    precision = 1 - c["wrong"] / c["matched"] if c["matched"] else float("nan")
    recall = c["right"] / c["linkable"] if c["linkable"] else float("nan")
    name = f"`{label}`" if label in (*FAULTS, *EXTRA_FAULTS, *LOOKALIKES) else label
    return (f"| {name} | {c['records']:,} | {c['matched']:,} | {precision:.4f} | "
            f"{recall:.4f} | {c['several']:,} | {c['review'] / c['records']:.2%} |")


def _write(args: argparse.Namespace, people: int, seconds: float, table: str) -> None:
    write_section("feeds-linkage", f"""
## Linking the synthetic department feeds (Chinese names)

Command: `.venv/bin/python benchmarks/bench_feeds_linkage.py --people {args.people}
--missing-id {args.missing_id}` ({dt.date.today()}, {machine()}). The {len(FEEDS)} feeds
(deaths, births, vehicles, businesses, serious-illness claims, disaster reports, school
enrolments, assistance rolls, public employees, housing purchases, income tax) of a
province of {people:,} people with twins and clan villages (`synth --feeds`: about 1 in
90 births of twins, half the villages a clan's), linked to the registry's people on the
ID number, then on name, birth date where the feed has it, and address (matches from a
probability of 0.9), {seconds:.1f} s in all. A quarter of the records carry one of the
faults of [the feeds](feeds.md); of the others, 3% have the name in pinyin in Western
order and 4% are of namesakes of someone of their village who are not in the registry;
the ID number is missing from a share {args.missing_id} of all records besides. A
record of a registry person with a twin or a namesake in the village is counted in its
fault's row and in `twin` or `namesake`.

Precision: of the records matched, the share matched to their person alone (a record
matched to two people, one of them right, is wrong); recall: of the records of registry
people, the share matched to their person. `several`: records matched to more than one
person (aim: none); review: records with no match and a pair for review. Records of
people outside the registry (`not_in_registry`, `namesake_outside`) should match
nobody.

| | records | matched | precision | recall | several | review |
|---|---|---|---|---|---|---|
{table}

Each record keeps one person at most (`one_to_one`, docs/linkage.md): its best
candidate when it leads the next by the margin and is not a twin or namesake the record
cannot tell apart (by the ID number, the birth date, the house, or a name closer to
one's: the characters, the pinyin either way, one character off); otherwise its
candidates go to review together. A birth date of another day and an ID number more
than two edits off count strongly against a match. A record with a name and an address
only, which the model leaves without a candidate, is the member of the house at its
address whose name is one character off, when exactly one is and no one of the village
bears the record's name (the household stage): this finds the mistyped names of the
vehicles, businesses, disasters, assistance, employees, housing and tax feeds, which
carry no birth date. What the table still misses is a record with a stale address and
neither an ID number nor a birth date (the row `stale_address`, name and address only;
`name and address only` counts every record with neither): a name alone, with the
address of a house where the person does not live, cannot be told from a namesake
outside the registry (a feed about the non-poor is full of them), so it is not guessed:
none of them is matched to its person (the few matched went to someone of the same
name, or one character off, at that house). A stale address with the ID number or the
birth date is matched (the row `stale_address`, ID or birth date).
""")


if __name__ == "__main__":
    main()
