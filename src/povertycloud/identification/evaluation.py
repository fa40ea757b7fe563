"""How well the cause rules recover the causes of poverty, measured against the ground
truth of a synthetic province: primary-cause accuracy and macro F1 (of the primary cause,
and of the multi-label causes), over the households truly poor in a year."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PovertyCloudError
from ..pipeline import profile_steps
from ..pipeline.indicators import poverty_lines
from ..pipeline.on_store import preview
from ..pipeline.plan import Plan, Step
from ..standard.codes import CAUSES
from ..store import Store
from . import plan as identification
from .causes import CauseRules


@dataclass(frozen=True)
class CauseScores:
    households: int
    primary_accuracy: float
    primary_macro_f1: float
    multilabel_macro_f1: float
    per_cause: dict[str, tuple[int, float]]  # cause -> (true primaries, F1 of primary)


def evaluate_causes(store: Store, rules: CauseRules, year: int) -> CauseScores:
    """Score ``rules`` on the households truly poor in ``year`` (needs the synthetic
    ground truth in the store)."""
    if "truth_household_years" not in store.tables() \
            or not store.count("truth_household_years"):
        raise PovertyCloudError(f"{store.label} holds no ground truth (synthetic provinces do)")
    steps = (*profile_steps(year),
             Step("cause_results", rules.causes_sql()))
    plan = Plan(identification.INPUTS, steps, ("cause_results",),
                {"poverty_lines": poverty_lines()})
    with preview(store, plan) as result:
        store.execute(f"""CREATE OR REPLACE TEMP TABLE _cause_eval AS
            SELECT t.household_id, t.primary_cause AS truth, c.primary_cause AS guess,
                   ';' || t.causes || ';' AS truths, ';' || c.causes || ';' AS guesses
            FROM truth_household_years t JOIN {result("cause_results")} c
              ON c.household_id = t.household_id AND c.year = t.year
            WHERE t.year = {year} AND t.true_poor""")
    try:
        return _scores(store)
    finally:
        store.execute("DROP TABLE IF EXISTS temp.main._cause_eval")


def _scores(store: Store) -> CauseScores:
    q = store.one
    n, hits = q("SELECT count(*), sum((truth = guess)::INT) FROM _cause_eval") or (0, 0)
    if not n:
        raise PovertyCloudError("no truly poor household to evaluate in that year")
    per_cause: dict[str, tuple[int, float]] = {}
    primary_f1s, multi_f1s = [], []
    for cause in CAUSES:
        tp, fp, fn = q(f"""SELECT sum((truth = '{cause}' AND guess = '{cause}')::INT),
            sum((truth <> '{cause}' AND guess = '{cause}')::INT),
            sum((truth = '{cause}' AND guess <> '{cause}')::INT) FROM _cause_eval""") or (0, 0, 0)
        if tp + fn:  # the cause occurs in the truth
            per_cause[cause] = (int(tp + fn), f1(tp, fp, fn))
            primary_f1s.append(f1(tp, fp, fn))
        has, said = f"truths LIKE '%;{cause};%'", f"guesses LIKE '%;{cause};%'"
        tp, fp, fn = q(f"""SELECT sum(({has} AND {said})::INT),
            sum((NOT {has} AND {said})::INT), sum(({has} AND NOT {said})::INT)
            FROM _cause_eval""") or (0, 0, 0)
        if tp + fn:
            multi_f1s.append(f1(tp, fp, fn))
    return CauseScores(int(n), hits / n, sum(primary_f1s) / len(primary_f1s),
                       sum(multi_f1s) / len(multi_f1s), per_cause)


def f1(tp: int, fp: int, fn: int) -> float:
    """F1 from true positives, false positives and false negatives (0 without a hit)."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
