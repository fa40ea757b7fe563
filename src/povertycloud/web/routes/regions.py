"""Regions: the figures of a region and those below it (as of a day), their trend, map
and table (CSV or Excel); the dashboard page; and the statuses of villages and counties
with their exit criteria."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from ...access import audit
from ...assessment import targets
from ...dynamic import forecast
from ...dynamic.casefile import today
from ...dynamic.region_status import statuses_with_criteria
from ...intake.exports import SHEET, workbook
from ...paging import Page
from ...registry import listing
from ...reports import figures
from ...store import Store
from ..deps import DB, Me, RegionCode, Viewer, Year, allowed, client, in_jurisdiction
from ..paged import Paged
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
    return figures.boundaries(store, code, _with_forecast(store, code, figures.children(
        store, code, as_of)))


def _with_forecast(store: Store, code: str, rows: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """The regions' figures with next year's expected falls beside them."""
    ahead = forecast.below(store, code)
    return [row | ahead.get(row["code"], {}) for row in rows]


@api.get("/regions/{code:digits}/forecast")
def region_forecast(code: RegionCode, me: Me, store: DB) -> list[dict[str, Any]]:
    """Where poverty will be next year: for each region directly below, the households
    expected to fall below the line next year (the sum of the early warning's scores of
    the latest year scored) with a 95% interval, beside those below it now."""
    region_for(me, code)
    rows: list[dict[str, Any]] = forecast.of_children(store, code).to_pylist()
    return rows


@api.get("/regions/{code:digits}/children.{kind}")
def region_export(code: RegionCode, kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
                  me: Me, store: DB, as_of: AsOf = None) -> Response:
    """The table of regions below as CSV or Excel."""
    region_for(me, code)
    return export(figures.children(store, code, as_of), f"regions-{code}", kind)


def export(table: list[dict[str, Any]], stem: str, kind: str,
           columns: list[str] | None = None) -> Response:
    """``table`` as a CSV or Excel file named ``stem`` (``columns``: default, the first
    row's)."""
    columns = columns or (list(table[0]) if table else ["code"])
    if kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(table)
        data, media = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        data = workbook({SHEET: table}, {SHEET: columns})
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'})


Code = Annotated[str, Query(pattern=r"^[a-z_]{0,40}$")]  # empty: any (a form's choice)
YesNo = Annotated[str, Query(pattern="^(true|false|)$")]


def household_query(status: Code = "", band: Code = "", cause: Code = "",
                    monitored: YesNo = "", flagged: YesNo = "",
                    sort: Code = "household_id",
                    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc"
                    ) -> listing.Query:
    """Which households of the region, in which order (each filter: any when empty)."""
    def yes(value: str) -> bool | None:
        return value == "true" if value else None

    return listing.Query(status or None, band or None, cause or None, yes(monitored),
                         yes(flagged), sort or "household_id", order == "desc")


Households = Annotated[listing.Query, Depends(household_query)]


def list_households(request: Request, me: Viewer, store: Store, code: str,
                    query: listing.Query, page: Page | None) -> dict[str, Any]:
    """The households of region ``code`` as ``me`` may see them; audited (the filters
    and the count, never a value)."""
    allowed(me, "households")
    in_jurisdiction(me.user, code)
    figures.region(store, code)  # a region that exists
    try:
        found = listing.households_of(store, code, me.user, query, page)
    except listing.Hidden as exc:
        raise HTTPException(403, str(exc)) from None
    asked = ", ".join(f"{k}={v}" for k, v in query.filters().items()) or "all"
    shown = "masked" if found["masked"] else "unmasked"
    audit.record(store, me.user, "export_households" if page is None else "list_households",
                 "region", code, code, f"{asked}: {len(found['rows'])} of {found['total']}, "
                 f"{shown}", client(request))
    return found


@api.get("/regions/{code:digits}/households")
def region_households(request: Request, code: RegionCode, me: Me, store: DB,
                      query: Households, page: Paged) -> dict[str, Any]:
    """The households of a region (any level of your jurisdiction), filtered, sorted
    and paged, with the total; what your role may not see shows masked (``masked``)
    and may not be filtered or sorted on."""
    return list_households(request, me, store, code, query, page)


@api.get("/regions/{code:digits}/households.{kind}")
def region_households_export(request: Request, code: RegionCode,
                             kind: Annotated[str, Path(pattern="^(csv|xlsx)$")], me: Me,
                             store: DB, query: Households) -> Response:
    """The filtered list of a region's households (every page) as CSV or Excel, masked
    as on the page."""
    found = list_households(request, me, store, code, query, None)
    return export(found["rows"], f"households-{code}", kind, found["columns"])


@pages.get("/regions/{code:digits}/households")
def region_households_page(request: Request, code: RegionCode, me: Me, store: DB,
                           query: Households, page: Paged) -> Response:
    found = list_households(request, me, store, code, query, page)
    return render(request, "households.html", me, region=figures.region(store, code),
                  found=found, query=query, options=listing.options(store, code, me.user),
                  crumbs=figures.breadcrumbs(store, code, me.user.region_code))


def region_statuses(me: Viewer, store: DB, year: int | None, page: Page) -> dict[str, Any]:
    """Villages' and counties' statuses today under ``me``'s jurisdiction, each with its
    exit criteria (estimated from the identification of ``year``, default the latest),
    a page at a time."""
    allowed(me, "dashboard")
    return statuses_with_criteria(store, today(), me.user.prefix, year, page)


@api.get("/regions/status")
def api_region_statuses(me: Me, store: DB, page: Paged, year: Year = None) -> dict[str, Any]:
    """Statuses of the villages and counties of your jurisdiction today, with their exit
    criteria (estimates from the identification of ``year``, default the latest), a page
    at a time (``total`` and ``pages`` say how many)."""
    return region_statuses(me, store, year, page)


@api.get("/regions/{code:digits}/plan")
def region_plan(code: RegionCode, me: Me, store: DB, year: Year = None,
                as_of: AsOf = None) -> dict[str, Any]:
    """The region's plan for ``year`` (default: the latest of the day's year or before)
    beside what was done by ``as_of`` (default today): households lifted, villages exited,
    money spent, households reached by each kind of measure."""
    region_for(me, code)
    day = as_of or today()
    found = (targets.progress(store, code, year, day) if year
             else targets.latest_progress(store, code, day))
    if found is None:
        raise HTTPException(404, f"region {code} has no plan"
                                 + (f" for {year}" if year else ""))
    return found


@pages.get("/dashboard/{code}")
def dashboard(request: Request, code: RegionCode, me: Me, store: DB,
              as_of: AsOf = None) -> Response:
    region_for(me, code)
    return render(request, "dashboard.html", me, region=figures.summary(store, code, as_of),
                  chosen_day=as_of, crumbs=figures.breadcrumbs(store, code, me.user.region_code),
                  children=figures.children(store, code, as_of),
                  trend=figures.trend(store, code),
                  plan=targets.latest_progress(store, code, as_of or today()))


@pages.get("/regions/status")
def region_status_page(request: Request, me: Me, store: DB, page: Paged,
                       year: Year = None) -> Response:
    return render(request, "region_status.html", me,
                  found=region_statuses(me, store, year, page))
