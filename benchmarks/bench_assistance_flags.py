"""Flags of fake visits, misplaced photos, late cadres and needs against what the
synthetic assistance faked (truth_assistance): precision and recall of each.

    .venv/bin/python benchmarks/bench_assistance_flags.py [--people 100000] [--seed 1]
        [--write]

Builds a store of the synthetic province (benchmarks/out/assistance-<people>.duckdb), runs
the pipeline and the identification, and enters a year of assistance through the
product's own functions (synth/assistance.py): visits through `record_visits` (flagged as
they are logged), photos through `report`. A late cadre counts as found when the board
shows them behind on visits at the end of any month from April to December (a county
reviews its officers monthly).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from _common import ROOT, machine, precision_recall_table, truth_score, write_section
from povertycloud.assistance.kpis import officer_kpis
from povertycloud.assistance.needs import need_flags
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.cli.synth import build_store
from povertycloud.identification.plan import load_rules
from povertycloud.identification.runs import identify
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.store import Store
from povertycloud.synth import SynthConfig
from povertycloud.synth.assistance import AssistanceConfig, synthesize_assistance

VISIT = ("SELECT username || '/' || household_id || '/' || visited_at AS k FROM {table} "
         "WHERE {where}")
# flag: (what was injected, what the product flagged), each a query of keys
CHECKS = {
    "visit far from the village": (
        VISIT.format(table="truth_assistance", where="kind = 'far_visit'"),
        VISIT.format(table="visits", where="flag = 'far_away'")),
    "visit too fast after another": (
        VISIT.format(table="truth_assistance", where="kind = 'fast_visit'"),
        VISIT.format(table="visits", where="flag = 'too_fast'")),
    "photo far from the site": (
        "SELECT ref AS k FROM truth_assistance WHERE kind = 'far_photo'",
        "SELECT report_id AS k FROM project_reports WHERE flag = 'far_from_site'"),
    "photo out of time": (
        "SELECT ref AS k FROM truth_assistance WHERE kind = 'late_photo'",
        "SELECT report_id AS k FROM project_reports WHERE flag = 'out_of_time'"),
    "photo without EXIF": (
        "SELECT ref AS k FROM truth_assistance WHERE kind = 'bare_photo'",
        "SELECT report_id AS k FROM project_reports WHERE flag = 'no_exif'"),
}
NOTE = ("The synthetic assistance is clean but for what was faked, so these figures show "
        "that each flag finds its own cases and nothing else; in the field, precision is "
        "what officers find when they check the flagged visits and photos.")


def late_cadres(store: Store, year: int) -> tuple[int, int, int, float, int]:
    """Late cadres: injected, found behind on visits at some month's end, right; the
    seconds one province-wide board took; and of the others behind, those with a visit
    flagged (a faked visit does not count, so they are behind too)."""
    rules = load_officer_rules()
    behind: set[str] = set()
    seconds = []
    for month in range(4, 13):
        day = dt.date(year, month, 28)
        started = time.perf_counter()
        rows = officer_kpis(store, rules, "", day)
        seconds.append(time.perf_counter() - started)
        behind |= {r["username"] for r in rows
                   if any(b.startswith("households visited") for b in r["behind"])}
    late = {str(u) for u in store.column(
        "SELECT username FROM truth_assistance WHERE kind = 'late_cadre'")}
    faked = {str(u) for u in store.column(
        "SELECT DISTINCT username FROM visits WHERE flag IS NOT NULL")}
    return (len(late), len(behind), len(late & behind), sum(seconds) / len(seconds),
            len((behind - late) & faked))


def needs(store: Store, year: int) -> list[tuple[str, int, int, int]]:
    flags = need_flags(store, "", dt.date(year, 12, 31))
    out = []
    for name, kind, flag, key in (("need met twice", "twice_met", "met_twice", "need_id"),
                                  ("pledge never delivered", "undelivered", "not_delivered",
                                   "pledge_id")):
        truth = {int(r) for r in store.column(
            "SELECT ref FROM truth_assistance WHERE kind = ?", [kind])}
        found = {int(f[key]) for f in flags if f["flag"] == flag}
        out.append((name, len(truth), len(found), len(truth & found)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true",
                        help="put the table into docs/benchmarks.md")
    args = parser.parse_args()
    db = ROOT / "benchmarks" / "out" / f"assistance-{args.people}.duckdb"
    db.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    build_store(SynthConfig(people=args.people), db)
    config = AssistanceConfig(seed=args.seed)
    with Store(db) as store:
        run_on_store(store)
        identify(store, load_rules(), store.latest_year("household_years") or 0)
        started = time.perf_counter()
        counts = synthesize_assistance(store, config)
        made = time.perf_counter() - started
        rows = [(name, *truth_score(store, truth, found)) for name, (truth, found) in
                CHECKS.items()]
        late, behind, found, board, faked = late_cadres(store, config.year)
        rows.append(("cadre late with visits", late, behind, found))
        rows += needs(store, config.year)
    lines = [f"Command: `.venv/bin/python benchmarks/bench_assistance_flags.py --people "
             f"{args.people} --seed {args.seed}` ({dt.date.today()}, {machine()}): "
             f"{counts['plans']:,} help plans, {counts['cadres']:,} cadres, "
             f"{counts['visits']:,} visits, {counts['project_reports']:,} project reports "
             f"with photos, {counts['orders']:,} orders and {counts['pledges']:,} pledges "
             f"entered through the product in {made:.0f} s; one board of every cadre's "
             f"indicators took {board:.2f} s.", "",
             *precision_recall_table(rows, "flag")]
    lines += ["", f"Of the {behind - found:,} cadres behind on visits who were not late, "
              f"{faked:,} had a visit flagged: a faked visit does not count, so they were "
              "behind in the visits they made. " + NOTE]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("assistance-flags", "## Assistance: fake visits, misplaced photos, "
                      "late cadres against the synthetic truth\n\n" + body)


if __name__ == "__main__":
    main()
