"""Merging one person registered twice: the duplicate's row goes, its events, feed links
and flags move to the person kept (and that person's household), and everything is kept
where it can be traced: the row as it was in ``registry_changes``, the decision in
``registry_duplicates``, who did it in the audit log, all in one transaction."""

from __future__ import annotations

from ..errors import PovertyCloudError
from ..feeds.checks import village_of_person
from ..history import supersede
from ..store import Store

# tables whose rows name a person and its household, moved to the person kept
REFERENCES = ("events", "conflict_flags")


def merge(store: Store, keep: int, duplicate: int, by: str,
          role: str | None = None) -> None:
    """Merge ``duplicate`` into ``keep``; of two merges touching the same people at
    once, one wins and the other fails with a conflict."""
    if keep == duplicate:
        raise PovertyCloudError("a person cannot be merged into itself")
    with store.transaction():
        _check_both(store, keep, duplicate)
        region = village_of_person(store, duplicate)
        store.execute("""
INSERT INTO registry_changes (change, person_id, household_id, before, source, record_id,
  changed_by, changed_at)
SELECT 'merge', person_id, household_id, CAST(to_json(p) AS VARCHAR), 'registry', ?, ?, now()
FROM people p WHERE person_id = ?""", [keep, by, duplicate])
        for table in REFERENCES:
            store.execute(f"UPDATE {table} SET person_id = k.person_id, household_id = "
                          "k.household_id FROM people k WHERE k.person_id = ? AND "
                          f"{table}.person_id = ?", [keep, duplicate])
        # a record linked to both is the kept person's once
        store.execute("DELETE FROM feed_links d WHERE d.person_id = ? AND EXISTS (SELECT 1 "
                      "FROM feed_links k WHERE k.person_id = ? AND k.source = d.source AND "
                      "k.record_id = d.record_id)", [duplicate, keep])
        store.execute("UPDATE feed_links SET person_id = ? WHERE person_id = ?",
                      [keep, duplicate])
        supersede(store, "people", f"SELECT {int(duplicate)} AS person_id, current_date AS "
                  "valid_to", "merge", by)
        store.execute("DELETE FROM people WHERE person_id = ?", [duplicate])
        _decided(store, keep, duplicate, "merged", by)
        store.audit("merge_person", username=by, role=role, object_kind="person",
                    object_id=str(duplicate), region_code=region, detail=f"kept {keep}")


def mark_distinct(store: Store, keep: int, duplicate: int, by: str,
                  role: str | None = None) -> None:
    """Record that a proposed pair is two people (it is not proposed again)."""
    with store.transaction():
        _check_both(store, keep, duplicate)
        _decided(store, keep, duplicate, "distinct", by)
        store.audit("distinct_persons", username=by, role=role, object_kind="person",
                    object_id=str(duplicate),
                    region_code=village_of_person(store, duplicate),
                    detail=f"apart from {keep}")


def _check_both(store: Store, keep: int, duplicate: int) -> None:
    # writing both rows (the kept one is changed by the merge) makes a concurrent merge
    # of either person conflict with this one: DuckDB refuses a second update of a row
    # (no RETURNING: DuckDB 1.5 does not detect the conflict on an UPDATE ... RETURNING)
    store.execute("UPDATE people SET recorded_at = now() WHERE person_id IN (?, ?)",
                  [keep, duplicate])
    touched = {int(p) for p in store.column(
        "SELECT person_id FROM people WHERE person_id IN (?, ?)", [keep, duplicate])}
    for person in (keep, duplicate):
        if person not in touched:
            merged = store.one("SELECT record_id FROM registry_changes WHERE change = "
                               "'merge' AND person_id = ?", [person])
            raise PovertyCloudError(f"person {person} was already merged into {merged[0]}"
                                    if merged else f"no person {person} in the registry")
    decided = store.value("SELECT decision FROM registry_duplicates WHERE person_id = ? AND "
                          "duplicate_id = ? AND decision IS NOT NULL", [keep, duplicate])
    if decided:
        raise PovertyCloudError(f"persons {keep} and {duplicate} were already decided: "
                                f"{decided}")


def _decided(store: Store, keep: int, duplicate: int, decision: str,
             by: str) -> None:
    store.execute("""
INSERT INTO registry_duplicates (person_id, duplicate_id, match_probability, matched_on,
  found_at, decision, decided_by, decided_at)
VALUES (?, ?, 1.0, 'officer', now(), ?, ?, now())
ON CONFLICT (person_id, duplicate_id) DO UPDATE SET decision = excluded.decision,
  decided_by = excluded.decided_by, decided_at = excluded.decided_at""",
                  [keep, duplicate, decision, by])
