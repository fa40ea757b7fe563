"""The allocation as a mixed-integer programme, solved by HiGHS (highspy: SciPy's
``milp`` cannot be given a starting allocation, and without one HiGHS may find none
within its time on a county's problem).

Variables: x, one per household item (0/1); y, one per village project (0/1); and per
household either z, lifted (0/1; objective ``lifted``), or g, its income still short of
the line (yuan, continuous; objective ``gap``).

- lifted: maximise Σ members·z, where a household is lifted only if its gains reach its
  shortfall (Σ effect·x + Σ effect·y ≥ need·z) and each guarantee it fails is met by a
  chosen item or project (Σ fixes ≥ z);
- gap: minimise Σ g/line·members, the poverty gap in people-lines, where g ≥ need − gains;

both subject to the budget, each programme's limit, at most one item of an exclusive
group per household and every entitlement given (x = 1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import PovertyCloudError
from .problem import Choice, Options, Problem, gains, lifted

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

Array = np.ndarray
Adder = Callable[[Array, Array, Array, Array, Array], None]  # rows, cols, values, low, high
OBJECTIVES = ("lifted", "gap")
YUAN = 100.0  # the model counts money in yuan: coefficients of a sensible size for HiGHS


class Infeasible(PovertyCloudError):
    """An allocation that cannot exist: the reason names the constraint."""


@dataclass(frozen=True)
class Solved:
    choice: Choice
    status: str  # optimal, or time limit with the best allocation found
    seconds: float
    objective: float  # people lifted, or the poverty gap left (people-lines)
    bound: float  # the best bound HiGHS proved on the objective
    lp_bound: float  # the bound of the linear relaxation
    lp_seconds: float

    @property
    def gap_to_lp(self) -> float:
        """How far the allocation is from the LP bound, as a share of the bound."""
        return abs(self.lp_bound - self.objective) / max(abs(self.lp_bound), 1e-9)


def check_feasible(problem: Problem) -> None:
    """Refuse a budget or a programme's limit below the entitlements it must pay, naming
    the constraint."""
    items = problem.items
    owed = int(items.cost_fen[items.entitled].sum())
    if owed > problem.budget_fen:
        raise Infeasible(f"the budget of {problem.budget_fen / YUAN:,.2f} yuan is below the "
                         f"entitlements it must pay, {owed / YUAN:,.2f} yuan ("
                         f"{int(items.entitled.sum()):,} household measures marked "
                         "`entitlement`)")
    for programme, limit in sorted(problem.limits.items()):
        mine = items.entitled & (items.programmes == programme)
        if int(items.cost_fen[mine].sum()) > limit:
            raise Infeasible(
                f"the limit of programme {programme}, {limit / YUAN:,.2f} yuan, is below "
                f"its entitlements, {int(items.cost_fen[mine].sum()) / YUAN:,.2f} yuan "
                f"({int(mine.sum()):,} household measures)")


def solve(problem: Problem, objective: str = "lifted", time_limit: float = 60.0,
          relative_gap: float = 1e-4, start: Choice | None = None) -> Solved:
    """The best allocation HiGHS finds within ``time_limit`` seconds (proved within
    ``relative_gap`` of the optimum when it says optimal), from ``start`` (an allocation
    that keeps the constraints, e.g. a greedy rule's: HiGHS returns nothing worse), with
    the bound of the linear relaxation."""
    if objective not in OBJECTIVES:
        raise PovertyCloudError(f"objective must be one of {', '.join(OBJECTIVES)}")
    check_feasible(problem)
    model = _model(problem, objective)
    began = time.perf_counter()
    lp = _run(model, time_limit, integral=False)
    lp_seconds = time.perf_counter() - began
    began = time.perf_counter()
    found = _run(model, time_limit, relative_gap=relative_gap,
                 start=_start(problem, objective, start) if start is not None else None)
    seconds = time.perf_counter() - began
    if found.values is None:
        raise Infeasible(f"HiGHS found no allocation: {found.status}")
    n_i, n_p = len(problem.items), len(problem.projects)
    x = found.values
    choice = Choice(items=x[:n_i] > 0.5, projects=x[n_i:n_i + n_p] > 0.5)
    sign = -1.0 if objective == "lifted" else 1.0
    return Solved(choice, found.status, seconds, sign * found.objective,
                  sign * found.bound, sign * lp.objective, lp_seconds)


@dataclass(frozen=True)
class _Model:
    cost: Array
    matrix: csr_matrix
    row_low: Array
    row_high: Array
    col_low: Array
    col_high: Array
    integral: Array


@dataclass(frozen=True)
class _Run:
    status: str
    values: Array | None
    objective: float
    bound: float


def _run(model: _Model, time_limit: float, integral: bool = True,
         relative_gap: float = 1e-4, start: Array | None = None) -> _Run:
    """Minimise the model with HiGHS: as a MIP, or its linear relaxation."""
    import highspy

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    for option, value in (("output_flag", False), ("time_limit", float(time_limit)),
                          ("mip_rel_gap", float(relative_gap)), ("threads", 1)):
        h.setOptionValue(option, value)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(model.cost), model.matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = model.cost, model.col_low, model.col_high
    lp.row_lower_, lp.row_upper_ = model.row_low, model.row_high
    columns = model.matrix.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = columns.indptr, columns.indices
    lp.a_matrix_.value_ = columns.data
    if integral:
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                           highspy.HighsVarType.kContinuous for i in model.integral]
    h.passModel(lp)
    if start is not None:
        given = highspy.HighsSolution()
        given.col_value, given.value_valid = list(start), True
        h.setSolution(given)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value) if h.getSolution().value_valid and \
        len(h.getSolution().col_value) == len(model.cost) else None
    bound = info.mip_dual_bound if integral else info.objective_function_value
    return _Run("optimal" if status == "Optimal" else status.lower(), values,
                float(info.objective_function_value), float(bound))


def _start(problem: Problem, objective: str, choice: Choice) -> Array:
    """The model's variables for an allocation: x, y and each household's z (lifted) or
    g (income still short, in yuan)."""
    if objective == "lifted":
        household = lifted(problem, choice).astype(float)
    else:
        household = np.maximum(problem.households.need_fen - gains(problem, choice), 0) / YUAN
    return np.concatenate([choice.items.astype(float), choice.projects.astype(float),
                           household])


def _model(problem: Problem, objective: str) -> _Model:
    """c, A, the rows' bounds, the variables' bounds and which are integral."""
    from scipy.sparse import coo_matrix  # loads with the first allocation, not the web
    h, items, projects, ben = (problem.households, problem.items, problem.projects,
                               problem.benefits)
    n_i, n_p, n_h = len(items), len(projects), len(h)
    z0 = n_i + n_p  # the household variables (z or g) start here
    rows: list[Array] = []
    cols: list[Array] = []
    vals: list[Array] = []
    low: list[Array] = []
    high: list[Array] = []
    row = 0

    def add(r: Array, col: Array, val: Array, lo: Array, hi: Array) -> None:
        nonlocal row
        rows.append(r + row)
        cols.append(col)
        vals.append(val.astype(float))
        low.append(lo.astype(float))
        high.append(hi.astype(float))
        row += len(lo)

    everything = np.arange(n_i + n_p)
    costs = np.concatenate([items.cost_fen, projects.cost_fen]) / YUAN
    add(np.zeros(n_i + n_p, np.int64), everything, costs, np.array([-np.inf]),
        np.array([problem.budget_fen / YUAN]))
    for programme, limit in sorted(problem.limits.items()):
        mine = np.flatnonzero(np.concatenate([items.programmes, projects.programmes])
                              == programme)
        add(np.zeros(len(mine), np.int64), mine, costs[mine], np.array([-np.inf]),
            np.array([limit / YUAN]))
    _exclusive(items, add)
    gain_rows = np.concatenate([items.household, ben.household])
    gain_cols = np.concatenate([np.arange(n_i), n_i + ben.project])
    gain_vals = np.concatenate([items.effect_fen, ben.effect_fen]) / YUAN
    need = h.need_fen / YUAN
    if objective == "lifted":
        # Σ effect·x + Σ effect·y − need·z ≥ 0
        add(np.concatenate([gain_rows, np.arange(n_h)]),
            np.concatenate([gain_cols, z0 + np.arange(n_h)]),
            np.concatenate([gain_vals, -need]), np.zeros(n_h), np.full(n_h, np.inf))
        _guarantees(problem, z0, add)
        c = np.concatenate([np.zeros(n_i + n_p), -h.members.astype(float)])
        upper_z = np.ones(n_h)
        integral_z = np.ones(n_h)
    else:
        # g + Σ effect·x + Σ effect·y ≥ need, 0 ≤ g ≤ need
        add(np.concatenate([gain_rows, np.arange(n_h)]),
            np.concatenate([gain_cols, z0 + np.arange(n_h)]),
            np.concatenate([gain_vals, np.ones(n_h)]), need, np.full(n_h, np.inf))
        c = np.concatenate([np.zeros(n_i + n_p),
                            h.members / np.maximum(h.line_fen / YUAN, 1e-9)])
        upper_z = need
        integral_z = np.zeros(n_h)
    a = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(row, n_i + n_p + n_h)).tocsr()
    lower = np.concatenate([items.entitled.astype(float), np.zeros(n_p + n_h)])
    upper = np.concatenate([np.ones(n_i + n_p), upper_z])
    integral = np.concatenate([np.ones(n_i + n_p), integral_z])
    return _Model(c, a, np.concatenate(low), np.concatenate(high), lower, upper, integral)


def _exclusive(items: Options, add: Adder) -> None:
    """Σ x ≤ 1 over each household's items of one exclusive group."""
    grouped = np.flatnonzero(items.groups.astype(bool))
    if not len(grouped):
        return
    keys = [f"{h}|{g}" for h, g in zip(items.household[grouped], items.groups[grouped],
                                        strict=True)]
    _, group_row = np.unique(np.array(keys), return_inverse=True)
    n = int(group_row.max()) + 1
    add(group_row, grouped, np.ones(len(grouped)), np.full(n, -np.inf), np.ones(n))


def _guarantees(problem: Problem, z0: int, add: Adder) -> None:
    """z ≤ Σ of the chosen items and projects that meet each guarantee it fails."""
    h, items, projects, ben = (problem.households, problem.items, problem.projects,
                               problem.benefits)
    failing = np.argwhere(h.fails)  # (household, guarantee) pairs
    if not len(failing):
        return
    index = {(int(a), int(b)): k for k, (a, b) in enumerate(failing)}
    r, col = [], []
    for i, (hh, fixes) in enumerate(zip(items.household, items.fixes, strict=True)):
        for g in np.flatnonzero(fixes):
            k = index.get((int(hh), int(g)))
            if k is not None:
                r.append(k)
                col.append(i)
    for p, hh in zip(ben.project, ben.household, strict=True):
        for g in np.flatnonzero(projects.fixes[p]):
            k = index.get((int(hh), int(g)))
            if k is not None:
                r.append(k)
                col.append(len(items) + int(p))
    n = len(failing)
    rows = np.concatenate([np.array(r, np.int64), np.arange(n)])
    cols = np.concatenate([np.array(col, np.int64), z0 + failing[:, 0]])
    vals = np.concatenate([np.ones(len(r)), -np.ones(n)])
    add(rows, cols, vals, np.zeros(n), np.full(n, np.inf))
