"""Search: people of one's jurisdiction by name, pinyin, ID number or household
(audited by kind; an ID number searched for is not written to the log)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ...access import audit
from ...paging import Page
from ...registry import search
from ...store import Store
from ..deps import DB, Me, Viewer, allowed, client
from ..paged import Paged, rows
from ..render import render

api = APIRouter(prefix="/api", tags=["households"])
pages = APIRouter(include_in_schema=False)


def find_people(request: Request, me: Viewer, store: Store, query: str, page: Page
                ) -> dict[str, Any]:
    """A page of a search within ``me``'s jurisdiction, with the total; audited by
    kind."""
    allowed(me, "search")
    found = search.search(store, query, me.user.prefix, page)
    audit.record(store, me.user, "search", "people", None, me.user.region_code,
                 f"by {search.kind_of(query)}: {found['total']} found", client(request))
    return found


@api.get("/search")
def find(request: Request, response: Response,
         q: Annotated[str, Query(min_length=1, max_length=64)], me: Me, store: DB,
         page: Paged) -> list[dict[str, Any]]:
    """People matching ``q``, a page at a time: how many in all in ``X-Total-Count``,
    the next and previous pages in ``Link``."""
    return rows(request, response, find_people(request, me, store, q, page))


@pages.get("/search")
def search_page(request: Request, me: Me, store: DB, page: Paged,
                q: Annotated[str, Query(max_length=64)] = "") -> Response:
    allowed(me, "search")
    found = find_people(request, me, store, q, page) if q.strip() else page.of([], 0)
    return render(request, "search.html", me, q=q, found=found)
