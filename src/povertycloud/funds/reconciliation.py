"""The reconciliation report of payment batches: each batch's lines and total, what the
bank's return said of them (paid, failed, amount differs, other holder, unknown, and the
lines not returned yet), and the lines it did not pay as sent, their accounts masked."""

from __future__ import annotations

from typing import Any

from ..access.privacy import masked_value
from ..errors import NotFound
from ..store import Store
from .ledger import QUERIES

SHOWN = 500  # batches a listing shows at most


def batches_in(store: Store, prefix: str, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The payment batches of counties under ``prefix``, newest first."""
    return store.records(QUERIES["batches_in"], [prefix, limit])


def batch_report(store: Store, batch_id: int, prefix: str) -> dict[str, Any]:
    """A batch of a county under ``prefix`` with its ``outcomes`` and ``problems``."""
    batch = store.record(QUERIES["batch"], [batch_id])
    if batch is None or not batch["county_code"].startswith(prefix):
        raise NotFound(f"no payment batch {batch_id} in your jurisdiction")
    problems = store.records(QUERIES["batch_problems"], [batch_id])
    for line in problems:
        line["bank_account"] = masked_value("bank_account", line["bank_account"])
    return batch | {"outcomes": store.records(QUERIES["batch_outcomes"], [batch_id, batch_id]),
                    "problems": problems}
