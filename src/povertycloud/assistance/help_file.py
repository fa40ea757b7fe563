"""What the household file shows of the help a household gets: its latest help plan with
every measure, the help from society delivered to it, and the income its products'
sales brought."""

from __future__ import annotations

from typing import Any

from ..store import Store
from .needs import household_help
from .plans import QUERIES, plan_of


def help_file(store: Store, household_id: int) -> dict[str, Any]:
    year = store.value(QUERIES["latest_plan_year"], [household_id])
    return {"plan": plan_of(store, household_id, int(year)) if year is not None else None,
            "society": household_help(store, household_id),
            "sales": store.records(QUERIES["household_sales"], [household_id])}
