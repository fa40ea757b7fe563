"""A third-party assessment of a synthetic county: the truth of every household of the
frame (does it qualify as poor: its true income under the line, or, exited, a guarantee
unmet; does it approve of the work) in ``truth_assessment``, and the assessors' returns
for a drawn sample, written as the questionnaire's export, each verdict wrong at a known
rate (the assessors' error), for the product's own import. The true rates beside the estimates
check the estimation (benchmarks/bench_assessment.py). Deterministic for a seed."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..assessment.design import design_of
from ..assessment.frame import frame_of
from ..assessment.questionnaire import COLUMNS, GUARANTEES
from ..assessment.returns import standard_verdict_sql
from ..lines import line_for
from ..store import Store

TRUTH = "truth_assessment"
# the identification's checks behind each guarantee of the questionnaire
CHECKS = dict(zip(GUARANTEES, ("g_food", "g_clothing", "g_compulsory_education",
                               "g_basic_medical", "g_safe_housing", "g_safe_water"),
                  strict=True))


@dataclass(frozen=True)
class AssessmentConfig:
    seed: int = 1
    assessor_error: float = 0.02  # verdicts an assessor gets wrong
    approval: float = 0.95  # households approving of the work
    approval_wronged: float = 0.5  # of those missed or wrongly exited


def uniform(seed: int, keys: npt.NDArray[np.int64], stream: int) -> npt.NDArray[np.float64]:
    """A uniform number in [0, 1) for each key, fixed by (seed, key, stream): SplitMix64,
    so that a household's truth does not depend on which others are drawn."""
    with np.errstate(over="ignore"):
        z = (keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             + np.uint64(seed * 1_000_003 + stream))
        for shift, mult in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            z = (z ^ (z >> np.uint64(shift))) * np.uint64(mult)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def write_truth(store: Store, county: str, as_of: dt.date, config: AssessmentConfig) -> int:
    """The truth of every household of ``county``'s frame on ``as_of`` (replacing that
    county's earlier truth); returns the households."""
    if not store.has_table("truth_household_years"):
        raise ValueError("the store has no synthetic truth (truth_household_years)")
    frame = frame_of(store, county, as_of)
    guarantees = ", ".join(f"coalesce(i.{c}, true) AS {g}" for g, c in CHECKS.items())
    with store.registered("_truth_frame", frame.households):
        table = store.arrow(f"""
SELECT household_id, village_code, grp, members, income_per_capita AS true_income,
  {standard_verdict_sql(line_for(frame.survey_year))} = 'poor' AS qualifies
FROM (
  SELECT f.household_id, f.village_code, f.grp, f.members, {guarantees},
    coalesce(t.true_income_per_capita, i.income_per_capita) AS income_per_capita
  FROM _truth_frame f
  JOIN identification i ON i.household_id = f.household_id AND i.year = {frame.survey_year}
  LEFT JOIN truth_household_years t ON t.household_id = f.household_id
    AND t.year = {frame.survey_year})
ORDER BY household_id""")
    ids = table.column("household_id").to_numpy()
    grp = np.asarray(table.column("grp").to_pylist())
    qualifies = np.asarray(table.column("qualifies").to_pylist(), dtype=bool)
    wronged = qualifies & (grp != "registered")
    approves = uniform(config.seed, ids, 1) < np.where(wronged, config.approval_wronged,
                                                       config.approval)
    truth = table.append_column("approves", pa.array(approves)).append_column(
        "county_code", pa.array([county] * len(ids)))
    with store.transaction():
        store.execute(f"CREATE TABLE IF NOT EXISTS {TRUTH} (county_code VARCHAR, "
                      "household_id BIGINT, village_code VARCHAR, grp VARCHAR, "
                      "members BIGINT, true_income DOUBLE, qualifies BOOLEAN, "
                      "approves BOOLEAN)")
        store.execute(f"DELETE FROM {TRUTH} WHERE county_code = ?", [county])
        with store.registered("_truth", truth):
            store.execute(f"INSERT INTO {TRUTH} BY NAME SELECT * FROM _truth")
    return len(ids)


def true_rates(store: Store, county: str) -> dict[str, float]:
    """The county's true rates, over every household of its frame (people for all but
    approval, which is of households)."""
    row = store.record(f"""
SELECT sum(members) FILTER (grp = 'exited' AND qualifies)
         / sum(members) FILTER (grp = 'exited') AS wrong_exit,
  sum(members) FILTER (grp = 'not_registered' AND qualifies)
    / sum(members) FILTER (grp = 'not_registered') AS missed,
  sum(members) FILTER (grp = 'registered' AND NOT qualifies)
    / sum(members) FILTER (grp = 'registered') AS misidentified,
  avg(CASE WHEN approves THEN 1.0 ELSE 0.0 END) AS approval,
  sum(members) FILTER (grp = 'registered' OR qualifies) / sum(members)
    AS integrated_incidence
FROM {TRUTH} WHERE county_code = ?""", [county])
    assert row is not None
    return {k: float(v) for k, v in row.items() if v is not None}


def write_returns(store: Store, assessment: int, path: Path, config: AssessmentConfig) -> int:
    """The returns of every household drawn for ``assessment`` as the questionnaire's
    export (CSV) at ``path``; returns how many. Needs :func:`write_truth` first."""
    design = design_of(store, assessment)
    guarantees = ", ".join(f"coalesce(i.{c}, true) AS {g}" for g, c in CHECKS.items())
    rows = store.records(f"""
SELECT h.household_id, v.assessor, h.grp, h.members, t.true_income, t.qualifies,
  t.approves, {guarantees}
FROM assessment_households h
JOIN assessment_villages v ON v.assessment_id = h.assessment_id
  AND v.village_code = h.village_code
JOIN {TRUTH} t ON t.household_id = h.household_id
JOIN identification i ON i.household_id = h.household_id AND i.year = ?
WHERE h.assessment_id = ? ORDER BY h.household_id""", [design["survey_year"], assessment])
    ids = np.asarray([r["household_id"] for r in rows], dtype=np.int64)
    seed = config.seed * 7919 + assessment
    wrong = uniform(seed, ids, 2) < config.assessor_error
    days = (uniform(seed, ids, 3) * 20).astype(int) + 1
    mild = uniform(seed, ids, 4) < 0.3  # of the approving, 'basically satisfied'
    latest = dt.date.today()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(COLUMNS)
        for k, r in enumerate(rows):
            poor = bool(r["qualifies"]) != bool(wrong[k])  # the standard's verdict, unless wrong
            pleased = "2" if mild[k] else "1"
            unhappy = "3" if not r["approves"] else pleased
            out.writerow([
                r["household_id"], r["assessor"],
                min(latest, design["as_of"] + dt.timedelta(days=int(days[k]))).isoformat(),
                r["members"], f"{r['true_income']:.2f}",
                *("yes" if r[g] else "no" for g in GUARANTEES), "no",
                pleased, unhappy, pleased if r["grp"] == "exited" else "", pleased,
                "poor" if poor else "not_poor",
                "synthetic: the assessor's judgement" if wrong[k] else ""])
    return len(rows)
