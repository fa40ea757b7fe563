"""Help plans on the web: an officer moves a plan item on (under way, delivered, verified,
or cancelled with a note) from the household file, against the version they saw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...assistance.plans import PlanError, change
from ...errors import NotFound
from ..deps import DB, CsrfHeader, FormToken, Id, Me, Viewer, allowed, check_csrf

api = APIRouter(prefix="/api", tags=["plans"])
pages = APIRouter(include_in_schema=False)


class Step(BaseModel):
    state: str = Field(pattern="^(under_way|delivered|verified|cancelled)$")
    version: int = Field(ge=1)
    note: str | None = Field(None, max_length=2000)


def move(me: Viewer, store: DB, item_id: int, body: Step) -> dict[str, Any]:
    """The item moved on by ``me``; refused (409) with the reason, a stale version too."""
    allowed(me, "plans")
    try:
        return change(store, item_id, me.user, body.version, state=body.state,
                      note=body.note or None)
    except NotFound:
        raise
    except PlanError as exc:
        raise HTTPException(409, str(exc)) from None


@api.post("/plans/items/{item_id}")
def api_move(item_id: Id, body: Step, me: Me, store: DB, csrf: CsrfHeader = None
             ) -> dict[str, Any]:
    """Move a plan item of one's jurisdiction on (a field officer: of a household they
    help), from the version one saw: under_way, delivered, verified (by another officer
    than who marked it delivered) or cancelled (with a note); kept and audited."""
    check_csrf(me, csrf)
    return move(me, store, item_id, body)


@pages.post("/plans/items/{item_id}")
def move_form(item_id: Id, me: Me, store: DB,
              state: Annotated[str, Form(max_length=32)],
              version: Annotated[int, Form(ge=1)],
              note: Annotated[str, Form(max_length=2000)] = "",
              csrf_token: FormToken = "") -> Response:
    step = Step(state=state, version=version, note=note or None)  # a wrong state is a 422
    check_csrf(me, csrf_token)
    done = move(me, store, item_id, step)
    return RedirectResponse(f"/households/{done['household_id']}#plan-items", 303)
