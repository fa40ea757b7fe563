"""A county's payment list, checked against the registry and the programme's rules, then
booked: one disbursement per line from the county's account to its bank clearing (goods
in kind: straight to the household), with the lines kept in ``fund_payments``.

The list is a file (CSV, Excel, JSON or Parquet) with the columns ``household_id``,
``payee_name``, ``payee_id_number`` (may be empty), ``bank_account`` and ``amount_yuan``
(goods in kind: ``quantity``, valued at the programme's unit value). It is booked whole or
not at all: every refused row is named with its file row, field and reason. The same file
twice books nothing the second time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..access.accounts import User
from ..errors import PovertyCloudError
from ..intake import readers
from ..intake.refusals import refuse_missing_columns, refuse_rows
from ..standard.regions import level_of
from ..store import Store
from .accounts import within
from .bookings import NOTHING
from .eligibility import eligibility_sql, identified_year
from .ledger import append, enough, retrying
from .money import YUAN_SQL
from .periods import period_start
from .programmes import Programme

STAGING = "_fund_payment_list"
CASH = ("household_id", "payee_name", "payee_id_number", "bank_account", "amount_yuan")
IN_KIND = ("household_id", "payee_name", "payee_id_number", "quantity")
ACCOUNT_SQL = r"^[0-9]{12,30}$"  # a bank card's number: 12 to 30 digits


@dataclass(frozen=True)
class PaymentBatch:
    batch_id: int
    lines: int
    total_fen: int
    new: bool  # False: the same file was booked before, as this batch


@dataclass(frozen=True)
class PaymentOrder:
    """What a payment list pays: a programme's period, from a county, on a day."""

    programme: Programme
    county: str
    period: str
    value_date: dt.date

    @property
    def starts(self) -> dt.date:
        """The first day of the period (checked to be written as the programme's)."""
        assert self.programme.period is not None
        return period_start(self.period, self.programme.period, self.programme.id)


def pay(store: Store, path: Path, order: PaymentOrder, by: User) -> PaymentBatch:
    """Check the payment list ``path`` and book it as ``by``, whole or not at all."""
    _check_order(order, by)
    checksum = readers.checksum(path)
    earlier = store.one("SELECT batch_id, lines, total_fen FROM fund_payment_batches "
                        "WHERE checksum = ? AND programme = ? AND county_code = ? AND "
                        "period = ?", [checksum, order.programme.id, order.county,
                                       order.period])  # the same list, another month: paid
    if earlier is not None:
        return PaymentBatch(int(earlier[0]), int(earlier[1]), int(earlier[2]), new=False)
    columns = readers.stage(store, path, STAGING)  # temporary tables: replaced next time
    _check_columns(columns, order.programme, path)
    year = identified_year(store, order.value_date.year)
    _refuse_bad_rows(store, order, year, path)
    return retrying(store, lambda: _book(store, order, by, str(path), checksum))


def _check_order(order: PaymentOrder, by: User) -> None:
    p = order.programme
    if not p.to_households:
        raise PovertyCloudError(f"programme {p.id} pays regions, not households: book its "
                                "allocations with `povertycloud funds book`")
    if not p.open_on(order.value_date):
        raise PovertyCloudError(f"programme {p.id} is closed on {order.value_date} (open "
                                f"{p.opens} to {p.closes}): nothing booked")
    order.starts  # noqa: B018 - a period not written as the programme's is refused first
    if level_of(order.county) != "county":
        raise PovertyCloudError(f"{order.county} is not a county's code")
    if not within(order.county, by.region_code):
        raise PovertyCloudError(f"county {order.county} is outside the jurisdiction of "
                                f"{by.username} ({by.region_code})")


def _check_columns(columns: list[str], programme: Programme, path: Path) -> None:
    refuse_missing_columns(columns, IN_KIND if programme.pays == "in_kind" else CASH,
                           str(path), f"a {programme.pays} payment list", NOTHING)


def _refuse_bad_rows(store: Store, order: PaymentOrder, year: int, path: Path) -> None:
    """The payable lines in ``_fund_payable``; every refused row named, or nothing."""
    p = order.programme
    in_kind = p.pays == "in_kind"
    amount = (f"TRY_CAST(quantity AS BIGINT) * {p.unit_value_fen}" if in_kind else
              "CAST(round(TRY_CAST(amount_yuan AS DECIMAL(18, 2)) * 100) AS BIGINT)")
    account = "CAST(NULL AS VARCHAR)" if in_kind else r"regexp_replace(bank_account, '\s', '', 'g')"
    store.execute(f"""
CREATE OR REPLACE TEMP TABLE _fund_payable AS
WITH listed AS (
  SELECT _row, household_id AS household_text, TRY_CAST(household_id AS BIGINT) AS household_id,
    trim(coalesce(payee_name, '')) AS payee_name,
    nullif(trim(coalesce(payee_id_number, '')), '') AS payee_id_number,
    {account} AS bank_account, {"quantity" if in_kind else "amount_yuan"} AS amount_text,
    {amount} AS amount_fen,
    count(*) OVER (PARTITION BY TRY_CAST(household_id AS BIGINT)) AS times
  FROM {STAGING}
)
SELECT l.*, h.village_code,
  (SELECT min(person_id) FROM people m WHERE m.household_id = l.household_id
     AND m.name = l.payee_name AND (m.death_date IS NULL OR m.death_date > ?)
     AND (l.payee_id_number IS NULL OR m.id_number = l.payee_id_number)) AS person_id,
  coalesce(e.eligible, false) AS eligible
FROM listed l
LEFT JOIN households h ON h.household_id = l.household_id
LEFT JOIN (SELECT household_id, {p.when_sql} AS eligible FROM ({eligibility_sql(
    year, f"SELECT TRY_CAST(household_id AS BIGINT) FROM {STAGING}")})) e
  ON e.household_id = l.household_id""", [order.value_date])
    refuse_rows(store, "_fund_payable", _row_checks(order, year, in_kind), str(path), NOTHING)


def _row_checks(order: PaymentOrder, year: int, in_kind: bool) -> list[tuple[str, str, str]]:
    """(field, condition of a refused row, SQL of the reason), in the order told."""
    prefix = order.county[:6]
    amount = ("quantity", "amount_fen IS NULL OR amount_fen <= 0",
              "'''' || coalesce(amount_text, '') || ''' is not a whole number of "
              f"{order.programme.unit}s above zero'") if in_kind else (
        "amount_yuan", f"NOT regexp_full_match(coalesce(amount_text, ''), '{YUAN_SQL}') "
        "OR amount_fen <= 0",
        "'''' || coalesce(amount_text, '') || ''' is not an amount in yuan above zero "
        "(digits, at most two decimals)'")
    checks = [
        ("household_id", "household_id IS NULL",
         "'''' || coalesce(household_text, '') || ''' is not a household id'"),
        ("household_id", "household_id IS NOT NULL AND village_code IS NULL",
         "'household ' || household_id || ' is not in the registry'"),
        ("household_id", f"village_code IS NOT NULL AND NOT starts_with(village_code, "
                         f"'{prefix}')",
         f"'household ' || household_id || ' is in village ' || village_code || ', "
         f"outside county {order.county}'"),
        ("household_id", "household_id IS NOT NULL AND times > 1",
         "'household ' || household_id || ' is listed ' || times || ' times in the file'"),
        ("payee_name", "village_code IS NOT NULL AND person_id IS NULL",
         "'''' || payee_name || ''' is not a living member of household ' || household_id"
         " || CASE WHEN payee_id_number IS NOT NULL THEN ' with that ID number' ELSE '' "
         "END"),
        amount,
        ("household_id", "village_code IS NOT NULL AND NOT eligible",
         f"'household ' || household_id || ' is not eligible for {order.programme.id} "
         f"(by its registry and identification of {year})'"),
    ]
    if not in_kind:
        checks.insert(5, ("bank_account", f"NOT regexp_full_match(coalesce(bank_account, "
                                          f"''), '{ACCOUNT_SQL}')",
                          "'not a bank card number (12 to 30 digits)'"))
    return checks


def _book(store: Store, order: PaymentOrder, by: User, source: str, checksum: str
          ) -> PaymentBatch:
    """Book the checked lines of ``_fund_payable`` (in the caller's transaction)."""
    p, county = order.programme, order.county
    lines, total = store.one("SELECT count(*), coalesce(sum(amount_fen), 0) "
                             "FROM _fund_payable") or (0, 0)
    if not lines:
        raise PovertyCloudError(f"{source}: no lines to pay")
    enough(store, [((f"region:{county}", p.id), -int(total))])
    batch_id = store.draw("fund_batch_ids", 1) + 1
    start = store.draw("fund_entry_ids", int(lines))
    now = dt.datetime.now().replace(tzinfo=None)
    kind = "in_kind" if p.pays == "in_kind" else "disbursement"
    numbered = (f"SELECT *, {start} + row_number() OVER (ORDER BY _row) AS entry_id "
                "FROM _fund_payable")
    store.execute(f"CREATE OR REPLACE TEMP TABLE _fund_paying AS {numbered}")
    heads = store.arrow(
        "SELECT entry_id, ? AS kind, ? AS programme, CAST(? AS DATE) AS value_date, "
        "'batch ' || ? || ' line ' || _row || ' period ' || ? AS memo, "
        "CAST(NULL AS BIGINT) AS reverses, CAST(? AS BIGINT) AS batch_id, "
        "? AS booked_by, CAST(? AS TIMESTAMP) AS booked_at FROM _fund_paying "
        "ORDER BY entry_id",
        [kind, p.id, order.value_date, batch_id, order.period, batch_id, by.username, now])
    to = "'household:' || household_id" if kind == "in_kind" else f"'clearing:{county}'"
    postings = store.arrow(
        f"SELECT entry_id, CAST(1 AS INTEGER) AS line, 'region:{county}' AS account, "
        f"-amount_fen AS amount_fen FROM _fund_paying UNION ALL "
        f"SELECT entry_id, CAST(2 AS INTEGER), {to}, amount_fen FROM _fund_paying "
        "ORDER BY entry_id, line")
    append(store, county, (heads, postings))
    store.execute(
        "INSERT INTO fund_payments (batch_id, line, household_id, person_id, payee_name, "
        "bank_account, amount_fen, entry_id) SELECT ?, _row, household_id, person_id, "
        "payee_name, coalesce(bank_account, ''), amount_fen, entry_id FROM _fund_paying",
        [batch_id])
    store.execute("INSERT INTO fund_payment_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?)", [batch_id, county, p.id, order.period, order.starts, order.value_date,
                            source, checksum, lines, total, by.username, now])
    for table in ("_fund_paying", "_fund_payable", STAGING):  # before the commit, the last write
        store.execute(f"DROP TABLE {table}")
    return PaymentBatch(batch_id, int(lines), int(total), new=True)

