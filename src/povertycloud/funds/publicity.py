"""Funds and projects on the public portal, as the publicity rules require (公告公示): what
reached the households and projects of each village, per programme; a village's
per-household amounts only for the programmes whose rules publish them, the household
named by its head's surname, never an ID or account number. A count of households below
the portal's threshold is not published, nor the total it would tell of."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pyarrow as pa

from ..disclosure.portal import PUBLIC_MIN
from ..errors import PovertyCloudError
from ..store import Store
from .ledger import QUERIES
from .programmes import Programmes

PUBLISHED = "POVERTYCLOUD_PUBLISH_HOUSEHOLD_AMOUNTS"


def published_programmes(programmes: Programmes, given: str | None = None
                         ) -> tuple[str, ...]:
    """The programmes whose per-household amounts the portal publishes: comma-separated
    ids (``given``, else the setting ``POVERTYCLOUD_PUBLISH_HOUSEHOLD_AMOUNTS``); none
    when unset, the portal then publishing totals only."""
    text = os.environ.get(PUBLISHED, "") if given is None else given
    named = tuple(p.strip() for p in text.split(",") if p.strip())
    known = {p.id for p in programmes.programmes}
    unknown = [p for p in named if p not in known]
    if unknown:
        raise PovertyCloudError(f"{PUBLISHED}: unknown programmes {', '.join(unknown)}")
    return named


def public_funds(store: Store, prefix: str, published: tuple[str, ...],
                 as_of: dt.date | None = None) -> dict[str, Any]:
    """Under ``prefix``: ``villages`` (per village and programme: households paid, their
    total, projects and theirs), ``projects``, and ``households`` (per household, the
    ``published`` programmes only)."""
    day = as_of or dt.date.today()
    villages = [_suppressed(r, r["programme"] in published) for r in store.records(
        QUERIES["public_village_funds"], [day, prefix])]
    with store.registered("published_", pa.table({"programme": pa.array(published,
                                                                        pa.string())})):
        households = store.records(QUERIES["public_household_amounts"], [day, prefix])
    for row in households:
        row["head"] = _surname(row.pop("head"))
        row.pop("household_id")
    return {"villages": villages, "households": households,
            "projects": store.records(QUERIES["public_projects"], [day, prefix])}


def _suppressed(row: dict[str, Any], published: bool) -> dict[str, Any]:
    """A village's count of households paid below the threshold hidden with its total,
    unless the programme publishes each household's amount anyway."""
    if not published and 0 < row["households"] < PUBLIC_MIN:
        return row | {"households": None, "households_fen": None}
    return row


def _surname(name: str | None) -> str:
    """张三 as 张*: the head's surname, the given name hidden."""
    return f"{name[0]}{'*' * (len(name) - 1)}" if name else ""
