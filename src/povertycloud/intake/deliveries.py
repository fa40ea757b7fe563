"""Deliveries: a department sends a batch of its own source's feed through the API, under
an id of its choosing (a date, a file name). The batch goes through the intake of
`povertycloud intake` (:func:`take_in`); the delivery is kept with the SHA-256 of what was
sent and the report it was answered with, in the batch's transaction. The same file sent
again under the same id is answered with that report and writes nothing; another file
under an id already taken is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..access import audit
from ..access.accounts import User
from ..errors import Issue, PovertyCloudError
from ..feeds.sources import Source
from ..store import Queries, Store
from .batches import BatchReport, Recorder, import_file

FORMATS = ("csv", "parquet")
DELIVERY_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"  # safe in a URL and a file name
QUERIES = Queries(__package__)


class DeliveryConflict(PovertyCloudError):
    """Another file under a delivery id already taken."""


@dataclass(frozen=True)
class Delivery:
    report: dict[str, Any]
    new: bool  # taken in now; False: a repeat, answered from the record of the first


def take_in(store: Store, source: Source, path: Path, *, keep_good: bool = False,
            schema_version: int | None = None, label: str | None = None,
            then: Recorder | None = None) -> BatchReport:
    """A batch of ``source``'s feed, checked against its schema (and against the schema
    version it says it was sent in), into its table ``feed_<source>``: the intake of
    `povertycloud intake` and of a delivery."""
    if schema_version is not None and schema_version != source.schema_version:
        raise PovertyCloudError(f"{label or path}: sent in schema version {schema_version}, "
                                f"but source {source.id} is at version "
                                f"{source.schema_version}; nothing imported")
    return import_file(store, source.table, path, keep_good=keep_good, label=label,
                       then=then)


def deliver(store: Store, user: User, source: Source, delivery_id: str, path: Path,
            checksum: str, *, keep_good: bool = False,
            schema_version: int | None = None) -> Delivery:
    """Take in the file at ``path`` (its SHA-256 ``checksum``) as ``user``'s delivery
    ``delivery_id`` of ``source``, or answer a repeat of it from its record."""
    kept = store.record(QUERIES["delivery"], [source.id, delivery_id])
    if kept is not None:
        if kept["checksum"] != checksum:
            raise DeliveryConflict(
                f"delivery {source.id}/{delivery_id} was taken in on "
                f"{kept['delivered_at']:%Y-%m-%d %H:%M} (batch {kept['batch_id']}) with "
                "another file; nothing imported: send a corrected file under a new "
                "delivery id")
        return Delivery(json.loads(kept["report"]), False)
    label = f"{source.id}/{delivery_id}{path.suffix}"

    def record(store: Store, report: BatchReport) -> None:
        answer = report_of(report, source, delivery_id)
        batch = report.batch_id if report.duplicate_of is None else report.duplicate_of
        store.execute(QUERIES["record_delivery"], [source.id, delivery_id, batch, checksum,
                                                   json.dumps(answer, ensure_ascii=False),
                                                   user.user_id])
        audit.record(store, user, "deliver", "delivery", f"{source.id}/{delivery_id}",
                     user.region_code, f"batch {batch}")

    try:
        report = take_in(store, source, path, keep_good=keep_good,
                         schema_version=schema_version, label=label, then=record)
    except PovertyCloudError as exc:
        if str(path) not in str(exc):
            raise
        # a refusal of the file names the delivery, not where the server kept it
        raise PovertyCloudError(str(exc).replace(str(path), label)) from None
    if report.duplicate_of is not None:  # nothing written: the file came as that batch
        with store.transaction():
            record(store, report)
    return Delivery(report_of(report, source, delivery_id), True)


def delivered(store: Store, source: Source, delivery_id: str) -> dict[str, Any] | None:
    """The report a delivery was answered with, or None for no such delivery."""
    kept = store.record(QUERIES["delivery"], [source.id, delivery_id])
    return json.loads(kept["report"]) if kept else None


def report_of(report: BatchReport, source: Source, delivery_id: str) -> dict[str, Any]:
    """The report of a delivery: what `povertycloud intake` reports of its batch, and
    the first quarantined rows' problems."""
    return {"source": source.id, "delivery_id": delivery_id, "file": report.source,
            "table": report.table, "batch_id": report.batch_id,
            "duplicate_of": report.duplicate_of, "rows_in": report.rows_in,
            "accepted": report.accepted, "updated": report.updated,
            "unchanged": report.unchanged, "quarantined": report.quarantined,
            "reasons": report.reasons, "problems": [problem(i) for i in report.issues]}


def problem(issue: Issue) -> dict[str, Any]:
    """One problem of a row: the file, its row (counted in the file's ``unit``: a CSV's
    lines, as editors count them, or rows), the field and the reason."""
    return {"file": issue.source, "row": issue.row, "unit": issue.unit,
            "field": issue.field, "reason": issue.reason}
