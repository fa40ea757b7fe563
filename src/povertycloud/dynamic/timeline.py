"""A household's timeline: everything that happened to it, dated, newest first: surveys,
status changes, events, changes to its members, changes to its own row, conflict flags,
proposals and each step they took."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..access.privacy import HEALTH_EVENTS
from ..profile.income import net_income_sql
from ..store import Store
from .proposals import KIND_TEXT

BOOKKEEPING = {"batch_id", "recorded_at", "valid_from", "valid_to", "change", "changed_by",
               "changed_at"}


# Each line of a timeline: its code and the English the command line and the API give
# (the pages word the same code and values through the web's catalog, "line.<code>").
ENGLISH = {
    "survey": "survey {year}: {members} members, net income {net:,} yuan "
              "({per_person:,.0f} per person)",
    "status": "status {status_words}",
    "status_reason": "status {status_words}: {reason}",
    "event": "event: {event_words}",
    "event_amount": "event: {event_words}, {amount:,} yuan",
    "member": "{change}: {name} (person {person})",
    "household": "changed {fields_words} ({change})",
    "flag_raised": "conflict flag raised: {rule}",
    "flag_verified": "flag {rule} verified: {outcome}",
    "proposed": "proposed: {kind_words}",
    "step": "{step_words} {outcome} by {actor}",
    "step_note": "{step_words} {outcome} by {actor}: {note}",
}
LINES = tuple(ENGLISH)
KINDS = ("survey", "status", "event", "member", "household", "flag", "proposal", "step")
MEMBER_CHANGES = ("death", "birth", "merge")  # registry_changes.change


def timeline(store: Store, household_id: int, unmasked: bool = False
             ) -> list[dict[str, Any]]:
    """Entries (date, kind, line, values, text, ref) of one household, newest first:
    ``line`` a code of :data:`LINES` with its ``values``, ``text`` its English; health
    events only when ``unmasked`` (left out otherwise: a mark in their place would
    tell)."""
    entries = [*_surveys(store, household_id), *_statuses(store, household_id),
               *_events(store, household_id, unmasked), *_members(store, household_id),
               *_own_changes(store, household_id), *_flags(store, household_id),
               *_proposals(store, household_id)]
    return sorted(entries, key=lambda e: (e["date"], e["order"]), reverse=True)


def english(line: str, values: dict[str, Any]) -> str:
    """A timeline line in English, codes as words."""
    words = {f"{k}_words": str(values[k]).replace("_", " ")
             for k in ("status", "event", "step") if k in values}
    if "fields" in values:
        words["fields_words"] = ", ".join(values["fields"]) or "nothing"
    if "kind" in values:
        words["kind_words"] = KIND_TEXT.get(values["kind"], values["kind"])
    return ENGLISH[line].format(**values, **words)


def _entry(date: Any, kind: str, line: str, values: dict[str, Any], ref: Any = None,
           order: int = 0) -> dict[str, Any]:
    day = date.date() if isinstance(date, dt.datetime) else date
    return {"date": day, "kind": kind, "line": line, "values": values,
            "text": english(line, values), "ref": ref, "order": order}


def _surveys(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows(f"SELECT year, members, {net_income_sql()} FROM household_years hy "
                      "WHERE household_id = ?", [household])
    return [_entry(dt.date(y, 12, 31), "survey", "survey",
                   {"year": y, "members": m, "net": net, "per_person": net / max(m, 1)}, y)
            for y, m, net in rows]


def _statuses(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows("SELECT effective_date, status, reason FROM status_changes "
                      "WHERE household_id = ?", [household])
    return [_entry(d, "status", "status_reason" if r else "status",
                   {"status": s, "reason": r} if r else {"status": s}, order=2)
            for d, s, r in rows]


def _events(store: Store, household: int, unmasked: bool
            ) -> list[dict[str, Any]]:
    rows = store.rows("SELECT event_date, kind, amount_yuan FROM events "
                      "WHERE household_id = ?", [household])
    return [_entry(d, "event", "event_amount" if amount else "event",
                   {"event": kind, "amount": amount} if amount else {"event": kind})
            for d, kind, amount in rows if unmasked or kind not in HEALTH_EVENTS]


def _members(store: Store, household: int) -> list[dict[str, Any]]:
    changes = store.rows("SELECT CAST(changed_at AS DATE), change, person_id, "
                         "json_extract_string(before, '$.name') FROM registry_changes "
                         "WHERE household_id = ?", [household])
    # the people looked up by id (a join would read the whole registry on PostgreSQL)
    ids = sorted({pid for _, _, pid, _ in changes if pid is not None})
    known = {pid: (died, name) for pid, died, name in store.rows(
        f"SELECT person_id, death_date, name FROM people WHERE person_id IN "
        f"({', '.join('?' * len(ids))})", ids)} if ids else {}
    return [_entry(died or changed, "member", "member",
                   {"change": change, "name": name or before, "person": pid}, pid)
            for changed, change, pid, before in changes
            for died, name in [known.get(pid, (None, None))]]


def _own_changes(store: Store, household: int) -> list[dict[str, Any]]:
    """Each superseded version of the household's row, with the fields that changed."""
    versions = store.records("SELECT * FROM household_history WHERE household_id = ? "
                             "ORDER BY valid_to", [household])
    current = store.records("SELECT * FROM households WHERE household_id = ?", [household])
    out = []
    for before, after in zip(versions, versions[1:] + current, strict=False):
        changed = sorted(k for k in before if k not in BOOKKEEPING
                         and before[k] != after.get(k))
        out.append(_entry(before["valid_to"], "household", "household",
                          {"fields": changed, "change": before["change"]}, order=1))
    return out


def _flags(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows("SELECT raised_at, rule, outcome, verified_at FROM conflict_flags "
                      "WHERE household_id = ?", [household])
    out = []
    for raised, rule, outcome, verified in rows:
        out.append(_entry(raised, "flag", "flag_raised", {"rule": rule}))
        if outcome:
            out.append(_entry(verified, "flag", "flag_verified",
                              {"rule": rule, "outcome": outcome}))
    return out


def _proposals(store: Store, household: int) -> list[dict[str, Any]]:
    out = []
    for pid, kind, on in store.rows("SELECT proposal_id, kind, proposed_on FROM proposals "
                                    "WHERE household_id = ?", [household]):
        out.append(_entry(on, "proposal", "proposed", {"kind": kind}, pid))
    for pid, seq, procedure, step, outcome, actor, on, note in store.rows(
            "SELECT s.proposal_id, s.seq, p.procedure, s.step, s.outcome, s.actor, "
            "s.acted_on, s.note FROM proposal_steps s JOIN proposals p USING (proposal_id) "
            "WHERE p.household_id = ?", [household]):
        values = {"procedure": procedure, "step": step, "outcome": outcome, "actor": actor}
        out.append(_entry(on, "step", "step_note" if note else "step",
                          values | {"note": note} if note else values, pid,
                          order=1 + seq))
    return out
