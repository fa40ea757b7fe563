"""Households: the household file (masked, or unmasked by who may, audited either way)
with the funds and goods it received, and its timeline."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from ...access import audit
from ...assistance.catalogue import load_catalogue
from ...assistance.help_file import help_file
from ...assistance.plans import NEXT
from ...dynamic.timeline import timeline
from ...funds.received import received
from ...registry import households
from ...store import Store
from ..deps import (
    DB,
    CsrfHeader,
    FormToken,
    Me,
    Viewer,
    allowed,
    check_csrf,
    client,
    in_jurisdiction,
    platform,
)
from ..pdf import pdf_of
from ..render import render
from .funds import names, programmes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
api = APIRouter(prefix="/api", tags=["households"])
pages = APIRouter(include_in_schema=False)
HouseholdId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def open_household(request: Request, me: Viewer, store: Store, household_id: int,
                   unmask: bool) -> dict[str, Any]:
    """The household file for ``me``; the reading is audited (which fields, never values)."""
    allowed(me, "households")
    village = households.village_of(store, household_id)
    in_jurisdiction(me.user, village)
    if unmask:
        allowed(me, "unmask")
    record = households.household_file(store, household_id, platform(request).card, unmask)
    fields = "all sensitive fields" if unmask else "masked file"
    audit.record(store, me.user, "unmask_household" if unmask else "read_household",
                 "household", str(household_id), village, fields, client(request))
    return record


@api.get("/households/{household_id}")
def household(request: Request, household_id: HouseholdId, me: Me, store: DB
              ) -> dict[str, Any]:
    """The household file with sensitive values masked."""
    return open_household(request, me, store, household_id, unmask=False)


@api.get("/households/{household_id}/funds")
def household_funds(request: Request, household_id: HouseholdId, me: Me, store: DB
                    ) -> dict[str, list[dict[str, Any]]]:
    """What a household received: payments (programme, period, day, fen, the bank's
    outcome; the account masked) and goods in kind; read like the file (audited)."""
    open_household(request, me, store, household_id, unmask=False)
    return received(store, household_id, programmes(), unmasked=False)


@api.post("/households/{household_id}/funds/unmask")
def household_funds_unmasked(request: Request, household_id: HouseholdId, me: Me, store: DB,
                             csrf: CsrfHeader = None) -> dict[str, list[dict[str, Any]]]:
    """What a household received with the bank accounts shown; audited as the unmasked
    file is."""
    check_csrf(me, csrf)
    open_household(request, me, store, household_id, unmask=True)
    return received(store, household_id, programmes(), unmasked=True)


@api.post("/households/{household_id}/unmask")
def household_unmasked(request: Request, household_id: HouseholdId, me: Me, store: DB,
                       csrf: CsrfHeader = None) -> dict[str, Any]:
    """The household file with every value shown; audited."""
    check_csrf(me, csrf)
    return open_household(request, me, store, household_id, unmask=True)


@api.get("/households/{household_id}/help")
def api_help(request: Request, household_id: HouseholdId, me: Me, store: DB
             ) -> dict[str, Any]:
    """The help a household gets: its latest help plan with every measure (deliverer,
    programme, cost, due date, officer, state), the help from society delivered to it and
    the income its products' sales brought; read like the file (audited)."""
    open_household(request, me, store, household_id, unmask=False)
    return help_file(store, household_id)


@api.get("/households/{household_id}/timeline")
def api_timeline(request: Request, household_id: HouseholdId, me: Me, store: DB
                       ) -> list[dict[str, Any]]:
    """Everything that happened to a household, dated, newest first; health events
    masked (audited like the file)."""
    allowed(me, "households")
    village = households.village_of(store, household_id)
    in_jurisdiction(me.user, village)
    audit.record(store, me.user, "read_timeline", "household", str(household_id), village,
                 "masked timeline", client(request))
    return [{k: v for k, v in e.items() if k != "order"}
            for e in timeline(store, household_id, unmasked=False)]


@pages.get("/households/{household_id}")
def household_page(request: Request, household_id: HouseholdId, me: Me, store: DB
                   ) -> Response:
    record = open_household(request, me, store, household_id, unmask=False)
    return render(request, "household.html", me, file=record,
                  funds=received(store, household_id, programmes(), unmasked=False),
                  names=names(), **helped(store, household_id))


@pages.get("/households/{household_id}/file.pdf")
def household_pdf(request: Request, household_id: HouseholdId, me: Me, store: DB
                  ) -> Response:
    """The household file as print-ready PDF: the page's own template, masked, its
    reading audited as the page's is."""
    page = household_page(request, household_id, me, store)
    return Response(pdf_of(bytes(page.body).decode()), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="household-{household_id}.pdf"'})


@pages.get("/households/{household_id}/file.xlsx")
def household_xlsx(request: Request, household_id: HouseholdId, me: Me, store: DB
                   ) -> Response:
    """The household file as an Excel workbook, a sheet per table, masked, its reading
    audited."""
    record = open_household(request, me, store, household_id, unmask=False)
    return Response(households.file_workbook(record), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="household-{household_id}.xlsx"'})


@pages.post("/households/{household_id}/unmask")
def household_unmasked_page(request: Request, household_id: HouseholdId, me: Me, store: DB,
                            csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    record = open_household(request, me, store, household_id, unmask=True)
    return render(request, "household.html", me, file=record,
                  funds=received(store, household_id, programmes(), unmasked=True),
                  names=names(), **helped(store, household_id))


def helped(store: Store, household_id: int) -> dict[str, Any]:
    """The help section's context: the household's help and the measures' labels."""
    return {"help": help_file(store, household_id), "measures": measure_labels(),
            "today": dt.date.today(), "next_states": NEXT}


@cache
def measure_labels() -> dict[str, str]:
    return {m.id: m.label for m in load_catalogue().measures}
