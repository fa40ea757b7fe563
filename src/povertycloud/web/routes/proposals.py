"""Proposals: each user's inbox of proposals awaiting them, a proposal with its
procedure and the form to take its next step, and the village notice board on the portal
with its objection form.

Who may take which step, and when, is the workflow's to decide
(:mod:`povertycloud.dynamic.workflow`): a refused step comes back with its reason and
changes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...disclosure import complaints
from ...dynamic import casefile, workflow
from ...dynamic.procedures import KINDS
from ...store import Store
from ..deps import (
    DB,
    CsrfHeader,
    FormToken,
    Id,
    Maybe,
    Me,
    Viewer,
    allowed,
    check_csrf,
    client,
    platform,
)
from ..render import check_form_token, form_token, lang_of, render, with_form_cookie, words
from .complaints import complaint_key

api = APIRouter(prefix="/api", tags=["proposals"])
pages = APIRouter(include_in_schema=False)
TEXT = complaints.LIMITS["body"]
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{12}$")]


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


def proposal_of(me: Viewer, store: Store, proposal_id: int) -> dict[str, Any]:
    allowed(me, "workflow")
    return casefile.casefile(store, me.user, proposal_id)


def take_step(me: Viewer, store: Store, proposal_id: int, body: StepTaken) -> dict[str, Any]:
    """Take the proposal's next step as ``me``; refused (403: not this user's step;
    409: out of order, decided, notice running or too short, no minutes) with the
    workflow's reason, nothing changed."""
    proposal_of(me, store, proposal_id)  # 404 outside the jurisdiction
    try:
        taken = workflow.act(store, proposal_id, body.step, me.user, on=casefile.today(),
                             note=body.note, reject=body.reject, days=body.days,
                             procedures=casefile.procedures())
    except workflow.NotYours as exc:
        raise HTTPException(403, str(exc)) from None
    except workflow.WorkflowError as exc:
        raise HTTPException(409, str(exc)) from None
    return dataclasses.asdict(taken)


def object_to(request: Request, store: Store, proposal_id: int, body: Objection) -> str:
    """File an objection to a proposal on notice: a complaint of its village (tracking
    code returned) that sends the proposal back for review, in one transaction. Refused
    (409), nothing filed, when the proposal is not on notice today, unknown ones alike."""
    web, key = platform(request), complaint_key(request, store)
    try:
        code = workflow.object_to(store, proposal_id, casefile.today(), body=body.body,
                                  contact=body.contact or None, client=client(request),
                                  procedures=casefile.procedures())
    except complaints.ComplaintError as exc:
        raise HTTPException(400, str(exc)) from None
    except workflow.WorkflowError:
        raise HTTPException(409, f"proposal {proposal_id} is not on public notice today, so "
                                 "it cannot be objected to; a complaint can still be "
                                 "filed") from None
    web.complaint_limit.hit(store, key)
    return code


# -- the API ----------------------------------------------------------------------------------


@api.get("/inbox")
def api_inbox(me: Me, store: DB) -> list[dict[str, Any]]:
    """The open proposals whose next step is yours: overdue first; ``waiting`` while
    their notice runs (until ``notice_until``)."""
    allowed(me, "workflow")
    return casefile.inbox(store, me.user)


@api.get("/proposals")
def api_proposals(me: Me, store: DB,
              state: Annotated[str, Query(pattern="^(open|approved|rejected|all)$")] = "open",
              kind: Annotated[str | None, Query(pattern="^(" + "|".join(KINDS) + ")$")]
              = None,
              overdue: bool = False) -> list[dict[str, Any]]:
    """Proposals of your jurisdiction, soonest deadline first (500 at most)."""
    allowed(me, "workflow")
    return casefile.listing(store, me.user, state, kind, overdue)


@api.get("/proposals/{proposal_id}")
def api_proposal(proposal_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A proposal: reasons, evidence, its procedure's steps (who did what when, which is
    next and whether you may take it), objections."""
    return proposal_of(me, store, proposal_id)


@api.post("/proposals/{proposal_id}/steps")
def api_take_step(proposal_id: Id, body: StepTaken, me: Me, store: DB, csrf: CsrfHeader = None
         ) -> dict[str, Any]:
    """Take the proposal's next step (audited); a refusal (403 or 409) says why and
    changes nothing."""
    check_csrf(me, csrf)
    return take_step(me, store, proposal_id, body)


@api.get("/public/notices", tags=["public"])
def api_notices(store: DB, region: RegionQuery = None) -> list[dict[str, Any]]:
    """Proposals on public notice under ``region`` (default the province): head of
    household, village, members, the change and its reasons, the notice period."""
    return casefile.notices_in(store, casefile.notice_region(store, region))


@api.post("/public/notices/{proposal_id}/objections", tags=["public"], status_code=201)
def api_object(request: Request, proposal_id: Id, body: Objection, store: DB
              ) -> dict[str, str]:
    """Object to a proposal while its notice runs: filed as a complaint (tracking code
    returned); the proposal goes back for review."""
    return {"tracking_code": object_to(request, store, proposal_id, body)}


# -- the pages --------------------------------------------------------------------------------


@pages.get("/inbox")
def inbox_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, "workflow")
    return render(request, "inbox.html", me, proposals=casefile.inbox(store, me.user))


def proposal_view(request: Request, me: Viewer, store: Store, proposal_id: int,
                  status: int = 200, error: str | None = None) -> Response:
    return render(request, "proposal.html", me, status,
                  p=proposal_of(me, store, proposal_id), error=error)


@pages.get("/proposals/{proposal_id}")
def proposal_page(request: Request, proposal_id: Id, me: Me, store: DB) -> Response:
    return proposal_view(request, me, store, proposal_id)


@pages.post("/proposals/{proposal_id}/steps")
def step_form(request: Request, proposal_id: Id, me: Me, store: DB,
              step: Annotated[str, Form(pattern=r"^[a-z_]{1,64}$")],
              note: Annotated[str, Form(max_length=TEXT)] = "",
              days: Annotated[int | None, Form(ge=1, le=366)] = None,
              decision: Annotated[str, Form(pattern="^(done|reject)$")] = "done",
              csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    allowed(me, "workflow")
    rejecting = decision == "reject"
    body = StepTaken(step=step, note=None if rejecting else note or None,
                     reject=note if rejecting else None, days=days)
    try:
        take_step(me, store, proposal_id, body)
    except HTTPException as exc:
        if exc.status_code not in (403, 409):
            raise
        return proposal_view(request, me, store, proposal_id, exc.status_code,
                             str(exc.detail))
    return RedirectResponse(f"/proposals/{proposal_id}", 303)


def notices_view(request: Request, me: Viewer | None, store: Store, region: str | None,
                 status: int = 200, error: str | None = None) -> Response:
    found = casefile.notice_region(store, region)
    token = form_token(request)
    page = render(request, "portal_notices.html", me, status, region=found,
                  notices=casefile.notices_in(store, found), form_token=token, error=error,
                  limits=complaints.LIMITS, **words(lang_of(request)))
    return with_form_cookie(page, token, request)


@pages.get("/portal/notices")
def notices_page(request: Request, me: Maybe, store: DB, region: RegionQuery = None
                 ) -> Response:
    return notices_view(request, me, store, region)


@pages.post("/portal/notices/{proposal_id}/objection")
def objection_form(request: Request, proposal_id: Id, me: Maybe, store: DB,
                   body: Annotated[str, Form(min_length=1, max_length=TEXT)],
                   contact: Annotated[str, Form(max_length=complaints.LIMITS["contact"])]
                   = "",
                   region: Annotated[str | None, Form(pattern=r"^\d{12}$")] = None,
                   form_token: FormToken = "") -> Response:
    check_form_token(request, form_token)
    try:
        code = object_to(request, store, proposal_id,
                         Objection(body=body, contact=contact or None))
    except HTTPException as exc:
        if exc.status_code != 409:
            raise
        return notices_view(request, me, store, region, 409, str(exc.detail))
    return RedirectResponse(f"/portal/track?code={code}&new=1", 303)
