"""Pages rendered on the server (Jinja2), in Chinese or English, and the forms' tokens:
a form carries the session's CSRF token, or before logging in a double-submit token."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..access import sessions
from ..dynamic import proposals
from ..standard.text import without_bidi
from . import i18n
from .deps import Viewer


def _shown(value: Any) -> Any:
    """What a page shows of a value: text without bidirectional controls."""
    return without_bidi(value) if isinstance(value, str) else value


_env = Environment(loader=FileSystemLoader(str(resources.files(__package__).joinpath(
    "templates"))), autoescape=select_autoescape(["html"]), finalize=_shown)
_env.policies["json.dumps_kwargs"] = {"default": str, "ensure_ascii": False}
templates = Jinja2Templates(env=_env)
FORM_COOKIE = "pc_form"  # double-submit token for forms used before logging in


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get(i18n.COOKIE))


def render(request: Request, name: str, me: Viewer | None, status: int = 200,
           **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    return templates.TemplateResponse(request, name, {
        "me": me.user if me else None, "csrf": me.csrf if me else "", "lang": lang,
        "t": lambda key: i18n.translate(key, lang),
        "yesno": lambda value: i18n.translate({True: "yes", False: "no"}.get(value, value), lang),
        **context}, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", None, status, code=status, message=message)


def words(lang: str) -> dict[str, Any]:
    """Helpers of the templates: reason codes in the page's language (the catalog's
    Chinese, else the back end's English words)."""
    public = {text: code for code, text in proposals.PUBLIC_REASONS.items()}

    def said(key: str, english: str) -> str:
        entry = i18n.MESSAGES.get(key)
        return entry[0] if entry and lang == "zh" else english

    return {"reason": lambda code, text: said(f"reason.{code}", text),
            "public_reason": lambda text: said(f"reason.{public.get(text)}", text),
            "risk_reason": lambda code, text: said(f"risk.{code}", text)}


def safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)


def with_form_cookie(response: HTMLResponse, token: str, request: Request) -> HTMLResponse:
    secure = request.app.state.platform.config.secure_cookies
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure)
    return response


def check_form_token(request: Request, given: str) -> None:
    if not sessions.same(given, request.cookies.get(FORM_COOKIE, "")):
        raise HTTPException(403, "missing or wrong form token; reload the form")
