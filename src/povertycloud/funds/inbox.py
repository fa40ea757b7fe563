"""The anomaly inbox of a jurisdiction: its fund flags with their evidence masked (bank
accounts, ID numbers, phones: wherever they lie in it), except one flag's, unmasked for
who may (a read the caller audits)."""

from __future__ import annotations

from typing import Any

from ..access.privacy import masked_value
from ..store import Store
from .flags import flags_in

SENSITIVE = ("account", "id_number", "phone")  # a key that ends so holds a sensitive value


def masked(evidence: Any, key: str = "") -> Any:
    """``evidence`` with the value of every sensitive key masked, at any depth."""
    if isinstance(evidence, dict):
        return {k: masked(v, k) for k, v in evidence.items()}
    if isinstance(evidence, list):
        return [masked(v, key) for v in evidence]
    return masked_value(key, evidence) if key.endswith(SENSITIVE) else evidence


def inbox(store: Store, prefix: str, unmasked: int | None = None) -> list[dict[str, Any]]:
    """The flags under ``prefix`` (funds.flags.flags_in), evidence masked but
    ``unmasked``'s."""
    flags = flags_in(store, prefix)
    for flag in flags:
        if flag["flag_id"] != unmasked:
            flag["evidence"] = masked(flag["evidence"])
    return flags
