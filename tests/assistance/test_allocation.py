"""The allocation: on a county small enough to work out by hand, the programme finds the
best allocation and each greedy rule one worse, all within the budget, the limits, the
exclusive groups and the entitlements; an infeasible budget names its constraint; on a
store (both backends) the problem is read, solved and kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from tests.funded import Province, allocations

from povertycloud.access.accounts import user_named
from povertycloud.assistance.allocation import (
    allocate,
    allocation_problem,
    chosen_table,
    ledger_budget,
    save,
    saved,
)
from povertycloud.assistance.catalogue import load_catalogue
from povertycloud.assistance.greedy import cheapest_first, poorest_first
from povertycloud.assistance.milp import Infeasible, solve
from povertycloud.assistance.problem import (
    Benefits,
    Households,
    Options,
    Problem,
    affordable,
    evaluate,
)
from povertycloud.errors import PovertyCloudError
from povertycloud.funds.bookings import entries_in
from povertycloud.funds.eligibility import GUARANTEES
from povertycloud.funds.ledger import book
from povertycloud.funds.programmes import load_programmes
from povertycloud.store import Store

HOUSING = [g == "safe_housing" for g in GUARANTEES]
NONE = [False] * len(GUARANTEES)


def _by_hand(budget_yuan: int = 240, limits: dict[str, int] | None = None) -> Problem:
    """A: 3 people 300 yuan short; B: 1 person 100 short; C: 2 people, income enough, a
    dilapidated house. The best for 240 yuan (10 owed to B's insurance): A's job and C's
    repair, 5 people out; cheapest first wastes 50 on A's training (4 out); poorest first
    (C, B, A) cannot afford A's job after C's and B's (3 out)."""
    households = Households(
        ids=np.array([1, 2, 3]), villages=np.array(["v1", "v1", "v2"], dtype=object),
        members=np.array([3, 1, 2]), need_fen=np.array([30_000, 10_000, 0]),
        line_fen=np.array([120_000, 40_000, 80_000]),
        fails=np.array([NONE, NONE, HOUSING]), score=np.array([30, 20, 10]))
    measures = ["job", "training", "job", "insurance", "repair"]
    items = Options(
        measures=np.array(measures, dtype=object),
        cost_fen=np.array([10_000, 5_000, 6_000, 1_000, 12_000]),
        programmes=np.array(["jobs", "jobs", "jobs", "health", "housing"], dtype=object),
        fixes=np.array([NONE, NONE, NONE, NONE, HOUSING]),
        household=np.array([0, 0, 1, 1, 2]),
        effect_fen=np.array([30_000, 10_000, 15_000, 0, 0]),
        groups=np.array(["job", "", "job", "", "home"], dtype=object),
        entitled=np.array([False, False, False, True, False]))
    nothing = Options(measures=np.zeros(0, object), cost_fen=np.zeros(0, np.int64),
                      programmes=np.zeros(0, object), fixes=np.zeros((0, len(GUARANTEES)),
                                                                     bool))
    return Problem("520121000000", 2026, households, items, nothing,
                   Benefits(np.zeros(0, np.int64), np.zeros(0, np.int64),
                            np.zeros(0, np.int64)), budget_yuan * 100, limits or {})


def test_the_programme_beats_the_greedy_rules_where_it_can_be_checked_by_hand() -> None:
    problem = _by_hand()
    solved = solve(problem)
    found = {"milp": solved.choice, "cheapest_first": cheapest_first(problem),
             "poorest_first": poorest_first(problem)}
    lifted = {name: evaluate(problem, choice).people_lifted for name, choice in found.items()}
    assert lifted == {"milp": 5, "cheapest_first": 4, "poorest_first": 3}
    assert all(affordable(problem, choice) is None for choice in found.values())
    assert solved.status == "optimal" and solved.objective == 5
    assert solved.lp_bound >= 5 and solved.gap_to_lp >= 0
    milp = evaluate(problem, solved.choice)
    assert milp.cost_fen == 1_000 + 10_000 + 12_000 and milp.people_per_million > 0
    # the gap: A's 300 yuan and B's 100, in people-lines (3 × 300/1200 + 1 × 100/400)
    assert milp.gap_before == pytest.approx(1.0) and milp.gap_after == pytest.approx(0.25)


def test_the_gap_objective_closes_the_most_of_the_gap() -> None:
    problem = _by_hand(budget_yuan=170)
    gap = solve(problem, "gap")
    after = evaluate(problem, gap.choice).gap_after
    for choice in (cheapest_first(problem), poorest_first(problem)):
        assert after <= evaluate(problem, choice).gap_after + 1e-9
    assert after == pytest.approx(0.0)  # A's job and B's: 160 of the 170


def test_a_programme_limit_binds() -> None:
    problem = _by_hand(limits={"housing": 0})
    choice = solve(problem).choice
    assert not choice.items[4] and affordable(problem, choice) is None
    assert evaluate(problem, choice).people_lifted == 4  # A and B


@pytest.mark.parametrize(("budget", "limits", "message"), [
    (5, None, "the budget of 5.00 yuan is below the entitlements it must pay, 10.00 yuan"),
    (240, {"health": 500}, "the limit of programme health, 5.00 yuan, is below its "
                           "entitlements, 10.00 yuan"),
])
def test_an_infeasible_budget_names_the_constraint(budget: int, limits: dict[str, int] | None,
                                                   message: str) -> None:
    with pytest.raises(Infeasible, match=message.replace(".", r"\.")):
        solve(_by_hand(budget, limits))


def test_a_county_is_allocated_and_kept(funds_db: Path | str, funds_province: Province) -> None:
    p, catalogue = funds_province, load_catalogue()
    with Store(funds_db) as store:
        problem = allocation_problem(store, catalogue, p.county, 2026, 500_000_00)
        assert len(problem.households) > 20 and len(problem.items) > len(problem.households)
        assert set(problem.items.measures) <= {m.id for m in catalogue.for_households}
        done = allocate(problem, time_limit=30)
        outcomes = {m.name: m.outcome for m in done.methods}
        assert outcomes["milp"].people_lifted >= max(
            outcomes["cheapest_first"].people_lifted, outcomes["poorest_first"].people_lifted)
        assert all(affordable(problem, m.choice) is None for m in done.methods)
        assert done.solved.lp_bound >= outcomes["milp"].people_lifted - 1e-6
        with pytest.raises(PovertyCloudError, match="may not allocate the budget"):
            save(store, done, user_named(store, "other_county_officer"))
        kept = save(store, done, user_named(store, "county_officer"))
        found = saved(store, kept)
        assert found is not None and found["county_code"] == p.county
        assert found["summary"]["methods"]["milp"]["people_lifted"] == \
            outcomes["milp"].people_lifted
        rows = store.scalar("SELECT count(*) FROM allocation_items WHERE allocation_id = ?",
                            [kept])
        assert rows == chosen_table(done).num_rows > 0
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'allocate'") == 1
        with pytest.raises(PovertyCloudError, match="is not a county"):
            allocation_problem(store, catalogue, p.village, 2026, 1)
        with pytest.raises(PovertyCloudError, match="no help measure is paid by programme"):
            allocation_problem(store, catalogue, p.county, 2026, 1, {"lottery": 1})


def test_the_budget_is_read_from_the_ledger(funds_db: Path | str, funds_province: Province,
                                            tmp_path: Path) -> None:
    p = funds_province
    with Store(funds_db) as store:
        book(store, entries_in(store, allocations(p, tmp_path, 80_000)),
             user_named(store, "province_officer"), load_programmes())
        budget, limits = ledger_budget(store, p.county, dt.date(2026, 12, 31))
    assert budget == 80_000_00 and limits == {"education_subsidy": 80_000_00}
