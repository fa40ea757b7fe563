"""The public portal: a region's published figures (small counts suppressed) with its
map, and the announcements officers publish on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit
from ...disclosure import portal
from ...reports import figures
from ...store import Store
from ..deps import (
    DB,
    CsrfHeader,
    FormToken,
    Maybe,
    Me,
    RegionCode,
    Viewer,
    allowed,
    check_csrf,
    in_jurisdiction,
)
from ..render import render

api = APIRouter(prefix="/api")
pages = APIRouter(include_in_schema=False)


class NewAnnouncement(BaseModel):
    region_code: str = Field(pattern=r"^\d{12}$")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000)


def publish(me: Viewer, store: Store, body: NewAnnouncement, csrf: str | None
             ) -> dict[str, Any]:
    check_csrf(me, csrf)
    allowed(me, "announce")
    in_jurisdiction(me.user, body.region_code)
    announcement = portal.announce(store, me.user, body.region_code, body.title, body.body)
    audit.record(store, me.user, "announce", "announcement", str(announcement),
                 body.region_code)
    return {"announcement_id": announcement}


@api.get("/public/regions/{code}", tags=["public"])
def public_region(code: RegionCode, store: DB) -> dict[str, Any]:
    """Published figures of a region and the regions below; counts below 10 hidden."""
    return portal.public_region(store, code)


@api.get("/public/regions/{code}/map", tags=["public"])
def public_map(code: RegionCode, store: DB) -> dict[str, Any]:
    return figures.boundaries(store, code, portal.public_region(store, code)["children"])


@api.get("/public/announcements", tags=["public"])
def announcements(store: DB, region: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None
                  ) -> list[dict[str, Any]]:
    """The latest announcements; with ``region``, those of that region, above and below."""
    return portal.announcements(store, region)


@api.post("/announcements", tags=["announcements"], status_code=201)
def announce(body: NewAnnouncement, me: Me, store: DB, csrf: CsrfHeader = None
                 ) -> dict[str, Any]:
    """Publish an announcement on the portal for a region of one's jurisdiction."""
    return publish(me, store, body, csrf)


@pages.get("/portal")
def portal_home(store: DB) -> Response:
    return RedirectResponse(f"/portal/regions/{figures.province(store)}", 303)


@pages.get("/portal/regions/{code}")
def portal_page(request: Request, code: RegionCode, me: Maybe, store: DB) -> Response:
    published = portal.public_region(store, code)
    return render(request, "portal.html", me, region=published,
                  crumbs=figures.breadcrumbs(store, code, figures.province(store)),
                  announcements=portal.announcements(store, code))


@pages.post("/announcements")
def announce_form(me: Me, store: DB,
                  region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
                  title: Annotated[str, Form(min_length=1, max_length=200)],
                  body: Annotated[str, Form(min_length=1, max_length=4000)],
                  csrf_token: FormToken = "") -> Response:
    publish(me, store, NewAnnouncement(region_code=region_code, title=title, body=body),
             csrf_token)
    return RedirectResponse(f"/portal/regions/{region_code}", 303)
