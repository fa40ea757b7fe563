"""The rates (三率一度) estimated from an assessment's returns with the design's weights
(svy: Taylor linearisation with villages as primary units within strata, intervals by
the rules' method, Korn-Graubard by default), for the county, each township and each
drawn village (a village's interval is of its households' sample, given the village was
drawn) (domain reference, section 4):

- wrong exit: exited people the assessor found poor / exited people;
- missed: people of unregistered households found poor and not excluded / people of
  unregistered households;
- misidentified: registered people found not poor, or excluded / registered people;
- approval: households satisfied or basically satisfied on every question asked /
  households surveyed;
- integrated incidence: people registered, missed or wrongly exited / people.

They are kept in ``assessment_estimates``, where the exit criteria read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..standard.regions import PREFIX_LENGTH
from ..store import Store
from .queries import QUERIES, stamp
from .rules import AssessmentRules

if TYPE_CHECKING:
    import polars as pl

LEVELS = ("county", "township", "village")
PEOPLE = {  # rate: the people it is over (a SQL condition), and who counts (one)
    "wrong_exit": ("grp = 'exited'", "verdict = 'poor'"),
    "missed": ("grp = 'not_registered'", "verdict = 'poor' AND NOT excluded"),
    "misidentified": ("grp = 'registered'", "verdict = 'not_poor' OR excluded"),
    "integrated_incidence": ("true", "grp = 'registered' OR (verdict = 'poor' AND "
                                     "(grp = 'exited' OR NOT excluded))"),
}
APPROVES = ("satisfied_policy <= 2 AND satisfied_help <= 2 AND coalesce(satisfied_exit, 1) "
            "<= 2 AND satisfied_cadres <= 2")
RATES = ("wrong_exit", "missed", "misidentified", "approval", "integrated_incidence")


def estimate(store: Store, rules: AssessmentRules, assessment: int) -> list[dict[str, Any]]:
    """Estimate every rate of ``assessment`` at every level from its returns, keep them
    (replacing the last estimates) and return them."""
    import polars as pl  # loaded with the first estimate

    found = estimates(store, rules, assessment)
    store.execute("DELETE FROM assessment_estimates WHERE assessment_id = ?", [assessment])
    if found:
        now = stamp()
        table = pl.DataFrame(found).with_columns(pl.lit(assessment).alias("assessment_id"),
                                                  pl.lit(now).alias("computed_at"))
        with store.registered("_estimates", table.to_arrow()):
            store.execute(QUERIES["insert_estimates"])
    return found


def estimates(store: Store, rules: AssessmentRules, assessment: int
              ) -> list[dict[str, Any]]:
    """Every rate at every level (county, townships, villages) from the returns so far,
    without keeping them: region_code, level, rate, estimate, ci_low, ci_high, sampled."""
    import polars as pl

    cases = ", ".join(f"({one}) AND ({over}) AS {rate}, ({over}) AS {rate}_over"
                      for rate, (over, one) in PEOPLE.items())
    rows = pl.from_arrow(store.arrow(
        QUERIES["estimation_rows"].replace("{cases}", cases)
        .replace("{approves}", APPROVES), [assessment]))
    assert isinstance(rows, pl.DataFrame)
    if not rows.height:
        return []
    rows = rows.with_columns(*(  # each unit's region of each level, as sql_ancestor has it
        (pl.col("village_code").str.slice(0, PREFIX_LENGTH[level])
         + "0" * (12 - PREFIX_LENGTH[level])).alias(level) for level in LEVELS))
    persons = rows.with_columns(pl.int_ranges(0, pl.col("members")).alias("_k")).explode("_k")
    out = []
    for level in LEVELS:
        for rate in RATES:
            out += _domain(rows if rate == "approval" else persons, rate, level, rules)
    return out


def _domain(units: pl.DataFrame, rate: str, level: str, rules: AssessmentRules
            ) -> list[dict[str, Any]]:
    """``rate`` by region of ``level``: the share of the units who count among those it
    is over (approving households among all; people, otherwise). Villages are the primary
    units within strata; within a drawn village (its own estimates), its households are,
    within the groups it was sampled by."""
    import polars as pl
    import svy

    y, over = ("approves", None) if rate == "approval" else (rate, f"{rate}_over")
    sampled = units if over is None else units.filter(pl.col(over))
    counts = dict(sampled.group_by(level).len().iter_rows())
    regions = sorted(units.get_column(level).unique().to_list())
    if not sampled.height:
        return [_row(code, level, rate, None, 0) for code in regions]
    data = units.with_columns(pl.col(y).cast(pl.Int64).alias("_y"),
                              pl.lit(True).alias("_all"))
    design = (svy.Design(stratum="grp", psu="household_id", wgt="weight")
              if level == "village" else
              svy.Design(stratum="stratum", psu="village_code", wgt="weight"))
    where = svy.col(over) == True if over else svy.col("_all") == True  # noqa: E712
    found = svy.Sample(data, design).estimation.prop(
        "_y", by=level, where=where, ci_method=rules.interval,  # type: ignore[arg-type]
        alpha=1 - rules.confidence)
    assert not isinstance(found, list)
    table = found.to_polars()
    out = []
    for code in regions:
        if not counts.get(code):
            out.append(_row(code, level, rate, None, 0))
            continue
        mine = {r["_y"]: r for r in table.filter(pl.col(level) == code).iter_rows(named=True)}
        if 1 in mine:
            one = mine[1]
            out.append(_row(code, level, rate, one, counts[code]))
        else:  # nobody counts: the interval is the complement of everybody's
            zero = mine[0]
            out.append(_row(code, level, rate, {"est": 0.0, "lci": 1 - zero["uci"],
                                                 "uci": 1 - zero["lci"]}, counts[code]))
    return out


def _row(code: str, level: str, rate: str, found: dict[str, Any] | None, sampled: int
         ) -> dict[str, Any]:
    if found is None:
        return {"region_code": code, "level": level, "rate": rate, "estimate": None,
                "ci_low": None, "ci_high": None, "sampled": sampled}
    return {"region_code": code, "level": level, "rate": rate,
            "estimate": float(found["est"]), "ci_low": max(0.0, float(found["lci"])),
            "ci_high": min(1.0, float(found["uci"])), "sampled": sampled}
