"""Refusing a staged file's bad rows before anything is written: each check is SQL over
the staged relation, and every row that fails one is named with its file's line (a CSV)
or row, the field and the reason (the first ``SHOWN``, and how many in all)."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Issue, ValidationFailed
from ..store import Store
from .readers import unit

SHOWN = 20  # refused rows listed in an error
Check = tuple[str, str, str]  # (field, SQL condition of a refused row, SQL of the reason)


def refuse_rows(store: Store, relation: str, checks: list[Check], source: str,
                nothing: str) -> None:
    """Raise ValidationFailed (saying ``nothing`` was written) when a row of
    ``relation`` (with its file row in ``_row``) fails any of ``checks``."""
    found = " UNION ALL ".join(f"SELECT _row, '{field}' AS field, {why} AS reason "
                               f"FROM {relation} WHERE {cond}" for field, cond, why in checks)
    total = store.scalar(f"SELECT count(*) FROM ({found})")
    if total:
        issues = [Issue(source, int(r), f, str(why), unit(source)) for r, f, why in
                  store.rows(f"SELECT * FROM ({found}) ORDER BY _row, field LIMIT {SHOWN}")]
        raise ValidationFailed(issues, total, nothing=nothing)


def refuse_missing_columns(columns: Sequence[str], needed: Sequence[str], source: str,
                           what: str, nothing: str) -> None:
    """Raise ValidationFailed naming each of ``needed`` the file's ``columns`` lack (in
    its first row), ``what`` the file is."""
    missing = [c for c in needed if c not in columns]
    if missing:
        raise ValidationFailed([Issue(source, 1, c, f"the column is missing; {what} has "
                                      f"{', '.join(needed)}", unit(source)) for c in missing],
                               len(missing), nothing=nothing)
