"""The rates of an assessment as a table (each region's estimate and interval beside the
exit criterion's limit), and the county's assessment report: the design, the rates, the
multi-party evaluation, the ranking and the signs of faked figures; for the command
line, the pages (and their PDF) and the Excel workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from ..dynamic.region_criteria import load_exit_rules
from ..errors import PovertyCloudError
from ..intake.exports import check_table_output, workbook, write_table
from ..store import Store
from .design import design_of
from .draw import sample_villages
from .evaluation import Weights, evaluate
from .ranking import RankingRules, rank, suspicions
from .rates import LEVELS, RATES


def rates_table(store: Store, assessment: int, level: str = "county", prefix: str = ""
                ) -> list[dict[str, Any]]:
    """The estimates of ``assessment`` at ``level`` under ``prefix``, each with its
    region's name and the exit criterion's limit where one applies."""
    if level not in LEVELS:
        raise PovertyCloudError(f"the level is one of {', '.join(LEVELS)}, not {level!r}")
    design_of(store, assessment)
    rules = load_exit_rules()
    limits = {c.name: c for c in rules.criteria}
    rows = store.records("""
SELECT e.region_code, g.name AS region_name, e.rate, e.estimate, e.ci_low, e.ci_high,
  e.sampled
FROM assessment_estimates e LEFT JOIN regions g ON g.code = e.region_code
WHERE e.assessment_id = ? AND e.level = ? AND starts_with(e.region_code, ?)
ORDER BY e.region_code""", [assessment, level, prefix])
    order = {r: k for k, r in enumerate(RATES)}
    rows.sort(key=lambda r: (r["region_code"], order[r["rate"]]))
    for r in rows:
        c = limits.get(r["rate"])
        applies = c is not None and level in c.levels
        limit = (c.west_limit if rules.west(r["region_code"]) else c.limit) if c else None
        r["limit"] = f"{'≥' if c.at_least else '<'} {limit:g} %" if c and applies else None
        r["limit_value"] = limit if c and applies else None
    return rows


def write_rates(rows: list[dict[str, Any]], out: Path, overwrite: bool = True) -> None:
    """The rates to a .csv, .parquet or .xlsx file."""
    check_table_output(out, overwrite)
    write_table(pa.Table.from_pylist(rows), out)


def county_report(store: Store, assessment: int, weights: Weights,
                  ranking: RankingRules) -> dict[str, Any]:
    """Everything the county's assessment report shows: the design (frame, strata, sizes,
    villages drawn and their assessors), the rates with their intervals (county,
    townships), the multi-party evaluation of the county's exit, the county's place in
    the ranking of the province's counties, and the signs of faked figures in it."""
    design = design_of(store, assessment)
    county, day = str(design["county_code"]), design["as_of"]
    year = int(design["survey_year"])
    returned = store.scalar("SELECT count(*) FROM assessment_returns WHERE assessment_id = ?",
                            [assessment])
    if not returned:
        raise PovertyCloudError(f"assessment {assessment} of {county} has no returns yet: "
                                "import them first (assess import)")
    sizes = design["sizes"]
    groups: dict[str, int] = dict(store.rows(
        "SELECT grp, count(*) FROM assessment_households WHERE assessment_id = ? GROUP BY 1",
        [assessment]))
    ranked = rank(store, "county", year, ranking, county[:2])
    mine = next((r for r in ranked if r["region_code"] == county), None)
    return {
        "assessment_id": assessment, "county_code": county,
        "county_name": store.value("SELECT name FROM regions WHERE code = ?", [county]),
        "as_of": day, "survey_year": year, "returned": returned,
        "design": {k: v for k, v in design.items() if k != "sizes"},
        "sizes": [{"group": g, "needed": sizes.needed[g], "per_village": sizes.per_village[g],
                   "drawn": int(groups.get(g, 0))} for g in sizes.needed],
        "strata": [{"stratum": k, "villages": v} for k, v in sizes.villages.items()],
        "villages": sample_villages(store, assessment),
        "rates": rates_table(store, assessment, "county", county[:6]),
        "townships": rates_table(store, assessment, "township", county[:6]),
        "evaluation": evaluate(store, county, day, year, [weights])["results"][0],
        "ranking": ranked, "rank": mine, "counties": len(ranked),
        "suspicions": suspicions(store, year, ranking, county[:6]),
    }


SHEETS = {  # sheet: the report's table and its columns
    "design": ("sizes", ("group", "needed", "per_village", "drawn")),
    "strata": ("strata", ("stratum", "villages")),
    "villages": ("villages", ("village_code", "village_name", "stratum", "households",
                              "probability", "households_drawn", "assessor")),
    "rates": ("rates", ("region_code", "region_name", "rate", "estimate", "ci_low", "ci_high",
                        "sampled", "limit")),
    "townships": ("townships", ("region_code", "region_name", "rate", "estimate", "ci_low",
                                "ci_high", "sampled")),
    "evaluation": ("parts", ("party", "score", "weight", "weight_used", "contribution",
                             "source", "basis", "note")),
    "ranking": ("ranking", ("rank", "region_code", "region_name", "score", "rank_before",
                            "score_before")),
    "suspicions": ("suspicions", ("village_code", "village_name", "sign", "households",
                                  "detail")),
}


def report_workbook(report: dict[str, Any]) -> bytes:
    """The report as an Excel workbook, one sheet per table."""
    return workbook({name: report["evaluation"]["parts"] if key == "parts" else report[key]
                     for name, (key, _) in SHEETS.items()},
                    {name: columns for name, (_, columns) in SHEETS.items()})
