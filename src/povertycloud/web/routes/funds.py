"""Funds: a region's money by programme (its flow from appropriation to households and
projects, the balances of the regions below as of a day, disbursement timeliness by
county, exported to Excel), the anomaly inbox with its verification, the reconciliation
report of payment batches, and what the public portal publishes of funds and projects."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from ...access import audit
from ...errors import NotFound, PovertyCloudError
from ...funds.balances import balances
from ...funds.flags import precision, verify_flag
from ...funds.inbox import inbox
from ...funds.programmes import load_programmes
from ...funds.publicity import public_funds, published_programmes
from ...funds.reconciliation import batch_report, batches_in
from ...funds.timeliness import timeliness
from ...reports import figures
from ...standard.codes import LEVELS
from ...standard.regions import PREFIX_LENGTH, level_of
from ...store import Store
from ..deps import (
    DB,
    CsrfHeader,
    FormToken,
    Id,
    Maybe,
    Me,
    RegionCode,
    Viewer,
    allowed,
    check_csrf,
    client,
    in_jurisdiction,
)
from ..render import render
from .regions import export

api = APIRouter(prefix="/api", tags=["funds"])
pages = APIRouter(include_in_schema=False)
READ, VERIFY = "funds_read", "funds"  # auditors read the funds; officers verify too
AsOf = Annotated[dt.date | None, Query(description="The day (YYYY-MM-DD); default today.")]
Programme = Annotated[str | None, Query(pattern=r"^[a-z_]{0,40}$",
                                        description="One programme; default all.")]
TABLE = ("region_code", "name", "received_fen", "sent_out_fen", "held_fen", "at_bank_fen",
         "spent_fen", "rate")
programmes = cache(load_programmes)


class Verification(BaseModel):
    outcome: str = Field(pattern="^(confirmed|false_alarm|exempt)$")
    note: str | None = Field(None, max_length=2000)


def prefix_of(code: str) -> str:
    return code[:PREFIX_LENGTH[level_of(code)]]


def region_funds(me: Viewer, store: Store, code: str, as_of: dt.date | None,
                 programme: str | None) -> dict[str, Any]:
    """A region's funds for ``me``: its own row, the rows of the level below (its own
    at the lowest), the timeliness by county, and the flow for the chart."""
    allowed(me, READ)
    in_jurisdiction(me.user, code)
    region = figures.region(store, code)
    level, chosen = region["level"], programme or None
    if chosen is not None:
        programmes()[chosen]  # an unknown programme is a 404
    below = LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]
    within = prefix_of(code)
    own = balances(store, level, within, as_of, chosen, by_programme=False)
    rows = balances(store, below, within, as_of, chosen, by_programme=False)
    return {"region": region, "as_of": as_of or dt.date.today(), "programme": chosen,
            "level_below": below, "own": own[0] if own else None,
            "rows": [{k: r[k] for k in TABLE} for r in rows],
            "timeliness": timeliness(store, within, programmes(), as_of, chosen),
            "flow": flow(region, own[0] if own else None, rows if below != level else [])}


def flow(region: dict[str, Any], own: dict[str, Any] | None, rows: list[dict[str, Any]]
         ) -> list[dict[str, Any]]:
    """The links of the flow chart, in yuan: what the region received, on to the regions
    below, and where the money is: spent (households and projects), at the bank, held;
    the region's own part of each beside its regions'."""
    if own is None:
        return []
    links = [("received", region["name"], own["received_fen"])]
    links += [(region["name"], r["name"], r["received_fen"]) for r in rows]
    for where in ("spent", "at_bank", "held"):
        column = f"{where}_fen"
        links.append((region["name"], where, own[column] - sum(r[column] for r in rows)))
        links += [(r["name"], where, r[column]) for r in rows]
    return [{"source": s, "target": t, "value": fen / 100} for s, t, fen in links if fen > 0]


@api.get("/funds/regions/{code:digits}")
def api_region_funds(code: RegionCode, me: Me, store: DB, as_of: AsOf = None,
                     programme: Programme = None) -> dict[str, Any]:
    """A region's funds as of a day (one programme, or all): its own balances, those of
    the regions of the level below (received, sent out, held, at the bank, spent, in fen,
    and the disbursement rate), disbursement timeliness by county, and the flow chart's
    links (in yuan)."""
    return region_funds(me, store, code, as_of, programme)


@api.get("/funds/regions/{code:digits}/balances.{kind}")
def api_region_funds_export(code: RegionCode,
                            kind: Annotated[str, Path(pattern="^(csv|xlsx)$")], me: Me,
                            store: DB, as_of: AsOf = None, programme: Programme = None
                            ) -> Response:
    """The balances of the regions below as CSV or Excel."""
    found = region_funds(me, store, code, as_of, programme)
    return export(found["rows"], f"funds-{code}-{found['as_of']}", kind, list(TABLE))


@pages.get("/funds")
def funds_home(me: Me) -> Response:
    allowed(me, READ)
    return RedirectResponse(f"/funds/regions/{me.user.region_code}", 303)


@pages.get("/funds/regions/{code:digits}")
def funds_page(request: Request, code: RegionCode, me: Me, store: DB, as_of: AsOf = None,
               programme: Programme = None) -> Response:
    found = region_funds(me, store, code, as_of, programme)
    return render(request, "funds.html", me, found=found, names=names(),
                  crumbs=figures.breadcrumbs(store, code, me.user.region_code))


def names() -> dict[str, str]:
    return {p.id: p.name for p in programmes().programmes}


# -- the anomaly inbox -----------------------------------------------------------------


def fund_flags(request: Request, me: Viewer, store: Store, unmask: int | None = None
               ) -> list[dict[str, Any]]:
    """The flags of ``me``'s jurisdiction, evidence masked but ``unmask``'s (for who may,
    audited; a flag of another jurisdiction is a 404)."""
    allowed(me, READ)
    if unmask is not None:
        allowed(me, "unmask")
        found = next((f for f in inbox(store, me.user.prefix) if f["flag_id"] == unmask),
                     None)
        if found is None:
            raise HTTPException(404, f"no flag {unmask} in your jurisdiction")
        audit.record(store, me.user, "unmask_flag", "fund_flag", str(unmask),
                     found["region_code"], "evidence", client(request))
    return inbox(store, me.user.prefix, unmask)


def record_outcome(me: Viewer, store: Store, flag_id: int, body: Verification) -> None:
    allowed(me, VERIFY)
    try:
        verify_flag(store, flag_id, body.outcome, me.user, body.note or None)
    except NotFound:
        raise
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None


@api.get("/funds/flags")
def api_fund_flags(request: Request, me: Me, store: DB) -> list[dict[str, Any]]:
    """The anomaly flags on the funds of one's jurisdiction, unverified first, evidence
    masked."""
    return fund_flags(request, me, store)


@api.get("/funds/flags/precision")
def api_fund_flag_precision(me: Me, store: DB) -> list[dict[str, Any]]:
    """Per anomaly rule over one's jurisdiction: flags, verified, confirmed, precision."""
    allowed(me, READ)
    return precision(store, me.user.prefix)


@api.post("/funds/flags/{flag_id}/unmask")
def api_fund_flag_unmasked(request: Request, flag_id: Id, me: Me, store: DB,
                           csrf: CsrfHeader = None) -> dict[str, Any]:
    """One flag with its evidence unmasked; audited."""
    check_csrf(me, csrf)
    return next(f for f in fund_flags(request, me, store, flag_id) if f["flag_id"] == flag_id)


@api.post("/funds/flags/{flag_id}/verify")
def api_verify_fund_flag(flag_id: Id, body: Verification, me: Me, store: DB,
                         csrf: CsrfHeader = None) -> dict[str, str]:
    """An officer's outcome of a flag of their jurisdiction from the field (confirmed,
    false_alarm, exempt; a note), once; audited."""
    check_csrf(me, csrf)
    record_outcome(me, store, flag_id, body)
    return {"flag_id": str(flag_id), "outcome": body.outcome}


@pages.get("/funds/flags")
def fund_flags_page(request: Request, me: Me, store: DB) -> Response:
    return render(request, "fund_flags.html", me, flags=fund_flags(request, me, store),
                  precision=precision(store, me.user.prefix), unmasked=None, names=names())


@pages.post("/funds/flags/{flag_id}/unmask")
def fund_flag_unmasked_page(request: Request, flag_id: Id, me: Me, store: DB,
                            csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    return render(request, "fund_flags.html", me,
                  flags=fund_flags(request, me, store, flag_id),
                  precision=precision(store, me.user.prefix), unmasked=flag_id,
                  names=names())


@pages.post("/funds/flags/{flag_id}/verify")
def fund_flag_verify_form(flag_id: Id, me: Me, store: DB,
                          outcome: Annotated[str, Form(max_length=32)],
                          note: Annotated[str, Form(max_length=2000)] = "",
                          csrf_token: FormToken = "") -> Response:
    verdict = Verification(outcome=outcome, note=note)  # a wrong outcome is a 422
    check_csrf(me, csrf_token)
    record_outcome(me, store, flag_id, verdict)
    return RedirectResponse("/funds/flags", 303)


# -- the reconciliation report ---------------------------------------------------------


def batch_of(me: Viewer, store: Store, batch_id: int) -> dict[str, Any]:
    allowed(me, READ)
    return batch_report(store, batch_id, me.user.prefix)


@api.get("/funds/batches")
def api_batches(me: Me, store: DB) -> list[dict[str, Any]]:
    """The payment batches of one's jurisdiction, newest first, with how many lines the
    bank paid, did not pay as sent, and has not returned yet."""
    allowed(me, READ)
    return batches_in(store, me.user.prefix)


@api.get("/funds/batches/{batch_id}")
def api_batch(batch_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A payment batch's reconciliation: its lines and total, the bank's outcomes (lines,
    fen sent, fen paid) and the lines not paid as sent, accounts masked."""
    return batch_of(me, store, batch_id)


@api.get("/funds/batches/{batch_id}/problems.{kind}")
def api_batch_export(batch_id: Id, kind: Annotated[str, Path(pattern="^(csv|xlsx)$")],
                     me: Me, store: DB) -> Response:
    """The lines of a batch the bank did not pay as sent, as CSV or Excel (masked)."""
    found = batch_of(me, store, batch_id)
    return export(found["problems"], f"batch-{batch_id}-problems", kind,
                  ["record_id", "line", "outcome", "household_id", "payee_name",
                   "bank_account", "amount_fen", "paid_fen", "reason"])


@pages.get("/funds/batches")
def batches_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, READ)
    return render(request, "fund_batches.html", me, batches=batches_in(store, me.user.prefix),
                  names=names())


@pages.get("/funds/batches/{batch_id}")
def batch_page(request: Request, batch_id: Id, me: Me, store: DB) -> Response:
    return render(request, "fund_batch.html", me, batch=batch_of(me, store, batch_id),
                  names=names())


# -- the public portal -----------------------------------------------------------------


def published(store: Store, code: str) -> dict[str, Any]:
    region = figures.region(store, code)  # an unknown code is a 404
    return region | public_funds(store, prefix_of(code), published_programmes(programmes()))


@api.get("/public/regions/{code}/funds", tags=["public"])
def api_public_funds(code: RegionCode, store: DB) -> dict[str, Any]:
    """What reached the households and projects of each village of a region, per
    programme (counts below 10 hidden with their total), its projects, and per-household
    amounts for the programmes whose rules publish them (none by default)."""
    return published(store, code)


@pages.get("/portal/regions/{code}/funds")
def portal_funds_page(request: Request, code: RegionCode, me: Maybe, store: DB) -> Response:
    return render(request, "portal_funds.html", me, region=published(store, code),
                  names=names(),
                  crumbs=figures.breadcrumbs(store, code, figures.province(store)))

