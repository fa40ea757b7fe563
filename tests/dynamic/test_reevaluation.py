"""Re-evaluation on a real store: each kind of proposal from households made to fit it,
hysteresis, the cool-down, households busy with a proposal, runs after events, and the
refusals."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import store_content

from povertycloud.dynamic.reevaluation import load_thresholds, reevaluate
from povertycloud.errors import PovertyCloudError
from povertycloud.lines import line_for
from povertycloud.store import Store

LATER = dt.date(2021, 12, 31)  # a year after the panel: no status is still cooling


def pick(store: Store, status: str, nth: int = 0) -> int:
    """A household whose status on LATER is ``status``, made quiet: no events, every
    guarantee met, incomes of 2019 and 2020 set by the test."""
    row = store.execute(
        "SELECT household_id FROM households WHERE registration_status = ? "
        "AND household_id IN (SELECT household_id FROM household_years WHERE year = 2020) "
        "ORDER BY household_id LIMIT 1 OFFSET ?", [status, nth]).fetchone()
    assert row is not None
    household = int(row[0])
    store.execute("DELETE FROM events WHERE household_id = ?", [household])
    store.execute("UPDATE identification SET guarantees_failed = 0 WHERE household_id = ?",
                  [household])
    return household


def set_income(store: Store, household: int, **ratios: float) -> None:
    """Per-capita income as multiples of each year's line (keywords y2019=, y2020=)."""
    for key, ratio in ratios.items():
        year = int(key[1:])
        store.execute(
            "UPDATE household_years SET wage_income = CAST(round(? * ? * members) AS BIGINT), "
            "business_income = 0, property_income = 0, transfer_income = 0 "
            "WHERE household_id = ? AND year = ?", [ratio, line_for(year), household, year])


def proposal(store: Store, household: int) -> tuple[str, str | None, list[str]] | None:
    row = store.execute("SELECT kind, monitor_kind, reasons FROM proposals "
                        "WHERE household_id = ?", [household]).fetchone()
    return (row[0], row[1], json.loads(row[2])) if row else None


def test_each_kind_from_a_household_that_fits_it(dyn_store: Store) -> None:
    s = dyn_store
    enrol, exit_, relapse = (pick(s, "not_registered"), pick(s, "registered_poor"),
                             pick(s, "exited"))
    set_income(s, enrol, y2019=1.2, y2020=0.8)
    set_income(s, exit_, y2019=1.1, y2020=1.3)
    set_income(s, relapse, y2019=1.4, y2020=0.7)
    dead = pick(s, "registered_poor", 1)
    s.execute("UPDATE people SET death_date = DATE '2021-03-01' WHERE household_id = ?",
              [dead])
    flagged = pick(s, "registered_poor", 2)
    set_income(s, flagged, y2019=0.5, y2020=0.5)
    s.execute("INSERT INTO conflict_flags (rule, rules_version, source, record_id, "
              "person_id, household_id, evidence, raised_at, outcome) VALUES ('vehicle', "
              "'t', 'transport_vehicles', 1, 1, ?, '{}', now(), 'confirmed')", [flagged])
    hardship = pick(s, "not_registered", 1)
    set_income(s, hardship, y2019=3.0, y2020=3.0)
    s.execute("INSERT INTO events SELECT max(event_id) + 1, ?, NULL, DATE '2021-06-01', "
              "'disaster', 1000000, 1, now() FROM events", [hardship])
    result = reevaluate(s, 2020, LATER)
    assert result.reevaluation_id is not None and result.proposals.total() > 0
    assert proposal(s, enrol) == ("enrol", None, ["income_below_line"])
    assert proposal(s, exit_) == ("exit", None, ["income_stably_above_line", "guarantees_met"])
    assert proposal(s, relapse) == ("relapse", None, ["income_below_line"])
    assert proposal(s, dead) == ("remove", None, ["no_member_alive"])
    assert proposal(s, flagged) == ("remove", None, ["confirmed_conflict"])
    assert proposal(s, hardship) == ("monitor", "sudden_hardship", ["sudden_hardship"])


def test_exit_needs_every_recent_year_and_every_guarantee(dyn_store: Store) -> None:
    s = dyn_store
    unstable, failing = pick(s, "registered_poor"), pick(s, "registered_poor", 1)
    unknown = pick(s, "registered_poor", 2)
    set_income(s, unstable, y2019=0.9, y2020=1.5)
    for household in (failing, unknown):
        set_income(s, household, y2019=1.5, y2020=1.5)
    s.execute("UPDATE identification SET guarantees_failed = 1 WHERE household_id = ?",
              [failing])
    s.execute("DELETE FROM identification WHERE household_id = ?", [unknown])
    reevaluate(s, 2020, LATER)
    assert proposal(s, unstable) is None
    assert proposal(s, failing) is None
    assert proposal(s, unknown) is None  # guarantees not known: not met


def test_a_household_that_moved_away_is_removed(dyn_store: Store) -> None:
    s = dyn_store
    moved, members_left = pick(s, "registered_poor"), pick(s, "monitored")
    s.execute("INSERT INTO events SELECT max(event_id) + 1, ?, NULL, DATE '2021-05-01', "
              "'moved_away', 0, 1, now() FROM events", [moved])
    s.execute("INSERT INTO events SELECT (SELECT max(event_id) FROM events) + row_number() "
              "OVER (), household_id, person_id, DATE '2021-05-01', 'moved_away', 0, 1, "
              "now() FROM people WHERE household_id = ?", [members_left])
    reevaluate(s, 2020, LATER)
    assert proposal(s, moved) == ("remove", None, ["moved_away"])
    assert proposal(s, members_left) == ("remove", None, ["no_member_alive"])


def test_a_household_with_no_member_alive_is_not_enrolled(dyn_store: Store) -> None:
    s = dyn_store
    household = pick(s, "not_registered")
    set_income(s, household, y2019=0.5, y2020=0.5)
    s.execute("UPDATE people SET death_date = DATE '2021-03-01' WHERE household_id = ?",
              [household])
    reevaluate(s, 2020, LATER)
    assert proposal(s, household) is None


def test_monitoring_ends_only_above_the_band(dyn_store: Store) -> None:
    """Monitoring starts below 1.5 times the line and ends above 1.65: a household in
    between stays as it is, either way."""
    s = dyn_store
    inside, above = pick(s, "monitored"), pick(s, "monitored", 1)
    marginal, near = pick(s, "not_registered"), pick(s, "not_registered", 1)
    set_income(s, inside, y2019=1.6, y2020=1.6)
    set_income(s, above, y2019=1.7, y2020=1.8)
    set_income(s, marginal, y2019=1.6, y2020=1.4)
    set_income(s, near, y2019=1.6, y2020=1.6)
    reevaluate(s, 2020, LATER)
    assert proposal(s, inside) is None
    assert proposal(s, above) == ("end_monitoring", None, ["guarantees_met", "risk_eliminated"])
    assert proposal(s, marginal) == ("monitor", "marginal", ["income_near_line"])
    assert proposal(s, near) is None


def test_a_recent_decision_is_not_reversed_within_the_cool_down(dyn_store: Store) -> None:
    s = dyn_store
    household = pick(s, "registered_poor")
    set_income(s, household, y2019=1.3, y2020=1.3)
    s.execute("INSERT INTO status_changes VALUES (?, DATE '2021-10-01', 'registered_poor', "
              "'test', 0, now())", [household])
    reevaluate(s, 2020, LATER)
    assert proposal(s, household) is None  # enrolled in October: no exit in December
    s.execute("DELETE FROM proposals; DELETE FROM open_proposals")
    reevaluate(s, 2020, dt.date(2022, 10, 2))
    assert proposal(s, household) == ("exit", None,
                                      ["income_stably_above_line", "guarantees_met"])


def test_proposals_agree_with_the_rules_household_by_household(dyn_store: Store) -> None:
    """An independent reading of the rules in Python over the whole province: every
    exit and enrolment proposed is one the rules call for, and every household the rules
    call to exit or enrol has its proposal."""
    s = dyn_store
    reevaluate(s, 2020, LATER)
    t = load_thresholds()
    ratios = {(h, y): net / m / line_for(y) for h, y, net, m in s.execute(
        "SELECT household_id, year, wage_income + business_income + property_income + "
        "transfer_income, members FROM household_years WHERE year >= 2019").fetchall()}
    rows = s.execute("""
SELECT h.household_id, h.registration_status, i.guarantees_failed, p.kind,
  (SELECT count(*) FROM people q WHERE q.household_id = h.household_id
   AND (q.death_date IS NULL OR q.death_date > DATE '2021-12-31')) AS alive,
  (SELECT count(*) FROM conflict_flags f WHERE f.household_id = h.household_id
   AND f.outcome = 'confirmed') AS confirmed,
  (SELECT count(*) FROM status_changes c WHERE c.household_id = h.household_id
   AND c.status = 'exited') AS exits
FROM households h LEFT JOIN identification i ON i.household_id = h.household_id
  AND i.year = 2020 LEFT JOIN proposals p ON p.household_id = h.household_id""").fetchall()
    checked = 0
    for household, status, failed, kind, alive, confirmed, exits in rows:
        now, before = ratios.get((household, 2020)), ratios.get((household, 2019))
        if now is None or before is None or not alive or confirmed:
            continue
        should_exit = (status == "registered_poor" and failed == 0
                       and min(now, before) >= t.exit_factor)
        should_enrol = now < 1 and (status == "not_registered"
                                    or (status == "monitored" and not exits))
        assert (kind == "exit") == should_exit, household
        assert (kind == "enrol") == should_enrol, household
        checked += should_exit + should_enrol
    assert checked > 20


def test_a_household_with_an_open_proposal_is_left_to_it(dyn_store: Store) -> None:
    first = reevaluate(dyn_store, 2020, LATER)
    again = reevaluate(dyn_store, 2020, LATER)
    assert first.proposals.total() > 0
    assert again.proposals.total() == 0
    assert again.households == first.households - first.proposals.total()


def test_a_run_after_events_looks_only_at_households_touched(dyn_store: Store) -> None:
    s = dyn_store
    since = dt.datetime.now()
    assert reevaluate(s, 2020, LATER, events_since=since).households == 0
    household = pick(s, "not_registered")
    set_income(s, household, y2019=3.0, y2020=3.0)
    s.execute("INSERT INTO events SELECT max(event_id) + 1, ?, NULL, DATE '2021-11-01', "
              "'serious_illness', 900000, 1, now() FROM events", [household])
    result = reevaluate(s, 2020, LATER, events_since=since)
    assert result.households == 1
    assert proposal(s, household) == ("monitor", "sudden_hardship", ["sudden_hardship"])
    row = s.execute("SELECT trigger, proposals FROM reevaluations ORDER BY 1").fetchall()
    assert row == [("events", 0), ("events", 1)]


def test_a_dry_run_writes_nothing(dyn_store: Store) -> None:
    result = reevaluate(dyn_store, 2020, LATER, dry_run=True)
    assert result.reevaluation_id is None and result.proposals.total() > 0
    assert dyn_store.execute("SELECT (SELECT count(*) FROM proposals) + "
                             "(SELECT count(*) FROM reevaluations)").fetchone() == (0,)


def test_a_year_not_identified_is_refused(dyn_store: Store) -> None:
    with pytest.raises(PovertyCloudError, match="povertycloud identify --year 2019"):
        reevaluate(dyn_store, 2019)


@pytest.mark.parametrize(("line", "message"), [
    ("exit_factor: 0.9", "exit_factor 0.9 would let households below the line exit"),
    ("stable_years: two", "'stable_years' must be a whole number"),
    ("hardship_events: [earthquake]", "unknown event kinds"),
    ("end_monitoring_factor: 1.2", "the factors must rise"),
])
def test_a_bad_rule_file_is_refused_naming_the_field(tmp_path: Path, line: str,
                                                     message: str) -> None:
    shipped = load_thresholds().path.read_text(encoding="utf-8")
    key = line.split(":")[0]
    lines = [line if row.startswith(key + ":") else row for row in shipped.splitlines()]
    path = tmp_path / "reevaluation.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(PovertyCloudError, match=message):
        load_thresholds(path)


def test_a_household_decided_after_the_as_of_day_is_left_alone(dyn_store: Store) -> None:
    s = dyn_store
    household = pick(s, "not_registered")
    set_income(s, household, y2019=0.5, y2020=0.5)
    s.execute("INSERT INTO status_changes VALUES (?, DATE '2022-02-01', 'registered_poor', "
              "'decided later', 0, now())", [household])
    reevaluate(s, 2020, LATER)
    assert proposal(s, household) is None


def test_a_household_removed_for_moving_is_not_proposed_again(dyn_store: Store) -> None:
    s = dyn_store
    household = pick(s, "registered_poor")
    set_income(s, household, y2019=0.5, y2020=0.5)
    s.execute("INSERT INTO events SELECT max(event_id) + 1, ?, NULL, DATE '2021-05-01', "
              "'moved_away', 0, 1, now() FROM events", [household])
    s.execute("INSERT INTO status_changes VALUES (?, DATE '2021-06-01', 'removed', "
              "'moved away', 0, now())", [household])
    reevaluate(s, 2020, LATER)
    assert proposal(s, household) is None


def test_reevaluate_killed_at_any_write_proposes_all_or_nothing(
        identified_db: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """Killed at its first write and at its commit (one transaction; each run takes
    seconds), `reevaluate` leaves no run and no proposal; run again, it gives what an
    uninterrupted run gives, ids included (a kill does not use up the sequences'
    numbers)."""
    before, after, writes = crash_test(
        identified_db, tmp_path, lambda db: ["reevaluate", "--db", str(db), "--year", "2020"],
        store_content, sample=2)
    assert after["proposals"][0] > before["proposals"][0] and writes >= 4


def test_reevaluate_of_a_year_not_identified_is_one_transaction(
        identified_db: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """`reevaluate` of a year not yet identified identifies it first: killed at its
    writes (the first, some between and the commit), it leaves neither the
    identification nor the proposals (before, the identification was committed
    apart)."""
    before, after, _ = crash_test(
        identified_db, tmp_path, lambda db: ["reevaluate", "--db", str(db), "--year", "2019"],
        store_content, sample=2)
    assert after["identification_runs"][0] == before["identification_runs"][0] + 1
