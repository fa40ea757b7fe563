"""The bank's return file of a payment batch (回盘), taken in like a department's feed
(checked, its batch kept, the same file twice taken once) and reconciled line by line
with what was sent: paid (the household's receipt booked), failed (the money back to the
county), amount_differs (what was paid booked, the rest left at the bank), other_holder
(paid to an account or name other than the payee's: to recover), unknown (no such line)
and repeat (a line reconciled before, not booked again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..access.accounts import User
from ..errors import Issue, PovertyCloudError, ValidationFailed
from ..intake import import_file
from ..intake.batches import BatchReport
from ..standard.fields import Field, Kind, Table
from ..store import Store
from .accounts import within
from .bookings import NOTHING
from .ledger import append, retrying
from .money import YUAN_SQL

OUTCOMES = ("paid", "failed", "amount_differs", "other_holder", "unknown", "repeat")
RETURNS = Table(
    "fund_bank_returns", "银行代发回盘 bank payment returns",
    "The bank's report on each line of a payment batch it was sent.",
    (Field("record_id", Kind.INTEGER, "记录号", "The bank's record number."),
     Field("payment_batch", Kind.INTEGER, "批次号", "The payment batch it answers."),
     Field("line", Kind.INTEGER, "行号", "The line of the payment list."),
     Field("status", Kind.ENUM, "状态", "paid or failed", values=("paid", "failed")),
     Field("paid_yuan", Kind.STRING, "实付金额", "Yuan paid (a paid line).",
           required=False),
     Field("holder_name", Kind.STRING, "户名", "The name on the account paid."),
     Field("bank_account", Kind.STRING, "账号", "The account paid.", sensitive=True),
     Field("reason", Kind.STRING, "失败原因", "Why a line failed (closed_account, "
           "wrong_name...).", required=False),
     Field("value_date", Kind.DATE, "日期", "The day the bank paid or refused.")),
    ("record_id",))


@dataclass
class Reconciliation:
    payment_batch: int
    report: BatchReport
    outcomes: dict[str, tuple[int, int]] = field(default_factory=dict)  # lines, fen


def reconcile(store: Store, path: Path, payment_batch: int, by: User,
              today: dt.date | None = None) -> Reconciliation:
    """Take in the return file ``path`` of ``payment_batch`` and book what it says, in
    one transaction; a file of another batch, or with a bad row, takes in nothing."""
    batch = store.record("SELECT county_code, programme FROM fund_payment_batches "
                         "WHERE batch_id = ?", [payment_batch])
    if batch is None:
        raise PovertyCloudError(f"no payment batch {payment_batch}")
    if not within(batch["county_code"], by.region_code):
        raise PovertyCloudError(f"payment batch {payment_batch} is of county "
                                f"{batch['county_code']}, outside the jurisdiction of "
                                f"{by.username}")
    if not store.scalar("SELECT count(*) FROM fund_payments WHERE batch_id = ? AND "
                        "bank_account <> ''", [payment_batch]):
        raise PovertyCloudError(f"payment batch {payment_batch} was delivered in kind: "
                                "the bank has nothing to return")
    result: list[Reconciliation] = []

    def then(s: Store, report: BatchReport) -> None:
        result.append(_reconciled(s, report, payment_batch, batch["county_code"],
                                  batch["programme"], by, str(path)))

    report = retrying(store, lambda: import_file(store, RETURNS, path, label=str(path),
                                                 today=today, then=then))
    return result[-1] if result else Reconciliation(payment_batch, report)


def _reconciled(store: Store, report: BatchReport, payment_batch: int, county: str,
                programme: str, by: User, path: str) -> Reconciliation:
    rows = f"SELECT * FROM fund_bank_returns WHERE batch_id = {int(report.batch_id or 0)}"
    _refuse_other_batches(store, rows, payment_batch, path)
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _fund_returned AS
SELECT r.record_id, r.line, r.reason, r.value_date,
  CAST(round(TRY_CAST(r.paid_yuan AS DECIMAL(18, 2)) * 100) AS BIGINT) AS paid_fen,
  p.household_id, p.amount_fen,
  CASE WHEN p.line IS NULL THEN 'unknown'
    WHEN done.line IS NOT NULL OR row_number() OVER (PARTITION BY r.line
      ORDER BY r.record_id) > 1 THEN 'repeat'
    WHEN r.status = 'failed' THEN 'failed'
    WHEN regexp_replace(r.bank_account, '\\s', '', 'g') <> p.bank_account
      OR trim(r.holder_name) <> p.payee_name THEN 'other_holder'
    WHEN CAST(round(TRY_CAST(r.paid_yuan AS DECIMAL(18, 2)) * 100) AS BIGINT)
      <> p.amount_fen THEN 'amount_differs'
    ELSE 'paid' END AS outcome
FROM ({rows}) r
LEFT JOIN (SELECT * FROM fund_payments WHERE batch_id = {payment_batch}) p
  ON p.batch_id = r.payment_batch AND p.line = r.line
LEFT JOIN (SELECT DISTINCT line FROM fund_reconciliations WHERE batch_id = {payment_batch}
  ) done ON done.line = r.line""")
    _book_outcomes(store, payment_batch, county, programme, by)
    store.execute("INSERT INTO fund_reconciliations SELECT record_id, ?, line, outcome, "
                  "coalesce(paid_fen, 0), reason, entry_id, now() FROM _fund_returned_entries",
                  [payment_batch])
    outcomes = {o: (int(n), int(f)) for o, n, f in store.rows(
        "SELECT outcome, count(*), coalesce(sum(moved_fen), 0) FROM _fund_returned_entries "
        "GROUP BY outcome")}
    store.execute("DROP TABLE _fund_returned")
    store.execute("DROP TABLE _fund_returned_entries")
    return Reconciliation(payment_batch, report, outcomes)


def _refuse_other_batches(store: Store, rows: str, payment_batch: int, path: str) -> None:
    """A file with rows of another batch (the return of another batch), or a paid row
    without its amount, takes in nothing: said in one line, or each row named."""
    other = store.one(f"SELECT min(record_id), count(*), min(payment_batch) FROM ({rows}) "
                      "WHERE payment_batch <> ?", [payment_batch])
    if other is not None and other[1]:
        more = f" and {other[1] - 1:,} more" if other[1] > 1 else ""
        raise PovertyCloudError(
            f"{path}, record {other[0]}{more}: lines of payment batch {other[2]}, not of "
            f"batch {payment_batch} (the return of another batch?); {NOTHING}")
    found = store.rows(f"SELECT record_id, '''' || coalesce(paid_yuan, '') || ''' is not "
                       f"the amount in yuan of a paid line' FROM ({rows}) WHERE status = "
                       f"'paid' AND NOT regexp_full_match(coalesce(paid_yuan, ''), "
                       f"'{YUAN_SQL}') ORDER BY record_id")
    if found:
        issues = [Issue(path, int(r), "paid_yuan", str(why), unit="record")
                  for r, why in found]
        raise ValidationFailed(issues, len(issues), nothing=NOTHING)


# outcome: (entry kind, account paid to, the amount moved)
_MOVES: dict[str, tuple[str, Callable[[str], str], str]] = {
    "paid": ("receipt", lambda c: "'household:' || household_id", "amount_fen"),
    "amount_differs": ("receipt", lambda c: "'household:' || household_id",
                       "least(paid_fen, amount_fen)"),
    "other_holder": ("receipt", lambda c: f"'recovery:{c}'", "least(paid_fen, amount_fen)"),
    "failed": ("return", lambda c: f"'region:{c}'", "amount_fen"),
}


def _book_outcomes(store: Store, payment_batch: int, county: str, programme: str,
                   by: User) -> None:
    """One entry per line that moves money, from the county's clearing; every line's
    entry (or none) and the money it moved in ``_fund_returned_entries``."""
    kind = " ".join(f"WHEN '{o}' THEN '{k}'" for o, (k, _, _) in _MOVES.items())
    to = " ".join(f"WHEN '{o}' THEN {t(county)}" for o, (_, t, _) in _MOVES.items())
    moved = " ".join(f"WHEN '{o}' THEN {m}" for o, (_, _, m) in _MOVES.items())
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _fund_returned_moves AS
SELECT *, CASE WHEN moved_fen <> 0 THEN CASE outcome {kind} END END AS entry_kind
FROM (SELECT *, CASE outcome {to} END AS paid_to,
        coalesce(CASE outcome {moved} END, 0) AS moved_fen FROM _fund_returned)""")
    moving = store.scalar("SELECT count(entry_kind) FROM _fund_returned_moves")
    start = store.draw("fund_entry_ids", moving)  # a line paid nothing moves nothing
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _fund_returned_entries AS
SELECT *, CASE WHEN entry_kind IS NULL THEN NULL ELSE {start} + row_number() OVER (
    PARTITION BY entry_kind IS NULL ORDER BY record_id) END AS entry_id
FROM _fund_returned_moves""")
    store.execute("DROP TABLE _fund_returned_moves")
    if not moving:
        return
    now = dt.datetime.now().replace(tzinfo=None)
    heads = store.arrow(
        "SELECT entry_id, entry_kind AS kind, ? AS programme, value_date, "
        "'return record ' || record_id || ': ' || outcome || coalesce(' (' || reason || ')', "
        "'') AS memo, CAST(NULL AS BIGINT) AS reverses, CAST(? AS BIGINT) AS batch_id, "
        "? AS booked_by, CAST(? AS TIMESTAMP) AS booked_at FROM _fund_returned_entries "
        "WHERE entry_id IS NOT NULL ORDER BY entry_id",
        [programme, payment_batch, by.username, now])
    postings = store.arrow(
        f"SELECT entry_id, CAST(1 AS INTEGER) AS line, 'clearing:{county}' AS account, "
        "-moved_fen AS amount_fen FROM _fund_returned_entries WHERE entry_id IS NOT NULL "
        "UNION ALL SELECT entry_id, CAST(2 AS INTEGER), paid_to, moved_fen "
        "FROM _fund_returned_entries WHERE entry_id IS NOT NULL ORDER BY entry_id, line")
    append(store, county, (heads, postings))
