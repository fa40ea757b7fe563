"""The procedure on a real store: a proposal walked to its decision by the right people,
each refusal changing nothing, objections, rejections, deadlines, and two officers
approving at once."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import store_content

from povertycloud.access.accounts import User
from povertycloud.dynamic import proposals, workflow
from povertycloud.dynamic.reevaluation import reevaluate
from povertycloud.dynamic.workflow import WorkflowError
from povertycloud.history import households_as_of_sql
from povertycloud.store import Store

from .conftest import officers

CrashTest = Callable[..., tuple[Any, Any, int]]  # the crash_test fixture (tests/conftest.py)

DAY = dt.date(2026, 3, 2)
WALK = [("consent", "field", 0, {}), ("appraisal", "village", 0, {"note": "minutes: 31 of 35"}),
        ("notice", "village", 1, {}), ("township_review", "township", 9, {})]


def first_proposal(store: Store, kind: str) -> dict[str, Any]:
    reevaluate(store, 2020, dt.date(2021, 12, 31), on=DAY)
    row = store.execute("SELECT proposal_id FROM proposals WHERE kind = ? "
                        "ORDER BY proposal_id LIMIT 1", [kind]).fetchone()
    assert row is not None
    found = proposals.get(store, int(row[0]))
    assert found is not None
    return found


def state(store: Store, pid: int) -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    return (store.execute("SELECT * FROM proposals WHERE proposal_id = ?", [pid])
            .fetchall(), store.execute("SELECT count(*) FROM proposal_steps").fetchone(),
            store.execute("SELECT count(*) FROM status_changes").fetchone(),
            store.execute("SELECT count(*) FROM household_history").fetchone())


def take(store: Store, pid: int, step: str, user: User, on: dt.date, **extra: Any) -> Any:
    """Take a step on its own day (a notice is published the day it is recorded)."""
    with workflow.clock_at(on):
        return workflow.act(store, pid, step, user, on=on, **extra)


def walk(store: Store, users: dict[str, User], pid: int, until: str | None = None) -> None:
    """Take the household procedure's steps in order, up to (not including) ``until``."""
    for step, who, offset, extra in WALK:
        if step == until:
            return
        take(store, pid, step, users[who], DAY + dt.timedelta(days=offset), **extra)


def test_an_exit_walks_to_its_decision(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "exit")
    users = officers(s, p["region_code"])
    walk(s, users, p["proposal_id"])
    on = DAY + dt.timedelta(days=10)
    workflow.act(s, p["proposal_id"], "county_approval", users["county"], on=on)
    taken = workflow.act(s, p["proposal_id"], "announcement", users["county"], on=on)
    assert (taken.state, taken.step, taken.version) == ("approved", "approved", 6)
    household = p["household_id"]
    assert s.execute("SELECT registration_status, exit_year FROM households WHERE "
                     "household_id = ?", [household]).fetchone() == ("exited", 2026)
    assert s.execute("SELECT status FROM status_changes WHERE household_id = ? AND "
                     "effective_date = ?", [household, on]).fetchone() == ("exited",)
    before = s.execute(f"SELECT registration_status FROM ({households_as_of_sql(DAY)}) "
                       "WHERE household_id = ?", [household]).fetchone()
    assert before == ("registered_poor",)
    steps = proposals.get(s, p["proposal_id"])["steps"]  # type: ignore[index]
    assert [(x["step"], x["actor"]) for x in steps] == [
        ("consent", "field"), ("appraisal", "village"), ("notice", "village"),
        ("township_review", "township"), ("county_approval", "county"),
        ("announcement", "county")]
    assert s.execute("SELECT count(*) FROM audit_log WHERE action = 'proposal_step' AND "
                     "object_id = ?", [str(p["proposal_id"])]).fetchone() == (6,)


@pytest.mark.parametrize(("step", "who", "extra", "message"), [
    ("appraisal", "village", {"note": "x"}, "step out of order"),
    ("consent", "auditor", {}, "taken by the role officer or field_officer"),
    ("consent", "county", {}, "taken at the village"),
    ("consent", "elsewhere", {}, "jurisdiction is"),
    ("county_approval", "county", {}, "not a step of the household procedure"),
])
def test_a_refused_step_changes_nothing(dyn_store: Store, step: str, who: str,
                                        extra: dict[str, Any], message: str) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    users = officers(s, p["region_code"])
    if step == "county_approval":
        p = first_proposal(s, "monitor")
        step = "announcement"
        message = "not a step of the monitoring procedure"
    before = state(s, p["proposal_id"])
    with pytest.raises(WorkflowError, match=message):
        workflow.act(s, p["proposal_id"], step, users[who], on=DAY, **extra)
    assert state(s, p["proposal_id"]) == before


def test_notices_minutes_and_the_wait(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    walk(s, users, pid, until="appraisal")
    with pytest.raises(WorkflowError, match="needs its minutes"):
        workflow.act(s, pid, "appraisal", users["village"], on=DAY)
    workflow.act(s, pid, "appraisal", users["village"], on=DAY, note="minutes")
    before = state(s, pid)
    with pytest.raises(WorkflowError, match="notice of 6 days is shorter than the 7 days"):
        take(s, pid, "notice", users["village"], DAY, days=6)
    assert state(s, pid) == before
    take(s, pid, "notice", users["village"], DAY, days=8)
    with pytest.raises(WorkflowError, match="runs until 2026-03-09"):
        workflow.act(s, pid, "township_review", users["township"],
                     on=DAY + dt.timedelta(days=7))
    workflow.act(s, pid, "township_review", users["township"],
                 on=DAY + dt.timedelta(days=8))


def test_an_objection_sends_the_proposal_back_to_the_appraisal(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    with pytest.raises(WorkflowError, match="not on public notice"):
        workflow.object_to(s, pid, DAY, body="they have a car")
    assert s.execute("SELECT count(*) FROM complaints").fetchone() == (0,)
    walk(s, users, pid, until="township_review")
    code = workflow.object_to(s, pid, DAY + dt.timedelta(days=3), body="they have a car")
    after = proposals.get(s, pid)
    assert after is not None
    assert (after["step"], after["notice_until"]) == ("appraisal", None)
    assert after["steps"][-1]["outcome"] == "reopened"
    assert after["objections"][0]["tracking_code"] == code
    with pytest.raises(WorkflowError, match="not on public notice"):
        workflow.object_to(s, pid, DAY + dt.timedelta(days=4), body="again")


def test_an_approval_of_ones_own_proposal_is_refused(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    users = officers(s, p["region_code"])
    s.execute("DELETE FROM proposals; DELETE FROM open_proposals")
    pid = workflow.propose(s, users["county"], "enrol", reasons=["seen_on_a_visit"],
                           household_id=p["household_id"], note="a car in the yard", on=DAY)
    with pytest.raises(WorkflowError, match="already an open proposal"):
        workflow.propose(s, users["county2"], "enrol", reasons=["income_below_line"],
                         household_id=p["household_id"], on=DAY)
    walk(s, users, pid)
    on = DAY + dt.timedelta(days=10)
    before = state(s, pid)
    with pytest.raises(WorkflowError, match=r"county proposed \d+ and may not approve it"):
        workflow.act(s, pid, "county_approval", users["county"], on=on)
    assert state(s, pid) == before
    workflow.act(s, pid, "county_approval", users["county2"], on=on)


def test_a_rejection_keeps_its_reasons_and_changes_no_status(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "exit")
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    walk(s, users, pid, until="appraisal")
    with pytest.raises(WorkflowError, match="needs its reasons"):
        workflow.act(s, pid, "appraisal", users["village"], on=DAY, reject=" ")
    statuses = s.execute("SELECT count(*) FROM status_changes").fetchone()
    workflow.act(s, pid, "appraisal", users["village"], on=DAY,
                 reject="the son lost his job in March")
    after = proposals.get(s, pid)
    assert after is not None
    assert (after["state"], after["decision_reason"]) == ("rejected",
                                                          "the son lost his job in March")
    assert after["reasons"] == p["reasons"]
    assert s.execute("SELECT count(*) FROM status_changes").fetchone() == statuses
    with pytest.raises(WorkflowError, match="already rejected"):
        workflow.act(s, pid, "notice", users["village"], on=DAY)


def test_overdue_proposals_are_listed(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "monitor")
    due = p["due_on"]
    region = p["region_code"]
    assert p["proposal_id"] not in {r["proposal_id"] for r in proposals.listing(
        s, region, on=due, overdue=True)}
    late = proposals.listing(s, region, on=due + dt.timedelta(days=1), overdue=True)
    assert p["proposal_id"] in {r["proposal_id"] for r in late}
    inbox = proposals.inbox(s, officers(s, region)["field"], due + dt.timedelta(days=1))
    assert next(r for r in inbox if r["proposal_id"] == p["proposal_id"])["overdue"]


def test_two_approvals_at_once_one_wins(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    walk(s, users, pid)
    on = DAY + dt.timedelta(days=10)
    # one transaction holds the proposal's row: the other's step conflicts, changes nothing
    holder = s.cursor()
    holder.execute("BEGIN TRANSACTION")
    holder.execute("UPDATE proposals SET version = version + 1 WHERE proposal_id = ?", [pid])
    before = state(s, pid)
    with pytest.raises(WorkflowError, match="changed by someone else"):
        workflow.act(s.cursor(), pid, "county_approval", users["county"], on=on)
    holder.execute("ROLLBACK")
    assert state(s, pid) == before
    # two county officers approve in two threads at once: exactly one approval is recorded
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def approve(user: User) -> None:
        cursor = s.cursor()
        start.wait()
        try:
            workflow.act(cursor, pid, "county_approval", user, on=on)
            outcomes.append("done")
        except WorkflowError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=approve, args=(users[who],))
               for who in ("county", "county2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("done") == 1, outcomes
    assert s.execute("SELECT count(*) FROM proposal_steps WHERE proposal_id = ? AND "
                     "step = 'county_approval'", [pid]).fetchone() == (1,)


def test_steps_are_dated_between_the_last_step_and_today(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "enrol")
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    walk(s, users, pid, until="notice")
    before = state(s, pid)
    tomorrow = workflow.today() + dt.timedelta(days=1)
    with pytest.raises(WorkflowError, match="cannot be dated in the future"):
        workflow.act(s, pid, "notice", users["village"], on=tomorrow)
    with pytest.raises(WorkflowError, match="published the day it is recorded"):
        workflow.act(s, pid, "notice", users["village"], on=DAY + dt.timedelta(days=1))
    with pytest.raises(WorkflowError, match="before the proposal's last step"):
        take(s, pid, "notice", users["village"], DAY - dt.timedelta(days=1))
    assert state(s, pid) == before


def test_a_notice_may_not_run_past_the_deadline(dyn_store: Store) -> None:
    s = dyn_store
    p = first_proposal(s, "monitor")  # 15 days, a notice of at least 5
    pid, users = p["proposal_id"], officers(s, p["region_code"])
    workflow.act(s, pid, "consent", users["field"], on=DAY)
    workflow.act(s, pid, "appraisal", users["village"], on=DAY, note="minutes")
    with pytest.raises(WorkflowError, match="leaves no day before the deadline"):
        take(s, pid, "notice", users["village"], DAY, days=16)
    late = p["due_on"] + dt.timedelta(days=1)  # overdue: the configured notice, no longer
    with pytest.raises(WorkflowError, match="overdue: its notice runs the configured 5 days"):
        take(s, pid, "notice", users["village"], late, days=6)
    take(s, pid, "notice", users["village"], late)


def test_only_officers_propose_and_only_from_the_right_status(dyn_store: Store) -> None:
    s = dyn_store
    household = int(s.execute("SELECT min(household_id) FROM households WHERE "
                              "registration_status = 'not_registered'").fetchone()[0])  # type: ignore[index]
    village = str(s.execute("SELECT village_code FROM households WHERE household_id = ?",
                            [household]).fetchone()[0])  # type: ignore[index]
    users = officers(s, village)
    with pytest.raises(workflow.NotYours, match="may not make proposals"):
        workflow.propose(s, users["auditor"], "enrol", reasons=["income_below_line"],
                         household_id=household)
    with pytest.raises(WorkflowError, match="starts from registered_poor"):
        workflow.propose(s, users["village"], "exit", reasons=["guarantees_met"],
                         household_id=household)
    with pytest.raises(WorkflowError, match="reasons are codes"):
        workflow.propose(s, users["village"], "enrol", reasons=["his wife is ill"],
                         household_id=household)
    assert s.execute("SELECT count(*) FROM proposals").fetchone() == (0,)


def test_the_public_notice_words_only_whitelisted_reasons() -> None:
    codes = '["income_below_line", "his wife is ill", "sudden_hardship"]'
    assert proposals.reason_texts(codes, public=True) == [
        "income below the poverty line", "a recent hardship"]


@pytest.fixture(scope="module")
def proposed(identified_db: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, int, int]:
    """The identified province re-evaluated, with officers over the village of its first
    enrolment proposal: the store, that proposal, and a household of the village with
    no open proposal."""
    db = tmp_path_factory.mktemp("proposed") / "proposed.duckdb"
    shutil.copy(identified_db, db)
    with Store(db) as store:
        first = first_proposal(store, "enrol")
        officers(store, first["region_code"])
        free = store.value("SELECT min(household_id) FROM households WHERE village_code = ? "
                           "AND registration_status = 'not_registered' AND household_id "
                           "NOT IN (SELECT household_id FROM proposals WHERE household_id "
                           "IS NOT NULL)", [first["region_code"]])
    return db, int(first["proposal_id"]), int(free)


def test_a_step_killed_at_any_write_is_taken_or_not(
        proposed: tuple[Path, int, int], tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its commit (each run takes seconds), `workflow
    step` leaves the proposal as it was; run again, the step is taken."""
    db, pid, _ = proposed
    before, after, writes = crash_test(
        db, tmp_path, lambda d: ["workflow", "step", "--db", str(d), str(pid), "consent",
                                 "--as", "field", "--on", str(DAY)], store_content,
        sample=2)
    assert after["proposal_steps"][0] == before["proposal_steps"][0] + 1 and writes >= 3


def test_a_proposal_killed_at_any_write_is_made_or_not(
        proposed: tuple[Path, int, int], tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed at its first write and at its commit, `workflow propose` leaves no
    proposal; run again, it makes the one an uninterrupted run makes (the same id)."""
    db, _, household = proposed
    before, after, writes = crash_test(
        db, tmp_path, lambda d: ["workflow", "propose", "--db", str(d), "--as", "village",
                                 "--kind", "monitor", "--household", str(household),
                                 "--reason", "income_near_line"], store_content, sample=2)
    assert after["proposals"][0] == before["proposals"][0] + 1 and writes >= 3
