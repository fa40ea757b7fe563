"""Department data: the registry of sources with what each has sent, the report of every
batch (rows in, accepted, quarantined by reason) and its quarantined rows (masked, for
the province's data administrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...access import audit
from ...access.accounts import User
from ...intake import received
from ...store import Store
from ..deps import DB, Id, Me, Viewer, allowed
from ..render import render

api = APIRouter(prefix="/api", tags=["department data"])
pages = APIRouter(include_in_schema=False)


def reads_quarantine(user: User) -> bool:
    """A batch is not one region's but the whole province's: its quarantined rows are
    for administrators of the province."""
    return user.may("quarantine") and user.level == "province"


def batch_report(me: Viewer, store: Store, batch_id: int) -> dict[str, Any]:
    allowed(me, "data")
    return received.batch_report(store, batch_id)


def quarantined(me: Viewer, store: Store, batch_id: int) -> list[dict[str, Any]]:
    allowed(me, "quarantine")
    if not reads_quarantine(me.user):
        raise HTTPException(403, "quarantined rows are for the province's data "
                                 "administrators")
    received.batch_report(store, batch_id)  # 404 for an unknown batch
    audit.record(store, me.user, "read_quarantine", "batch", str(batch_id))
    return received.quarantined_rows(store, batch_id)


@api.get("/sources")
def sources(me: Me, store: DB) -> list[dict[str, Any]]:
    """The departments' sources and what the store holds of each."""
    allowed(me, "data")
    return received.sources(store)


@api.get("/batches")
def batches(me: Me, store: DB) -> list[dict[str, Any]]:
    """Batches taken in, newest first."""
    allowed(me, "data")
    return received.batches(store)


@api.get("/batches/{batch_id}")
def batch(batch_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A batch's report: rows in, accepted, quarantined by reason."""
    return batch_report(me, store, batch_id)


@api.get("/batches/{batch_id}/quarantine")
def quarantine(batch_id: Id, me: Me, store: DB) -> list[dict[str, Any]]:
    """The batch's quarantined rows with their reasons, sensitive values masked, for
    administrators of the province (to fix them: `povertycloud quarantine export`, then
    `reprocess`)."""
    return quarantined(me, store, batch_id)


@pages.get("/sources")
def sources_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, "data")
    return render(request, "sources.html", me, sources=received.sources(store),
                  batches=received.batches(store))


@pages.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: Id, me: Me, store: DB) -> Response:
    rows = quarantined(me, store, batch_id) if reads_quarantine(me.user) else None
    return render(request, "batch.html", me, batch=batch_report(me, store, batch_id),
                  rows=rows)
