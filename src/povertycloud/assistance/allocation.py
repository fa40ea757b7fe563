"""Allocating a county's budget to help measures and village projects: the problem read
from the store (who is still poor, what each may get, at what cost and effect), solved
as a mixed-integer programme and by the officers' greedy rules in the same run, each
allocation evaluated the same way, and the result kept.

The candidates are the county's households that are helped (registered poor, monitored)
or that identification proposes as poor or at risk, and that are still poor: income below
the line, or a guarantee failed. Each may get the help measures it is offered (as in its
plan); a village project benefits the candidates of its village that it is offered to."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..access.accounts import User
from ..access.audit import record
from ..errors import PovertyCloudError
from ..funds.balances import balances
from ..funds.eligibility import GUARANTEES, eligibility_sql, identified_year
from ..sqltext import literal, literals
from ..standard.regions import level_of, prefix
from ..store import Store
from .catalogue import Catalogue, HelpMeasure
from .greedy import RULES, allocate_greedily
from .milp import Solved, check_feasible, solve
from .plans import HELPED, QUERIES, stamp
from .problem import Benefits, Choice, Households, Options, Outcome, Problem, evaluate

POOR = ("poor", "at_risk")  # identification's proposals that make a household a candidate


@dataclass(frozen=True)
class Method:
    name: str  # milp, cheapest_first or poorest_first
    choice: Choice
    outcome: Outcome
    seconds: float


@dataclass(frozen=True)
class Allocation:
    problem: Problem
    objective: str
    solved: Solved
    methods: tuple[Method, ...]  # the solver's first

    def method(self, name: str) -> Method:
        return next(m for m in self.methods if m.name == name)


def counties(store: Store, prefix: str = "") -> list[str]:
    """The codes of the counties under ``prefix``, whose budgets may be allocated."""
    return [str(c) for c in store.column(QUERIES["counties"], [prefix])]


def ledger_budget(store: Store, county: str, as_of: dt.date) -> tuple[int, dict[str, int]]:
    """What the county and the regions below it hold of each programme as of a day: the
    budget (their sum) and each programme's limit."""
    held = {str(r["programme"]): int(r["held_fen"])
            for r in balances(store, "county", prefix(county), as_of)
            if r["region_code"] == county and int(r["held_fen"]) > 0}
    return sum(held.values()), held


def allocation_problem(store: Store, catalogue: Catalogue, county: str, year: int,
                       budget_fen: int, limits: dict[str, int] | None = None,
                       gains: Mapping[str, float] | None = None) -> Problem:
    """The county's allocation problem from its latest identification of ``year`` or
    before; a measure whose kind has a measured ``gains`` (kind: proportional gain in
    income, from ``assess effects``) is expected to raise its household's income by it,
    the others by the catalogue's assumption."""
    if level_of(county) != "county":
        raise PovertyCloudError(f"{county} is not a county's code")
    if budget_fen < 0 or any(v < 0 for v in (limits or {}).values()):
        raise PovertyCloudError("a budget or a limit cannot be below zero")
    known = {m.programme for m in catalogue.measures}
    for programme in limits or {}:
        if programme not in known:
            raise PovertyCloudError(f"no help measure is paid by programme {programme!r}; "
                                    f"they are paid by {', '.join(sorted(known))}")
    identified = identified_year(store, year)
    _candidates(store, identified, county)
    households = _households(store.arrow(QUERIES["allocation_households"]))
    if not len(households):
        raise PovertyCloudError(f"county {county} has no household still poor in the "
                                f"identification of {identified}")
    items = _items(store, catalogue.for_households, gains)
    projects, benefits = _projects(store, catalogue.for_villages, gains)
    store.execute("DROP TABLE _allocation_candidates")
    return Problem(county, year, households, items, projects, benefits, budget_fen,
                   dict(limits or {}))


def _candidates(store: Store, identified: int, county: str) -> None:
    only = (f"SELECT household_id FROM households WHERE starts_with(village_code, "
            f"{literal(prefix(county))})")
    fails = " OR ".join(f"e.fails_{g}" for g in GUARANTEES)
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _allocation_candidates AS
SELECT row_number() OVER (ORDER BY e.household_id) - 1 AS k, e.*,
  CAST(greatest(0, round((e.poverty_line - e.income_per_capita) * e.members * 100))
       AS BIGINT) AS need_fen,
  CAST(e.poverty_line * e.members * 100 AS BIGINT) AS line_fen
FROM ({eligibility_sql(identified, only)}) e
WHERE (e.registration_status IN {literals(HELPED)} OR e.proposal IN {literals(POOR)})
  AND e.members > 0 AND e.income_per_capita IS NOT NULL
  AND (e.income_per_capita < e.poverty_line OR {fails})""")


def _households(table: pa.Table) -> Households:
    col = {name: table.column(name).to_numpy(zero_copy_only=False)
           for name in table.column_names}
    return Households(
        ids=col["household_id"].astype(np.int64), villages=col["village_code"].astype(object),
        members=col["members"].astype(np.int64), need_fen=col["need_fen"].astype(np.int64),
        line_fen=col["line_fen"].astype(np.int64),
        fails=np.column_stack([col[f"fails_{g}"].astype(bool) for g in GUARANTEES]),
        score=np.nan_to_num(col["score"].astype(float), nan=0).astype(np.int64))


def _offers(store: Store, measures: tuple[HelpMeasure, ...],
            gains: Mapping[str, float] | None) -> pa.Table:
    """Each (candidate, measure) it is offered, with the cost and the effect."""
    if not measures:
        return pa.table({"k": pa.array([], pa.int64()), "village_code": pa.array([], pa.string()),
                         "measure": pa.array([], pa.string()),
                         "cost_fen": pa.array([], pa.int64()),
                         "effect_fen": pa.array([], pa.int64())})
    union = " UNION ALL ".join(
        f"SELECT k, village_code, {literal(m.id)} AS measure, CAST({m.cost_sql()} AS BIGINT) "
        f"AS cost_fen, CAST({m.effect_sql(gains)} AS BIGINT) AS effect_fen, {rank} AS rank "
        f"FROM _allocation_candidates e WHERE {m.offered_sql()}"
        for rank, m in enumerate(measures))
    return store.arrow(f"SELECT * FROM ({union}) o ORDER BY k, rank")


def _attributes(measures: tuple[HelpMeasure, ...], names: np.ndarray
                ) -> dict[str, np.ndarray]:
    by = {m.id: m for m in measures}
    found = [by[str(n)] for n in names]
    return {"programmes": np.array([m.programme for m in found], dtype=object),
            "fixes": np.array([[g in m.fixes for g in GUARANTEES] for m in found],
                              dtype=bool).reshape(len(found), len(GUARANTEES)),
            "groups": np.array([m.exclusive or "" for m in found], dtype=object),
            "entitled": np.array([m.entitlement for m in found], dtype=bool)}


def _items(store: Store, measures: tuple[HelpMeasure, ...],
           gains: Mapping[str, float] | None) -> Options:
    offers = _offers(store, measures, gains)
    names = offers.column("measure").to_numpy(zero_copy_only=False).astype(object)
    return Options(measures=names, cost_fen=offers.column("cost_fen").to_numpy(),
                   household=offers.column("k").to_numpy().astype(np.int64),
                   effect_fen=offers.column("effect_fen").to_numpy(),
                   **_attributes(measures, names))


def _projects(store: Store, measures: tuple[HelpMeasure, ...],
              gains: Mapping[str, float] | None) -> tuple[Options, Benefits]:
    """One project per (village, village measure) with a candidate it benefits; its
    cost is the measure's cost (not per household)."""
    offers = _offers(store, measures, gains)
    villages = offers.column("village_code").to_numpy(zero_copy_only=False).astype(object)
    names = offers.column("measure").to_numpy(zero_copy_only=False).astype(object)
    keys = np.array([f"{v}|{n}" for v, n in zip(villages, names, strict=True)], dtype=object)
    _, first, project = np.unique(keys.astype(str), return_index=True, return_inverse=True)
    by = {m.id: m for m in measures}
    cost = np.array([by[str(names[i])].cost_fen for i in first], dtype=np.int64)
    options = Options(measures=names[first], cost_fen=cost, villages=villages[first],
                      **{k: v for k, v in _attributes(measures, names[first]).items()
                         if k in ("programmes", "fixes")})
    benefits = Benefits(project=project.astype(np.int64),
                        household=offers.column("k").to_numpy().astype(np.int64),
                        effect_fen=offers.column("effect_fen").to_numpy())
    return options, benefits


def allocate(problem: Problem, objective: str = "lifted", time_limit: float = 60.0
             ) -> Allocation:
    """Solve ``problem`` with HiGHS and by each greedy rule, each evaluated alike."""
    check_feasible(problem)
    greedy = []
    for rule in RULES:
        start = time.perf_counter()
        choice = allocate_greedily(problem, rule)
        greedy.append(Method(rule, choice, evaluate(problem, choice),
                             time.perf_counter() - start))
    best = max(greedy, key=lambda m: m.outcome.people_lifted if objective == "lifted"
               else -m.outcome.gap_after)
    solved = solve(problem, objective, time_limit, start=best.choice)
    first = Method("milp", solved.choice, evaluate(problem, solved.choice), solved.seconds)
    return Allocation(problem, objective, solved, (first, *greedy))


def save(store: Store, allocation: Allocation, by: User) -> int:
    """Keep the allocation (each method's outcome and choice) as ``by``, an officer whose
    jurisdiction holds the county; returns its id."""
    p = allocation.problem
    if not by.covers(p.county) or not by.may("plans"):
        raise PovertyCloudError(f"{by.username} ({by.role}, {by.region_code}) may not "
                                f"allocate the budget of county {p.county}")
    with store.transaction():
        allocation_id = store.draw("allocation_ids", 1) + 1
        store.execute(QUERIES["insert_allocation"], [
            allocation_id, p.county, p.year, allocation.objective, p.budget_fen,
            json.dumps(p.limits), json.dumps(_summary(allocation), ensure_ascii=False),
            by.username, stamp()])
        chosen = chosen_table(allocation)
        chosen = chosen.add_column(0, "allocation_id",
                                   pa.array([allocation_id] * chosen.num_rows, pa.int64()))
        with store.registered("_allocation_choices", chosen):
            store.execute(QUERIES["insert_allocation_items"])
        record(store, by, "allocate", "allocation", str(allocation_id), p.county,
               f"{allocation.objective}, budget {p.budget_fen} fen")
    return allocation_id


def _summary(allocation: Allocation) -> dict[str, Any]:
    s = allocation.solved
    return {"solver": {"status": s.status, "seconds": round(s.seconds, 3),
                       "objective": s.objective, "bound": s.bound, "lp_bound": s.lp_bound,
                       "gap_to_lp": s.gap_to_lp},
            "methods": {m.name: {**outcome_dict(m.outcome), "seconds": round(m.seconds, 3)}
                        for m in allocation.methods},
            "candidates": len(allocation.problem.households),
            "items": len(allocation.problem.items),
            "projects": len(allocation.problem.projects)}


def outcome_dict(o: Outcome) -> dict[str, Any]:
    return {"cost_fen": o.cost_fen, "by_programme": o.by_programme,
            "households_lifted": o.households_lifted, "people_lifted": o.people_lifted,
            "people_poor": o.people_poor, "people_per_million": round(o.people_per_million, 2),
            "gap_before": round(o.gap_before, 3), "gap_after": round(o.gap_after, 3)}


def chosen_table(allocation: Allocation, *methods: str) -> pa.Table:
    """What the methods (all when none is named) chose: household measures with their
    household, and village projects (no household)."""
    p = allocation.problem
    rows: list[dict[str, Any]] = []
    for m in allocation.methods:
        if methods and m.name not in methods:
            continue
        for i in np.flatnonzero(m.choice.items):
            h = int(p.items.household[i])
            rows.append(_row(m.name, int(p.households.ids[h]), str(p.households.villages[h]),
                             p.items, int(i)))
        rows += [_row(m.name, None, str(p.projects.villages[j]), p.projects, int(j))
                 for j in np.flatnonzero(m.choice.projects)]
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("method", pa.string()), ("household_id", pa.int64()), ("village_code", pa.string()),
        ("measure", pa.string()), ("programme", pa.string()), ("cost_fen", pa.int64())]))


def _row(method: str, household: int | None, village: str, options: Options, i: int
         ) -> dict[str, Any]:
    return {"method": method, "household_id": household, "village_code": village,
            "measure": str(options.measures[i]), "programme": str(options.programmes[i]),
            "cost_fen": int(options.cost_fen[i])}


def saved(store: Store, allocation_id: int) -> dict[str, Any] | None:
    """A kept allocation with its summary, or None."""
    found = store.record(QUERIES["allocation"], [allocation_id])
    if found is not None:
        found["summary"] = json.loads(found["summary"])
        found["limits"] = json.loads(found["limits"])
    return found
