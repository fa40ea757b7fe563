"""The rules officers allocate by, to compare with the solver's allocation in the same
run: the entitlements first, then

- ``cheapest_first``: every item and project from the cheapest up, while the money lasts;
- ``poorest_first``: households by their scorecard points, the fewest (the poorest) first,
  each given what its plan would give it (each measure it is offered, the first of an
  exclusive group) and its village's projects, while the money lasts.

Both keep the budget, each programme's limit and the exclusive groups."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .problem import Choice, Problem

RULES = ("cheapest_first", "poorest_first")


class _Purse:
    """The money left, in all and per programme, and the groups each household has."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.left = problem.budget_fen
        self.limits = dict(problem.limits)
        self.taken: set[tuple[int, str]] = set()
        self.items = np.zeros(len(problem.items), bool)
        self.projects = np.zeros(len(problem.projects), bool)

    def take_item(self, i: int, forced: bool = False) -> None:
        items = self.problem.items
        group = (int(items.household[i]), str(items.groups[i])) if items.groups[i] else None
        if self.items[i] or (group in self.taken and not forced):
            return
        if self._pay(int(items.cost_fen[i]), str(items.programmes[i]), forced):
            self.items[i] = True
            if group:
                self.taken.add(group)

    def take_project(self, p: int) -> None:
        projects = self.problem.projects
        if not self.projects[p] and self._pay(int(projects.cost_fen[p]),
                                              str(projects.programmes[p])):
            self.projects[p] = True

    def _pay(self, cost: int, programme: str, forced: bool = False) -> bool:
        limit = self.limits.get(programme)
        if not forced and (cost > self.left or (limit is not None and cost > limit)):
            return False
        self.left -= cost
        if limit is not None:
            self.limits[programme] = limit - cost
        return True

    def choice(self) -> Choice:
        return Choice(self.items.copy(), self.projects.copy())


def _entitled_first(problem: Problem) -> _Purse:
    purse = _Purse(problem)
    for i in np.flatnonzero(problem.items.entitled):
        purse.take_item(int(i), forced=True)  # checked to fit before (check_feasible)
    return purse


def cheapest_first(problem: Problem) -> Choice:
    purse = _entitled_first(problem)
    n_i = len(problem.items)
    costs = np.concatenate([problem.items.cost_fen, problem.projects.cost_fen])
    for k in np.argsort(costs, kind="stable"):
        if k < n_i:
            purse.take_item(int(k))
        else:
            purse.take_project(int(k - n_i))
    return purse.choice()


def poorest_first(problem: Problem) -> Choice:
    purse = _entitled_first(problem)
    items, ben = problem.items, problem.benefits
    by_household = _index(items.household, len(problem.households))
    projects_of = _index(ben.household, len(problem.households))
    for h in np.argsort(problem.households.score, kind="stable"):
        for i in by_household[h]:
            purse.take_item(i)
        for b in projects_of[h]:
            purse.take_project(int(ben.project[b]))
    return purse.choice()


def _index(owner: Iterable[int], n: int) -> list[list[int]]:
    """For each of ``n`` owners, the positions it holds, in order."""
    found: list[list[int]] = [[] for _ in range(n)]
    for k, o in enumerate(owner):
        found[int(o)].append(k)
    return found


def allocate_greedily(problem: Problem, rule: str) -> Choice:
    return {"cheapest_first": cheapest_first, "poorest_first": poorest_first}[rule](problem)
