"""Deliveries: a department's account sends a batch of its own source's feed, the file as
the body of a PUT under a delivery id of its choosing, and reads the report it was
answered with (GET). The same intake as `povertycloud intake`, and the same report."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as InPath
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ...errors import NotFound, ValidationFailed
from ...feeds.sources import Source, source_named
from ...intake import deliveries
from ..deps import DB, MAX_DELIVERY, CsrfHeader, Me, Viewer, allowed, check_csrf
from ..responses import PlainJSONResponse

api = APIRouter(prefix="/api", tags=["deliveries"])
pages = APIRouter(include_in_schema=False)

URL = "/sources/{source}/deliveries/{delivery_id}"
PATH = re.compile(r"/api/sources/[^/]+/deliveries/[^/]+")  # the body limit's (app.py)
CONTENT_TYPES = {"text/csv": "csv", "application/vnd.apache.parquet": "parquet",
                 "application/x-parquet": "parquet"}
SourceId = Annotated[str, InPath(pattern=r"^[a-z][a-z0-9_]{0,63}$",
                                 description="The source, as in `GET /api/sources`.")]
DeliveryId = Annotated[str, InPath(
    pattern=deliveries.DELIVERY_ID,
    description="The department's own id of the delivery (a date, a file name): "
                "letters, digits, '.', '_' and '-', up to 64.")]


class Problem(BaseModel):
    file: str
    row: int
    unit: Literal["line", "row"]  # a CSV's rows are its lines, as editors count them
    field: str
    reason: str


class DeliveryReport(BaseModel):
    """What `povertycloud intake` reports of the batch."""

    source: str
    delivery_id: str
    file: str
    table: str
    batch_id: int | None
    duplicate_of: int | None  # the same file came before as that batch: nothing written
    rows_in: int
    accepted: int
    updated: int  # records the source corrected (in accepted)
    unchanged: int  # records the store held already, the same
    quarantined: int
    reasons: dict[str, int]  # "field: reason" to its rows
    problems: list[Problem]  # the first quarantined rows' problems


class Refused(BaseModel):
    detail: str
    total: int
    problems: list[Problem]  # the first


def too_large(limit: int) -> str:
    return (f"a delivery is at most {limit:,} bytes ({MAX_DELIVERY} on the server); "
            "send the file in several deliveries")


def own_source(me: Viewer, source: str) -> Source:
    """The source, when the caller's department account delivers it."""
    allowed(me, "deliver")
    if me.user.source != source:
        raise HTTPException(403, f"your account delivers {me.user.source} only, not "
                                 f"{source}")
    return source_named(source)


def file_format(content_type: str | None, given: str | None) -> str:
    if given:
        return given
    kind = CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if kind is None:
        raise HTTPException(415, f"a delivery is a CSV file (Content-Type: text/csv) or "
                                 f"Parquet (application/vnd.apache.parquet), not "
                                 f"{content_type or 'without a Content-Type'}; or say "
                                 "?format=csv or ?format=parquet")
    return kind


async def receive(request: Request, path: Path) -> str:
    """Write the body to ``path`` as it comes; its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as file:
        async for chunk in request.stream():
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()


@api.put(URL, status_code=201, response_model=DeliveryReport, responses={
    200: {"model": DeliveryReport, "description": "The same file delivered again under "
          "this id: the report of the first delivery; nothing written."},
    201: {"description": "Taken in: the batch's report."},
    409: {"description": "Another file was delivered under this id: nothing imported."},
    413: {"description": f"The file is above the limit ({MAX_DELIVERY})."},
    415: {"description": "Neither CSV nor Parquet."},
    422: {"model": Refused, "description": "Rows with problems, and not ?keep_good: "
          "nothing imported; each problem with its row and field."}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string", "format": "binary"}},
        "application/vnd.apache.parquet": {"schema": {"type": "string",
                                                      "format": "binary"}}}}})
async def deliver(request: Request, source: SourceId, delivery_id: DeliveryId, me: Me,
                  store: DB, csrf: CsrfHeader = None,
                  format: Annotated[Literal["csv", "parquet"] | None, Query(
                      description="The file's format, when the Content-Type does not "
                                  "say it.")] = None,
                  keep_good: Annotated[bool, Query(
                      description="Take in the valid rows and quarantine the others "
                                  "(by default a file with a bad row is refused "
                                  "whole).")] = False,
                  schema_version: Annotated[int | None, Query(
                      ge=1, le=10_000, description="The source's schema version the "
                      "file was written in, checked against the registry's.")] = None,
                  ) -> Response:
    """Deliver a batch of your department's source: the file is the body (CSV or
    Parquet). It is checked and taken in as `povertycloud intake` does, all or nothing
    unless `keep_good`, in one transaction. The same file under the same delivery id
    again changes nothing and is answered with the same report (200); another file under
    an id already taken is refused (409). Only a department account of this source may
    deliver it."""
    check_csrf(me, csrf)
    sent = own_source(me, source)
    kind = file_format(request.headers.get("content-type"), format)
    with tempfile.TemporaryDirectory(prefix="delivery-") as folder:
        path = Path(folder) / f"delivery.{kind}"
        checksum = await receive(request, path)
        try:
            done = await run_in_threadpool(
                deliveries.deliver, store, me.user, sent, delivery_id, path, checksum,
                keep_good=keep_good, schema_version=schema_version)
        except ValidationFailed as exc:
            return PlainJSONResponse(refused(exc), 422)
        except deliveries.DeliveryConflict as exc:
            raise HTTPException(409, str(exc)) from None
    return PlainJSONResponse(done.report, 201 if done.new else 200)


def refused(exc: ValidationFailed) -> dict[str, Any]:
    return {"detail": f"{exc.total} problem(s) found; nothing was imported (deliver with "
                      "?keep_good=true to take in the valid rows and quarantine the "
                      "others)",
            "total": exc.total, "problems": [deliveries.problem(i) for i in exc.issues]}


@api.get(URL, response_model=DeliveryReport)
def delivery_report(source: SourceId, delivery_id: DeliveryId, me: Me,
                    store: DB) -> dict[str, Any]:
    """The report a delivery was answered with: for the department account of the
    source, and for those who read the batches (`GET /api/batches`)."""
    sent = source_named(source) if me.user.may("data") else own_source(me, source)
    found = deliveries.delivered(store, sent, delivery_id)
    if found is None:
        raise NotFound(f"no delivery {source}/{delivery_id}")
    return found
