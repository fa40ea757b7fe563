"""The relapse monitoring lists as an officer reads them: health reasons shown only to
who may unmask (that read audited), left out for anyone else, every reason in words."""

from __future__ import annotations

from typing import Any

from ..access import audit
from ..access.accounts import User
from ..access.privacy import HEALTH_REASONS, without_health
from ..paging import Page
from ..store import Store


def monitoring_for(store: Store, region: str, prefix: str, reader: User | None,
                   year: int | None = None, limit: int = 500, via: str = "",
                   offset: int = 0) -> list[dict[str, Any]]:
    """The monitoring lists of ``region``'s villages (those under ``prefix``), origin
    ``year`` (default the latest scored), by village and rank (``limit`` of them from
    ``offset``), read by ``reader``: health reasons are shown only if the reader may
    unmask, and that read is audited (``via`` says where from, for the log); for anyone
    else they are left out, with nothing in their place (a mark would tell who is ill)."""
    # imported here: the model's libraries load on the first list, not at every start
    from .warning import monitoring_list
    from .warning_features import REASONS

    rows = monitoring_list(store, prefix, year, limit, offset)
    if reader is None or not reader.may("unmask"):
        for row in rows:
            row["reasons"] = without_health(row["reasons"], HEALTH_REASONS)
    shown = sum(not HEALTH_REASONS.isdisjoint(row["reasons"]) for row in rows)
    for row in rows:
        row["reason_texts"] = [REASONS.get(code, code) for code in row["reasons"]]
    if shown and reader is not None:  # reading health details is audited
        audit.record(store, reader, "read_monitoring_list", "region", region,
                     reader.region_code, f"{shown} households with health reasons{via}")
    return rows


def monitoring_page(store: Store, region: str, prefix: str, reader: User,
                    year: int | None, page: Page) -> dict[str, Any]:
    """One ``page`` of ``monitoring_for`` with how many households the lists hold."""
    from .warning import monitoring_total

    rows = monitoring_for(store, region, prefix, reader, year, page.size, offset=page.offset)
    return page.of(rows, monitoring_total(store, prefix, year))
