"""An allocation problem: a county's households still poor (below the line, or failing a
guarantee), the help measures each may get and the village projects that would benefit
them, with costs, expected effects and the guarantees each meets; the budget and each
programme's limit. An allocation (a choice of items and projects) is evaluated the same
way whoever made it: the solver or an officer's greedy rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..funds.eligibility import GUARANTEES

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Households:
    ids: Ints
    villages: npt.NDArray[np.object_]
    members: Ints
    need_fen: Ints  # income short of the line for all its members (0: at or above)
    line_fen: Ints  # the line for all its members
    fails: Bools  # households × GUARANTEES: the guarantees it fails
    score: Ints  # the scorecard's points: the fewest, the poorest

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Options:
    """Household items (a help measure for a household) or village projects."""

    measures: npt.NDArray[np.object_]
    cost_fen: Ints
    programmes: npt.NDArray[np.object_]
    fixes: Bools  # options × GUARANTEES
    household: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # items: index
    effect_fen: Ints = field(default_factory=lambda: np.zeros(0, np.int64))  # items
    groups: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    entitled: Bools = field(default_factory=lambda: np.zeros(0, bool))  # items: must get
    villages: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))

    def __len__(self) -> int:
        return len(self.measures)


@dataclass(frozen=True)
class Benefits:
    """Which household each village project benefits, by how much income."""

    project: Ints
    household: Ints
    effect_fen: Ints


@dataclass(frozen=True)
class Problem:
    county: str
    year: int
    households: Households
    items: Options
    projects: Options
    benefits: Benefits
    budget_fen: int
    limits: dict[str, int]  # programme: the most it may spend, in fen

    @property
    def programmes(self) -> list[str]:
        return sorted(set(self.items.programmes) | set(self.projects.programmes))


@dataclass(frozen=True)
class Choice:
    items: Bools
    projects: Bools


@dataclass(frozen=True)
class Outcome:
    """What an allocation spends and achieves."""

    cost_fen: int
    by_programme: dict[str, int]
    households_lifted: int
    people_lifted: int
    people_poor: int  # of the candidates, before
    gap_before: float  # the poverty gap of the candidates, in people-lines (Σ shortfall / line)
    gap_after: float

    @property
    def people_per_million(self) -> float:
        """People lifted for each million yuan spent."""
        return self.people_lifted / (self.cost_fen / 1e8) if self.cost_fen else 0.0


def gains(problem: Problem, choice: Choice) -> Ints:
    """Each household's expected income gain from the chosen items and projects."""
    h = problem.households
    gained = np.zeros(len(h), np.int64)
    np.add.at(gained, problem.items.household[choice.items],
              problem.items.effect_fen[choice.items])
    chosen = choice.projects[problem.benefits.project]
    np.add.at(gained, problem.benefits.household[chosen], problem.benefits.effect_fen[chosen])
    return gained


def covered(problem: Problem, choice: Choice) -> Bools:
    """households × GUARANTEES: met by a chosen item or project."""
    h = problem.households
    met = np.zeros((len(h), len(GUARANTEES)), bool)
    items = problem.items
    np.logical_or.at(met, items.household[choice.items], items.fixes[choice.items])
    chosen = choice.projects[problem.benefits.project]
    np.logical_or.at(met, problem.benefits.household[chosen],
                     problem.projects.fixes[problem.benefits.project[chosen]])
    return met


def lifted(problem: Problem, choice: Choice, gained: Ints | None = None) -> Bools:
    """Households out of poverty after the allocation: income at or above the line and
    every guarantee met (``gained``: the households' gains, when worked out already)."""
    h = problem.households
    income = (gains(problem, choice) if gained is None else gained) >= h.need_fen
    return income & ~(h.fails & ~covered(problem, choice)).any(axis=1)


def evaluate(problem: Problem, choice: Choice) -> Outcome:
    """What ``choice`` spends (in all and per programme) and achieves."""
    items, projects = problem.items, problem.projects
    by: dict[str, int] = {}
    for options, chosen in ((items, choice.items), (projects, choice.projects)):
        for programme, cost in zip(options.programmes[chosen], options.cost_fen[chosen],
                                   strict=True):
            by[str(programme)] = by.get(str(programme), 0) + int(cost)
    h = problem.households
    gained = gains(problem, choice)
    out = lifted(problem, choice, gained)
    short = np.maximum(h.need_fen - gained, 0)
    per_person = h.members / np.maximum(h.line_fen, 1)  # a line's worth: one person
    return Outcome(
        cost_fen=sum(by.values()), by_programme=by, households_lifted=int(out.sum()),
        people_lifted=int(h.members[out].sum()), people_poor=int(h.members.sum()),
        gap_before=float((h.need_fen * per_person).sum()),
        gap_after=float((short * per_person).sum()))


def affordable(problem: Problem, choice: Choice) -> str | None:
    """Why ``choice`` breaks the budget, a programme's limit or an exclusive group (None:
    it keeps them)."""
    items, projects = problem.items, problem.projects
    spent = int(items.cost_fen[choice.items].sum() + projects.cost_fen[choice.projects].sum())
    if spent > problem.budget_fen:
        return f"spends {spent} fen of a budget of {problem.budget_fen}"
    for programme, limit in problem.limits.items():
        used = int(items.cost_fen[choice.items & (items.programmes == programme)].sum()
                   + projects.cost_fen[choice.projects & (projects.programmes == programme)]
                   .sum())
        if used > limit:
            return f"spends {used} fen of {programme}, whose limit is {limit}"
    chosen = [(int(h), str(g)) for h, g in zip(items.household[choice.items],
                                               items.groups[choice.items], strict=True) if g]
    if len(chosen) != len(set(chosen)):
        return "gives a household two measures of one exclusive group"
    if (items.entitled & ~choice.items).any():
        return "leaves out an entitlement"
    return None
