"""What the store has received from the departments: every registered source with the
rows and batches held of it, each batch's report (rows in, accepted, quarantined by
reason) and its quarantined rows as they came, sensitive values masked."""

from __future__ import annotations

import json
from typing import Any

from ..access.privacy import masked_record
from ..errors import NotFound
from ..feeds.sources import load_sources
from ..standard.fields import Table
from ..store import Store
from .quarantine import table_of


def sources(store: Store) -> list[dict[str, Any]]:
    """Every registered source with the rows and batches the store holds of it."""
    held = {str(r["table_name"]): r for r in store.records(
        "SELECT table_name, count(*) AS batches, sum(rows_accepted) AS rows, "
        "sum(rows_quarantined) AS quarantined, max(received_at) AS last_received "
        "FROM batches GROUP BY table_name")}
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


def batches(store: Store, table: str | None = None) -> list[dict[str, Any]]:
    """Batches, newest first (of one table when given)."""
    where = "WHERE table_name = ?" if table else ""
    return store.records(
        "SELECT batch_id, table_name, source AS file, rows_in, rows_accepted, "
        f"rows_quarantined, received_at FROM batches {where} ORDER BY batch_id DESC "
        "LIMIT 500", [table] if table else [])


def batch_report(store: Store, batch_id: int) -> dict[str, Any]:
    """One batch: its counts (the rows unchanged: held by the store as they came) and its
    quarantined rows counted by reason."""
    report = store.record(
        "SELECT batch_id, table_name, source AS file, checksum, rows_in, rows_accepted, "
        "rows_in - rows_accepted - rows_quarantined AS rows_unchanged, rows_quarantined, "
        "received_at FROM batches WHERE batch_id = ?", [batch_id])
    if report is None:
        raise NotFound(f"no batch {batch_id}")
    report["reasons"] = store.records(
        "SELECT problem AS reason, count(*) AS rows FROM (SELECT unnest(string_split("
        "problems, '; ')) AS problem FROM quarantine WHERE batch_id = ?) GROUP BY problem "
        "ORDER BY rows DESC, reason", [batch_id])
    report["resolved"] = store.scalar("SELECT count(*) FROM quarantine WHERE batch_id = ? "
                                      "AND resolved_by IS NOT NULL", [batch_id])
    return report


def quarantined_rows(store: Store, batch_id: int) -> list[dict[str, Any]]:
    """The quarantined rows of a batch as they came, sensitive values masked."""
    rows = store.records(
        "SELECT table_name, row_number, problems, record, resolved_by FROM quarantine "
        "WHERE batch_id = ? ORDER BY row_number LIMIT 1000", [batch_id])
    definitions: dict[str, Table] = {}  # each table's definition read once
    for row in rows:
        name = str(row.pop("table_name"))
        table = definitions.setdefault(name, table_of(name))
        row["record"] = masked_record(table, json.loads(str(row["record"])))
    return rows
