"""Disbursement timeliness by county: of the household payment lines booked up to a day,
the share booked within their programme's ``pay_within_days`` of the period's start
(funds/periods.py, kept with the batch)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ..store import Store
from .ledger import QUERIES
from .programmes import Programmes


def timeliness(store: Store, within: str, programmes: Programmes,
               as_of: dt.date | None = None, programme: str | None = None
               ) -> list[dict[str, Any]]:
    """Per county, for households under ``within``: payments, on_time, late and the share
    on time."""
    timed = [p for p in programmes.programmes if p.to_households and p.pay_within_days]
    windows = pa.table({"programme": pa.array([p.id for p in timed], pa.string()),
                        "pay_within_days": pa.array([p.pay_within_days for p in timed],
                                                    pa.int32())})
    with store.registered("windows_", windows):
        return store.records(QUERIES["payment_timeliness"],
                             [as_of or dt.date.today(), within, programme, programme])
