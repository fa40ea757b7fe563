"""Monitoring: the relapse early warning's lists of the villages of one's jurisdiction
(health reasons only for who may unmask, audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...dynamic.monitoring import monitoring_page
from ...paging import Page
from ...store import Store
from ..deps import DB, Me, Viewer, Year, allowed
from ..paged import Paged, rows
from ..render import render

api = APIRouter(prefix="/api", tags=["monitoring"])
pages = APIRouter(include_in_schema=False)


@api.get("/monitoring")
def api_monitoring(request: Request, response: Response, me: Me, store: DB, page: Paged,
                   year: Year = None) -> list[dict[str, Any]]:
    """The relapse early warning's monitoring lists of your villages (origin ``year``,
    default the latest scored), by village and rank, a page at a time (how many in all
    in ``X-Total-Count``, the next and previous pages in ``Link``)."""
    return rows(request, response, _lists(me, store, year, page))


@pages.get("/monitoring")
def monitoring_list_page(request: Request, me: Me, store: DB, page: Paged,
                         year: Year = None) -> Response:
    return render(request, "monitoring.html", me, found=_lists(me, store, year, page))


def _lists(me: Viewer, store: Store, year: int | None, page: Page) -> dict[str, Any]:
    """A page of the lists of the viewer's jurisdiction."""
    user = allowed(me, "monitoring")
    return monitoring_page(store, user.region_code, user.prefix, user, year, page)
