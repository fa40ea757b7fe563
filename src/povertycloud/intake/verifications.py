"""Households verified in the field: whether a household is poor, its causes and, where
the visit measured it, its income per capita, as the officer who visited found them on a
day. A file of them (the household survey's export with its verification group, or a
.csv or .xlsx with the same columns) is taken whole or not at all, each bad row named
with its field, the rows of households not verified (no day, no verdict) left aside; the
same file twice changes nothing. What a model of identification learns from is the
latest verification of each household up to a day (identification/verified.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..access.accounts import User
from ..access.audit import record
from ..errors import PovertyCloudError
from ..sqltext import literal, literals
from ..standard.codes import CAUSES
from ..store import Store
from . import readers
from .answers import rename_group_paths, yes_no_sql
from .refusals import Check, refuse_missing_columns, refuse_rows

COLUMNS = ("household_id", "verified_on", "verified_poor", "verified_primary_cause",
           "verified_causes", "verified_income_per_capita")
VERIFIER = ("verifier", "username", "SubmitterName", "_submitted_by")  # the first found
STAGED = "_verification_file"
NOTHING = "no verification was kept"
SEPARATORS = "[ ;,]+"  # a form's multiple choice is space-separated; people write ; or ,


class VerificationError(PovertyCloudError):
    """Verifications that cannot be taken, with the reason."""


@dataclass(frozen=True)
class Imported:
    verifications: int
    new: bool  # False: the same file was taken before; nothing changed


def import_verifications(store: Store, path: Path, by: User,
                         today: dt.date | None = None) -> Imported:
    """Check the verification file ``path`` and keep its rows as imported by ``by``, who
    must verify (field officers and officers do) in the households' jurisdiction."""
    if not by.may("verify"):
        raise VerificationError(f"{by.username} ({by.role}) may not enter field "
                                "verifications")
    checksum = readers.checksum(path)
    earlier = store.value("SELECT verifications FROM verification_imports WHERE checksum = ?",
                          [checksum])
    if earlier is not None:
        return Imported(int(earlier), new=False)
    columns = readers.stage(store, path, STAGED)
    rename_group_paths(store, STAGED, columns, (*COLUMNS, *VERIFIER))
    columns = list(store.columns(STAGED))
    refuse_missing_columns(columns, COLUMNS, str(path), "a verification file", NOTHING)
    verifier = next((c for c in VERIFIER if c in columns), None)
    store.execute(f"CREATE OR REPLACE TEMP TABLE _verified AS {_typed(verifier, by)}")
    if not store.scalar("SELECT count(*) FROM _verified"):
        raise VerificationError(f"{path}: no household in it was verified (verified_on and "
                                "verified_poor are empty)")
    refuse_rows(store, "_verified", _checks(by, today or dt.date.today()), str(path),
                NOTHING)
    with store.transaction():
        batch = store.draw("verification_import_ids", 1) + 1
        store.execute(
            "INSERT INTO field_verifications SELECT household_id, verified_on, verifier, "
            "poor, CASE WHEN poor THEN primary_cause END, CASE WHEN poor THEN "
            "array_to_string(list_sort(list_distinct(list_append(causes, primary_cause))), "
            "';') END, income_per_capita, ? FROM _verified", [batch])
        count = store.scalar("SELECT count(*) FROM _verified")
        store.execute("INSERT INTO verification_imports VALUES (?, ?, ?, ?, ?, now())",
                      [batch, str(path), checksum, count, by.username])
        record(store, by, "import_verifications", "field_verifications", str(batch),
               by.region_code, f"{count:,} households from {path.name}")
    return Imported(count, new=True)


def _typed(verifier: str | None, by: User) -> str:
    """The staged rows typed, with what the checks need: the household's village, how
    often the file and the store hold its household on the day."""
    who = f"nullif(trim(CAST(f.{verifier} AS VARCHAR)), '')" if verifier else "NULL"
    causes = ("list_filter(string_split_regex(lower(trim(coalesce(CAST(f.verified_causes "
              f"AS VARCHAR), ''))), '{SEPARATORS}'), c -> c <> '')")
    return f"""
WITH f AS (
  SELECT f._row, TRY_CAST(trim(CAST(f.household_id AS VARCHAR)) AS BIGINT) AS household_id,
    CAST(f.household_id AS VARCHAR) AS household_id_text,
    TRY_CAST(trim(CAST(f.verified_on AS VARCHAR)) AS DATE) AS verified_on,
    CAST(f.verified_on AS VARCHAR) AS verified_on_text,
    coalesce({who}, {literal(by.username)}) AS verifier,
    {yes_no_sql('CAST(f.verified_poor AS VARCHAR)')} AS poor,
    CAST(f.verified_poor AS VARCHAR) AS poor_text,
    nullif(lower(trim(CAST(f.verified_primary_cause AS VARCHAR))), '') AS primary_cause,
    {causes} AS causes,
    nullif(trim(CAST(f.verified_income_per_capita AS VARCHAR)), '') AS income_text,
    TRY_CAST(trim(CAST(f.verified_income_per_capita AS VARCHAR)) AS DOUBLE)
      AS income_per_capita
  FROM {STAGED} f
  -- a row of a survey's export whose household was not verified on the visit
  WHERE coalesce(trim(CAST(f.verified_on AS VARCHAR)), '') <> ''
     OR coalesce(trim(CAST(f.verified_poor AS VARCHAR)), '') <> '')
SELECT f.*, h.village_code,
  list_filter(f.causes, c -> c NOT IN {literals(CAUSES)}) AS unknown_causes,
  count(*) OVER (PARTITION BY f.household_id, f.verified_on) AS in_file,
  v.import_id AS verified_in
FROM f LEFT JOIN households h ON h.household_id = f.household_id
LEFT JOIN field_verifications v ON v.household_id = f.household_id
  AND v.verified_on = f.verified_on"""


def _checks(by: User, today: dt.date) -> list[Check]:
    return [
        ("household_id", "household_id IS NULL",
         "'missing or not a household id: ' || coalesce(household_id_text, '(empty)')"),
        ("household_id", "household_id IS NOT NULL AND village_code IS NULL",
         "'household ' || household_id || ' is not in the registry'"),
        ("household_id", f"NOT starts_with(village_code, {literal(by.prefix)})",
         f"'household ' || household_id || ' is outside the jurisdiction of "
         f"{by.username}'"),
        ("verified_on", "verified_on IS NULL",
         "'missing or not a date (YYYY-MM-DD): ' || coalesce(verified_on_text, '(empty)')"),
        ("verified_on", f"verified_on > DATE '{today.isoformat()}'",
         "'the visit (' || verified_on || ') is in the future'"),
        ("verified_on", "in_file > 1", "'household ' || household_id || ' is verified ' || "
                                       "in_file || ' times on ' || verified_on || ' in the file'"),
        ("verified_on", "verified_in IS NOT NULL",
         "'household ' || household_id || ' was verified on ' || verified_on || ' already "
         "(import ' || verified_in || ')'"),
        ("verified_poor", "poor IS NULL",
         "'must be yes or no, not ' || coalesce(poor_text, '(empty)')"),
        ("verified_primary_cause", "poor AND primary_cause IS NULL",
         "'a poor household needs its primary cause'"),
        ("verified_primary_cause", f"primary_cause NOT IN {literals(CAUSES)}",
         f"'not a cause of the standard ({', '.join(CAUSES)}): ' || primary_cause"),
        ("verified_primary_cause", "poor IS false AND primary_cause IS NOT NULL",
         "'a household found not poor has no cause: leave it empty'"),
        ("verified_causes", "len(unknown_causes) > 0",
         "'not causes of the standard: ' || array_to_string(unknown_causes, ', ')"),
        ("verified_income_per_capita", "income_text IS NOT NULL AND (income_per_capita IS "
                                       "NULL OR income_per_capita < 0)",
         "'must be yuan, zero or more, not ' || income_text"),
    ]
