"""Complaints: filed by the public on the portal (rate-limited, tracked by code) and
answered by the officers of the region they concern."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit
from ...disclosure import complaints
from ...reports import figures
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
    in_jurisdiction,
    platform,
)
from ..limits import too_many
from ..paged import Paged, rows
from ..render import check_form_token, form_token, render, with_form_cookie

api = APIRouter(prefix="/api", tags=["complaints"])
pages = APIRouter(include_in_schema=False)
LIMITS = complaints.LIMITS


class NewComplaint(BaseModel):
    region_code: str = Field(pattern=r"^\d{12}$")
    category: str = Field(pattern="^(" + "|".join(complaints.CATEGORIES) + ")$")
    subject: str = Field(min_length=1, max_length=LIMITS["subject"])
    body: str = Field(min_length=1, max_length=LIMITS["body"])
    contact: str | None = Field(default=None, max_length=LIMITS["contact"])


class Answer(BaseModel):
    answer: str = Field(min_length=1, max_length=LIMITS["body"])


def complaint_key(request: Request, store: Store) -> str:
    """The rate limit's key of complaints (objections too) from one client; 429 with
    Retry-After when it has filed its share of the window."""
    key = client(request)
    if wait := platform(request).complaint_limit.wait(store, key):
        raise too_many(wait, "too many complaints from here; try again later")
    return key


def file_complaint(request: Request, store: Store, body: NewComplaint) -> str:
    web, key = platform(request), complaint_key(request, store)
    try:
        code = complaints.file(store, body.region_code, body.category, body.subject,
                               body.body, body.contact)
    except complaints.ComplaintError as exc:
        raise HTTPException(400, str(exc)) from None
    web.complaint_limit.hit(store, key)
    audit.record(store, None, "file_complaint", "complaint", code, body.region_code,
                 client=client(request))
    return code


def answer(me: Viewer, store: Store, complaint_id: int, text: str) -> dict[str, Any]:
    allowed(me, "complaints")
    done = complaints.answer(store, me.user, complaint_id, text)
    audit.record(store, me.user, "answer_complaint", "complaint", str(complaint_id),
                 done["region_code"])
    return done


def reveal_contact(request: Request, me: Viewer, store: Store, complaint_id: int
                   ) -> dict[str, Any]:
    """The complaint with its contact in full, for the officers who may handle it (role
    and jurisdiction, 403 to the others); audited: who, which complaint, from where,
    never the contact itself."""
    allowed(me, "complaints")
    region_code = complaints.region_of(store, complaint_id)
    in_jurisdiction(me.user, region_code)
    audit.record(store, me.user, "reveal_contact", "complaint", str(complaint_id),
                 region_code, "contact", client(request))
    return complaints.get(store, me.user, complaint_id) | {
        "contact": complaints.contact(store, complaint_id)}


@api.get("/complaints")
def complaint_inbox(request: Request, response: Response, me: Me, store: DB, page: Paged
                    ) -> list[dict[str, Any]]:
    """The complaints of your jurisdiction, open and overdue first, a page at a time (how
    many in all in ``X-Total-Count``, the next and previous pages in ``Link``)."""
    allowed(me, "complaints")
    return rows(request, response, complaints.inbox(store, me.user, page))


@api.get("/complaints/{complaint_id}")
def complaint(complaint_id: Id, me: Me, store: DB) -> dict[str, Any]:
    allowed(me, "complaints")
    return complaints.get(store, me.user, complaint_id)


@api.post("/complaints/{complaint_id}/answer")
def answer_complaint(complaint_id: Id, body: Answer, me: Me, store: DB,
                     csrf: CsrfHeader = None) -> dict[str, Any]:
    check_csrf(me, csrf)
    return answer(me, store, complaint_id, body.answer)


@api.post("/complaints/{complaint_id}/contact")
def complaint_contact(request: Request, complaint_id: Id, me: Me, store: DB,
                      csrf: CsrfHeader = None) -> dict[str, Any]:
    """The complainant's contact in full, to answer them: for the officers of the
    complaint's region and above; audited."""
    check_csrf(me, csrf)
    found = reveal_contact(request, me, store, complaint_id)
    return {"complaint_id": complaint_id, "contact": found["contact"]}


@api.post("/public/complaints", tags=["public"], status_code=201)
def public_complaint(request: Request, body: NewComplaint, store: DB) -> dict[str, str]:
    """File a complaint or report (anonymous unless a contact is given)."""
    return {"tracking_code": file_complaint(request, store, body)}


@api.get("/public/complaints/{tracking_code}", tags=["public"])
def public_track(tracking_code: Annotated[str, Path(max_length=32)], store: DB
                 ) -> dict[str, Any]:
    return complaints.track(store, tracking_code)


@pages.get("/complaints")
def complaint_inbox_page(request: Request, me: Me, store: DB, page: Paged) -> Response:
    allowed(me, "complaints")
    return render(request, "complaints.html", me,
                  found=complaints.inbox(store, me.user, page))


@pages.get("/complaints/{complaint_id}")
def complaint_page(request: Request, complaint_id: Id, me: Me, store: DB) -> Response:
    allowed(me, "complaints")
    return render(request, "complaint.html", me, revealed=False,
                  complaint=complaints.get(store, me.user, complaint_id))


@pages.post("/complaints/{complaint_id}/contact")
def complaint_contact_page(request: Request, complaint_id: Id, me: Me, store: DB,
                           csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    return render(request, "complaint.html", me, revealed=True,
                  complaint=reveal_contact(request, me, store, complaint_id))


@pages.post("/complaints/{complaint_id}/answer")
def answer_form(complaint_id: Id, me: Me, store: DB,
                text: Annotated[str, Form(min_length=1, max_length=LIMITS["body"])],
                csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    answer(me, store, complaint_id, text)
    return RedirectResponse(f"/complaints/{complaint_id}", 303)


@pages.get("/portal/complaint")
def complaint_form(request: Request, me: Maybe, store: DB,
                   region: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                   ) -> Response:
    """The form; without a region (the citizen did not come from a region's page) the
    region is picked by name, level by level, from the province down."""
    token = form_token(request)
    return with_form_cookie(render(request, "portal_complaint.html", me, form_token=token,
                                   region_code=region or "", root=figures.province(store),
                                   categories=complaints.CATEGORIES, limits=LIMITS),
                            token, request)


@pages.post("/portal/complaint")
def complaint_filed(request: Request, store: DB,
                    region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
                    category: Annotated[str, Form(max_length=32)],
                    subject: Annotated[str, Form(max_length=LIMITS["subject"])],
                    body: Annotated[str, Form(max_length=LIMITS["body"])],
                    contact: Annotated[str, Form(max_length=LIMITS["contact"])] = "",
                    form_token: FormToken = "") -> Response:
    check_form_token(request, form_token)
    code = file_complaint(request, store, NewComplaint(
        region_code=region_code, category=category, subject=subject, body=body,
        contact=contact or None))
    return RedirectResponse(f"/portal/track?code={quote(code)}&new=1", 303)


@pages.get("/portal/track")
def track(request: Request, me: Maybe, store: DB,
          code: Annotated[str, Query(max_length=32)] = "",
          new: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    found = complaints.track(store, code) if code else None
    return render(request, "portal_track.html", me, complaint=found, code=code, new=bool(new))
