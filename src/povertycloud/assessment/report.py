"""The rates of an assessment as a table: each region's estimate and interval beside the
exit criterion's limit, for the command line, the pages and the exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from ..dynamic.region_criteria import load_exit_rules
from ..errors import PovertyCloudError
from ..intake.exports import check_table_output, write_table
from ..store import Store
from .design import design_of
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
        applies = c is not None and (level if level != "township" else "") in c.levels
        limit = (c.west_limit if rules.west(r["region_code"]) else c.limit) if c else None
        r["limit"] = f"{'≥' if c.at_least else '<'} {limit:g} %" if c and applies else None
    return rows


def write_rates(rows: list[dict[str, Any]], out: Path, overwrite: bool = True) -> None:
    """The rates to a .csv, .parquet or .xlsx file."""
    check_table_output(out, overwrite)
    write_table(pa.Table.from_pylist(rows), out)
