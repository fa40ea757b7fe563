"""A file of entries to book (CSV, Excel, JSON or Parquet), one posting per row: the
accountant's layout. Rows with the same ``entry`` make one entry; each row has a debit or
a credit in yuan (at most two decimals), never both. Every problem names the file, the
row and the field; a file with any problem books nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from ..errors import Issue, ValidationFailed
from ..intake import readers
from ..store import Store
from .ledger import Entry, Posting
from .money import MoneyError, fen

COLUMNS = ("entry", "kind", "programme", "value_date", "account", "debit_yuan",
           "credit_yuan", "memo")
REQUIRED = ("entry", "kind", "programme", "value_date", "account")
STAGING = "_fund_bookings"
NOTHING = "nothing was booked"


def entries_in(store: Store, path: Path) -> list[Entry]:
    """The entries of the file ``path``, in the order of their first row."""
    columns = readers.stage(store, path, STAGING)
    missing = [c for c in REQUIRED if c not in columns]
    if missing or ("debit_yuan" not in columns and "credit_yuan" not in columns):
        raise ValidationFailed([Issue(str(path), 1, ", ".join(missing or ["debit_yuan"]),
                                      f"missing; the columns are {', '.join(COLUMNS)}")], 1,
                               nothing=NOTHING)
    picked = ", ".join(f'"{c}"' if c in columns else f"NULL AS {c}" for c in COLUMNS)
    rows = store.records(f"SELECT {picked}, _row FROM {STAGING} ORDER BY _row")
    store.execute(f"DROP TABLE {STAGING}")
    issues: list[Issue] = []
    grouped: dict[str, list[tuple[dict[str, object], Posting]]] = {}
    for row in rows:
        posting = _posting(row, path, issues)
        if posting is not None:
            grouped.setdefault(str(row["entry"]), []).append((row, posting))
    entries = [_entry(key, lines, path, issues) for key, lines in grouped.items()]
    if issues:  # at a CSV's lines, a workbook's rows
        raise ValidationFailed([replace(i, unit=readers.unit(str(path))) for i in issues],
                               len(issues), nothing=NOTHING)
    return [e for e in entries if e is not None]


def _posting(row: dict[str, object], path: Path, issues: list[Issue]) -> Posting | None:
    where = int(row["_row"])  # type: ignore[call-overload]
    for name in REQUIRED:
        if not row[name]:
            issues.append(Issue(str(path), where, name, "is empty"))
            return None
    debit, credit = row["debit_yuan"], row["credit_yuan"]
    if bool(debit) == bool(credit):
        issues.append(Issue(str(path), where, "debit_yuan", "give a debit or a credit, "
                            "not both and not neither"))
        return None
    field = "debit_yuan" if debit else "credit_yuan"
    try:
        amount = fen(debit or credit)
    except MoneyError as exc:
        issues.append(Issue(str(path), where, field, str(exc)))
        return None
    return Posting(str(row["account"]).strip(), amount if debit else -amount)


def _entry(key: str, lines: list[tuple[dict[str, object], Posting]], path: Path,
           issues: list[Issue]) -> Entry | None:
    first = lines[0][0]
    where = int(first["_row"])  # type: ignore[call-overload]
    for name in ("kind", "programme", "value_date", "memo"):
        if any(row[name] != first[name] for row, _ in lines[1:]):
            issues.append(Issue(str(path), where, name, f"differs between the rows of "
                                f"entry {key}"))
            return None
    try:
        day = dt.date.fromisoformat(str(first["value_date"]).strip())
    except ValueError:
        issues.append(Issue(str(path), where, "value_date", f"{first['value_date']!r} is "
                            "not a date (YYYY-MM-DD)"))
        return None
    return Entry(str(first["kind"]).strip(), str(first["programme"]).strip(), day,
                 tuple(p for _, p in lines), str(first["memo"]) if first["memo"] else None,
                 label=f"{path}, entry {key} ({readers.unit(str(path))} {where})")
