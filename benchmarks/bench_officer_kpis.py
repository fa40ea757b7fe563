"""The officers' KPI board for a province: the time to compute every cadre's and every work
team's indicators as of a day, against a plain GROUP BY of the visits in the same run.

    .venv/bin/python benchmarks/bench_officer_kpis.py [--db benchmarks/out/rollups-10000000.duckdb]
        [--rounds 3] [--write]

Works on an identified store of the synthetic province (bench_rollups.py makes the
10-million-person one). Once, it proposes the help plans of 2026 through the product, then
writes the rest straight with SQL for speed: a cadre for every four helped households of a
village (paired from 1 March), a work team per village, a year of visits (every 22 days;
15% of the cadres every 90 days; 6% of visits flagged, drawn at the synthetic rates rather
than computed: the board's time does not depend on how they were set), and each plan
item's officer and, for 90% of the items, its delivery by the due date. Then it times the
board and the baseline in alternating rounds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from _common import ROOT, machine, write_section
from povertycloud.access.accounts import create_users, password_hash
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.kpis import officer_kpis, team_kpis
from povertycloud.assistance.officer_rules import load_officer_rules
from povertycloud.assistance.plans import propose
from povertycloud.store import Store

DAY = dt.date(2026, 12, 28)
CADRES = """
CREATE OR REPLACE TEMP TABLE _cadres AS
SELECT household_id, village_code,
  'c' || village_code || '_' || ((row_number() OVER (PARTITION BY village_code
    ORDER BY household_id) - 1) // 4 + 1) AS username
FROM households WHERE registration_status IN ('registered_poor', 'monitored')"""
PAIRS = """
INSERT INTO help_pairs (username, household_id, village_code, paired_on, ended_on, paired_by)
SELECT username, household_id, village_code, DATE '2026-03-01', NULL, 'bench' FROM _cadres"""
TEAMS = """
INSERT INTO work_teams (team_id, village_code, name, sent_by, starts, ends, created_by,
  created_at)
SELECT row_number() OVER (ORDER BY village_code), village_code, '驻村工作队', '省直单位',
  DATE '2026-03-01', NULL, 'bench', now()
FROM (SELECT DISTINCT village_code FROM _cadres)"""
MEMBERS = """
INSERT INTO team_members (team_id, username, role, joined, left_on)
SELECT t.team_id, c.username, CASE WHEN c.username LIKE '%\\_1' ESCAPE '\\'
  THEN 'first_secretary' ELSE 'member' END, DATE '2026-03-01', NULL
FROM (SELECT DISTINCT username, village_code FROM _cadres) c
JOIN work_teams t USING (village_code)"""
VISITS = """
INSERT INTO visits (visit_id, username, household_id, village_code, visited_at, lat, lon,
  done, next_step, source, recorded_at, km_outside, flag, flag_reason)
SELECT row_number() OVER (), c.username, c.household_id, c.village_code,
  TIMESTAMP '2026-03-02 09:00' + to_days(CAST(k * CASE WHEN hash(c.username) % 100 < 15
    THEN 90 ELSE 22 END + hash(c.household_id) % 4 AS INTEGER))
    + to_minutes(CAST(hash(c.household_id, k) % 480 AS INTEGER)),
  NULL, NULL, '走访', NULL, 'bench', now(), 0,
  CASE WHEN hash(c.household_id, k, 1) % 100 < 3 THEN 'far_away'
       WHEN hash(c.household_id, k, 2) % 100 < 3 THEN 'too_fast' END, NULL
FROM _cadres c, range(0, 14) t(k)
WHERE TIMESTAMP '2026-03-02' + to_days(CAST(k * CASE WHEN hash(c.username) % 100 < 15
  THEN 90 ELSE 22 END AS INTEGER)) < TIMESTAMP '2026-12-31'"""
OFFICERS = """
UPDATE plan_items SET officer = c.username FROM _cadres c
WHERE c.household_id = plan_items.household_id"""
DELIVERED = """
INSERT INTO plan_item_history BY NAME
SELECT * REPLACE ('delivered' AS state, version + 1 AS version,
  CAST(due_date - to_days(CAST(hash(item_id) % 20 AS INTEGER)) AS TIMESTAMP) AS changed_at)
FROM plan_items WHERE hash(item_id, 3) % 100 < 90"""
BASELINE = ("SELECT username, count(*), count(*) FILTER (WHERE flag IS NOT NULL) "
            "FROM visits GROUP BY username")


def prepare(store: Store) -> None:
    if store.count("help_pairs"):
        return
    started = time.perf_counter()
    propose(store, load_catalogue(), 2026, dt.date(2026, 3, 1))
    print(f"plans proposed in {time.perf_counter() - started:.0f} s", flush=True)
    with store.transaction():
        store.execute(CADRES)
        users = [(str(u), str(u), "field_officer", str(v)) for u, v in store.rows(
            "SELECT DISTINCT username, village_code FROM _cadres ORDER BY 1")]
        create_users(store, users, password_hash("benchmark cadre password"))
        for sql in (PAIRS, TEAMS, MEMBERS, VISITS, OFFICERS, DELIVERED):
            store.execute(sql)
    print(f"prepared in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path,
                        default=ROOT / "benchmarks" / "out" / "rollups-10000000.duckdb")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rules = load_officer_rules()
    with Store(args.db) as store:
        prepare(store)
        people = store.count("people")
        sizes = store.one("SELECT (SELECT count(DISTINCT username) FROM help_pairs), "
                          "(SELECT count(*) FROM help_pairs), (SELECT count(*) FROM visits),"
                          " (SELECT count(*) FROM plan_items), (SELECT count(*) FROM "
                          "work_teams)") or (0, 0, 0, 0, 0)
        board, teams, baseline = [], [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            store.rows(BASELINE)
            baseline.append(time.perf_counter() - started)
            started = time.perf_counter()
            rows = officer_kpis(store, rules, "", DAY)
            board.append(time.perf_counter() - started)
            started = time.perf_counter()
            team_kpis(store, rules, "", DAY, rows)
            teams.append(time.perf_counter() - started)
        behind = sum(1 for r in rows if r["behind"])
    best = min(board), min(teams), min(baseline)
    body = (f"Command: `.venv/bin/python benchmarks/bench_officer_kpis.py --db {args.db.name} "
            f"--rounds {args.rounds}` ({dt.date.today()}, {machine()}): {people:,} people; "
            f"{sizes[0]:,} cadres helping {sizes[1]:,} households, {sizes[2]:,} visits, "
            f"{sizes[3]:,} plan items, {sizes[4]:,} work teams.\n\n"
            "| as of " + str(DAY) + " | best of " + str(args.rounds) + " (s) | ÷ baseline |\n"
            "|---|---:|---:|\n"
            f"| every cadre's indicators (`officer_kpis`) | {best[0]:.2f} | "
            f"{best[0] / best[2]:.0f}× |\n"
            f"| every work team's, from them (`team_kpis`) | {best[1]:.2f} | "
            f"{best[1] / best[2]:.1f}× |\n"
            f"| baseline: visits and flagged visits per cadre (one GROUP BY) | {best[2]:.2f} "
            "| 1× |\n\n"
            f"{behind:,} cadres were behind schedule on that day. The board reads the pairs, "
            "the visits of the year, the plan items with their delivery history and the "
            "complaints in one statement.")
    print(body)
    if args.write:
        write_section("officer-kpis", "## Officers: the KPI board of a province\n\n" + body)


if __name__ == "__main__":
    main()
