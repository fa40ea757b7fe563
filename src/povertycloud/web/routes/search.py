"""Search: people of one's jurisdiction by name, pinyin, ID number or household
(audited by kind; an ID number searched for is not written to the log)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ...access import audit
from ...registry import search
from ...store import Store
from ..deps import DB, Me, Viewer, allowed, client
from ..render import render

api = APIRouter(prefix="/api", tags=["households"])
pages = APIRouter(include_in_schema=False)


def find_people(request: Request, me: Viewer, store: Store, query: str
                ) -> list[dict[str, Any]]:
    """Search within ``me``'s jurisdiction; audited by kind."""
    allowed(me, "search")
    found = search.search(store, query, me.user.prefix)
    audit.record(store, me.user, "search", "people", None, me.user.region_code,
                 f"by {search.kind_of(query)}: {len(found)} found", client(request))
    return found


@api.get("/search")
def find(request: Request, q: Annotated[str, Query(min_length=1, max_length=64)], me: Me,
         store: DB) -> list[dict[str, Any]]:
    return find_people(request, me, store, q)


@pages.get("/search")
def search_page(request: Request, me: Me, store: DB,
                q: Annotated[str, Query(max_length=64)] = "") -> Response:
    allowed(me, "search")
    found = find_people(request, me, store, q) if q.strip() else []
    return render(request, "search.html", me, q=q, results=found)
