"""The life cycle of villages and counties: poor -> exit_proposed -> exited, with a
period of consolidation after the exit.

``designate`` gives a region its first status, poor, from its registered incidence. An
exit is proposed (``propose_exit``) only for a poor region meeting every exit criterion
(:mod:`.region_criteria`); it then walks the village_exit or county_exit procedure of
rules/procedures.yaml (:mod:`.workflow`), which records exit_proposed on the proposal,
exited on its announcement, or poor again on a rejection.

Every status is a row of ``region_status_changes``; a region's status on a day is its
latest change on or before that day. 'consolidating' is never recorded: an exited region
is consolidating from the day its exit was announced until the day before the
``consolidation_years``-th anniversary of that day (rules/region_exit.yaml), and exited
from then on. Villages and counties never designated show as 'not_poor'.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..access.accounts import User
from ..errors import PovertyCloudError
from ..sqltext import date_literal, literal
from ..store import Store
from .reasons import WORDED
from .region_criteria import JUDGED, ExitRules, criteria, load_exit_rules, rollup_sql
from .workflow import propose

NOT_DESIGNATED = "not_poor"
STATUSES = ("poor", "exit_proposed", "exited", "consolidating", NOT_DESIGNATED)


def designate(store: Store, year: int, by: str, rules: ExitRules | None = None) -> int:
    """Make poor, from 31 December of ``year``, every village and county without a status
    whose registered incidence that day is at least the configured threshold. Regions
    with any status already are left alone, so running it again changes nothing.
    Returns the regions designated."""
    rules = rules or load_exit_rules()
    day = dt.date(year, 12, 31)
    survey = store.scalar("SELECT max(year) FROM household_indicators WHERE year <= ?", [year])
    if not survey:
        raise PovertyCloudError(f"no annual survey on or before {day}: run the pipeline")
    incidence = "100.0 * r.people_registered_poor / r.people"
    reason = literal(re.sub(r"\{\w+\}", "{}", WORDED["designated"]))
    thresholds = " OR ".join(f"(r.level = '{level}' AND {incidence} >= {limit})"
                             for level, limit in rules.designation.items())
    with store.transaction():
        count = store.scalar(f"""
INSERT INTO region_status_changes (region_code, effective_date, status, reason, recorded_by,
  recorded_at)
SELECT r.region_code, ?, 'poor', format({reason}, round({incidence}, 2), ?), ?, now()
FROM ({rollup_sql(day, survey)}) r
WHERE r.people > 0 AND ({thresholds})
  AND r.region_code NOT IN (SELECT region_code FROM region_status_changes)
ORDER BY r.region_code""",  # change ids in a fixed order: a re-run numbers them alike
                             [day, year, by])
        store.audit("designate_regions", username=by, object_kind="region",
                    detail=f"{count} villages and counties poor from {day} ({rules.label})")
    return count


def region_status_sql(day: dt.date, consolidation_years: int) -> str:
    """(region_code, region_name, level, status, since, consolidating_until, reason,
    proposal_id) of every village and county on ``day``."""
    d = date_literal(day)
    until = (f"CAST(l.effective_date + INTERVAL ({int(consolidation_years)}) YEAR "
             "- INTERVAL 1 DAY AS DATE)")
    judged = ", ".join(f"'{level}'" for level in JUDGED)
    return f"""
WITH latest AS (
  SELECT * FROM region_status_changes WHERE effective_date <= {d}
  QUALIFY row_number() OVER (PARTITION BY region_code
                             ORDER BY effective_date DESC, change_id DESC) = 1)
SELECT g.code AS region_code, g.name AS region_name, g.level,
  CASE WHEN l.status IS NULL THEN '{NOT_DESIGNATED}'
       WHEN l.status = 'exited' AND {d} <= {until} THEN 'consolidating'
       ELSE l.status END AS status,
  l.effective_date AS since,
  CASE WHEN l.status = 'exited' THEN {until} END AS consolidating_until,
  l.reason, l.proposal_id
FROM regions g LEFT JOIN latest l ON l.region_code = g.code
WHERE g.level IN ({judged})"""


def status_as_of(store: Store, day: dt.date, prefix: str = "",
                 rules: ExitRules | None = None) -> list[dict[str, Any]]:
    """The status of every village and county whose code starts with ``prefix`` on
    ``day``, counties first."""
    rules = rules or load_exit_rules()
    return store.records(
        f"SELECT * FROM ({region_status_sql(day, rules.consolidation_years)}) "
        "WHERE starts_with(region_code, ?) ORDER BY level = 'village', region_code",
        [prefix])


def region_status(store: Store, code: str, day: dt.date,
                  rules: ExitRules | None = None) -> dict[str, Any]:
    """One village's or county's status on ``day``."""
    found = [r for r in status_as_of(store, day, code, rules) if r["region_code"] == code]
    if not found:
        raise PovertyCloudError(f"{code!r} is not a village or county of the store")
    return found[0]


def propose_exit(store: Store, user: User, code: str, on: dt.date, as_of: dt.date,
                 year: int, rules: ExitRules | None = None) -> int:
    """Propose the exit of a poor village or county meeting every exit criterion as of
    ``as_of`` (estimates from the identification of ``year``); the proposal's evidence
    is the criteria. Returns the proposal's id; refuses anything else with the reason."""
    rules = rules or load_exit_rules()
    if not user.covers(code):
        raise PovertyCloudError(f"{code} is outside {user.username}'s jurisdiction "
                                f"({user.region_code})")
    if as_of > on:
        raise PovertyCloudError(f"the criteria of a proposal made on {on} cannot be judged "
                                f"as of a later day ({as_of})")
    status = region_status(store, code, on, rules)
    if status["status"] != "poor":
        raise PovertyCloudError(f"{code} ({status['region_name']}) is {status['status']} "
                                f"on {on}: only a poor region can be proposed for exit")
    judged = criteria(store, code, as_of, year, rules)
    failed = [c for c in judged["criteria"] if c["passed"] is False]
    if failed:
        raise PovertyCloudError(f"{code} ({judged['region_name']}) does not meet the exit "
                                f"criteria as of {as_of}: {'; '.join(map(_said, failed))}")
    return propose(store, user, f"{status['level']}_exit",
                   reasons=["exit_criteria_met"], region_code=code, evidence=judged,
                   note="; ".join(_said(c) for c in judged["criteria"]), on=on)


def _said(c: dict[str, Any]) -> str:
    """A criterion in words: 'wrong-exit rate (estimate) 1.20 %, under the limit of 2 %:
    met', 'registered incidence 3.45 %, not under the limit of 3 %: not met'."""
    if c["value"] is None:
        return f"{c['label']}: {c['note']}"
    at_least = c["comparison"] == ">="
    if c["passed"] is False:
        where, verdict = ("below" if at_least else "not under"), "not met"
    else:
        where, verdict = ("at least" if at_least else "under"), "met"
    return (f"{c['label']} {c['value']:.2f} %, {where} the "
            f"{'minimum' if at_least else 'limit'} of {c['limit']:g} %: {verdict}")
