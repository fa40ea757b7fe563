"""Anomaly flags on the funds as the officers of a jurisdiction see and verify them: each
flag's rule, where it lies, its evidence; an officer's outcome from the field, once and
audited; and how precise each rule has proven."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..feeds.outcomes import OUTCOMES
from ..store import Store
from .ledger import QUERIES

SHOWN = 500  # flags a listing shows at most


def flags_in(store: Store, prefix: str, limit: int = SHOWN) -> list[dict[str, Any]]:
    """Flags of regions under ``prefix``, unverified first, each with its evidence."""
    flags = store.records(QUERIES["flags_in"], [prefix, limit])
    for flag in flags:
        flag["evidence"] = json.loads(flag["evidence"] or "{}")
    return flags


def verify_flag(store: Store, flag_id: int, outcome: str, by: User,
                note: str | None = None) -> None:
    """Record ``by``'s outcome of a flag in their jurisdiction (one statement: of two
    officers at once only one records it), in the audit log too."""
    if outcome not in OUTCOMES:
        raise PovertyCloudError(f"outcome must be one of {', '.join(OUTCOMES)}")
    found = store.record(QUERIES["flag"], [flag_id])
    if found is None or not found["region_code"].startswith(by.prefix):
        raise NotFound(f"no flag {flag_id} in the jurisdiction of {by.username}")
    if found["outcome"] is not None:
        raise PovertyCloudError(f"flag {flag_id} was verified already: {found['outcome']}")
    with store.transaction():
        changed = store.execute(QUERIES["record_flag_outcome"], [
            outcome, dt.datetime.now(), by.username, note, flag_id]).fetchone()
        if changed is not None and not changed[0]:
            raise PovertyCloudError(f"flag {flag_id} was verified by another officer "
                                    "at the same moment")
        record(store, by, "verify_fund_flag", "fund_flag", str(flag_id),
               found["region_code"], f"{outcome}: {note}" if note else outcome)


def precision(store: Store, prefix: str) -> list[dict[str, Any]]:
    """Per rule under ``prefix``: flags, verified, confirmed and precision."""
    return store.records(QUERIES["flag_precision"], [prefix])
