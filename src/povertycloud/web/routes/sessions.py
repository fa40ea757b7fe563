"""Sessions: logging in and out (a bearer token for the API, a cookie for the pages),
who one is, the home page and the language of the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit, sessions
from ...access.accounts import PERMISSIONS, User, authenticate
from ...store import Store
from .. import i18n
from ..deps import (
    DB,
    CsrfHeader,
    FormToken,
    Maybe,
    Me,
    Viewer,
    check_csrf,
    client,
    platform,
)
from ..limits import too_many
from ..render import check_form_token, form_token, render, safe_next, with_form_cookie
from .users import describe

api = APIRouter(prefix="/api", tags=["session"])
pages = APIRouter(include_in_schema=False)


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def login(request: Request, store: Store, username: str, password: str
          ) -> tuple[User, str, str]:
    """Check the credentials; returns the user, token and CSRF. Failures back off per
    username and address together (a stranger elsewhere locks no one out) and, far more
    loosely, per address."""
    web, address = platform(request), client(request)
    pair = f"{address} {username}"
    wait = max(web.login_limit.wait(store, pair), web.client_login_limit.wait(store, address))
    if wait:
        audit.login_event(store, "login_throttled", username, address)
        raise too_many(wait, "too many failed logins; try again later")
    user = authenticate(store, username, password)
    if user is None:
        web.login_limit.hit(store, pair)
        web.client_login_limit.hit(store, address)
        audit.login_event(store, "login_failed", username, address)
        raise HTTPException(401, "wrong username or password")
    web.login_limit.clear(store, pair)
    token, csrf = sessions.start(store, user, web.config.session_hours)
    audit.record(store, user, "login", "user", user.username, user.region_code,
                 client=address)
    return user, token, csrf


def logout(store: Store, me: Viewer) -> None:
    sessions.end(store, me.token)
    audit.record(store, me.user, "logout", "user", me.user.username, me.user.region_code)


@api.post("/session")
def open_session(request: Request, body: Credentials, store: DB) -> dict[str, Any]:
    """Log in; the token goes in an ``Authorization: Bearer`` header."""
    user, token, csrf = login(request, store, body.username, body.password)
    return {"token": token, "csrf_token": csrf, "user": describe(user)}


@api.delete("/session")
def close_session(me: Me, store: DB, csrf: CsrfHeader = None) -> dict[str, str]:
    check_csrf(me, csrf)
    logout(store, me)
    return {"status": "logged out"}


@api.get("/me")
def who_am_i(me: Me) -> dict[str, Any]:
    return describe(me.user) | {"permissions": sorted(PERMISSIONS[me.user.role]),
                                "csrf_token": me.csrf}


@pages.get("/")
def home(me: Maybe) -> Response:
    """The dashboard of one's region; for a department account, which has none, the
    API's documentation (it delivers through the API)."""
    target = f"/dashboard/{me.user.region_code}" if me else "/portal"
    if me and not me.user.may("dashboard"):
        target = "/docs"
    return RedirectResponse(target, 303)


@pages.get("/lang/{lang}")
def set_language(lang: Annotated[str, Path(pattern="^(zh|en)$")],
                 next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(i18n.COOKIE, lang, samesite="lax", max_age=365 * 86400)
    return response


@pages.get("/login")
def login_form(request: Request,
               next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    token = form_token(request)
    return with_form_cookie(render(request, "login.html", None, next=safe_next(next),
                                   form_token=token), token, request)


@pages.post("/login")
def login_page(request: Request, store: DB, username: Annotated[str, Form(max_length=64)],
               password: Annotated[str, Form(max_length=256)],
               next: Annotated[str, Form(max_length=500)] = "/",
               form_token: FormToken = "") -> Response:
    check_form_token(request, form_token)
    try:
        _, token, _ = login(request, store, username, password)
    except HTTPException as exc:
        message = "too_many" if exc.status_code == 429 else "bad_login"
        page = render(request, "login.html", None, exc.status_code, next=safe_next(next),
                      form_token=form_token, error=message)
        page.headers.update(exc.headers or {})  # Retry-After of a 429
        return with_form_cookie(page, form_token, request)
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="lax",
                        secure=platform(request).config.secure_cookies)
    return response


@pages.post("/logout")
def logout_page(me: Me, store: DB, csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    logout(store, me)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(sessions.COOKIE)
    return response
