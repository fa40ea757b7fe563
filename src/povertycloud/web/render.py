"""Pages rendered on the server (Jinja2), in Chinese or English, and the forms' tokens:
a form carries the session's CSRF token, or before logging in a double-submit token."""

from __future__ import annotations

import datetime as dt
import secrets
from importlib import resources
from types import SimpleNamespace
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

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
NOTHING = "—"  # what a number or a date shows when there is none


def number(value: Any, digits: int = 0) -> str:
    """A number with thousands separators: 12,025; 1,234.5 with ``digits`` 1."""
    if value is None or value == "":
        return NOTHING
    if not isinstance(value, int | float):
        return str(value)  # masked ("***") or already words
    return f"{value:,.{digits}f}" if digits or isinstance(value, float) else f"{value:,}"


def share(value: Any, digits: int = 1) -> str:
    """A share (0.123) or a risk (a probability) as a percentage: 12.3%."""
    return f"{value * 100:.{digits}f}%" if isinstance(value, int | float) else number(value)


def percent(value: Any, digits: int = 1) -> str:
    """A value already in percent (an incidence of 8.64) as 8.6%."""
    return f"{value:.{digits}f}%" if isinstance(value, int | float) else number(value)


def day(value: Any) -> str:
    """A date as 2020-12-31 (a time stamp as 2020-12-31 08:30)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else (value or NOTHING)


@pass_context
def yuan(context: Context, value: Any) -> str:
    """An amount of money in yuan: 12,025 元."""
    shown = number(value)
    return shown if shown == NOTHING else i18n.say("money", context["lang"], amount=shown)


@pass_context
def fen(context: Context, value: Any) -> str:
    """An amount in fen shown in yuan: 1,499.50 元."""
    if not isinstance(value, int):
        return number(value)
    return i18n.say("money", context["lang"], amount=f"{value / 100:,.2f}")


@pass_context
def label(context: Context, code: Any, kind: str | None = None, alone: bool = True) -> str:
    """A code's label in the page's language."""
    return i18n.label(code, context["lang"], kind, alone)


_env.filters.update(number=number, share=share, percent=percent, day=day, yuan=yuan,
                    fen=fen, label=label)
templates = Jinja2Templates(env=_env)
FORM_COOKIE = "pc_form"  # double-submit token for forms used before logging in


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get(i18n.COOKIE))


def _helpers(lang: str) -> dict[str, Any]:
    """What every page's template has, in the page's language."""
    return {
        "lang": lang, "t": lambda key: i18n.translate(key, lang),
        "line": lambda entry: i18n.line(entry, lang),
        "worded": lambda text, steps=None: i18n.worded(text, lang, steps),
        "say": lambda key, **values: i18n.say(key, lang, **values),
        "yesno": lambda value: i18n.translate({True: "yes", False: "no"}.get(value, value), lang)}


def render(request: Request, name: str, me: Viewer | None, status: int = 200,
           **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {
        "me": me.user if me else None, "csrf": me.csrf if me else "",
        **_helpers(lang_of(request)), **context}, status_code=status)


def page_text(name: str, lang: str, path: str, **context: Any) -> str:
    """A page as text outside a request, for a document the command line writes (nobody
    logged in; ``path`` the page's own, for its links)."""
    request = SimpleNamespace(url=SimpleNamespace(path=path))
    return _env.get_template(name).render(request=request, me=None, csrf="",
                                          **_helpers(i18n.pick(lang)), **context)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", None, status, code=status, message=message)


def words(lang: str) -> dict[str, Any]:
    """Helpers of the templates: a reason worded for the public in the page's language
    (the catalog's Chinese, else the back end's English words)."""
    public = {text: code for code, text in proposals.PUBLIC_REASONS.items()}

    def public_reason(english: str) -> str:
        entry = i18n.MESSAGES.get(f"reason.{public.get(english)}")
        return entry[0] if entry and lang == "zh" else english

    return {"public_reason": public_reason}


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
