"""The registry's valid-time history and its "as of" views.

A change to a household or a person first copies the row as it was into
``household_history`` / ``person_history`` with the period it was valid for; the current
row stays where it is. A household's registry status has its own history in
``status_changes``. So the registry on any date is: the version valid that day of each
row, with the status held that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pyarrow as pa

from .errors import PovertyCloudError
from .pipeline.rollups import status_as_of_sql
from .sqltext import date_literal, literal
from .store import Store

Subject = Literal["households", "people"]
HISTORY: dict[Subject, tuple[str, str]] = {  # table: (its history, its key)
    "households": ("household_history", "household_id"),
    "people": ("person_history", "person_id"),
}
PERIOD = ("valid_from", "valid_to", "change", "changed_by", "changed_at")


class OutOfOrder(PovertyCloudError):
    """A change older than the current version of the row it changes."""


def supersede(store: Store, table: Subject, ends: str, change: str,
              by: str, late: bool = False) -> int:
    """Keep the current version of each row ``ends`` names, valid until the date it
    gives. ``ends`` is a query of (key, valid_to); call this before changing the rows.
    A change older than the current version's start is refused, unless ``late`` (a fact
    that arrived late, such as a death: it then takes effect from that start). Returns
    the versions kept."""
    history, key = HISTORY[table]
    versions = f"""
FROM {table} t JOIN ({ends}) e ON e.{key} = t.{key}
LEFT JOIN (SELECT {key}, max(valid_to) AS valid_from FROM {history} GROUP BY {key}) v
  ON v.{key} = t.{key}"""
    early = store.one(f"SELECT t.{key}, e.valid_to, v.valid_from {versions} "
                      "WHERE e.valid_to < v.valid_from LIMIT 1")
    if early and not late:
        raise OutOfOrder(f"{table} {early[0]}: a change from {early[1]} is older than "
                                f"its current version, valid from {early[2]}")
    return store.scalar(f"""
INSERT INTO {history} BY NAME
SELECT t.*, v.valid_from, greatest(e.valid_to, coalesce(v.valid_from, e.valid_to))
  AS valid_to, {literal(change)} AS change, {literal(by)} AS changed_by,
  now() AS changed_at {versions}""")


def versions_as_of_sql(table: Subject, day: dt.date) -> str:
    """The rows of ``table`` as they were on ``day``: the version valid that day, or
    the current row when no later change superseded it."""
    history, key = HISTORY[table]
    d = date_literal(day)
    return f"""
SELECT * EXCLUDE ({", ".join(PERIOD)}) FROM {history}
WHERE coalesce(valid_from, DATE '0001-01-01') <= {d} AND valid_to > {d}
UNION ALL BY NAME
SELECT * FROM {table} t WHERE NOT EXISTS (
  SELECT 1 FROM {history} h WHERE h.{key} = t.{key} AND h.valid_to > {d})"""


def people_as_of_sql(day: dt.date) -> str:
    """People born by ``day`` as they were then (a later death is not yet known)."""
    return (f"SELECT * FROM ({versions_as_of_sql('people', day)}) "
            f"WHERE birth_date <= {date_literal(day)}")


def households_as_of_sql(day: dt.date) -> str:
    """Households as they were on ``day``, with the registry status they held then."""
    return f"""
SELECT h.* REPLACE (coalesce(s.status, 'not_registered') AS registration_status)
FROM ({versions_as_of_sql('households', day)}) h
LEFT JOIN ({status_as_of_sql(day)}) s ON s.household_id = h.household_id"""


AS_OF = {"households": (households_as_of_sql, "village_code"),
         "people": (people_as_of_sql, "CAST(household_id AS VARCHAR)")}


def registry_as_of(store: Store, table: str, day: dt.date, prefix: str = "") -> pa.Table:
    """The households or people (``table``) as they were on ``day``, of the villages
    whose code starts with ``prefix``, in the order of their key."""
    if table not in AS_OF:
        raise PovertyCloudError(f"the registry as of a day is {' or '.join(AS_OF)}, "
                                f"not {table!r}")
    sql, village = AS_OF[table]
    return store.arrow(f"SELECT * FROM ({sql(day)}) WHERE starts_with({village}, ?) "
                       "ORDER BY 1", [prefix])
