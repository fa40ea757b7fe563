"""A county's plan for a year as its office would write it, for the demo: a tenth more
than the year before did (households exited, villages exited, households reached by each
kind of measure), at an assumed cost per household; written as the plan file that
``assess plan import`` takes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from ..assessment.targets import COLUMNS, achieved
from ..standard.regions import prefix
from ..store import Store

MORE = 1.1  # the plan asks a tenth more than the year before did
YUAN_PER_HOUSEHOLD = 3_000  # assumed cost of a kind of measure for a household


def write_plans(store: Store, county: str, year: int, path: Path) -> int:
    """Write the plan of ``county`` for ``year`` to ``path`` (CSV); returns its lines."""
    under = prefix(county)
    before = achieved(store, county, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    all_villages = store.scalar("SELECT count(*) FROM regions WHERE level = 'village' AND "
                                "starts_with(code, ?)", [under])
    kinds = store.rows(
        "SELECT m.kind, count(DISTINCT m.household_id) FROM household_measures m JOIN "
        "households h USING (household_id) WHERE starts_with(h.village_code, ?) AND "
        "m.year = ? GROUP BY 1 ORDER BY 1", [under, year - 1])
    lines = [(str(k), round(int(n) * MORE)) for k, n in kinds]
    budget = sum(n for _, n in lines) * YUAN_PER_HOUSEHOLD
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(COLUMNS)
        planned_villages = min(round(before["villages_exited"] * MORE), all_villages)
        out.writerow([county, year, "", round(before["households_lifted"] * MORE),
                      planned_villages, budget])
        out.writerows([county, year, k, n, "", n * YUAN_PER_HOUSEHOLD] for k, n in lines)
    return len(lines)
