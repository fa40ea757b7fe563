"""The JSON API under /api. Every route checks the role and the jurisdiction itself, and
the queries are bounded to the jurisdiction; the pages call the same functions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from ..access import audit, sessions
from ..access.accounts import (
    PERMISSIONS,
    ROLES,
    AccountError,
    authenticate,
    create_user,
    list_users,
)
from ..disclosure import complaints, portal
from ..errors import PovertyCloudError
from ..feeds.checks import open_flags, report, verify
from ..registry import households, search
from ..reports import figures
from ..store import Store
from .platform import (
    DB,
    Cursor,
    Viewer,
    allowed,
    check_csrf,
    client,
    in_jurisdiction,
    platform,
    viewer,
)

router = APIRouter(prefix="/api")
RegionCode = Annotated[str, Path(pattern=r"^\d{12}$", description="12-digit region code")]
HouseholdId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Me = Annotated[Viewer, Depends(viewer)]
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token")]


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=256)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    region_code: str = Field(pattern=r"^\d{12}$")
    display_name: str | None = Field(default=None, max_length=100)


class NewComplaint(BaseModel):
    region_code: str = Field(pattern=r"^\d{12}$")
    category: str = Field(pattern="^(" + "|".join(complaints.CATEGORIES) + ")$")
    subject: str = Field(min_length=1, max_length=complaints.LIMITS["subject"])
    body: str = Field(min_length=1, max_length=complaints.LIMITS["body"])
    contact: str | None = Field(default=None, max_length=complaints.LIMITS["contact"])


class NewAnnouncement(BaseModel):
    region_code: str = Field(pattern=r"^\d{12}$")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000)


class Verification(BaseModel):
    outcome: str = Field(pattern="^(confirmed|false_alarm|exempt)$")


class Answer(BaseModel):
    answer: str = Field(min_length=1, max_length=complaints.LIMITS["body"])


def describe(user: Any) -> dict[str, Any]:
    return {"user_id": user.user_id, "username": user.username,
            "display_name": user.display_name, "role": user.role,
            "region_code": user.region_code, "level": user.level}


# -- sessions ---------------------------------------------------------------------------------


def login(request: Request, con: Any, username: str, password: str) -> tuple[Any, str, str]:
    """Check the credentials under the rate limits; returns the user, token and CSRF."""
    web = platform(request)
    keys = (f"client:{client(request)}", f"user:{username}")
    if any(web.login_limit.blocked(k) for k in keys):
        raise HTTPException(429, "too many failed logins; try again later")
    user = authenticate(con, username, password)
    if user is None:
        for k in keys:
            web.login_limit.hit(k)
        audit.record(con, None, "login_failed", "user", username, client=client(request))
        raise HTTPException(401, "wrong username or password")
    web.login_limit.clear(keys[1])
    token, csrf = sessions.start(con, user, web.config.session_hours)
    audit.record(con, user, "login", "user", user.username, user.region_code,
                 client=client(request))
    return user, token, csrf


@router.post("/session", tags=["session"])
def open_session(request: Request, body: Credentials, con: DB) -> dict[str, Any]:
    """Log in; the token goes in an ``Authorization: Bearer`` header."""
    user, token, csrf = login(request, con, body.username, body.password)
    return {"token": token, "csrf_token": csrf, "user": describe(user)}


@router.delete("/session", tags=["session"])
def close_session(me: Me, con: DB, csrf: CsrfHeader = None) -> dict[str, str]:
    check_csrf(me, csrf)
    sessions.end(con, me.token)
    audit.record(con, me.user, "logout", "user", me.user.username, me.user.region_code)
    return {"status": "logged out"}


@router.get("/me", tags=["session"])
def who_am_i(me: Me) -> dict[str, Any]:
    return describe(me.user) | {"permissions": sorted(PERMISSIONS[me.user.role]),
                                "csrf_token": me.csrf}


# -- regions ----------------------------------------------------------------------------------


def region_for(me: Viewer, code: str) -> None:
    allowed(me, "dashboard")
    in_jurisdiction(me.user, code)


AsOf = Annotated[dt.date | None, Query(
    description="The day of the registry figures (YYYY-MM-DD), from its history; default: "
                "the last year's end.")]


@router.get("/regions/{code}", tags=["regions"])
def region_summary(code: RegionCode, me: Me, con: DB, as_of: AsOf = None) -> dict[str, Any]:
    """Headline figures of a region, and the regions directly below it (as of a day)."""
    region_for(me, code)
    return (figures.summary(con, code, as_of)
            | {"children": figures.children(con, code, as_of)})


@router.get("/regions/{code}/trend", tags=["regions"])
def region_trend(code: RegionCode, me: Me, con: DB) -> list[dict[str, Any]]:
    region_for(me, code)
    return figures.trend(con, code)


@router.get("/regions/{code}/map", tags=["regions"])
def region_map(code: RegionCode, me: Me, con: DB, as_of: AsOf = None) -> dict[str, Any]:
    """GeoJSON of the regions below, with their figures (as of a day)."""
    region_for(me, code)
    return figures.boundaries(con, code, figures.children(con, code, as_of))


@router.get("/regions/{code}/children.{kind}", tags=["regions"])
def region_export(code: RegionCode, kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
                  me: Me, con: DB, as_of: AsOf = None) -> Response:
    """The table of regions below as CSV or Excel."""
    region_for(me, code)
    table = figures.children(con, code, as_of)
    return export(table, f"regions-{code}", kind)


def export(table: list[dict[str, Any]], stem: str, kind: str) -> Response:
    columns = list(table[0]) if table else ["code"]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(table)
        data, media = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(columns)
        for row in table:
            sheet.append([row[c] for c in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'})


# -- households and search --------------------------------------------------------------------


def open_household(request: Request, me: Viewer, store: Store, household_id: int,
                   unmask: bool) -> dict[str, Any]:
    """The household file for ``me``; the reading is audited (which fields, never values)."""
    allowed(me, "households")
    village = households.village_of(store.con, household_id)
    in_jurisdiction(me.user, village)
    if unmask:
        allowed(me, "unmask")
    record = households.household_file(store, household_id, platform(request).card, unmask)
    fields = "all sensitive fields" if unmask else "masked file"
    audit.record(store.con, me.user, "unmask_household" if unmask else "read_household",
                 "household", str(household_id), village, fields, client(request))
    return record


@router.get("/households/{household_id}", tags=["households"])
def household(request: Request, household_id: HouseholdId, me: Me, store: Cursor
              ) -> dict[str, Any]:
    """The household file with sensitive values masked."""
    return open_household(request, me, store, household_id, unmask=False)


@router.post("/households/{household_id}/unmask", tags=["households"])
def household_unmasked(request: Request, household_id: HouseholdId, me: Me,
                       store: Cursor, csrf: CsrfHeader = None) -> dict[str, Any]:
    """The household file with every value shown; audited."""
    check_csrf(me, csrf)
    return open_household(request, me, store, household_id, unmask=True)


def find_people(request: Request, me: Viewer, con: Any, query: str) -> list[dict[str, Any]]:
    """Search within ``me``'s jurisdiction; audited by kind (an ID number searched for is
    not written to the log)."""
    allowed(me, "search")
    found = search.search(con, query, me.user.prefix)
    audit.record(con, me.user, "search", "people", None, me.user.region_code,
                 f"by {search.kind_of(query)}: {len(found)} found", client(request))
    return found


@router.get("/search", tags=["households"])
def find(request: Request, q: Annotated[str, Query(min_length=1, max_length=64)], me: Me,
         con: DB) -> list[dict[str, Any]]:
    return find_people(request, me, con, q)


# -- complaints, audit, users -----------------------------------------------------------------


@router.get("/complaints", tags=["complaints"])
def complaint_inbox(me: Me, con: DB) -> list[dict[str, Any]]:
    allowed(me, "complaints")
    return complaints.inbox(con, me.user)


@router.get("/complaints/{complaint_id}", tags=["complaints"])
def complaint(complaint_id: Annotated[int, Path(ge=1, le=2**63 - 1)], me: Me, con: DB
              ) -> dict[str, Any]:
    allowed(me, "complaints")
    return complaints.get(con, me.user, complaint_id)


@router.post("/complaints/{complaint_id}/answer", tags=["complaints"])
def answer_complaint(complaint_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: Answer,
                     me: Me, con: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    check_csrf(me, csrf)
    allowed(me, "complaints")
    done = complaints.answer(con, me.user, complaint_id, body.answer)
    audit.record(con, me.user, "answer_complaint", "complaint", str(complaint_id),
                 done["region_code"])
    return done


@router.get("/flags", tags=["verification"])
def flags(me: Me, con: DB) -> list[dict[str, Any]]:
    """Conflict flags on households of one's jurisdiction: the verification tasks."""
    allowed(me, "verify")
    return open_flags(Store.wrap(con), me.user.prefix)


@router.get("/flags/precision", tags=["verification"])
def flag_precision(me: Me, con: DB) -> list[dict[str, Any]]:
    """Per conflict rule, over one's jurisdiction: flags, verified, confirmed, and the
    precision the field outcomes give (confirmed among confirmed and false alarms)."""
    allowed(me, "verify")
    return [dict(zip(("rule", "flags", "verified", "confirmed", "precision"), row,
                     strict=True)) for row in report(Store.wrap(con), me.user.prefix)]


@router.post("/flags/{flag_id}/verify", tags=["verification"])
def verify_flag(flag_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: Verification,
                me: Me, con: DB, csrf: CsrfHeader = None) -> dict[str, str]:
    """Record the field verification of a flag of one's jurisdiction (audited)."""
    check_csrf(me, csrf)
    allowed(me, "verify")
    row = con.execute("SELECT h.village_code FROM conflict_flags c JOIN households h "
                      "USING (household_id) WHERE c.flag_id = ?", [flag_id]).fetchone()
    if row is None or not me.user.covers(str(row[0])):
        raise HTTPException(404, f"no flag {flag_id} in your jurisdiction")
    try:
        verify(Store.wrap(con), flag_id, body.outcome, me.user.username)
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None
    audit.record(con, me.user, "verify_flag", "flag", str(flag_id), str(row[0]),
                 body.outcome)
    return {"flag_id": str(flag_id), "outcome": body.outcome}


@router.get("/audit", tags=["audit"])
def audit_log(me: Me, con: DB, username: str | None = Query(None, max_length=64),
              action: str | None = Query(None, max_length=64),
              object_id: str | None = Query(None, max_length=64),
              since: dt.date | None = None) -> list[dict[str, Any]]:
    allowed(me, "audit")
    return audit.search(con, me.user, username, action, object_id, since)


@router.get("/users", tags=["users"])
def users(me: Me, con: DB) -> list[dict[str, Any]]:
    allowed(me, "users")
    return [describe(u) for u in list_users(con, me.user)]


@router.post("/users", tags=["users"], status_code=201)
def add_user(body: NewUser, me: Me, con: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    check_csrf(me, csrf)
    allowed(me, "users")
    in_jurisdiction(me.user, body.region_code)
    try:
        user = create_user(con, body.username, body.password, body.role, body.region_code,
                           body.display_name)
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    audit.record(con, me.user, "create_user", "user", user.username, user.region_code,
                 f"role {user.role}")
    return describe(user)


# -- public -----------------------------------------------------------------------------------


@router.get("/public/regions/{code}", tags=["public"])
def public_region(code: RegionCode, con: DB) -> dict[str, Any]:
    """Published figures of a region and the regions below; counts below 10 hidden."""
    return portal.public_region(con, code)


@router.get("/public/regions/{code}/map", tags=["public"])
def public_map(code: RegionCode, con: DB) -> dict[str, Any]:
    return figures.boundaries(con, code, portal.public_region(con, code)["children"])


@router.post("/announcements", tags=["announcements"], status_code=201)
def announce(body: NewAnnouncement, me: Me, con: DB, csrf: CsrfHeader = None
             ) -> dict[str, Any]:
    """Publish an announcement on the portal for a region of one's jurisdiction."""
    check_csrf(me, csrf)
    allowed(me, "announce")
    in_jurisdiction(me.user, body.region_code)
    figures.region(con, body.region_code)
    row = con.execute(
        "INSERT INTO announcements (region_code, title, body, published_at, published_by) "
        "VALUES (?, ?, ?, now(), ?) RETURNING announcement_id",
        [body.region_code, body.title.strip(), body.body.strip(), me.user.user_id]).fetchone()
    assert row is not None
    audit.record(con, me.user, "announce", "announcement", str(row[0]), body.region_code)
    return {"announcement_id": row[0]}


@router.get("/public/announcements", tags=["public"])
def announcements(con: DB, region: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                  ) -> list[dict[str, Any]]:
    """The latest announcements; with ``region``, those of that region, above and below."""
    return portal.announcements(con, region)


def file_complaint(request: Request, con: Any, body: NewComplaint) -> str:
    web = platform(request)
    key = f"complaint:{client(request)}"
    if web.complaint_limit.blocked(key):
        raise HTTPException(429, "too many complaints from here; try again later")
    try:
        code = complaints.file(con, body.region_code, body.category, body.subject, body.body,
                               body.contact)
    except complaints.ComplaintError as exc:
        raise HTTPException(400, str(exc)) from None
    web.complaint_limit.hit(key)
    audit.record(con, None, "file_complaint", "complaint", code, body.region_code,
                 client=client(request))
    return code


@router.post("/public/complaints", tags=["public"], status_code=201)
def public_complaint(request: Request, body: NewComplaint, con: DB) -> dict[str, str]:
    """File a complaint or report (anonymous unless a contact is given)."""
    return {"tracking_code": file_complaint(request, con, body)}


@router.get("/public/complaints/{tracking_code}", tags=["public"])
def public_track(tracking_code: Annotated[str, Path(max_length=32)], con: DB
                 ) -> dict[str, Any]:
    return complaints.track(con, tracking_code)
