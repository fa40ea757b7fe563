"""Monitoring: the relapse early warning's lists of the villages of one's jurisdiction
(health reasons only for who may unmask, audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...dynamic.monitoring import monitoring_for
from ...store import Store
from ..deps import DB, Me, Viewer, Year, allowed
from ..render import lang_of, render, words

api = APIRouter(prefix="/api", tags=["monitoring"])
pages = APIRouter(include_in_schema=False)


@api.get("/monitoring")
def api_monitoring(me: Me, store: DB, year: Year = None) -> list[dict[str, Any]]:
    """The relapse early warning's monitoring lists of your villages (origin ``year``,
    default the latest scored), by village and rank."""
    return _lists(me, store, year)


@pages.get("/monitoring")
def monitoring_page(request: Request, me: Me, store: DB, year: Year = None) -> Response:
    return render(request, "monitoring.html", me, rows=_lists(me, store, year),
                  **words(lang_of(request)))


def _lists(me: Viewer, store: Store, year: int | None) -> list[dict[str, Any]]:
    """The lists of the viewer's jurisdiction."""
    user = allowed(me, "monitoring")
    return monitoring_for(store, user.region_code, user.prefix, user, year)
