"""The officers' side of the registry's duplicates: the pairs that may be one person
registered twice, both living in a jurisdiction, and the decision on one (merge, history
kept, or two people)."""

from __future__ import annotations

from typing import Any

from ..access.accounts import User
from ..errors import NotFound
from ..feeds.checks import village_of_person
from ..store import Store
from . import search
from .duplicates import open_pairs
from .merge import mark_distinct, merge

COLUMNS = ("person_id", "duplicate_id", "p", "matched_on", "name", "duplicate_name",
           "birth_date", "duplicate_birth_date", "household_id", "duplicate_household_id",
           "contradiction")


def open_duplicates(store: Store, prefix: str, limit: int = 500) -> list[dict[str, Any]]:
    """Undecided pairs of people both living under ``prefix``, most probable first."""
    if not store.has_table("registry_duplicates"):
        return []
    return [dict(zip(COLUMNS, row, strict=True))
            for row in open_pairs(store, prefix)[:limit]]


def check_pair(store: Store, user: User, keep: int, duplicate: int) -> None:
    """Not found unless the pair is proposed and both people live in ``user``'s
    jurisdiction."""
    proposed = store.one("SELECT 1 FROM registry_duplicates WHERE person_id = ? AND "
                         "duplicate_id = ?", [keep, duplicate])
    villages = [village_of_person(store, p) for p in (keep, duplicate)]
    if proposed is None or not all(v and user.covers(v) for v in villages):
        raise NotFound(f"no proposed pair {keep}/{duplicate} in your jurisdiction")


def decide(store: Store, user: User, keep: int, duplicate: int, same: bool) -> str:
    """Merge ``duplicate`` into ``keep`` (taken out of the search at once), or record two
    people; audited by the merge. Returns the decision."""
    if same:
        merge(store, keep, duplicate, user.username, user.role)
        search.forget(store, duplicate)
        return "merged"
    mark_distinct(store, keep, duplicate, user.username, user.role)
    return "distinct"
