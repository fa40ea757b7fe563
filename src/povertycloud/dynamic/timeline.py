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


def timeline(store: Store, household_id: int, unmasked: bool = False
             ) -> list[dict[str, Any]]:
    """Entries (date, kind, text, ref) of one household, newest first; health events
    only when ``unmasked`` (left out otherwise: a mark in their place would tell)."""
    entries = [*_surveys(store, household_id), *_statuses(store, household_id),
               *_events(store, household_id, unmasked), *_members(store, household_id),
               *_own_changes(store, household_id), *_flags(store, household_id),
               *_proposals(store, household_id)]
    return sorted(entries, key=lambda e: (e["date"], e["order"]), reverse=True)


def _entry(date: Any, kind: str, text: str, ref: Any = None, order: int = 0
           ) -> dict[str, Any]:
    day = date.date() if isinstance(date, dt.datetime) else date
    return {"date": day, "kind": kind, "text": text, "ref": ref, "order": order}


def _surveys(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows(f"SELECT year, members, {net_income_sql()} FROM household_years hy "
                      "WHERE household_id = ?", [household])
    return [_entry(dt.date(y, 12, 31), "survey",
                   f"survey {y}: {m} members, net income {net:,} yuan "
                   f"({net / max(m, 1):,.0f} per person)", y) for y, m, net in rows]


def _statuses(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows("SELECT effective_date, status, reason FROM status_changes "
                      "WHERE household_id = ?", [household])
    return [_entry(d, "status", f"status {s.replace('_', ' ')}" + (f": {r}" if r else ""),
                   order=2) for d, s, r in rows]


def _events(store: Store, household: int, unmasked: bool
            ) -> list[dict[str, Any]]:
    rows = store.rows("SELECT event_date, kind, amount_yuan FROM events "
                      "WHERE household_id = ?", [household])
    out = []
    for d, kind, amount in rows:
        if unmasked or kind not in HEALTH_EVENTS:
            money = f", {amount:,} yuan" if amount else ""
            out.append(_entry(d, "event", f"event: {kind.replace('_', ' ')}{money}"))
    return out


def _members(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows("""
SELECT coalesce(p.death_date, CAST(c.changed_at AS DATE)), c.change, c.person_id,
  coalesce(p.name, json_extract_string(c.before, '$.name'))
FROM registry_changes c LEFT JOIN people p ON p.person_id = c.person_id
WHERE c.household_id = ?""", [household])
    return [_entry(d, "member", f"{change}: {name} (person {pid})", pid)
            for d, change, pid, name in rows]


def _own_changes(store: Store, household: int) -> list[dict[str, Any]]:
    """Each superseded version of the household's row, with the fields that changed."""
    versions = store.records("SELECT * FROM household_history WHERE household_id = ? "
                             "ORDER BY valid_to", [household])
    current = store.records("SELECT * FROM households WHERE household_id = ?", [household])
    out = []
    for before, after in zip(versions, versions[1:] + current, strict=False):
        changed = sorted(k for k in before if k not in BOOKKEEPING
                         and before[k] != after.get(k))
        out.append(_entry(before["valid_to"], "household",
                          f"changed {', '.join(changed) or 'nothing'} ({before['change']})",
                          order=1))
    return out


def _flags(store: Store, household: int) -> list[dict[str, Any]]:
    rows = store.rows("SELECT raised_at, rule, outcome, verified_at FROM conflict_flags "
                      "WHERE household_id = ?", [household])
    out = []
    for raised, rule, outcome, verified in rows:
        out.append(_entry(raised, "flag", f"conflict flag raised: {rule}"))
        if outcome:
            out.append(_entry(verified, "flag", f"flag {rule} verified: {outcome}"))
    return out


def _proposals(store: Store, household: int) -> list[dict[str, Any]]:
    out = []
    for pid, kind, on in store.rows("SELECT proposal_id, kind, proposed_on FROM proposals "
                                    "WHERE household_id = ?", [household]):
        out.append(_entry(on, "proposal", f"proposed: {KIND_TEXT[kind]}", pid))
    for pid, seq, step, outcome, actor, on, note in store.rows(
            "SELECT s.proposal_id, s.seq, s.step, s.outcome, s.actor, s.acted_on, s.note "
            "FROM proposal_steps s JOIN proposals p USING (proposal_id) "
            "WHERE p.household_id = ?", [household]):
        text = f"{step.replace('_', ' ')} {outcome} by {actor}" + (f": {note}" if note else "")
        out.append(_entry(on, "step", text, pid, order=1 + seq))
    return out
