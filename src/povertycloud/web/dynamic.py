"""Dynamic management in the platform: each user's inbox of proposals awaiting them, a
proposal with its procedure and the form to take its next step, the village notice board
on the portal with its objection form, a household's timeline, the relapse monitoring
list, and the statuses of villages and counties with their exit criteria.

The pages and the API call the same functions. Who may take which step, and when, is the
workflow's to decide (:mod:`povertycloud.dynamic.workflow`): a refused step comes back
with its reason and changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from ..access import audit
from ..access.accounts import User
from ..disclosure import complaints
from ..dynamic import proposals, region_criteria, regions, workflow
from ..dynamic.procedures import KINDS, Procedure, Procedures, load_procedures
from ..dynamic.timeline import timeline
from ..errors import PovertyCloudError
from ..identification.runs import latest_identified
from ..registry import households
from ..reports import figures
from ..standard.regions import PREFIX_LENGTH
from ..store import Store
from . import api, i18n
from .pages import (
    province_code,
)
from .platform import (
    Cursor,
    Viewer,
    allowed,
    check_csrf,
    client,
    in_jurisdiction,
    optional_viewer,
    platform,
    viewer,
)

router = APIRouter()  # the API routes under /api (in the schema), the pages beside them
TAG = "dynamic management"
Me = Annotated[Viewer, Depends(viewer)]
Maybe = Annotated[Viewer | None, Depends(optional_viewer)]
ProposalId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RegionCode = Annotated[str | None, Query(pattern=r"^\d{12}$")]
Year = Annotated[int | None, Query(ge=1949, le=2100)]
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token")]
Token = Annotated[str, Form(max_length=128)]
TEXT = complaints.LIMITS["body"]
STATES = ("open", "approved", "rejected")


def today() -> dt.date:
    """The platform's day, the workflow's (the tests move it)."""
    return workflow.today()


@lru_cache(maxsize=1)
def procedures() -> Procedures:
    return load_procedures()


class StepTaken(BaseModel):
    step: str = Field(pattern=r"^[a-z_]{1,64}$", description="the proposal's next step")
    note: str | None = Field(default=None, max_length=TEXT,
                             description="the step's record (an appraisal's minutes)")
    reject: str | None = Field(default=None, max_length=TEXT,
                               description="reasons: given, the step rejects the proposal")
    days: int | None = Field(default=None, ge=1, le=366,
                             description="a notice's length (default the configured one)")


class Objection(BaseModel):
    body: str = Field(min_length=1, max_length=TEXT)
    contact: str | None = Field(default=None, max_length=complaints.LIMITS["contact"])


# -- proposals: reading -----------------------------------------------------------------------


def _readable(row: dict[str, Any]) -> dict[str, Any]:
    """A proposal row with its reason codes as a list, their words, its next step's label."""
    row["reason_texts"] = proposals.reason_texts(row["reasons"])
    row["reasons"] = json.loads(row["reasons"] or "[]")
    procedure = procedures().get(row["procedure"])
    names = [s.step for s in procedure.steps]
    row["step_label"] = procedure.step(row["step"]).label if row["step"] in names else None
    return row


def inbox_of(me: Viewer, store: Store) -> list[dict[str, Any]]:
    """The open proposals whose next step ``me`` may take: overdue first, then those
    ready, then those whose notice still runs; soonest deadline first within each."""
    allowed(me, "workflow")
    rows = [_readable(r) for r in proposals.inbox(store, me.user, today(), procedures())]
    return sorted(rows, key=lambda r: (not r["overdue"], r["waiting"],
                                       r["due_on"] or dt.date.max, r["proposal_id"]))


def listing_of(me: Viewer, store: Store, state: str, kind: str | None,
               overdue: bool) -> list[dict[str, Any]]:
    allowed(me, "workflow")
    rows = proposals.listing(store, me.user.prefix, state=None if state == "all" else state,
                             kind=kind, on=today(), overdue=overdue)
    return [_readable(r) for r in rows]


def proposal_of(me: Viewer, store: Store, proposal_id: int
                ) -> dict[str, Any]:
    """One proposal of ``me``'s jurisdiction (else 404) with its procedure's steps, who
    took each and when, and its next step with whether ``me`` may take it."""
    allowed(me, "workflow")
    p = proposals.get(store, proposal_id, today())
    if p is None or not me.user.covers(p["region_code"]):
        raise HTTPException(404, f"no proposal {proposal_id} in your jurisdiction")
    procedure = procedures().get(p["procedure"])
    p["evidence"] = json.loads(p["evidence"] or "{}")
    p = _readable(p)
    p["procedure_label"] = procedure.label
    labels = {s.step: s.label for s in procedure.steps}
    for taken in p["steps"]:
        taken["label"] = labels.get(taken["step"], taken["step"])
    p["procedure_steps"] = _steps_view(p, procedure)
    p["next"] = _next_step(p, procedure, me.user)
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


# -- proposals: acting ------------------------------------------------------------------------


def take_step(me: Viewer, store: Store, proposal_id: int,
              body: StepTaken) -> dict[str, Any]:
    """Take the proposal's next step as ``me``; refused (403: not this user's step;
    409: out of order, decided, notice running or too short, no minutes) with the
    workflow's reason, nothing changed."""
    proposal_of(me, store, proposal_id)  # 404 outside the jurisdiction
    try:
        taken = workflow.act(store, proposal_id, body.step, me.user, on=today(),
                             note=body.note, reject=body.reject, days=body.days,
                             procedures=procedures())
    except workflow.NotYours as exc:
        raise HTTPException(403, str(exc)) from None
    except workflow.WorkflowError as exc:
        raise HTTPException(409, str(exc)) from None
    return dataclasses.asdict(taken)


# -- the public notice board ------------------------------------------------------------------


def notice_region(store: Store, code: str | None) -> dict[str, Any]:
    """The region a notice board is asked for (the province by default)."""
    return figures.region(store.con, code or province_code(store.con))


def notices_in(store: Store, region: dict[str, Any]
               ) -> list[dict[str, Any]]:
    """What is on public notice today under ``region``: the whitelisted fields only."""
    return proposals.notice_board(store, region["code"][:PREFIX_LENGTH[region["level"]]],
                                  today())


def object_to(request: Request, store: Store, proposal_id: int,
              body: Objection) -> str:
    """File an objection to a proposal on notice: a complaint of its village (tracking
    code returned) that sends the proposal back for review, in one transaction. Refused
    (409), nothing filed, when the proposal is not on notice today, unknown ones alike."""
    web, key = platform(request), f"complaint:{client(request)}"
    if web.complaint_limit.blocked(key):
        raise HTTPException(429, "too many complaints from here; try again later")
    try:
        code = workflow.object_to(store, proposal_id, today(), body=body.body,
                                  contact=body.contact or None, client=client(request),
                                  procedures=procedures())
    except complaints.ComplaintError as exc:
        raise HTTPException(400, str(exc)) from None
    except workflow.WorkflowError:
        raise HTTPException(409, f"proposal {proposal_id} is not on public notice today, so "
                                 "it cannot be objected to; a complaint can still be "
                                 "filed") from None
    web.complaint_limit.hit(key)
    return code


# -- timeline, monitoring, region statuses ----------------------------------------------------


def _entries(store: Store, household_id: int, unmasked: bool
             ) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k != "order"}
            for e in timeline(store, household_id, unmasked=unmasked)]


def monitoring_of(me: Viewer, store: Store, year: int | None
                  ) -> list[dict[str, Any]]:
    """The relapse monitoring lists of the villages of ``me``'s jurisdiction."""
    allowed(me, "monitoring")
    # imported here: the model's libraries load on the first list, not at every start
    from ..dynamic.warning import monitoring_list, with_health
    from ..dynamic.warning_features import REASONS

    rows = monitoring_list(store, me.user.prefix, year)
    # health reasons shown only to who may see them
    shown = with_health(rows, me.user.may("unmask"))
    for row in rows:
        row["reason_texts"] = [REASONS.get(code, code) for code in row["reasons"]]
    if shown:  # reading health details is audited
        audit.record(store.con, me.user, "read_monitoring_list", "region", me.user.region_code,
                     me.user.region_code, f"{shown} households with health reasons")
    return rows


def region_statuses(me: Viewer, store: Store, year: int | None
                    ) -> dict[str, Any]:
    """Villages' and counties' statuses today under ``me``'s jurisdiction, each with its
    exit criteria (estimated from the identification of ``year``, default the latest)."""
    allowed(me, "dashboard")
    day = today()
    year = year if year is not None else latest_identified(store)
    rows = regions.status_as_of(store, day, me.user.prefix)
    judged, problem = _criteria(store, day, year, me.user.prefix)
    for r in rows:
        found = judged.get(r["region_code"])
        r["met"] = found["met"] if found else None
        r["criteria"] = found["criteria"] if found else []
    return {"as_of": day, "year": year, "criteria_note": problem, "regions": rows}


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


def words(lang: str) -> dict[str, Any]:
    """Helpers of the templates: reason codes in the page's language (the catalog's
    Chinese, else the back end's English words)."""
    public = {text: code for code, text in proposals.PUBLIC_REASONS.items()}

    def said(key: str, english: str) -> str:
        entry = i18n.MESSAGES.get(key)
        return entry[0] if entry and lang == "zh" else english

    return {"reason": lambda code, text: said(f"reason.{code}", text),
            "public_reason": lambda text: said(f"reason.{public.get(text)}", text),
            "risk_reason": lambda code, text: said(f"risk.{code}", text)}


# -- the API ----------------------------------------------------------------------------------


@router.get("/api/inbox", tags=[TAG])
def api_inbox(me: Me, store: Cursor) -> list[dict[str, Any]]:
    """The open proposals whose next step is yours: overdue first; ``waiting`` while
    their notice runs (until ``notice_until``)."""
    return inbox_of(me, store)


@router.get("/api/proposals", tags=[TAG])
def api_proposals(me: Me, store: Cursor,
                  state: Annotated[str, Query(pattern="^(open|approved|rejected|all)$")]
                  = "open",
                  kind: Annotated[str | None, Query(pattern="^(" + "|".join(KINDS) + ")$")]
                  = None,
                  overdue: bool = False) -> list[dict[str, Any]]:
    """Proposals of your jurisdiction, soonest deadline first (500 at most)."""
    return listing_of(me, store, state, kind, overdue)


@router.get("/api/proposals/{proposal_id}", tags=[TAG])
def api_proposal(proposal_id: ProposalId, me: Me, store: Cursor) -> dict[str, Any]:
    """A proposal: reasons, evidence, its procedure's steps (who did what when, which is
    next and whether you may take it), objections."""
    return proposal_of(me, store, proposal_id)


@router.post("/api/proposals/{proposal_id}/steps", tags=[TAG])
def api_take_step(proposal_id: ProposalId, body: StepTaken, me: Me, store: Cursor,
                  csrf: CsrfHeader = None) -> dict[str, Any]:
    """Take the proposal's next step (audited); a refusal (403 or 409) says why and
    changes nothing."""
    check_csrf(me, csrf)
    return take_step(me, store, proposal_id, body)


@router.get("/api/households/{household_id}/timeline", tags=[TAG])
def api_timeline(request: Request, household_id: api.HouseholdId, me: Me, store: Cursor
                 ) -> list[dict[str, Any]]:
    """Everything that happened to a household, dated, newest first; health events
    masked (audited like the file)."""
    allowed(me, "households")
    village = households.village_of(store.con, household_id)
    in_jurisdiction(me.user, village)
    audit.record(store.con, me.user, "read_timeline", "household", str(household_id), village,
                 "masked timeline", client(request))
    return _entries(store, household_id, unmasked=False)


@router.get("/api/monitoring", tags=[TAG])
def api_monitoring(me: Me, store: Cursor, year: Year = None) -> list[dict[str, Any]]:
    """The relapse early warning's monitoring lists of your villages (origin ``year``,
    default the latest scored), by village and rank."""
    return monitoring_of(me, store, year)


@router.get("/api/regions/status", tags=[TAG])
def api_region_statuses(me: Me, store: Cursor, year: Year = None) -> dict[str, Any]:
    """Statuses of the villages and counties of your jurisdiction today, with their exit
    criteria (estimates from the identification of ``year``, default the latest)."""
    return region_statuses(me, store, year)


@router.get("/api/public/notices", tags=["public"])
def api_notices(store: Cursor, region: RegionCode = None) -> list[dict[str, Any]]:
    """Proposals on public notice under ``region`` (default the province): head of
    household, village, members, the change and its reasons, the notice period."""
    return notices_in(store, notice_region(store, region))


@router.post("/api/public/notices/{proposal_id}/objections", tags=["public"],
             status_code=201)
def api_object(request: Request, proposal_id: ProposalId, body: Objection, store: Cursor
               ) -> dict[str, str]:
    """Object to a proposal while its notice runs: filed as a complaint (tracking code
    returned); the proposal goes back for review."""
    return {"tracking_code": object_to(request, store, proposal_id, body)}
