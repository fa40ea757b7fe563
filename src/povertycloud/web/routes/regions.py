"""Regions: the figures of a region and those below it (as of a day), their trend, map
and table (CSV or Excel); the dashboard page; and the statuses of villages and counties
with their exit criteria."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from ...dynamic.casefile import today
from ...dynamic.region_status import statuses_with_criteria
from ...reports import figures
from ..deps import DB, Me, RegionCode, Viewer, Year, allowed, in_jurisdiction
from ..render import render

api = APIRouter(prefix="/api", tags=["regions"])
pages = APIRouter(include_in_schema=False)
AsOf = Annotated[dt.date | None, Query(
    description="The day of the registry figures (YYYY-MM-DD), from its history; default: "
                "the last year's end.")]


def region_for(me: Viewer, code: str) -> None:
    allowed(me, "dashboard")
    in_jurisdiction(me.user, code)


# a region's code is digits ({code:digits}), so /api/regions/status is never taken for one


@api.get("/regions/{code:digits}")
def region_summary(code: RegionCode, me: Me, store: DB, as_of: AsOf = None) -> dict[str, Any]:
    """Headline figures of a region, and the regions directly below it (as of a day)."""
    region_for(me, code)
    return (figures.summary(store, code, as_of)
            | {"children": figures.children(store, code, as_of)})


@api.get("/regions/{code:digits}/trend")
def region_trend(code: RegionCode, me: Me, store: DB) -> list[dict[str, Any]]:
    region_for(me, code)
    return figures.trend(store, code)


@api.get("/regions/{code:digits}/map")
def region_map(code: RegionCode, me: Me, store: DB, as_of: AsOf = None) -> dict[str, Any]:
    """GeoJSON of the regions below, with their figures (as of a day)."""
    region_for(me, code)
    return figures.boundaries(store, code, figures.children(store, code, as_of))


@api.get("/regions/{code:digits}/children.{kind}")
def region_export(code: RegionCode, kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
                  me: Me, store: DB, as_of: AsOf = None) -> Response:
    """The table of regions below as CSV or Excel."""
    region_for(me, code)
    return export(figures.children(store, code, as_of), f"regions-{code}", kind)


def export(table: list[dict[str, Any]], stem: str, kind: str) -> Response:
    columns = list(table[0]) if table else ["code"]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(table)
        data, media = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook  # loads with the first workbook asked for

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


def region_statuses(me: Viewer, store: DB, year: int | None) -> dict[str, Any]:
    """Villages' and counties' statuses today under ``me``'s jurisdiction, each with its
    exit criteria (estimated from the identification of ``year``, default the latest)."""
    allowed(me, "dashboard")
    return statuses_with_criteria(store, today(), me.user.prefix, year)


@api.get("/regions/status")
def api_region_statuses(me: Me, store: DB, year: Year = None) -> dict[str, Any]:
    """Statuses of the villages and counties of your jurisdiction today, with their exit
    criteria (estimates from the identification of ``year``, default the latest)."""
    return region_statuses(me, store, year)


@pages.get("/dashboard/{code}")
def dashboard(request: Request, code: RegionCode, me: Me, store: DB,
              as_of: AsOf = None) -> Response:
    region_for(me, code)
    return render(request, "dashboard.html", me, region=figures.summary(store, code, as_of),
                  chosen_day=as_of, crumbs=figures.breadcrumbs(store, code, me.user.region_code),
                  children=figures.children(store, code, as_of),
                  trend=figures.trend(store, code))


@pages.get("/regions/status")
def region_status_page(request: Request, me: Me, store: DB, year: Year = None) -> Response:
    return render(request, "region_status.html", me,
                  found=region_statuses(me, store, year))
