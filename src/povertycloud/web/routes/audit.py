"""The audit log: who read or changed what, searched by auditors within their
jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ...access import audit
from ..deps import DB, Me, allowed
from ..render import render

api = APIRouter(prefix="/api", tags=["audit"])
pages = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]


@api.get("/audit")
def audit_log(me: Me, store: DB, username: Text = None, action: Text = None,
              object_id: Text = None, since: dt.date | None = None) -> list[dict[str, Any]]:
    allowed(me, "audit")
    return audit.search(store, me.user, username, action, object_id, since)


@pages.get("/audit")
def audit_page(request: Request, me: Me, store: DB, username: Text = None,
               action: Text = None, object_id: Text = None) -> Response:
    allowed(me, "audit")
    entries = audit.search(store, me.user, username or None, action or None, object_id or None)
    return render(request, "audit.html", me, entries=entries, username=username or "",
                  action=action or "", object_id=object_id or "")
