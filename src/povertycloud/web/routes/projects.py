"""Projects and allocations on the web: the projects of one's jurisdiction on a map by
status, each project's page with its milestones and the photos of its progress reports
(a doubtful one flagged with the reason), and a kept allocation's three methods side by
side."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from ...assistance.allocation import saved
from ...assistance.photos import photo_content
from ...assistance.projects import project_file, projects_in, report_photo
from ...assistance.projects import project_of as project_row
from ...reports import figures
from ...store import Store
from ..deps import DB, Id, Me, Viewer, allowed, in_jurisdiction
from ..render import render
from .funds import names

api = APIRouter(prefix="/api", tags=["projects"])
pages = APIRouter(include_in_schema=False)
READ = "dashboard"  # officers, auditors and assessors see projects and allocations
YearQuery = Annotated[int | None, Query(ge=1949, le=2100, description="A year's plan.")]
Status = Annotated[str | None, Query(pattern=r"^[a-z_]{1,20}$",
                                     description="Only projects in this status.")]


def projects_of(me: Viewer, store: Store, year: int | None, status: str | None
                ) -> list[dict[str, Any]]:
    allowed(me, READ)
    return projects_in(store, me.user.prefix, year, status)


def project_of(me: Viewer, store: Store, project_id: int) -> dict[str, Any]:
    allowed(me, READ)
    found = project_file(store, project_id)
    if found is None or not me.user.covers(found["village_code"] or found["county_code"]):
        raise HTTPException(404, f"no project {project_id} in your jurisdiction")
    return found


@api.get("/projects")
def api_projects(me: Me, store: DB, year: YearQuery = None, status: Status = None
                 ) -> list[dict[str, Any]]:
    """The projects of one's jurisdiction (a year's plan; a status), with their progress,
    flagged photos, milestones, beneficiaries and the money booked to them."""
    return projects_of(me, store, year, status)


@api.get("/projects.geojson")
def api_projects_map(me: Me, store: DB, year: YearQuery = None) -> dict[str, Any]:
    """The projects as GeoJSON points with their status, for a map."""
    rows = projects_of(me, store, year, None)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": p["project_id"],
         "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
         "properties": {k: str(v) if isinstance(v, dt.date) else v for k, v in p.items()
                        if k not in ("lat", "lon")}} for p in rows]}


@api.get("/projects/{project_id}")
def api_project(project_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A project: its milestones, progress reports (each photo's EXIF time, place, and
    flag), beneficiaries and the money booked to it."""
    return project_of(me, store, project_id)


@pages.get("/projects/{project_id}/reports/{report_id}/photo")
def report_photo_page(project_id: Id, report_id: Id, me: Me, store: DB) -> Response:
    allowed(me, READ)
    found = project_row(store, project_id)  # only where it is: not the whole file
    if found is None or not me.user.covers(found["village_code"] or found["county_code"]):
        raise HTTPException(404, f"no project {project_id} in your jurisdiction")
    sha = report_photo(store, project_id, report_id)
    content = photo_content(store, sha) if sha else None
    if content is None:
        raise HTTPException(404, f"report {report_id} of project {project_id} has no photo")
    return Response(content[0], media_type=content[1],
                    headers={"Cache-Control": "private, max-age=86400"})


@pages.get("/projects")
def projects_page(request: Request, me: Me, store: DB, year: YearQuery = None,
                  status: Status = None) -> Response:
    return render(request, "projects.html", me, projects=projects_of(me, store, year, status),
                  year=year, chosen=status, region=figures.region(store, me.user.region_code))


@pages.get("/projects/{project_id}")
def project_page(request: Request, project_id: Id, me: Me, store: DB) -> Response:
    return render(request, "project.html", me, project=project_of(me, store, project_id),
                  names=names())


def allocation_of(me: Viewer, store: Store, allocation_id: int) -> dict[str, Any]:
    allowed(me, READ)
    found = saved(store, allocation_id)
    if found is None:
        raise HTTPException(404, f"no allocation {allocation_id}")
    in_jurisdiction(me.user, found["county_code"])
    return found


@api.get("/allocations/{allocation_id}")
def api_allocation(allocation_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A kept allocation of a county's budget: its terms, the solver's figures (status,
    LP bound, gap) and each method's outcome (spent, people out, per million yuan, the
    poverty gap left)."""
    return allocation_of(me, store, allocation_id)


@pages.get("/allocations/{allocation_id}")
def allocation_page(request: Request, allocation_id: Id, me: Me, store: DB) -> Response:
    return render(request, "allocation.html", me,
                  allocation=allocation_of(me, store, allocation_id), names=names())
