"""The procedure a proposal walks: each step taken by the right person, in order, on time.

A step is refused, with its reason and nothing changed, when it is not the proposal's
next step, when the user's role or jurisdiction does not fit it, when an approval is the
proposal's author's own, when a notice is shorter than configured, or while the notice
still runs. Every step is one transaction that checks and bumps the proposal's version,
so of two officers acting on one proposal at once exactly one wins. The last step
decides: the household's (or region's) status changes that day, its row as it was kept
in the history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..access.accounts import User
from ..disclosure import complaints
from ..errors import PovertyCloudError
from ..history import OutOfOrder, supersede
from ..sqltext import date_literal
from ..store import Store, StoreConflict
from .procedures import Procedure, Procedures, Step, load_procedures
from .reasons import REASONS, worded

# the codes of a proposal's state and of a step's outcome (proposals.state,
# proposal_steps.outcome)
STATES = ("open", "approved", "rejected")
OUTCOMES = ("done", "approved", "rejected", "objection", "reopened")
# the registry status each kind of household proposal leads to
NEW_STATUS = {"enrol": "registered_poor", "exit": "exited", "monitor": "monitored",
              "relapse": "registered_poor", "remove": "removed"}
WORKFLOW_BATCH = 0  # batch_id of status changes decided by a procedure, not imported


# the registry status each kind of household proposal starts from
FROM_STATUS = {"enrol": ("not_registered", "monitored"),
               "exit": ("registered_poor",), "monitor": ("not_registered", "exited"),
               "relapse": ("exited", "monitored"), "remove": ("registered_poor", "monitored"),
               "end_monitoring": ("monitored",)}


_DAY: list[dt.date] = []  # set by clock_at: the day a replay of the past stands on


def today() -> dt.date:
    """The platform's day: steps cannot be dated later, notices are published on it."""
    return _DAY[-1] if _DAY else dt.date.today()


@contextmanager
def clock_at(day: dt.date) -> Iterator[None]:
    """Stand on ``day`` (not after today): for replaying past steps in order, as the
    demo does; each step is then checked as on that day."""
    if day > dt.date.today():
        raise WorkflowError(f"the clock cannot run ahead of today ({day})")
    _DAY.append(day)
    try:
        yield
    finally:
        _DAY.pop()


class WorkflowError(PovertyCloudError):
    """A step refused: its message says why; nothing was changed."""


class NotYours(WorkflowError):
    """A step that is not this user's to take: role, level, jurisdiction, or an approval
    of the user's own proposal."""


@dataclass(frozen=True)
class Taken:
    """What a step did: the proposal's new step (or approved / rejected) and version."""

    proposal_id: int
    step: str
    state: str
    version: int


def act(store: Store, proposal_id: int, step: str, user: User, *,
        on: dt.date | None = None, note: str | None = None, reject: str | None = None,
        days: int | None = None, procedures: Procedures | None = None) -> Taken:
    """Take ``step`` of a proposal as ``user`` on ``on`` (default today): ``note`` is the
    step's record (the minutes of an appraisal), ``reject`` the reasons of a rejection,
    ``days`` the length of a notice (default the configured one, never shorter)."""
    on = on or today()
    procedures = procedures or load_procedures()
    try:
        with store.transaction():
            p = _load(store, proposal_id)
            _check_day(store, p, on)
            procedure = procedures.get(p["procedure"])
            spec = _check(p, procedure, step, user, on, note, reject)
            taken = _take(store, p, procedure, spec, user, on, note, reject, days)
            store.audit("proposal_step", username=user.username, role=user.role,
                        user_id=user.user_id, object_kind="proposal",
                        object_id=str(proposal_id), region_code=p["region_code"],
                        detail=f"{step}: {'rejected' if reject else 'done'}")
            return taken
    except StoreConflict as exc:
        raise WorkflowError(f"proposal {proposal_id} was changed by someone else at the same "
                            f"time; nothing was done, reload it and try again ({exc})"
                            ) from None


def _load(store: Store, proposal_id: int) -> dict[str, Any]:
    found = store.record("SELECT * FROM proposals WHERE proposal_id = ?", [proposal_id])
    if found is None:
        raise WorkflowError(f"no proposal {proposal_id}")
    return found


def _check(p: dict[str, Any], procedure: Procedure, step: str, user: User, on: dt.date,
           note: str | None, reject: str | None) -> Step:
    """The step's definition, once every rule allows ``user`` to take it now."""
    pid = p["proposal_id"]
    if p["state"] != "open":
        raise WorkflowError(f"proposal {pid} is already {p['state']} (on {p['decided_on']})")
    names = [s.step for s in procedure.steps]
    if step not in names:
        raise WorkflowError(f"{step!r} is not a step of the {procedure.procedure} procedure: "
                            f"{' -> '.join(names)}")
    if step != p["step"]:
        raise WorkflowError(f"step out of order: proposal {pid} waits for {p['step']!r} "
                            f"({procedure.step(p['step']).label}), not {step!r}")
    spec = procedure.step(step)
    refused = why_not(user, p, spec)
    if refused:
        raise NotYours(refused)
    if spec.notice_days and on != today():
        raise WorkflowError(f"a notice is published the day it is recorded ({today()}), "
                            f"not on {on}")
    if p["notice_until"] is not None and on <= p["notice_until"]:
        raise WorkflowError(f"the public notice of proposal {pid} runs until "
                            f"{p['notice_until']}: {step!r} can be taken from the day after")
    if reject is not None and (spec.notice_days or not reject.strip()):
        raise WorkflowError("a notice cannot reject" if spec.notice_days
                            else "a rejection needs its reasons")
    if spec.minutes and reject is None and not (note or "").strip():
        raise WorkflowError(f"{step!r} needs its minutes (the note)")
    return spec


def _check_day(store: Store, p: dict[str, Any], on: dt.date) -> None:
    """A step is dated between the proposal's last event and today: never in the future
    (a notice cannot be skipped by dating the next step later), never before. A notice
    is published on the day itself (:func:`_check`)."""
    if on > today():
        raise WorkflowError(f"a step cannot be dated in the future ({on}; today is {today()})")
    last = store.value("SELECT max(acted_on) FROM proposal_steps WHERE proposal_id = ?",
                       [p["proposal_id"]])
    earliest = max(p["proposed_on"], last or p["proposed_on"])
    if on < earliest:
        raise WorkflowError(f"{on} is before the proposal's last step or its making "
                            f"({earliest})")


def why_not(user: User, p: dict[str, Any], spec: Step) -> str | None:
    """Why ``user`` may not take step ``spec`` of proposal ``p`` (role, level,
    jurisdiction, own approval), or None when they may."""
    if user.role not in spec.roles:
        return worded("not_role", step=spec.step, roles=" or ".join(spec.roles),
                      role=user.role)
    if user.level != spec.level or not user.covers(p["region_code"]):
        return worded("not_level", step=spec.step, level=spec.level, region=p["region_code"],
                      username=user.username, user_region=user.region_code,
                      user_level=user.level)
    if spec.approval and user.username == p["proposed_by"]:
        return worded("own_approval", username=user.username, proposal=p["proposal_id"])
    return None


def _take(store: Store, p: dict[str, Any], procedure: Procedure,
          spec: Step, user: User, on: dt.date, note: str | None, reject: str | None,
          days: int | None) -> Taken:
    changes: dict[str, Any] = {"notice_from": None, "notice_until": None}
    if spec.notice_days:
        days = spec.notice_days if days is None else days
        if days < spec.notice_days:
            raise WorkflowError(f"a notice of {days} days is shorter than the "
                                f"{spec.notice_days} days configured for {spec.step!r}")
        changes = {"notice_from": on, "notice_until": on + dt.timedelta(days=days - 1)}
        late = p["due_on"] is not None and on > p["due_on"]
        if p["due_on"] is not None and not late and changes["notice_until"] >= p["due_on"]:
            raise WorkflowError(f"a notice until {changes['notice_until']} leaves no day "
                                f"before the deadline of {p['due_on']}")
        if late and days != spec.notice_days:
            raise WorkflowError(f"proposal {p['proposal_id']} is overdue: its notice runs "
                                f"the configured {spec.notice_days} days, no longer")
        note = note or worded("on_notice", start=on, until=changes["notice_until"], days=days)
    following = procedure.after(spec.step)
    if reject is not None:
        changes |= {"step": "rejected", "state": "rejected", "decided_on": on,
                    "decision_reason": reject.strip()}
    elif following is None:
        changes |= {"step": "approved", "state": "approved", "decided_on": on}
    else:
        changes |= {"step": following}
    version = _advance(store, p, changes)
    _record(store, p["proposal_id"], version, spec.step, "rejected" if reject else "done",
            user, on, reject if reject is not None else note)
    if "state" in changes:  # decided: the household or region may have a new proposal
        store.execute("DELETE FROM open_proposals WHERE proposal_id = ?", [p["proposal_id"]])
    if changes.get("state") == "approved":
        decide(store, p, on, user.username)
    elif reject is not None and p["subject"] != "household":
        region_status(store, p["region_code"], "poor", on,
                      worded("exit_rejected", note=reject), p["proposal_id"],
                      user.username)
    return Taken(p["proposal_id"], changes.get("step", p["step"]),
                 changes.get("state", "open"), version)


def _advance(store: Store, p: dict[str, Any], changes: dict[str, Any]
             ) -> int:
    """Write ``changes`` if the proposal is still at the version read; its new version.
    A concurrent step on the same row makes DuckDB refuse one of the two updates."""
    sets = ", ".join(f"{column} = ?" for column in changes)
    updated = store.scalar(f"UPDATE proposals SET {sets}, version = version + 1 "
                           "WHERE proposal_id = ? AND version = ?",
                           [*changes.values(), p["proposal_id"], p["version"]])
    if updated != 1:
        raise WorkflowError(f"proposal {p['proposal_id']} changed since it was read; "
                            "reload it")
    return int(p["version"]) + 1


def _record(store: Store, proposal_id: int, seq: int, step: str,
            outcome: str, user: User | None, on: dt.date, note: str | None) -> None:
    store.execute("INSERT INTO proposal_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
                  [proposal_id, seq, step, outcome, user.username if user else "public",
                   user.role if user else None, user.region_code if user else None, on,
                   note])


def decide(store: Store, p: dict[str, Any], on: dt.date, by: str) -> None:
    """Apply an approved proposal: the new status from ``on``, the row before kept."""
    reason = worded("decided", kind=p["kind"], proposal=p["proposal_id"])
    if p["subject"] != "household":
        region_status(store, p["region_code"], "exited", on, reason, p["proposal_id"], by)
        return
    household = p["household_id"]
    now = store.one("SELECT registration_status FROM households WHERE household_id = ?",
                    [household])
    if now is None or now[0] not in FROM_STATUS[p["kind"]]:
        raise WorkflowError(f"household {household} is now {now[0] if now else 'gone'}: a "
                            f"proposal to {p['kind']} no longer fits; reject it")
    status = NEW_STATUS.get(p["kind"]) or _after_monitoring(store, household)
    if store.scalar("SELECT count(*) FROM status_changes WHERE household_id = ? AND "
                    "effective_date = ?", [household, on]):
        raise WorkflowError(f"household {household} already changed status on {on}; "
                            "decide this proposal another day")
    try:
        supersede(store, "households", f"SELECT {int(household)} AS household_id, "
                  f"{date_literal(on)} AS valid_to", f"proposal {p['proposal_id']}", by)
    except OutOfOrder as exc:
        raise WorkflowError(str(exc)) from None
    registered = "registered_poor" if status == "registered_poor" else None
    store.execute(
        "UPDATE households SET registration_status = ?, "
        "registration_year = CASE WHEN ? IS NOT NULL THEN ? ELSE registration_year END, "
        "exit_year = CASE WHEN ? = 'exited' AND ? = 'exit' THEN ? ELSE exit_year END, "
        "recorded_at = now() WHERE household_id = ?",
        ["not_registered" if status == "removed" else status, registered, on.year, status,
         p["kind"], on.year, household])
    store.execute("INSERT INTO status_changes VALUES (?, ?, ?, ?, ?, now())",
                  [household, on, status, reason, WORKFLOW_BATCH])


def region_status(store: Store, region: str, status: str, on: dt.date,
                  reason: str, proposal_id: int | None, by: str) -> None:
    """A village's or county's new status from ``on``."""
    store.execute("INSERT INTO region_status_changes (region_code, effective_date, status, "
                  "reason, proposal_id, recorded_by, recorded_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, now())",
                  [region, on, status, reason, proposal_id, by])


def _after_monitoring(store: Store, household: int) -> str:
    """The status a household returns to when its monitoring ends."""
    exited = store.value("SELECT bool_or(status = 'exited') FROM status_changes "
                         "WHERE household_id = ?", [household])
    return "exited" if exited else "not_registered"


def object_to(store: Store, proposal_id: int, on: dt.date, *,
              body: str, contact: str | None = None, client: str | None = None,
              procedures: Procedures | None = None) -> str:
    """An objection from the public while the proposal is on notice: filed as a complaint
    of its region (tracking code returned), and the proposal goes back to the step before
    the notice for a new review, in one transaction; refused when not on notice."""
    procedures = procedures or load_procedures()
    with store.transaction():
        p = _load(store, proposal_id)
        if p["state"] != "open" or p["notice_from"] is None or not (
                p["notice_from"] <= on <= p["notice_until"]):
            raise WorkflowError(f"proposal {proposal_id} is not on public notice")
        code = complaints.file(store, p["region_code"], "identification",
                               f"异议 Objection to proposal {proposal_id}", body, contact)
        complaint = store.scalar("SELECT complaint_id FROM complaints WHERE tracking_code = ?",
                                 [code])
        procedure = procedures.get(p["procedure"])
        notice = next(s.step for s in procedure.steps if s.notice_days)
        back = procedure.before(notice)
        version = _advance(store, p, {"step": back, "notice_from": None, "notice_until": None})
        store.execute("INSERT INTO objections VALUES (?, ?, ?)", [proposal_id, complaint, on])
        _record(store, proposal_id, version, back, "reopened", None, on,
                f"objection (complaint {code}) during the notice")
        store.audit("object_to_proposal", object_kind="proposal",
                    object_id=str(proposal_id), region_code=p["region_code"],
                    detail=f"complaint {code}", client=client)
        return code


def propose(store: Store, user: User, kind: str, *, reasons: list[str],
            household_id: int | None = None, region_code: str | None = None,
            evidence: dict[str, Any] | None = None, note: str | None = None,
            on: dt.date | None = None, procedures: Procedures | None = None) -> int:
    """An officer's own proposal (which that officer may then not approve); returns its
    id. ``reasons`` are codes of :data:`REASONS` (what the public notice may say);
    ``note`` is free text for officers only. The household's (or region's) status must
    be one the kind starts from, and it has one open proposal at a time."""
    on = on or today()
    if on > today():
        raise WorkflowError(f"a proposal cannot be dated in the future ({on})")
    procedures = procedures or load_procedures()
    if not any(kind in p.kinds for p in procedures.procedures):
        raise WorkflowError(f"unknown kind of proposal {kind!r}")
    procedure = procedures.for_kind(kind)
    if not user.may("workflow"):
        raise NotYours(f"{user.username} ({user.role}) may not make proposals")
    unknown = [r for r in reasons if r not in REASONS]
    if unknown or not reasons:
        raise WorkflowError(f"reasons are codes, some of {', '.join(REASONS)}; not "
                            f"{', '.join(map(repr, unknown)) or 'none'} (free text goes in "
                            "the note)")
    subject, region = _subject(store, kind, household_id, region_code)
    if not user.covers(region):
        raise NotYours(f"{region} is outside {user.username}'s jurisdiction "
                       f"({user.region_code})")
    kept = (evidence or {}) | ({"note": note} if note else {})
    try:
        with store.transaction():
            proposal_id = store.draw("proposal_ids", 1) + 1
            store.execute(
                "INSERT INTO proposals (proposal_id, subject, household_id, region_code, kind, "
                "reasons, evidence, procedure, rules, step, state, origin, proposed_by, "
                "proposed_on, due_on, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', "
                "'officer', ?, ?, ?, 0)",
                [proposal_id, subject, household_id, region, kind, json.dumps(reasons),
                 json.dumps(kept, ensure_ascii=False, default=str), procedure.procedure,
                 procedures.label, procedure.steps[0].step, user.username, on,
                 on + dt.timedelta(days=procedure.deadline_days)])
            store.execute("INSERT INTO open_proposals VALUES (?, ?)",
                          [_open_key(household_id, region), proposal_id])
            if subject != "household":
                region_status(store, region, "exit_proposed", on, worded("exit_proposed"),
                              proposal_id, user.username)
            store.audit("propose", username=user.username, role=user.role,
                        user_id=user.user_id, object_kind="proposal",
                        object_id=str(proposal_id), region_code=region, detail=kind)
            return proposal_id
    except StoreConflict:
        raise WorkflowError(f"there is already an open proposal for "
                            f"{household_id or region}") from None


def _open_key(household_id: int | None, region: str) -> str:
    """The key that allows one open proposal per household or region."""
    return f"household {household_id}" if household_id is not None else f"region {region}"


def _subject(store: Store, kind: str, household_id: int | None,
             region_code: str | None) -> tuple[str, str]:
    """(subject, region) of a new proposal, checking the household or region exists."""
    if kind in FROM_STATUS:
        row = store.one("SELECT village_code, registration_status FROM households "
                        "WHERE household_id = ?", [household_id])
        if household_id is None or row is None:
            raise WorkflowError(f"no household {household_id}")
        if row[1] not in FROM_STATUS[kind]:
            raise WorkflowError(f"household {household_id} is {row[1]}: a proposal to "
                                f"{kind} starts from {' or '.join(FROM_STATUS[kind])}")
        alive = store.scalar("SELECT count(*) FROM people WHERE household_id = ? AND "
                             "death_date IS NULL", [household_id])
        if kind != "remove" and not alive:
            raise WorkflowError(f"no member of household {household_id} is alive: only its "
                                "removal can be proposed")
        return "household", str(row[0])
    level = kind.removesuffix("_exit")
    found = store.value("SELECT level FROM regions WHERE code = ?", [region_code])
    if found != level:
        raise WorkflowError(f"a {kind} needs a {level} code, not {region_code!r}")
    return level, str(region_code)
