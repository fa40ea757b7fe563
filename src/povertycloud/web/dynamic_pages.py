"""The pages of dynamic management: inbox, proposal with its step form, monitoring lists,
region statuses, and the portal's notice board with its objection form. They call the
functions of :mod:`.dynamic`, as its API does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ..disclosure import complaints
from ..store import Store
from .dynamic import (
    TEXT,
    Maybe,
    Me,
    Objection,
    ProposalId,
    RegionCode,
    StepTaken,
    Token,
    Year,
    inbox_of,
    monitoring_of,
    notice_region,
    notices_in,
    object_to,
    proposal_of,
    region_statuses,
    take_step,
    words,
)
from .pages import check_form_token, form_token, lang_of, render, with_form_cookie
from .platform import Cursor, Viewer, allowed, check_csrf

router = APIRouter()


@router.get("/inbox", include_in_schema=False)
def inbox_page(request: Request, me: Me, store: Cursor) -> Response:
    return render(request, "inbox.html", me, proposals=inbox_of(me, store))


def proposal_page(request: Request, me: Viewer, store: Store,
                  proposal_id: int, status: int = 200, error: str | None = None
                  ) -> Response:
    return render(request, "proposal.html", me, status, p=proposal_of(me, store, proposal_id),
                  error=error, **words(lang_of(request)))


@router.get("/proposals/{proposal_id}", include_in_schema=False)
def proposal(request: Request, proposal_id: ProposalId, me: Me, store: Cursor) -> Response:
    return proposal_page(request, me, store, proposal_id)


@router.post("/proposals/{proposal_id}/steps", include_in_schema=False)
def step_form(request: Request, proposal_id: ProposalId, me: Me, store: Cursor,
              step: Annotated[str, Form(pattern=r"^[a-z_]{1,64}$")],
              note: Annotated[str, Form(max_length=TEXT)] = "",
              days: Annotated[int | None, Form(ge=1, le=366)] = None,
              decision: Annotated[str, Form(pattern="^(done|reject)$")] = "done",
              csrf_token: Token = "") -> Response:
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
        return proposal_page(request, me, store, proposal_id, exc.status_code, str(exc.detail))
    return RedirectResponse(f"/proposals/{proposal_id}", 303)


@router.get("/monitoring", include_in_schema=False)
def monitoring_page(request: Request, me: Me, store: Cursor, year: Year = None) -> Response:
    return render(request, "monitoring.html", me, rows=monitoring_of(me, store, year),
                  **words(lang_of(request)))


@router.get("/regions/status", include_in_schema=False)
def region_status_page(request: Request, me: Me, store: Cursor, year: Year = None) -> Response:
    return render(request, "region_status.html", me, found=region_statuses(me, store, year))


def notices_page(request: Request, me: Viewer | None, store: Store,
                 region: str | None, status: int = 200, error: str | None = None
                 ) -> Response:
    found = notice_region(store, region)
    token = form_token(request)
    page = render(request, "portal_notices.html", me, status, region=found,
                  notices=notices_in(store, found), form_token=token, error=error,
                  limits=complaints.LIMITS, **words(lang_of(request)))
    return with_form_cookie(page, token, request)


@router.get("/portal/notices", include_in_schema=False)
def portal_notices(request: Request, me: Maybe, store: Cursor, region: RegionCode = None
                   ) -> Response:
    return notices_page(request, me, store, region)


@router.post("/portal/notices/{proposal_id}/objection", include_in_schema=False)
def objection_form(request: Request, proposal_id: ProposalId, me: Maybe, store: Cursor,
                   body: Annotated[str, Form(min_length=1, max_length=TEXT)],
                   contact: Annotated[str, Form(max_length=complaints.LIMITS["contact"])]
                   = "",
                   region: Annotated[str | None, Form(pattern=r"^\d{12}$")] = None,
                   form_token: Token = "") -> Response:
    check_form_token(request, form_token)
    try:
        code = object_to(request, store, proposal_id, Objection(body=body,
                                                              contact=contact or None))
    except HTTPException as exc:
        if exc.status_code != 409:
            raise
        return notices_page(request, me, store, region, 409, str(exc.detail))
    return RedirectResponse(f"/portal/track?code={code}&new=1", 303)
