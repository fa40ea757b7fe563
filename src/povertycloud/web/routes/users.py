"""Users: the accounts of one's jurisdiction, and adding one (audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit
from ...access.accounts import ROLES, AccountError, User, create_user, list_users
from ...feeds.sources import load_sources
from ..deps import DB, CsrfHeader, FormToken, Me, allowed, check_csrf, in_jurisdiction
from ..render import render

api = APIRouter(prefix="/api", tags=["users"])
pages = APIRouter(include_in_schema=False)


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=256)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")
    region_code: str = Field(pattern=r"^\d{12}$")
    display_name: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=64,
                               description="The source a department account delivers.")


def describe(user: User) -> dict[str, Any]:
    return {"user_id": user.user_id, "username": user.username,
            "display_name": user.display_name, "role": user.role,
            "region_code": user.region_code, "level": user.level, "source": user.source}


@api.get("/users")
def users(me: Me, store: DB) -> list[dict[str, Any]]:
    allowed(me, "users")
    return [describe(u) for u in list_users(store, me.user)]


@api.post("/users", status_code=201)
def add_user(body: NewUser, me: Me, store: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    check_csrf(me, csrf)
    allowed(me, "users")
    in_jurisdiction(me.user, body.region_code)
    try:
        user = create_user(store, body.username, body.password, body.role, body.region_code,
                           body.display_name, body.source, list(load_sources()))
    except AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    audit.record(store, me.user, "create_user", "user", user.username, user.region_code,
                 f"role {user.role}")
    return describe(user)


@pages.get("/users")
def users_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, "users")
    return render(request, "users.html", me, users=list_users(store, me.user), roles=ROLES,
                  sources=list(load_sources()))


@pages.post("/users")
def add_user_form(request: Request, me: Me, store: DB,
                  username: Annotated[str, Form(max_length=64)],
                  password: Annotated[str, Form(max_length=256)],
                  role: Annotated[str, Form(max_length=32)],
                  region_code: Annotated[str, Form(pattern=r"^\d{12}$")],
                  source: Annotated[str, Form(max_length=64)] = "",
                  csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    allowed(me, "users")
    in_jurisdiction(me.user, region_code)
    sources = list(load_sources())
    try:
        created = create_user(store, username, password, role, region_code,
                              source=source or None, sources=sources)
    except AccountError as exc:
        return render(request, "users.html", me, 400, users=list_users(store, me.user),
                      roles=ROLES, sources=sources, error=str(exc))
    audit.record(store, me.user, "create_user", "user", created.username, created.region_code,
                 f"role {created.role}")
    return RedirectResponse("/users", 303)
