"""The verified set: what a model of identification learns from, the latest field
verification of each household up to a day (intake/verifications.py takes them in),
named by its fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from ..store import Store

if TYPE_CHECKING:
    import pyarrow as pa


def verified_as_of(store: Store, day: dt.date, prefix: str = "") -> tuple[pa.Table, str]:
    """The latest verification of each household under ``prefix`` on or before ``day``,
    and the set's fingerprint (SHA-256 of its households and days), to record with
    what is trained on it."""
    table = store.arrow(
        "SELECT v.* EXCLUDE (import_id) FROM field_verifications v JOIN households h "
        "USING (household_id) WHERE v.verified_on <= ? AND starts_with(h.village_code, ?) "
        "QUALIFY row_number() OVER (PARTITION BY v.household_id ORDER BY v.verified_on "
        "DESC) = 1 ORDER BY v.household_id", [day, prefix])
    digest = hashlib.sha256()
    for household, on in zip(table.column("household_id").to_pylist(),
                             table.column("verified_on").to_pylist(), strict=True):
        digest.update(f"{household}:{on}\n".encode())
    return table, digest.hexdigest()
