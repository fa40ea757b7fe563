"""Lists read a page at a time: the ``page`` and ``per_page`` parameters, and an API
answer that keeps its shape (a list) and says the rest in headers: ``X-Total-Count``,
and ``Link`` to the next and previous pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from ..paging import MAX_PER_PAGE, Page


def page_of(page: Annotated[int, Query(ge=1, le=10**6, description="From 1.")] = 1,
            per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50) -> Page:
    return Page(page, per_page)


Paged = Annotated[Page, Depends(page_of)]


def rows(request: Request, response: Response, listed: dict[str, Any]
         ) -> list[dict[str, Any]]:
    """The rows of a page, its total and links in ``response``'s headers."""
    response.headers["X-Total-Count"] = str(listed["total"])
    links = [f'<{request.url.include_query_params(page=n)}>; rel="{rel}"'
             for n, rel in ((listed["page"] + 1, "next"), (listed["page"] - 1, "prev"))
             if 1 <= n <= listed["pages"]]
    if links:
        response.headers["Link"] = ", ".join(links)
    rows_: list[dict[str, Any]] = listed["rows"]
    return rows_
