"""Verification: the conflict flags on households of one's jurisdiction with their
evidence (masked; one flag's unmasked by who may, audited), the precision of each rule,
and the field outcome of a flag (audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit
from ...errors import PovertyCloudError
from ...feeds.checks import verify
from ...feeds.flags import flags_of, precision, village_of_flag
from ...store import Store
from ..deps import DB, CsrfHeader, FormToken, Id, Me, Viewer, allowed, check_csrf, client
from ..render import render

api = APIRouter(prefix="/api", tags=["verification"])
pages = APIRouter(include_in_schema=False)


class Verification(BaseModel):
    outcome: str = Field(pattern="^(confirmed|false_alarm|exempt)$")


def flag_village(me: Viewer, store: Store, flag_id: int) -> str:
    """The village of a flag of ``me``'s jurisdiction (404 for another)."""
    allowed(me, "verify")
    village = village_of_flag(store, flag_id)
    if village is None or not me.user.covers(village):
        raise HTTPException(404, f"no flag {flag_id} in your jurisdiction")
    return village


def unmasked_flags(request: Request, me: Viewer, store: Store, flag_id: int
                   ) -> list[dict[str, Any]]:
    """The flags of ``me``'s jurisdiction with the evidence of ``flag_id`` unmasked;
    audited (which flag, never values)."""
    village = flag_village(me, store, flag_id)
    allowed(me, "unmask")
    audit.record(store, me.user, "unmask_flag", "flag", str(flag_id), village,
                 "evidence", client(request))
    return flags_of(store, me.user.prefix, unmasked=flag_id)


def record_outcome(me: Viewer, store: Store, flag_id: int, outcome: str) -> None:
    village = flag_village(me, store, flag_id)
    try:
        verify(store, flag_id, outcome, me.user.username)
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None
    audit.record(store, me.user, "verify_flag", "flag", str(flag_id), village, outcome)


@api.get("/flags")
def flags(me: Me, store: DB) -> list[dict[str, Any]]:
    """Conflict flags on households of one's jurisdiction: the verification tasks, their
    evidence masked like the household file."""
    allowed(me, "verify")
    return flags_of(store, me.user.prefix)


@api.post("/flags/{flag_id}/unmask")
def flag_unmasked(request: Request, flag_id: Id, me: Me, store: DB, csrf: CsrfHeader = None
                  ) -> dict[str, Any]:
    """One flag with its evidence unmasked; audited."""
    check_csrf(me, csrf)
    return next(f for f in unmasked_flags(request, me, store, flag_id)
                if f["flag_id"] == flag_id)


@api.get("/flags/precision")
def flag_precision(me: Me, store: DB) -> list[dict[str, Any]]:
    """Per conflict rule, over one's jurisdiction: flags, verified, confirmed, and the
    precision the field outcomes give (confirmed among confirmed and false alarms)."""
    allowed(me, "verify")
    return precision(store, me.user.prefix)


@api.post("/flags/{flag_id}/verify")
def verify_flag(flag_id: Id, body: Verification, me: Me, store: DB, csrf: CsrfHeader = None
               ) -> dict[str, str]:
    """Record the field verification of a flag of one's jurisdiction (audited)."""
    check_csrf(me, csrf)
    record_outcome(me, store, flag_id, body.outcome)
    return {"flag_id": str(flag_id), "outcome": body.outcome}


@pages.get("/flags")
def flags_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, "verify")
    return render(request, "flags.html", me, flags=flags_of(store, me.user.prefix),
                  precision=precision(store, me.user.prefix), unmasked=None)


@pages.post("/flags/{flag_id}/unmask")
def flag_unmasked_page(request: Request, flag_id: Id, me: Me, store: DB,
                       csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    return render(request, "flags.html", me,
                  flags=unmasked_flags(request, me, store, flag_id),
                  precision=precision(store, me.user.prefix), unmasked=flag_id)


@pages.post("/flags/{flag_id}/verify")
def verify_form(flag_id: Id, me: Me, store: DB, outcome: Annotated[str, Form(max_length=32)],
                csrf_token: FormToken = "") -> Response:
    verdict = Verification(outcome=outcome)  # a wrong outcome is a 422, as in the API
    check_csrf(me, csrf_token)
    record_outcome(me, store, flag_id, verdict.outcome)
    return RedirectResponse("/flags", 303)
