"""Performance indicators of counties and townships for a year (data, not claims): how
well households are identified, how fast the list follows what is found, how incomes of
the helped grow, how funds are spent, how help is delivered, how complaints are
answered, how cadres keep up. Each is a percentage (but update_days, in days) with the
direction that is better, None where the region has no data. Computed as of 31 December
of the year, from the assessment, the department checks, the survey, the funds ledger,
the help plans, the complaints and the officers' indicators."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from ..assistance.kpis import officer_kpis
from ..assistance.officer_rules import load_officer_rules
from ..errors import PovertyCloudError
from ..funds.balances import balances
from ..funds.programmes import load_programmes
from ..funds.timeliness import timeliness
from ..standard.regions import ancestor, sql_ancestor
from ..store import Store
from .queries import QUERIES

LEVELS = ("county", "township")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    higher_is_better: bool
    unit: str = "%"


INDICATORS = (
    Indicator("identification_accuracy", "识别准确率 identification accuracy (100 - "
              "assessed misidentification)", True),
    Indicator("conflict_free", "无部门比对疑点的帮扶户 helped households without a "
              "department conflict flag", True),
    Indicator("update_days", "动态调整用时 days from a confirmed flag to the decided change",
              False, "days"),
    Indicator("income_growth", "帮扶户收入增长 median income growth of helped households",
              True),
    Indicator("disbursement_rate", "资金支出率 funds received that were spent", True),
    Indicator("payments_on_time", "按时发放率 household payments on time", True),
    Indicator("measures_delivered", "措施到户率 help measures due, delivered", True),
    Indicator("complaints_in_time", "投诉按时办结率 complaints answered in time", True),
    Indicator("cadres_on_schedule", "干部达标率 cadres behind on nothing", True),
)


def indicators(store: Store, level: str, year: int, prefix: str = "") -> list[dict[str, Any]]:
    """Every indicator of each region of ``level`` under ``prefix`` for ``year``: one row
    per region (region_code, region_name, and each indicator's value or None)."""
    if level not in LEVELS:
        raise PovertyCloudError(f"indicators are of a county or township, not {level!r}")
    day = dt.date(year, 12, 31)
    region = sql_ancestor("village_code", level)
    rows: dict[str, dict[str, Any]] = {
        r["region_code"]: {**r, **{i.name: None for i in INDICATORS}}
        for r in store.records("SELECT code AS region_code, name AS region_name FROM regions "
                               "WHERE level = ? AND starts_with(code, ?) ORDER BY code",
                               [level, prefix])}

    def put(name: str, found: list[tuple[Any, ...]]) -> None:
        for code, value, *_ in found:
            if code in rows and value is not None:
                rows[code][name] = round(float(value), 2)

    put("identification_accuracy", store.rows(QUERIES["assessed_accuracy"], [day, level, prefix]))
    put("conflict_free", conflict_free(store, level, day, prefix))
    by_region = {"update_days": QUERIES["indicator_update_days"],
                 "income_growth": QUERIES["indicator_income_growth"],
                 "measures_delivered": QUERIES["indicator_measures_delivered"],
                 "complaints_in_time": QUERIES["indicator_complaints_in_time"]}
    for name, sql in by_region.items():
        put(name, store.rows(sql.replace("{region}", region), [day, year, prefix]))
    put("disbursement_rate", [(r["region_code"], 100 * r["rate"] if r["rate"] is not None
                               else None) for r in balances(store, level, prefix, day,
                                                            by_programme=False)])
    if level == "county":
        put("payments_on_time", [(r["county_code"], 100 * r["share"] if r["share"] is not None
                                  else None)
                                 for r in timeliness(store, prefix, load_programmes(), day)])
    put("cadres_on_schedule", _cadres(store, prefix, day, level))
    return list(rows.values())


def conflict_free(store: Store, level: str, day: dt.date, prefix: str
                  ) -> list[tuple[str, float, int]]:
    """By region of ``level`` under ``prefix``: the percent of the households helped on
    ``day`` without a confirmed or unverified department conflict flag, and how many
    households were helped."""
    sql = QUERIES["indicator_conflict_free"].replace("{region}",
                                                     sql_ancestor("village_code", level))
    return [(str(c), float(v), int(n)) for c, v, n in store.rows(sql, [day, prefix])]


def _cadres(store: Store, prefix: str, day: dt.date, level: str) -> list[tuple[str, float]]:
    """By region of ``level``: the share of its cadres behind on nothing on ``day``."""
    by_region: dict[str, list[bool]] = {}
    for r in officer_kpis(store, load_officer_rules(), prefix, day):
        by_region.setdefault(ancestor(str(r["village_code"]), level), []).append(
            not r["behind"])
    return [(code, 100 * statistics.fmean(fine)) for code, fine in by_region.items()]
