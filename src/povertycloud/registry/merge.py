"""Merging one person registered twice: the duplicate's row goes, its events, feed links
and flags move to the person kept, and everything is kept where it can be traced: the
row as it was in ``registry_changes``, the decision in ``registry_duplicates``, who did
it in the audit log, all in one transaction."""

from __future__ import annotations

import duckdb

from ..errors import PovertyCloudError
from ..store import atomic

# tables whose rows name a person, moved to the person kept
REFERENCES = ("events", "feed_links", "conflict_flags")


def merge(con: duckdb.DuckDBPyConnection, keep: int, duplicate: int, by: str,
          role: str | None = None, region_code: str | None = None) -> None:
    """Merge ``duplicate`` into ``keep``; of two merges at once, one wins."""
    if keep == duplicate:
        raise PovertyCloudError("a person cannot be merged into itself")
    with atomic(con):
        _check_both(con, keep, duplicate)
        con.execute("""
INSERT INTO registry_changes (change, person_id, household_id, before, source, record_id,
  changed_by, changed_at)
SELECT 'merge', person_id, household_id, CAST(to_json(p) AS VARCHAR), 'registry', ?, ?, now()
FROM people p WHERE person_id = ?""", [keep, by, duplicate])
        for table in REFERENCES:
            con.execute(f"UPDATE {table} SET person_id = ? WHERE person_id = ?",
                        [keep, duplicate])
        con.execute("DELETE FROM people WHERE person_id = ?", [duplicate])
        _decided(con, keep, duplicate, "merged", by)
        _audit(con, by, role, region_code, "merge_person", keep, duplicate)


def mark_distinct(con: duckdb.DuckDBPyConnection, keep: int, duplicate: int, by: str,
                  role: str | None = None, region_code: str | None = None) -> None:
    """Record that a proposed pair is two people (it is not proposed again)."""
    with atomic(con):
        _check_both(con, keep, duplicate)
        _decided(con, keep, duplicate, "distinct", by)
        _audit(con, by, role, region_code, "distinct_persons", keep, duplicate)


def _check_both(con: duckdb.DuckDBPyConnection, keep: int, duplicate: int) -> None:
    found = {int(r[0]) for r in con.execute(
        "SELECT person_id FROM people WHERE person_id IN (?, ?)", [keep, duplicate]
    ).fetchall()}
    for person in (keep, duplicate):
        if person not in found:
            merged = con.execute("SELECT record_id FROM registry_changes WHERE change = "
                                 "'merge' AND person_id = ?", [person]).fetchone()
            raise PovertyCloudError(f"person {person} was already merged into {merged[0]}"
                                    if merged else f"no person {person} in the registry")
    decided = con.execute("SELECT decision FROM registry_duplicates WHERE person_id = ? AND "
                          "duplicate_id = ? AND decision IS NOT NULL",
                          [keep, duplicate]).fetchone()
    if decided:
        raise PovertyCloudError(f"persons {keep} and {duplicate} were already decided: "
                                f"{decided[0]}")


def _decided(con: duckdb.DuckDBPyConnection, keep: int, duplicate: int, decision: str,
             by: str) -> None:
    con.execute("""
INSERT INTO registry_duplicates (person_id, duplicate_id, match_probability, matched_on,
  found_at, decision, decided_by, decided_at)
VALUES (?, ?, 1.0, 'officer', now(), ?, ?, now())
ON CONFLICT (person_id, duplicate_id) DO UPDATE SET decision = excluded.decision,
  decided_by = excluded.decided_by, decided_at = excluded.decided_at""",
                [keep, duplicate, decision, by])


def _audit(con: duckdb.DuckDBPyConnection, by: str, role: str | None,
           region_code: str | None, action: str, keep: int, duplicate: int) -> None:
    con.execute("INSERT INTO audit_log (logged_at, username, role, action, object_kind, "
                "object_id, region_code, detail) VALUES (now(), ?, ?, ?, 'person', ?, ?, ?)",
                [by, role, action, str(duplicate), region_code, f"kept {keep}"])
