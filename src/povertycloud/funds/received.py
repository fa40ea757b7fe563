"""What a household received, for its file: each payment line with its programme,
period, day and the bank's outcome (the account masked unless unmasked, a read the
caller audits), and each delivery of goods in kind with its quantity."""

from __future__ import annotations

from typing import Any

from ..access.privacy import masked_value
from ..store import Store
from .ledger import QUERIES
from .programmes import Programmes


def received(store: Store, household_id: int, programmes: Programmes, unmasked: bool
             ) -> dict[str, list[dict[str, Any]]]:
    """``payments`` (money, through the bank) and ``in_kind`` (goods) of a household,
    newest first."""
    units = {p.id: (p.unit, p.unit_value_fen) for p in programmes.programmes if p.unit}
    payments, in_kind = [], []
    for line in store.records(QUERIES["household_payments"], [household_id]):
        if line.pop("kind") == "in_kind":
            unit, value = units.get(line["programme"], (None, None))
            line.update(unit=unit, quantity=line["amount_fen"] // value if value else None)
            for key in ("bank_account", "outcome", "paid_fen", "reason", "reconciled_at"):
                line.pop(key)
            in_kind.append(line)
            continue
        if not unmasked:
            line["bank_account"] = masked_value("bank_account", line["bank_account"])
        payments.append(line)
    return {"payments": payments, "in_kind": in_kind}
