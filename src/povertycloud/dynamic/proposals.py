"""Reading proposals: one proposal with its steps, each user's inbox, overdue cases, and
the public notice board. What goes public is a whitelist: the household head's name, the
village, the household's size, the kind of change and its reasons in words that carry no
health detail; never an ID number, a phone, a bank account or a diagnosis."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..access.accounts import User
from ..sqltext import date_literal, literal
from ..store import Store
from .procedures import Procedures, load_procedures
from .reasons import REASONS

KIND_TEXT = {"enrol": "enrolment as a poor household", "exit": "exit from poverty",
             "monitor": "monitoring against relapse", "relapse": "return to the registry",
             "remove": "removal from the registry", "end_monitoring": "end of monitoring",
             "village_exit": "exit of a poor village", "county_exit": "exit of a poor county"}
# reasons as the public notice words them: no illness, disability or insurance named
PUBLIC_REASONS = {
    "no_member_alive": "no member of the household remains",
    "moved_away": "moved away",
    "confirmed_conflict": "found not to qualify on verification",
    "income_stably_above_line": "income stably above the poverty line",
    "guarantees_met": "basic needs and guarantees met",
    "income_below_line": "income below the poverty line",
    "income_near_line": "income close to the poverty line",
    "guarantee_failed": "a basic guarantee is not yet met",
    "sudden_hardship": "a recent hardship",
    "risk_eliminated": "risk of poverty eliminated",
    "exit_criteria_met": "every exit criterion met",
    "seen_on_a_visit": "found on a visit",
}
LIST_COLUMNS = """p.proposal_id, p.subject, p.household_id, p.region_code, g.name AS region_name,
  p.kind, p.monitor_kind, p.reasons, p.procedure, p.step, p.state, p.origin, p.proposed_by,
  p.proposed_on, p.due_on, p.notice_from, p.notice_until, p.decided_on, p.decision_reason,
  p.version"""


def reason_texts(codes_json: str, public: bool = False) -> list[str]:
    """The words of a proposal's reason codes (officers') or their public wording."""
    words = PUBLIC_REASONS if public else REASONS
    codes = json.loads(codes_json or "[]")
    if public:  # only what the whitelist words
        return [words[code] for code in codes if code in words]
    return [words.get(code, code) for code in codes]


def get(store: Store, proposal_id: int, on: dt.date | None = None
        ) -> dict[str, Any] | None:
    """One proposal with its steps and objections (overdue or waiting on ``on``, default
    today), or None."""
    found = store.record(f"SELECT {LIST_COLUMNS}, p.evidence FROM proposals p "
                         "LEFT JOIN regions g ON g.code = p.region_code "
                         "WHERE p.proposal_id = ?", [proposal_id])
    if found is None:
        return None
    p = _timed(found, on or dt.date.today())
    p["reason_texts"] = reason_texts(p["reasons"])
    p["steps"] = store.records("SELECT * FROM proposal_steps WHERE proposal_id = ? "
                               "ORDER BY seq", [proposal_id])
    p["objections"] = store.records(
        "SELECT o.received_on, c.tracking_code, c.subject, c.status FROM objections o "
        "JOIN complaints c ON c.complaint_id = o.complaint_id WHERE o.proposal_id = ? "
        "ORDER BY o.received_on", [proposal_id])
    return p


def first_of(store: Store, region_code: str, procedure: str) -> int | None:
    """The first proposal of ``region_code`` walking ``procedure``, or None."""
    found = store.value("SELECT min(proposal_id) FROM proposals WHERE region_code = ? AND "
                        "procedure = ? AND version = 0", [region_code, procedure])
    return int(found) if found is not None else None


def listing(store: Store, prefix: str, *, state: str | None = "open",
            kind: str | None = None, on: dt.date | None = None, overdue: bool = False,
            steps: list[tuple[str, str]] | None = None, limit: int = 500
            ) -> list[dict[str, Any]]:
    """Proposals in regions starting with ``prefix``, soonest deadline first; only
    ``state``, ``kind``, those ``overdue`` on ``on`` (default today), or at one of
    ``steps`` ((procedure, step) pairs) when given. Each row says whether it is overdue
    on ``on`` and whether its notice still runs (``waiting``)."""
    on = on or dt.date.today()
    where, params = ["starts_with(p.region_code, ?)"], [prefix]
    for column, value in (("p.state", state), ("p.kind", kind)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if overdue:
        where.append(f"p.state = 'open' AND p.due_on < {date_literal(on)}")
    if steps is not None:
        pairs = " OR ".join(f"(p.procedure = {literal(a)} AND p.step = {literal(b)})"
                            for a, b in steps)
        where.append(f"({pairs or 'FALSE'})")
    rows = store.records(
        f"SELECT {LIST_COLUMNS} FROM proposals p LEFT JOIN regions g ON g.code = p.region_code "
        f"WHERE {' AND '.join(where)} ORDER BY p.due_on, p.proposal_id LIMIT {int(limit)}",
        params)
    return [_timed(row, on) for row in rows]


def _timed(row: dict[str, Any], on: dt.date) -> dict[str, Any]:
    """``row`` marked ``overdue`` (open past its deadline) and ``waiting`` (its notice
    still runs) on ``on``."""
    row["overdue"] = row["state"] == "open" and row["due_on"] is not None and row["due_on"] < on
    row["waiting"] = row["notice_until"] is not None and on <= row["notice_until"]
    return row


def inbox(store: Store, user: User, on: dt.date | None = None,
          procedures: Procedures | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """The open proposals whose next step ``user`` may take, each marked overdue or not."""
    procedures = procedures or load_procedures()
    mine = [(p.procedure, s.step) for p in procedures.procedures for s in p.steps
            if s.level == user.level and user.role in s.roles]
    return listing(store, user.prefix, on=on, steps=mine, limit=limit)


def notice_board(store: Store, prefix: str, on: dt.date | None = None
                 ) -> list[dict[str, Any]]:
    """Proposals on public notice on ``on`` in regions under ``prefix``, in the
    whitelisted fields only."""
    day = date_literal(on or dt.date.today())
    rows = store.records(f"""
SELECT p.proposal_id, p.region_code, g.name AS region_name, p.kind, p.reasons,
  p.notice_from, p.notice_until, head.name AS head_name, size.members
FROM proposals p
LEFT JOIN regions g ON g.code = p.region_code
LEFT JOIN (SELECT household_id, min(name) AS name FROM people WHERE relation = 'head'
           GROUP BY household_id) head ON head.household_id = p.household_id
LEFT JOIN (SELECT household_id, count(*) AS members FROM people WHERE death_date IS NULL
           GROUP BY household_id) size ON size.household_id = p.household_id
WHERE p.state = 'open' AND starts_with(p.region_code, ?)
  AND p.notice_from <= {day} AND p.notice_until >= {day}
ORDER BY p.region_code, p.proposal_id""", [prefix])
    for row in rows:
        row["kind_text"] = KIND_TEXT.get(row["kind"], row["kind"])
        row["reasons"] = reason_texts(row.pop("reasons"), public=True)
    return rows
