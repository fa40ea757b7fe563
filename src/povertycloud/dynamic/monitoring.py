"""The relapse monitoring lists as an officer reads them: health reasons shown only to
who may unmask (that read audited), every reason in words."""

from __future__ import annotations

from typing import Any

from ..access import audit
from ..access.accounts import User
from ..store import Store


def monitoring_for(store: Store, user: User, year: int | None) -> list[dict[str, Any]]:
    """The monitoring lists of the villages of ``user``'s jurisdiction (origin ``year``,
    default the latest scored), by village and rank."""
    # imported here: the model's libraries load on the first list, not at every start
    from .warning import monitoring_list, with_health
    from .warning_features import REASONS

    rows = monitoring_list(store.con, user.prefix, year)
    shown = with_health(rows, user.may("unmask"))
    for row in rows:
        row["reason_texts"] = [REASONS.get(code, code) for code in row["reasons"]]
    if shown:  # reading health details is audited
        audit.record(store, user, "read_monitoring_list", "region", user.region_code,
                     user.region_code, f"{shown} households with health reasons")
    return rows
