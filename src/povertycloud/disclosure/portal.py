"""What the portal publishes of a region: registry counts with small cells suppressed,
and the announcements of the region, the regions above it and below it."""

from __future__ import annotations

from typing import Any

from ..access.accounts import User
from ..reports.figures import latest_as_of, region
from ..standard.regions import PREFIX_LENGTH, level_of
from ..store import Store

PUBLIC_MIN = 10  # counts of fewer people or households are not published
PUBLIC_COLUMNS = ("households", "people", "households_registered_poor",
                  "people_registered_poor", "households_exited", "people_exited",
                  "households_monitored", "people_monitored")


def suppress(row: dict[str, Any], columns: tuple[str, ...] = PUBLIC_COLUMNS) -> dict[str, Any]:
    """``row`` with each count below ``PUBLIC_MIN`` replaced by None, and the incidence
    hidden when the count it rests on is."""
    out = dict(row)
    for column in columns:
        if column in out and out[column] is not None and out[column] < PUBLIC_MIN:
            out[column] = None
    if "registered_incidence" in out and (out.get("people_registered_poor") is None
                                          or out.get("people") is None):
        out["registered_incidence"] = None
    return out


def public_region(store: Store, code: str) -> dict[str, Any]:
    """What the portal publishes for a region: registry counts, suppressed, and its
    children likewise."""
    info = region(store, code)
    as_of = latest_as_of(store)
    keep = ", ".join((*PUBLIC_COLUMNS, "registered_incidence"))
    own = store.record(f"SELECT {keep} FROM region_rollups WHERE region_code = ? "
                       "AND as_of = ?", [code, as_of])
    below = store.records(
        f"SELECT g.code, g.name, g.level, {keep} FROM regions g LEFT JOIN region_rollups r "
        "ON r.region_code = g.code AND r.as_of = ? WHERE g.parent_code = ? ORDER BY g.code",
        [as_of, code])
    history = store.records(f"SELECT as_of, {keep} FROM region_rollups "
                            "WHERE region_code = ? ORDER BY as_of", [code])
    return info | {"as_of": as_of, "figures": suppress(own) if own else None,
                   "children": [suppress(c) for c in below],
                   "trend": [suppress(h) for h in history]}


def announcements(store: Store, code: str | None = None
                  ) -> list[dict[str, Any]]:
    """The latest 50 announcements; with ``code``, those of its region, the regions above
    it and the regions below it."""
    where, params = "", []
    if code:
        region(store, code)  # an unknown region is a 404, not an empty list
        own = " ".join(f"WHEN '{level}' THEN {n}" for level, n in PREFIX_LENGTH.items())
        where = (f"WHERE starts_with(a.region_code, ?) "  # below (or at) the region
                 f"OR starts_with(?, left(a.region_code, CASE g.level {own} END))")  # above
        params = [code[:PREFIX_LENGTH[level_of(code)]], code]
    return store.records(
        "SELECT a.announcement_id, a.published_at, a.region_code, g.name AS region_name, "
        "a.title, a.body FROM announcements a JOIN regions g ON g.code = a.region_code "
        f"{where} ORDER BY a.published_at DESC LIMIT 50", params)


def announce(store: Store, by: User, region_code: str, title: str, body: str) -> int:
    """Publish an announcement on the portal for a region (which must exist); its id."""
    region(store, region_code)
    announcement_id = store.draw("announcement_ids", 1) + 1
    store.execute(
        "INSERT INTO announcements (announcement_id, region_code, title, body, published_at, "
        "published_by) VALUES (?, ?, ?, ?, now(), ?)",
        [announcement_id, region_code, title.strip(), body.strip(), by.user_id])
    return announcement_id
