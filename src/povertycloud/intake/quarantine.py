"""Fixing quarantined rows: export them as they came, fix the file, take it in again;
the rows it brings in are marked resolved by that batch, in every batch that had
quarantined them (a fix in several rounds leaves nothing stale)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import OutputExistsError, PovertyCloudError
from ..feeds.sources import load_sources
from ..standard.fields import Field, Table
from ..standard.tables import TABLES
from ..store import Store
from .batches import BatchReport, import_file, kept_keys
from .checks import quote


def table_of(name: str) -> Table:
    """The table definition a batch was checked against (the standard's or a feed's)."""
    if name in TABLES:
        return TABLES[name]
    feeds = {s.table.name: s.table for s in load_sources().values()}
    if name in feeds:
        return feeds[name]
    raise PovertyCloudError(f"no definition of table {name!r}")


def _pending(store: Store, batch_id: int) -> tuple[Table, list[tuple[int, str, str]]]:
    rows = store.execute(
        "SELECT table_name, row_number, problems, record FROM quarantine WHERE batch_id = ? "
        "AND resolved_by IS NULL ORDER BY row_number", [batch_id]).fetchall()
    if not rows:
        raise PovertyCloudError(f"batch {batch_id} has no quarantined rows left to fix")
    return table_of(rows[0][0]), [(int(n), str(p), str(r)) for _, n, p, r in rows]


def export_quarantine(store: Store, batch_id: int, out: Path, overwrite: bool = False
                      ) -> list[tuple[int, int, str]]:
    """Write the batch's unresolved quarantined rows to a CSV in the table's columns,
    ready to fix; returns (row of this file, row of the original file, problems)."""
    if out.suffix.lower() != ".csv":
        raise PovertyCloudError(f"{out}: quarantined rows are exported as .csv")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists; choose another path or add --overwrite")
    table, pending = _pending(store, batch_id)
    records = store.arrow(
        "SELECT " + ", ".join(f"json_extract_string(r, {quote(n)}) AS {n}"
                              for n in table.names) + " FROM (SELECT unnest(?) AS r)",
        [[record for _, _, record in pending]])
    pacsv.write_csv(records.cast(pa.schema([(n, pa.string()) for n in table.names])), out)
    return [(i + 2, row, problems) for i, (row, problems, _) in enumerate(pending)]


def reprocess(store: Store, batch_id: int, fixed: Path) -> BatchReport:
    """Take in the fixed rows of a batch's quarantine, in one transaction: rows still
    wrong are quarantined again under the new batch; a row taken in (or found as the
    store holds it) resolves, by its key, every quarantined row of the table with that
    key, whichever batch quarantined it (the batch fixed and those fixed before it)."""
    table, _ = _pending(store, batch_id)
    keys = " AND ".join(f"{_key_of_record(table.field(k))} = k.{k}"
                        for k in table.primary_key)
    with store.transaction():  # taken in and marked resolved together, or neither
        report = import_file(store, table, fixed, keep_good=True)
        if report.batch_id is not None:
            store.execute(f"UPDATE quarantine q SET resolved_by = ? WHERE q.table_name = ? "
                          f"AND q.resolved_by IS NULL AND q.batch_id <> ? AND EXISTS "
                          f"(SELECT 1 FROM ({kept_keys(table)}) k WHERE {keys})",
                          [report.batch_id, table.name, report.batch_id])
    return report


def _key_of_record(f: Field) -> str:
    """A quarantined record's value of the key field ``f``, typed as the table's."""
    text = f"NULLIF(TRIM(json_extract_string(q.record, {quote(f.name)})), '')"
    return f"TRY_CAST({text} AS {f.sql_type})"
