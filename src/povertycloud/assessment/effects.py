"""The effect of each kind of help measure on income, measured from the panel: a
difference in differences with covariates.

Among the households that ended a year t registered poor and had not received a kind
before, the change of log income per capita from t to t + 1 is regressed on whether each
received the kind in t (those that receive it later are the comparison: not yet
treated), holding equal the other kinds received in t, t - 1 and before, what the
registry saw of it in t (land, workers, students, elders, remoteness, unsafe housing),
whether and how long it had been registered, its income in t and t - 1, and the year;
the coefficient is the kind's effect on the next year's log income, with a 95% interval
from standard errors clustered by village. The same model on the year before (t - 1 to
t), where a kind received in t can have no effect yet, is the placebo: an interval far
from zero says the assumptions fail.

Assumptions, stated with every result: among registered households alike in what the
registry saw, who received a kind was as good as chance (conditional parallel trends);
a kind acts from the year after, on the household that received it only (no
anticipation, no spill-over); the effects are the same for every household and add up in
log income; the surveyed incomes are measured with error that does not depend on help."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import PovertyCloudError
from ..standard.codes import MEASURE_KINDS
from ..store import Store
from .queries import QUERIES, stamp

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

DRIVERS = ("much_land", "workers", "students", "elders", "remote", "unsafe_housing")
LEAST_TREATED = 30  # fewer household-years with a kind: no estimate of it
ASSUMPTIONS = (
    "Among registered households alike in what the registry saw (land, workers, students, "
    "elders, remoteness, housing, income, year), who received a kind was as good as "
    "chance: without it their incomes would have moved alike (conditional parallel trends).",
    "A kind acts from the year after it is received, on its household only (no "
    "anticipation, no spill-over to neighbours).",
    "Each kind's effect is the same for every household and the effects add up in log "
    "income; a household receives a kind once.",
    "The placebo (the same model on the year before, where no effect can show) should hold "
    "zero in its interval; when it does not, distrust the kind's estimate.",
)


class EffectsError(PovertyCloudError):
    """Effects that cannot be measured, with the reason."""


@dataclass(frozen=True)
class Effect:
    kind: str
    effect: float  # gain in log income per capita the year after
    std_error: float
    low: float
    high: float
    treated: int
    observations: int
    placebo: float | None
    placebo_low: float | None
    placebo_high: float | None
    first_year: int
    last_year: int

    @property
    def gain(self) -> float:
        """The proportional gain in income: 0.2 is 20% more."""
        return math.expm1(self.effect)

    @property
    def placebo_holds(self) -> bool:
        return self.placebo_low is None or self.placebo_low <= 0 <= (self.placebo_high or 0)


def frame(store: Store, prefix: str = "") -> pa.Table:
    """The household-years compared (QUERIES["effects_frame"]) under ``prefix``."""
    when = {"now": "m.year = h.year", "then": "m.year = h.year - 1",
            "before": "m.year < h.year - 1"}
    received = ", ".join(f"bool_or(m.kind = '{k}' AND {cond}) AS {at}_{k}"
                         for k in MEASURE_KINDS for at, cond in when.items())
    kinds = ", ".join(f"coalesce(k.{at}_{k}, false) AS {at}_{k}"
                      for k in MEASURE_KINDS for at in when)
    sql = QUERIES["effects_frame"].replace("{received}", received).replace("{kinds}", kinds)
    return store.arrow(sql, [prefix])


def measure(store: Store, prefix: str = "") -> list[Effect]:
    """The effect of every kind received often enough, under ``prefix``."""
    return fit(frame(store, prefix))


def fit(table: pa.Table) -> list[Effect]:
    """Fit the model and its placebo on the frame; a kind received fewer than
    ``LEAST_TREATED`` times is left out."""
    import numpy as np

    if table.num_rows == 0:
        raise EffectsError("no registered household has incomes surveyed the year before "
                           "and the year after: import household_years and status_changes")
    col = {name: table.column(name).to_numpy(zero_copy_only=False)
           for name in table.column_names}
    kinds = [k for k in MEASURE_KINDS if col[f"now_{k}"].sum() >= LEAST_TREATED]
    if not kinds:
        raise EffectsError(f"no kind of help was received by {LEAST_TREATED} registered "
                           "households or more: import household_measures")
    years = col["year"].astype(np.int64)
    village = np.unique(col["village_code"].astype(str), return_inverse=True)[1]
    new = ~col["registered_before"]
    shared = [col[d] for d in DRIVERS] + [col[d] & new for d in DRIVERS] + [new] \
        + _dummies(years) + _dummies(col["years_registered"].astype(np.int64))
    return [_kind(col, kind, shared, village) for kind in kinds]


def _kind(col: dict[str, np.ndarray], kind: str, shared: list[np.ndarray],
          village: np.ndarray) -> Effect:
    """One kind, among the household-years that had not received it before (those that
    receive it later are its comparison: not yet treated), the other kinds received in
    t, t - 1 and before held equal."""
    fresh = ~col[f"then_{kind}"] & ~col[f"before_{kind}"]
    others = [col[f"{at}_{k}"] for k in MEASURE_KINDS if k != kind
              for at in ("now", "then", "before") if col[f"{at}_{k}"].any()]
    held = [c[fresh] for c in [*others, *shared]]
    treated = col[f"now_{kind}"][fresh]
    groups = village[fresh]
    main = _ols(col["change_after"][fresh],
                [treated, col["level"][fresh], col["level_before"][fresh], *held], groups)
    placebo = _ols(col["change_before"][fresh], [treated, col["level_before"][fresh], *held],
                   groups)
    years = col["year"][fresh]
    return Effect(kind, float(main[0][0]), float(main[1][0]), float(main[2][0, 0]),
                  float(main[2][0, 1]), int(treated.sum()), int(fresh.sum()),
                  float(placebo[0][0]), float(placebo[2][0, 0]), float(placebo[2][0, 1]),
                  int(years.min()), int(years.max()) + 1)


def _dummies(values: np.ndarray) -> list[np.ndarray]:
    """A 0/1 column for each value but the first."""
    return [values == v for v in sorted(set(values.tolist()))[1:]]


def _ols(y: np.ndarray, columns: list[np.ndarray], groups: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, standard errors and 95% intervals of ``columns`` (after an
    intercept), clustered by ``groups`` (statsmodels, with its small-sample factor)."""
    import numpy as np
    import statsmodels.api as sm  # loaded with the first estimate

    x = np.column_stack([np.ones(len(y)), *[c.astype(float) for c in columns]])
    # intervals from Student's t with (villages - 1) degrees of freedom: few clusters
    fitted = sm.OLS(y.astype(float), x).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                            use_t=True)
    return (np.asarray(fitted.params)[1:], np.asarray(fitted.bse)[1:],
            np.asarray(fitted.conf_int(0.05))[1:])


def estimate(store: Store, by: User, prefix: str = "") -> tuple[int, list[Effect]]:
    """Measure the effects under ``prefix`` and keep them as a new run; returns the
    run's number and the effects. The allocation and the plans read the latest run."""
    import pyarrow as pa

    found = measure(store, prefix)
    table = pa.Table.from_pylist([asdict(e) for e in found])
    with store.transaction(), store.registered("_effects", table):
        run = int(store.scalar("SELECT coalesce(max(run_id), 0) + 1 FROM measure_effects"))
        store.execute(QUERIES["insert_effects"], [run, by.username, stamp()])
        record(store, by, "estimate_measure_effects", "measure_effects", str(run),
               by.region_code, f"{len(found)} kinds of help measure under {prefix or 'all'}")
    return run, found


def latest(store: Store) -> list[Effect]:
    """The effects of the latest run, empty when none was kept."""
    names = Effect.__dataclass_fields__
    return [Effect(**{k: v for k, v in row.items() if k in names})
            for row in store.records(QUERIES["latest_effects"])]


def gains(store: Store) -> dict[str, float]:
    """Kind: the measured proportional gain in income, from the latest run."""
    return {e.kind: e.gain for e in latest(store)}


def as_rows(effects: list[Effect]) -> list[dict[str, Any]]:
    """The effects as a table's rows, in percent of income."""
    def pct(x: float | None) -> float | None:
        return None if x is None else round(100 * math.expm1(x), 1)
    return [{"kind": e.kind, "gain_pct": pct(e.effect), "low_pct": pct(e.low),
             "high_pct": pct(e.high), "treated": e.treated, "observations": e.observations,
             "placebo_pct": pct(e.placebo), "placebo_low_pct": pct(e.placebo_low),
             "placebo_high_pct": pct(e.placebo_high), "placebo_holds": e.placebo_holds,
             "years": f"{e.first_year}-{e.last_year}"} for e in effects]
