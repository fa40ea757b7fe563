"""Officers on the web: a cadre's work list on a phone (their households, the last visit,
open plan items) with the visit logged on the spot (the phone's GPS, the server's time),
and the KPI board of a jurisdiction (per cadre and per work team, those behind schedule
first, with the reason; Excel or CSV)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...assistance.kpis import officer_kpis, team_kpis
from ...assistance.officer_rules import load_officer_rules
from ...assistance.officers import households_of
from ...assistance.plans import stamp
from ...assistance.visits import log_visit
from ...errors import ValidationFailed
from ..deps import DB, CsrfHeader, FormToken, Me, Viewer, allowed, check_csrf
from ..render import render
from .regions import export

api = APIRouter(prefix="/api", tags=["officers"])
pages = APIRouter(include_in_schema=False)
WORK, BOARD = "plans", "dashboard"  # who logs visits; who reads the board
rules = cache(load_officer_rules)
On = Annotated[dt.date | None, Query(description="The day (YYYY-MM-DD); default today.")]
COLUMNS = ("username", "village_code", "village_name", "households", "visits_on_schedule",
           "plans_on_time", "complaints_in_time", "visits_flagged", "items_delivered", "behind")


class Visit(BaseModel):
    household_id: int = Field(ge=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    done: str = Field(min_length=1, max_length=2000)
    next_step: str | None = Field(None, max_length=2000)


def work_list(me: Viewer, store: DB, on: dt.date | None = None) -> list[dict[str, Any]]:
    allowed(me, WORK)
    return households_of(store, me.user.username, on or dt.date.today())


def visit(me: Viewer, store: DB, body: Visit) -> dict[str, Any]:
    """Log ``me``'s visit now; a refusal is a 422 naming the field and the reason."""
    allowed(me, WORK)
    try:
        done = log_visit(store, rules(), me.user, body.household_id, stamp(), body.lat, body.lon,
                         body.done, body.next_step or None, "phone")
    except ValidationFailed as exc:
        raise HTTPException(422, "; ".join(f"{i.field}: {i.reason}" for i in exc.issues)
                            ) from None
    return {"visit_id": done.first_id, "far_away": bool(done.far_away),
            "too_fast": bool(done.too_fast)}


@api.get("/officers/me/households")
def api_work_list(me: Me, store: DB, on: On = None) -> list[dict[str, Any]]:
    """The households one helps on a day, the last visit of each and its open and
    overdue plan items, the longest unvisited first."""
    return work_list(me, store, on)


@api.post("/officers/me/visits")
def api_visit(body: Visit, me: Me, store: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    """Log a visit to a household one helps, now, where the phone is: refused (422) for
    a household not one's own, without a position; flagged when far from the village or
    too fast after one's visit before."""
    check_csrf(me, csrf)
    return visit(me, store, body)


@pages.get("/officers/me")
def work_list_page(request: Request, me: Me, store: DB, logged: int | None = None,
                   flag: str | None = None) -> Response:
    return render(request, "officer_work.html", me, households=work_list(me, store),
                  logged=logged, flag=flag, refused=None)


@pages.post("/officers/me/visits")
def visit_form(request: Request, me: Me, store: DB,
               household_id: Annotated[int, Form(ge=1)],
               done: Annotated[str, Form(max_length=2000)],
               lat: Annotated[str, Form(max_length=32)] = "",
               lon: Annotated[str, Form(max_length=32)] = "",
               next_step: Annotated[str, Form(max_length=2000)] = "",
               csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    try:
        body = Visit(household_id=household_id, lat=float(lat), lon=float(lon), done=done,
                     next_step=next_step or None)
        found = visit(me, store, body)
    except (ValueError, HTTPException) as exc:
        reason = exc.detail if isinstance(exc, HTTPException) else "no position from the phone"
        return render(request, "officer_work.html", me, households=work_list(me, store),
                      logged=None, flag=None, refused=str(reason), status=422)
    flag = "far_away" if found["far_away"] else "too_fast" if found["too_fast"] else ""
    return RedirectResponse(f"/officers/me?logged={found['visit_id']}&flag={flag}", 303)


def board(me: Viewer, store: DB, on: dt.date | None) -> list[dict[str, Any]]:
    """Every cadre's indicators in ``me``'s jurisdiction, those behind first."""
    allowed(me, BOARD)
    return _behind_first(officer_kpis(store, rules(), me.user.prefix, on or dt.date.today()))


def teams_board(me: Viewer, store: DB, on: dt.date | None, cadres: list[dict[str, Any]]
                ) -> list[dict[str, Any]]:
    """Every work team's indicators, summed from its members' (``board``'s rows)."""
    return _behind_first(team_kpis(store, rules(), me.user.prefix, on or dt.date.today(),
                                   cadres))


def _behind_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (not r["behind"], r["village_code"],
                                       str(r.get("username") or r.get("name"))))


@api.get("/officers/kpis")
def api_board(me: Me, store: DB, on: On = None, teams: bool = False
              ) -> list[dict[str, Any]]:
    """Every cadre's (or work team's) indicators in one's jurisdiction on a day: shares
    visited on schedule, plan items on time, complaints in time, visits flagged; those
    behind schedule first, each with the reasons."""
    cadres = board(me, store, on)
    return teams_board(me, store, on, cadres) if teams else cadres


@api.get("/officers/kpis.{kind}")
def api_board_export(me: Me, store: DB, kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
                     on: On = None) -> Response:
    """The cadres' indicators as CSV or Excel."""
    rows = [{**{k: r[k] for k in COLUMNS}, "behind": "; ".join(r["behind"])}
            for r in board(me, store, on)]
    return export(rows, f"officers-{on or dt.date.today()}", kind, list(COLUMNS))


@pages.get("/officers/kpis")
def board_page(request: Request, me: Me, store: DB, on: On = None) -> Response:
    cadres = board(me, store, on)  # once: the teams' figures are their members' summed
    return render(request, "officer_kpis.html", me, cadres=cadres,
                  teams=teams_board(me, store, on, cadres), on=on or dt.date.today(),
                  targets=rules().targets, every=rules().every_days,
                  behind=sum(1 for c in cadres if c["behind"]))


@pages.get("/officers")
def officers_home(me: Me) -> Response:
    return RedirectResponse("/officers/me" if me.user.role == "field_officer"
                            else "/officers/kpis", 303)
