"""The statuses of villages and counties on a day, each with its exit criteria estimated
from an identification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import PovertyCloudError
from ..identification.runs import latest_identified
from ..paging import Page
from ..store import Store
from . import region_criteria, regions


def statuses_with_criteria(store: Store, day: dt.date, prefix: str, year: int | None,
                           page: Page | None = None) -> dict[str, Any]:
    """Villages' and counties' statuses on ``day`` under ``prefix``, each with its exit
    criteria (estimated from the identification of ``year``, default the latest): one
    ``page`` of them with the total (None: all)."""
    year = year if year is not None else latest_identified(store)
    rows = regions.status_as_of(store, day, prefix)
    total = len(rows)
    if page:
        rows = rows[page.offset:page.offset + page.size]
    judged, problem = _criteria(store, day, year, prefix)
    for r in rows:
        found = judged.get(r["region_code"])
        r["met"] = found["met"] if found else None
        r["criteria"] = found["criteria"] if found else []
    listed = page.of(rows, total) if page else {"rows": rows, "total": total}
    return {"as_of": day, "year": year, "criteria_note": problem,
            "regions": listed.pop("rows"), **listed}


def _criteria(store: Store, day: dt.date, year: int | None, prefix: str
              ) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The exit criteria by region code, or why there are none."""
    if year is None:
        return {}, "no identification yet: the criteria need one"
    try:
        found = [r for level in region_criteria.JUDGED
                 for r in region_criteria.criteria_for(store, day, year, level, prefix)]
    except PovertyCloudError as exc:
        return {}, str(exc)
    return {r["region_code"]: r for r in found}, None
