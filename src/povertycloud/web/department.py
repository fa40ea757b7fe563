"""Department data in the platform: the registry of sources with what each has sent, the
report of every batch (rows in, accepted, quarantined by reason), the quarantined rows
(masked), and the review queue of linked pairs an officer accepts or rejects. The pages
call the same functions."""

from __future__ import annotations

import json
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, Header, HTTPException, Path
from pydantic import BaseModel

from ..access import audit
from ..access.accounts import User
from ..access.privacy import mask_id_number
from ..errors import PovertyCloudError
from ..feeds.checks import decide, village_of_person
from ..feeds.sources import load_sources
from ..intake.quarantine import table_of
from ..registry import search
from ..registry.duplicates import open_pairs
from ..registry.merge import mark_distinct, merge
from ..reports.figures import tables
from ..standard.fields import Table
from ..store import Store, records, scalar
from .platform import DB, Cursor, Viewer, allowed, check_csrf, viewer

router = APIRouter(prefix="/api", tags=["department data"])
Me = Annotated[Viewer, Depends(viewer)]
BatchId = Annotated[int, Path(ge=1, le=2**63 - 1)]
SourceId = Annotated[str, Path(pattern="^[a-z_]{1,64}$")]
RecordId = Annotated[int, Path(ge=0, le=2**63 - 1)]
HIDDEN = "***"
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token")]


class Decision(BaseModel):
    accept: bool


class SamePerson(BaseModel):
    merge: bool  # true: merge the duplicate into the person kept; false: two people


def reads_quarantine(user: User) -> bool:
    """A batch is not one region's but the whole province's: its quarantined rows are
    for administrators of the province."""
    return user.may("quarantine") and user.level == "province"


def source_list(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every registered source with the rows and batches the store holds of it."""
    held = {str(r["table_name"]): r for r in records(con.execute(
        "SELECT table_name, count(*) AS batches, sum(rows_accepted) AS rows, "
        "sum(rows_quarantined) AS quarantined, max(received_at) AS last_received "
        "FROM batches GROUP BY table_name"))}
    out = []
    for s in load_sources().values():
        got = held.get(s.table.name, {})
        out.append({"source": s.id, "department": s.department, "table": s.table_label,
                    "schema_version": s.schema_version, "frequency": s.frequency,
                    "owner": s.owner, "signal": s.signal.event if s.signal else None,
                    "batches": int(got.get("batches") or 0), "rows": int(got.get("rows") or 0),
                    "quarantined": int(got.get("quarantined") or 0),
                    "last_received": got.get("last_received")})
    return out


def batch_list(con: duckdb.DuckDBPyConnection, table: str | None = None
               ) -> list[dict[str, Any]]:
    """Batches, newest first (of one table when given)."""
    where = "WHERE table_name = ?" if table else ""
    return records(con.execute(
        "SELECT batch_id, table_name, source AS file, rows_in, rows_accepted, "
        f"rows_quarantined, received_at FROM batches {where} ORDER BY batch_id DESC "
        "LIMIT 500", [table] if table else []))


def batch_report(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, Any]:
    """One batch: its counts and its quarantined rows counted by reason."""
    found = records(con.execute(
        "SELECT batch_id, table_name, source AS file, checksum, rows_in, rows_accepted, "
        "rows_quarantined, received_at FROM batches WHERE batch_id = ?", [batch_id]))
    if not found:
        raise HTTPException(404, f"no batch {batch_id}")
    report = found[0]
    report["reasons"] = records(con.execute(
        "SELECT problem AS reason, count(*) AS rows FROM (SELECT unnest(string_split("
        "problems, '; ')) AS problem FROM quarantine WHERE batch_id = ?) GROUP BY problem "
        "ORDER BY rows DESC, reason", [batch_id]))
    report["resolved"] = scalar(con, "SELECT count(*) FROM quarantine WHERE batch_id = ? "
                                "AND resolved_by IS NOT NULL", [batch_id])
    return report


def quarantined_rows(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[dict[str, Any]]:
    """The quarantined rows of a batch as they came, sensitive values masked."""
    rows = records(con.execute(
        "SELECT table_name, row_number, problems, record, resolved_by FROM quarantine "
        "WHERE batch_id = ? ORDER BY row_number LIMIT 1000", [batch_id]))
    definitions: dict[str, Table] = {}  # each table's definition read once
    for row in rows:
        name = str(row.pop("table_name"))
        table = definitions.setdefault(name, table_of(name))
        row["record"] = _masked_record(table, json.loads(str(row["record"])))
    return rows


def _masked_record(table: Table, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the values of ``table``'s sensitive fields masked."""
    sensitive = {f.name for f in table.fields if f.sensitive}
    return {k: _masked(k, v) if k in sensitive else v for k, v in record.items()}


def _masked(name: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return mask_id_number(str(value)) if name.endswith("id_number") else HIDDEN


def review_pairs(con: duckdb.DuckDBPyConnection, prefix: str) -> list[dict[str, Any]]:
    """Linked pairs waiting for an officer, of registry people whose village lies under
    ``prefix``: the feed's record beside the person, ID numbers masked."""
    present = tables(con)
    if "feed_links" not in present:
        return []
    pairs = records(con.execute(
        "SELECT l.source, l.record_id, l.person_id, round(l.match_probability, 3) AS p, "
        "p.name AS registry_name, p.birth_date AS registry_birth_date, "
        "p.id_number AS registry_id_number, p.household_id, h.village_code "
        "FROM feed_links l JOIN people p USING (person_id) JOIN households h "
        "USING (household_id) WHERE l.decision = 'review' AND starts_with(h.village_code, ?) "
        "ORDER BY l.match_probability DESC LIMIT 500", [prefix]))
    feeds = {s.id: s.table for s in load_sources().values() if s.table.name in present}
    for pair in pairs:
        pair["registry_id_number"] = mask_id_number(pair["registry_id_number"])
        table = feeds.get(str(pair["source"]))
        pair["record"] = _feed_record(con, table, int(pair["record_id"])) if table else {}
    return pairs


def _feed_record(con: duckdb.DuckDBPyConnection, table: Table, record_id: int
                 ) -> dict[str, Any]:
    found = records(con.execute(f"SELECT * EXCLUDE (batch_id, recorded_at) FROM "
                                f"{table.name} WHERE record_id = ?", [record_id]))
    return _masked_record(table, found[0]) if found else {}


@router.get("/sources")
def sources(me: Me, con: DB) -> list[dict[str, Any]]:
    """The departments' sources and what the store holds of each."""
    allowed(me, "data")
    return source_list(con)


@router.get("/batches")
def batches(me: Me, con: DB) -> list[dict[str, Any]]:
    """Batches taken in, newest first."""
    allowed(me, "data")
    return batch_list(con)


@router.get("/batches/{batch_id}")
def batch(batch_id: BatchId, me: Me, con: DB) -> dict[str, Any]:
    """A batch's report: rows in, accepted, quarantined by reason."""
    allowed(me, "data")
    return batch_report(con, batch_id)


@router.get("/batches/{batch_id}/quarantine")
def quarantine(batch_id: BatchId, me: Me, con: DB) -> list[dict[str, Any]]:
    """The batch's quarantined rows with their reasons, sensitive values masked, for
    administrators of the province (to fix them: `povertycloud quarantine export`, then
    `reprocess`)."""
    allowed(me, "quarantine")
    if not reads_quarantine(me.user):
        raise HTTPException(403, "quarantined rows are for the province's data "
                                 "administrators")
    batch_report(con, batch_id)  # 404 for an unknown batch
    audit.record(con, me.user, "read_quarantine", "batch", str(batch_id))
    return quarantined_rows(con, batch_id)


@router.get("/reviews")
def reviews(me: Me, con: DB) -> list[dict[str, Any]]:
    """Linked pairs between the review and match thresholds, of one's jurisdiction."""
    allowed(me, "review")
    return review_pairs(con, me.user.prefix)


@router.post("/reviews/{source}/{record_id}/{person_id}")
def review(source: SourceId, record_id: RecordId, person_id: RecordId, body: Decision,
           me: Me, con: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    """Accept (a match) or reject a pair under review, of one's jurisdiction (audited)."""
    check_csrf(me, csrf)
    allowed(me, "review")
    village = village_of_person(Store.wrap(con), person_id)
    if village is None or not me.user.covers(village):
        raise HTTPException(404, f"no person {person_id} in your jurisdiction")
    try:
        decision = decide(Store.wrap(con), source, record_id, person_id, body.accept,
                          me.user.username, me.user.role)
    except PovertyCloudError as exc:
        status = 404 if str(exc).startswith("no pair") else 409
        raise HTTPException(status, str(exc)) from None
    return {"source": source, "record_id": record_id, "person_id": person_id,
            "decision": decision}


DUPLICATE_COLUMNS = ("person_id", "duplicate_id", "p", "matched_on", "name", "duplicate_name",
                     "birth_date", "duplicate_birth_date", "household_id",
                     "duplicate_household_id")


@router.get("/duplicates")
def duplicates(me: Me, store: Cursor) -> list[dict[str, Any]]:
    """Pairs of the registry that may be one person registered twice, both living in
    one's jurisdiction (`povertycloud registry duplicates` finds them)."""
    allowed(me, "review")
    if not store.has_table("registry_duplicates"):
        return []
    return [dict(zip(DUPLICATE_COLUMNS, row, strict=True))
            for row in open_pairs(store, me.user.prefix)[:500]]


@router.post("/duplicates/{keep}/{duplicate}")
def same_person(keep: RecordId, duplicate: RecordId, body: SamePerson, me: Me,
                store: Cursor, csrf: CsrfHeader = None) -> dict[str, Any]:
    """Merge a proposed pair (history kept) or keep them apart, when both live in one's
    jurisdiction (audited)."""
    check_csrf(me, csrf)
    allowed(me, "review")
    proposed = store.one("SELECT 1 FROM registry_duplicates WHERE person_id = ? AND "
                         "duplicate_id = ?", [keep, duplicate])
    villages = [village_of_person(store, p) for p in (keep, duplicate)]
    if proposed is None or not all(v and me.user.covers(v) for v in villages):
        raise HTTPException(404, f"no proposed pair {keep}/{duplicate} in your jurisdiction")
    try:
        if body.merge:
            merge(store, keep, duplicate, me.user.username, me.user.role)
            search.forget(store.con, duplicate)
        else:
            mark_distinct(store, keep, duplicate, me.user.username, me.user.role)
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None
    return {"person_id": keep, "duplicate_id": duplicate,
            "decision": "merged" if body.merge else "distinct"}
