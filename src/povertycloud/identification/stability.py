"""Stability between two cause models: on the same registry and rules, the households
whose primary cause would differ, each with what each model said and why (its source,
confidence and main reasons), so that a new model's changes can be read one by one
before it is used. Nothing is kept."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ..pipeline.on_store import preview
from ..store import Store
from .cause_model import CauseModel
from .plan import Rules, identify_plan
from .runs import check_year

_COLUMNS = "primary_cause, cause_source, cause_confidence, cause_reasons"


@dataclass(frozen=True)
class Changes:
    helped: int  # households poor or at risk (their causes compared)
    table: pa.Table  # one row per household whose primary cause differs


def changes(store: Store, rules: Rules, year: int, first: CauseModel, second: CauseModel
            ) -> Changes:
    """Identify ``year`` with each model (without keeping either) and list the households
    whose primary cause differs, with each model's answer, source, confidence and
    reasons."""
    check_year(store, year)
    runs = []
    for model in (first, second):
        model.check_rules(rules.versions()["causes"])
        with preview(store, identify_plan(rules, year, None, model)) as result:
            runs.append(store.arrow(
                f"SELECT household_id, village_code, {_COLUMNS} FROM "
                f"{result('identification')} WHERE year = {int(year)} AND "
                "proposal <> 'not_poor'"))
    pairs = ", ".join(f"a.{c} AS {c}_first, b.{c} AS {c}_second"
                      for c in _COLUMNS.split(", "))
    with store.registered("causes_first", runs[0]), store.registered("causes_second", runs[1]):
        table = store.arrow(f"""
SELECT a.household_id, a.village_code, {pairs}
FROM causes_first a JOIN causes_second b USING (household_id)
WHERE a.primary_cause IS DISTINCT FROM b.primary_cause ORDER BY a.household_id""")
    return Changes(runs[0].num_rows, table)
