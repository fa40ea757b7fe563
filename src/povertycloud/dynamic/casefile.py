"""A proposal as the people working on it read it: its reasons in words, its procedure's
steps (done, next, rejected or pending, each with its record) and its next step with
whether a given user may take it; the inbox in the order to work it; the proposals on
public notice under a region. The pages, the API and the command line read them here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import lru_cache
from typing import Any

from ..access.accounts import User
from ..errors import NotFound
from ..reports.figures import province, region
from ..standard.regions import PREFIX_LENGTH
from ..store import Store
from . import proposals, workflow
from .procedures import Procedure, Procedures, load_procedures


def today() -> dt.date:
    """The platform's day, the workflow's (the tests move it)."""
    return workflow.today()


@lru_cache(maxsize=1)
def procedures() -> Procedures:
    """The shipped procedures, read once."""
    return load_procedures()


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """A proposal row with its reason codes as a list, their words, its next step's label."""
    row["reason_texts"] = proposals.reason_texts(row["reasons"])
    row["reasons"] = json.loads(row["reasons"] or "[]")
    procedure = procedures().get(row["procedure"])
    names = [s.step for s in procedure.steps]
    row["step_label"] = procedure.step(row["step"]).label if row["step"] in names else None
    return row


def inbox(store: Store, user: User, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The open proposals whose next step ``user`` may take on ``on`` (default today):
    overdue first, then those ready, then those whose notice still runs; soonest deadline
    first within each."""
    rows = [_readable(r) for r in proposals.inbox(store, user, on or today(), procedures())]
    return sorted(rows, key=lambda r: (not r["overdue"], r["waiting"],
                                       r["due_on"] or dt.date.max, r["proposal_id"]))


def listing(store: Store, user: User, state: str, kind: str | None, overdue: bool
            ) -> list[dict[str, Any]]:
    """Proposals of ``user``'s jurisdiction in ``state`` (or "all")."""
    rows = proposals.listing(store, user.prefix, state=None if state == "all" else state,
                             kind=kind, on=today(), overdue=overdue)
    return [_readable(r) for r in rows]


def casefile(store: Store, user: User, proposal_id: int) -> dict[str, Any]:
    """One proposal of ``user``'s jurisdiction (else not found) with its procedure's
    steps, who took each and when, and its next step with whether ``user`` may take it."""
    p = proposals.get(store, proposal_id, today())
    if p is None or not user.covers(p["region_code"]):
        raise NotFound(f"no proposal {proposal_id} in your jurisdiction")
    procedure = procedures().get(p["procedure"])
    p["evidence"] = json.loads(p["evidence"] or "{}")
    p = _readable(p)
    p["procedure_label"] = procedure.label
    labels = {s.step: s.label for s in procedure.steps}
    for taken in p["steps"]:
        taken["label"] = labels.get(taken["step"], taken["step"])
    p["procedure_steps"] = _steps_view(p, procedure)
    p["next"] = _next_step(p, procedure, user)
    return p


def _steps_view(p: dict[str, Any], procedure: Procedure) -> list[dict[str, Any]]:
    """Each step of the procedure: done, next, rejected or pending, with its record."""
    names = [s.step for s in procedure.steps]
    taken = {s["step"]: s for s in p["steps"] if s["outcome"] in ("done", "rejected")}
    if p["state"] == "approved":
        at, current = len(names), "done"
    elif p["state"] == "rejected":
        rejected = [s["step"] for s in p["steps"] if s["outcome"] == "rejected"]
        at, current = names.index(rejected[-1]) if rejected else len(names), "rejected"
    else:
        at, current = names.index(p["step"]), "next"
    out = []
    for i, spec in enumerate(procedure.steps):
        state = "done" if i < at else current if i == at else "pending"
        out.append(dataclasses.asdict(spec) | {
            "state": state, "record": taken.get(spec.step) if state != "pending" else None})
    return out


def _next_step(p: dict[str, Any], procedure: Procedure, user: User
               ) -> dict[str, Any] | None:
    if p["state"] != "open":
        return None
    spec = procedure.step(p["step"])
    refused = workflow.why_not(user, p, spec)
    return dataclasses.asdict(spec) | {"may": refused is None, "why_not": refused}


def notice_region(store: Store, code: str | None) -> dict[str, Any]:
    """The region a notice board is asked for (the province by default)."""
    return region(store, code or province(store))


def notices_in(store: Store, where: dict[str, Any]) -> list[dict[str, Any]]:
    """What is on public notice today under the region ``where``: the whitelisted fields
    only."""
    return proposals.notice_board(store, where["code"][:PREFIX_LENGTH[where["level"]]],
                                  today())
