"""Pages rendered on the server (Jinja2), in Chinese or English. They call the same
functions as the API, with the same checks; forms carry a CSRF token."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..access import audit, sessions
from ..access.accounts import ROLES, AccountError, create_user, list_users
from ..disclosure import complaints
from ..disclosure import portal as publication
from ..errors import NotFound
from ..reports import figures
from . import api, department, i18n
from .platform import (
    DB,
    Cursor,
    Viewer,
    allowed,
    check_csrf,
    in_jurisdiction,
    optional_viewer,
    viewer,
)

router = APIRouter(include_in_schema=False)
_env = Environment(loader=FileSystemLoader(str(resources.files(__package__).joinpath(
    "templates"))), autoescape=select_autoescape(["html"]))
_env.policies["json.dumps_kwargs"] = {"default": str, "ensure_ascii": False}
templates = Jinja2Templates(env=_env)
FORM_COOKIE = "pc_form"  # double-submit token for forms used before logging in
Me = Annotated[Viewer, Depends(viewer)]
Maybe = Annotated[Viewer | None, Depends(optional_viewer)]
RegionCode = Annotated[str, Path(pattern=r"^\d{12}$")]
Token = Annotated[str, Form(max_length=128)]


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get(i18n.COOKIE))


def render(request: Request, name: str, me: Viewer | None, status: int = 200,
           **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    return templates.TemplateResponse(request, name, {
        "me": me.user if me else None, "csrf": me.csrf if me else "", "lang": lang,
        "t": lambda key: i18n.translate(key, lang),
        "yesno": lambda value: i18n.translate({True: "yes", False: "no"}.get(value, value), lang),
        **context}, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", None, status, code=status, message=message)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)


def with_form_cookie(response: HTMLResponse, token: str, request: Request) -> HTMLResponse:
    secure = request.app.state.platform.config.secure_cookies
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure)
    return response


def check_form_token(request: Request, given: str) -> None:
    if not sessions.same(given, request.cookies.get(FORM_COOKIE, "")):
        raise HTTPException(403, "missing or wrong form token; reload the form")


# -- home, language, login --------------------------------------------------------------------


@router.get("/")
def home(me: Maybe) -> Response:
    target = f"/dashboard/{me.user.region_code}" if me else "/portal"
    return RedirectResponse(target, 303)


@router.get("/lang/{lang}")
def set_language(lang: Annotated[str, Path(pattern="^(zh|en)$")],
                 next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(i18n.COOKIE, lang, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/login")
def login_form(request: Request,
               next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    token = form_token(request)
    return with_form_cookie(render(request, "login.html", None, next=_safe_next(next),
                                   form_token=token), token, request)


@router.post("/login")
def login(request: Request, con: DB, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)],
          next: Annotated[str, Form(max_length=500)] = "/", form_token: Token = "") -> Response:
    check_form_token(request, form_token)
    try:
        _, token, _ = api.login(request, con, username, password)
    except HTTPException as exc:
        message = "too_many" if exc.status_code == 429 else "bad_login"
        return with_form_cookie(render(request, "login.html", None, exc.status_code,
                                       next=_safe_next(next), form_token=form_token,
                                       error=message), form_token, request)
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="lax",
                        secure=request.app.state.platform.config.secure_cookies)
    return response


@router.post("/logout")
def logout(me: Me, con: DB, csrf_token: Token = "") -> Response:
    check_csrf(me, csrf_token)
    sessions.end(con, me.token)
    audit.record(con, me.user, "logout", "user", me.user.username, me.user.region_code)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(sessions.COOKIE)
    return response


# -- officers' pages --------------------------------------------------------------------------


@router.get("/dashboard/{code}")
def dashboard(request: Request, code: RegionCode, me: Me, con: DB,
              as_of: api.AsOf = None) -> Response:
    api.region_for(me, code)
    summary = figures.summary(con, code, as_of)
    return render(request, "dashboard.html", me, region=summary, chosen_day=as_of,
                  crumbs=figures.breadcrumbs(con, code, me.user.region_code),
                  children=figures.children(con, code, as_of), trend=figures.trend(con, code))


@router.post("/announcements")
def announce(me: Me, con: DB,
             region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
             title: Annotated[str, Form(min_length=1, max_length=200)],
             body: Annotated[str, Form(min_length=1, max_length=4000)],
             csrf_token: Token = "") -> Response:
    api.announce(api.NewAnnouncement(region_code=region_code, title=title, body=body), me,
                 con, csrf_token)
    return RedirectResponse(f"/portal/regions/{region_code}", 303)


@router.get("/households/{household_id}")
def household(request: Request, household_id: api.HouseholdId, me: Me, store: Cursor
              ) -> Response:
    record = api.open_household(request, me, store, household_id, unmask=False)
    return render(request, "household.html", me, file=record)


@router.post("/households/{household_id}/unmask")
def household_unmasked(request: Request, household_id: api.HouseholdId, me: Me,
                       store: Cursor, csrf_token: Token = "") -> Response:
    check_csrf(me, csrf_token)
    record = api.open_household(request, me, store, household_id, unmask=True)
    return render(request, "household.html", me, file=record)


@router.get("/search")
def search_page(request: Request, me: Me, con: DB,
                q: Annotated[str, Query(max_length=64)] = "") -> Response:
    allowed(me, "search")
    found = api.find_people(request, me, con, q) if q.strip() else []
    return render(request, "search.html", me, q=q, results=found)


@router.get("/complaints")
def complaint_inbox(request: Request, me: Me, con: DB) -> Response:
    allowed(me, "complaints")
    return render(request, "complaints.html", me, complaints=complaints.inbox(con, me.user))


@router.get("/complaints/{complaint_id}")
def complaint(request: Request, complaint_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
              me: Me, con: DB) -> Response:
    allowed(me, "complaints")
    return render(request, "complaint.html", me,
                  complaint=complaints.get(con, me.user, complaint_id))


@router.post("/complaints/{complaint_id}/answer")
def answer(complaint_id: Annotated[int, Path(ge=1, le=2**63 - 1)], me: Me, con: DB,
           text: Annotated[str, Form(min_length=1, max_length=complaints.LIMITS["body"])],
           csrf_token: Token = "") -> Response:
    api.answer_complaint(complaint_id, api.Answer(answer=text), me, con, csrf_token)
    return RedirectResponse(f"/complaints/{complaint_id}", 303)


@router.get("/flags")
def flags_page(request: Request, me: Me, con: DB) -> Response:
    return render(request, "flags.html", me, flags=api.flags(me, con),
                  precision=api.flag_precision(me, con))


@router.post("/flags/{flag_id}/verify")
def verify_flag(flag_id: Annotated[int, Path(ge=1, le=2**63 - 1)], me: Me, con: DB,
                outcome: Annotated[str, Form(max_length=32)],
                csrf_token: Token = "") -> Response:
    api.verify_flag(flag_id, api.Verification(outcome=outcome), me, con, csrf_token)
    return RedirectResponse("/flags", 303)


@router.get("/sources")
def sources_page(request: Request, me: Me, con: DB) -> Response:
    return render(request, "sources.html", me, sources=department.sources(me, con),
                  batches=department.batches(me, con))


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: department.BatchId, me: Me, con: DB) -> Response:
    reads = department.reads_quarantine(me.user)
    rows = department.quarantine(batch_id, me, con) if reads else None
    return render(request, "batch.html", me, batch=department.batch(batch_id, me, con),
                  rows=rows)


@router.get("/reviews")
def reviews_page(request: Request, me: Me, store: Cursor) -> Response:
    return render(request, "reviews.html", me, pairs=department.reviews(me, store.con),
                  duplicates=department.duplicates(me, store))


@router.post("/duplicates/{keep}/{duplicate}")
def same_person(keep: department.RecordId, duplicate: department.RecordId, me: Me,
                store: Cursor, merge: Annotated[bool, Form()], csrf_token: Token = ""
                ) -> Response:
    department.same_person(keep, duplicate, department.SamePerson(merge=merge), me, store,
                           csrf_token)
    return RedirectResponse("/reviews", 303)


@router.post("/reviews/{source}/{record_id}/{person_id}")
def review_pair(source: department.SourceId, record_id: department.RecordId,
                person_id: department.RecordId, me: Me, con: DB,
                accept: Annotated[bool, Form()], csrf_token: Token = "") -> Response:
    department.review(source, record_id, person_id, department.Decision(accept=accept), me,
                      con, csrf_token)
    return RedirectResponse("/reviews", 303)


@router.get("/audit")
def audit_page(request: Request, me: Me, con: DB,
               username: Annotated[str | None, Query(max_length=64)] = None,
               action: Annotated[str | None, Query(max_length=64)] = None,
               object_id: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    allowed(me, "audit")
    entries = audit.search(con, me.user, username or None, action or None, object_id or None)
    return render(request, "audit.html", me, entries=entries, username=username or "",
                  action=action or "", object_id=object_id or "")


@router.get("/users")
def users_page(request: Request, me: Me, con: DB) -> Response:
    allowed(me, "users")
    return render(request, "users.html", me, users=list_users(con, me.user), roles=ROLES)


@router.post("/users")
def add_user(request: Request, me: Me, con: DB,
             username: Annotated[str, Form(max_length=64)],
             password: Annotated[str, Form(max_length=256)],
             role: Annotated[str, Form(max_length=32)],
             region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
             csrf_token: Token = "") -> Response:
    check_csrf(me, csrf_token)
    allowed(me, "users")
    in_jurisdiction(me.user, region_code)
    try:
        created = create_user(con, username, password, role, region_code)
    except AccountError as exc:
        return render(request, "users.html", me, 400, users=list_users(con, me.user),
                      roles=ROLES, error=str(exc))
    audit.record(con, me.user, "create_user", "user", created.username, created.region_code,
                 f"role {created.role}")
    return RedirectResponse("/users", 303)


# -- the public portal ------------------------------------------------------------------------


def province_code(con: Any) -> str:
    row = con.execute("SELECT min(code) FROM regions WHERE level = 'province'").fetchone()
    if not row or row[0] is None:
        raise NotFound("the store has no regions yet")
    return str(row[0])


@router.get("/portal")
def portal_home(con: DB) -> Response:
    return RedirectResponse(f"/portal/regions/{province_code(con)}", 303)


@router.get("/portal/regions/{code}")
def portal(request: Request, code: RegionCode, me: Maybe, con: DB) -> Response:
    published = publication.public_region(con, code)
    return render(request, "portal.html", me, region=published,
                  crumbs=figures.breadcrumbs(con, code, province_code(con)),
                  announcements=publication.announcements(con, code))


@router.get("/portal/complaint")
def complaint_form(request: Request, me: Maybe, con: DB,
                   region: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                   ) -> Response:
    token = form_token(request)
    return with_form_cookie(render(request, "portal_complaint.html", me, form_token=token,
                                   region_code=region or "", categories=complaints.CATEGORIES,
                                   limits=complaints.LIMITS), token, request)


@router.post("/portal/complaint")
def complaint_filed(request: Request, me: Maybe, con: DB,
                    region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
                    category: Annotated[str, Form(max_length=32)],
                    subject: Annotated[str, Form(max_length=complaints.LIMITS["subject"])],
                    body: Annotated[str, Form(max_length=complaints.LIMITS["body"])],
                    contact: Annotated[str, Form(max_length=complaints.LIMITS["contact"])] = "",
                    form_token: Token = "") -> Response:
    check_form_token(request, form_token)
    code = api.file_complaint(request, con, api.NewComplaint(
        region_code=region_code, category=category, subject=subject, body=body,
        contact=contact or None))
    return RedirectResponse(f"/portal/track?code={quote(code)}&new=1", 303)


@router.get("/portal/track")
def track(request: Request, me: Maybe, con: DB,
          code: Annotated[str, Query(max_length=32)] = "",
          new: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    found = complaints.track(con, code) if code else None
    return render(request, "portal_track.html", me, complaint=found, code=code, new=bool(new))
