"""Payment lists and bank returns on both backends: a list checked against the registry
and the programme before it is booked (each refused row named), booked whole, the same
file twice booked once; the bank's return reconciled line by line, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from tests import postgres
from tests.funded import Province, account_of, allocations, payment_list

from povertycloud.access.accounts import user_named
from povertycloud.errors import PovertyCloudError, ValidationFailed
from povertycloud.funds.balances import balances
from povertycloud.funds.bookings import entries_in
from povertycloud.funds.ledger import LedgerError, book
from povertycloud.funds.payments import PaymentOrder, pay
from povertycloud.funds.programmes import load_programmes
from povertycloud.funds.returns import reconcile
from povertycloud.funds.verify import verify
from povertycloud.store import Store, keys
from povertycloud.store.copy import copy_store

PROGRAMMES = load_programmes()
ON = dt.date(2026, 9, 20)


def _order(p: Province, programme: str = "education_subsidy", day: dt.date = ON
           ) -> PaymentOrder:
    return PaymentOrder(PROGRAMMES[programme], p.county, "2026-autumn", day)


def _funded(db: Path | str, p: Province, folder: Path, yuan: int = 50_000) -> Store:
    store = Store(db)
    book(store, entries_in(store, allocations(p, folder, yuan)),
         user_named(store, "province_officer"), PROGRAMMES)
    return store


def test_a_payment_list_is_booked_once(funds_db: Path | str, funds_province: Province,
                                       tmp_path: Path) -> None:
    p = funds_province
    with _funded(funds_db, p, tmp_path, 100_000) as store:
        county = user_named(store, "county_officer")
        listed = payment_list(p, tmp_path)
        batch = pay(store, listed, _order(p), county)
        total = sum(y for _, _, y in p.payable) * 100
        assert (batch.lines, batch.total_fen, batch.new) == (6, total, True)
        again = pay(store, listed, _order(p), county)
        assert (again.batch_id, again.new) == (batch.batch_id, False)
        assert store.scalar("SELECT count(*) FROM fund_payments") == 6
        assert store.column("SELECT bank_account FROM fund_payments ORDER BY line") == [
            account_of(h) for h, _, _ in p.payable]
        [county_row] = [r for r in balances(store, "county") if r["region_code"] == p.county]
        assert county_row["at_bank_fen"] == total
        spring = pay(store, listed, PaymentOrder(PROGRAMMES["education_subsidy"], p.county,
                                                 "2026-spring", ON), county)
        assert spring.new and spring.batch_id != batch.batch_id  # the same list, another term
        assert verify(store).intact


def test_each_refused_row_is_named_and_nothing_booked(funds_db: Path | str,
                                                      funds_province: Province,
                                                      tmp_path: Path) -> None:
    p = funds_province
    (h, name, _), (h2, name2, _) = p.payable[:2]
    outsider, outsider_head = p.not_eligible
    rows = [f"{h},{name},,{account_of(h)},1500.005",  # row 2: three decimals
            f"{outsider},{outsider_head},,{account_of(outsider)},1500",  # 3: not eligible
            f"{h2},张冒名,,{account_of(h2)},1500",  # 4: not a member
            f"{h2},{name2},,123,1500",  # 5: not an account; listed twice
            "abc,某人,,622848001234567,-5",  # 6: not a household, negative
            f"99{h},{name},,{account_of(h)},1500"]  # 7: not in the registry
    with _funded(funds_db, p, tmp_path) as store:
        with pytest.raises(ValidationFailed) as refused:
            pay(store, payment_list(p, tmp_path, rows), _order(p),
                user_named(store, "county_officer"))
        found = {(i.row, i.field) for i in refused.value.issues}
        assert {(2, "amount_yuan"), (3, "household_id"), (4, "payee_name"),
                (5, "bank_account"), (6, "household_id"), (6, "amount_yuan"),
                (7, "household_id")} <= found
        message = str(refused.value)
        assert "nothing was booked" in message and "is not eligible for education_subsidy" \
            in message and "listed 2 times" in message and "not in the registry" in message
        assert store.scalar("SELECT count(*) FROM fund_payments") == 0
        assert store.scalar("SELECT count(*) FROM fund_entries") == 3


@pytest.mark.parametrize(("who", "programme", "day", "reason"), [
    ("other_county_officer", "education_subsidy", ON, "outside the jurisdiction"),
    ("county_officer", "education_subsidy", dt.date(2027, 1, 5), "closed on 2027-01-05"),
    ("county_officer", "central_special", ON, "pays regions"),
    ("county_officer", "education_subsidy", ON, "holds 100.00 yuan"),
])
def test_a_payment_order_that_cannot_be_paid_is_refused(
        funds_province: Province, tmp_path: Path, who: str, programme: str,
        day: dt.date, reason: str) -> None:
    p = funds_province
    db = tmp_path / "f.duckdb"
    db.write_bytes(p.db.read_bytes())
    with _funded(db, p, tmp_path, yuan=100) as store:
        with pytest.raises((PovertyCloudError, LedgerError), match=reason):
            pay(store, payment_list(p, tmp_path), _order(p, programme, day),
                user_named(store, who))
        assert store.scalar("SELECT count(*) FROM fund_payments") == 0


def _returns(folder: Path, batch: int, rows: list[str]) -> Path:
    path = folder / f"returns-{len(rows)}.csv"
    path.write_text("record_id,payment_batch,line,status,paid_yuan,holder_name,"
                    "bank_account,reason,value_date\n" + "\n".join(
                        r.format(batch=batch) for r in rows) + "\n", encoding="utf-8")
    return path


def test_the_bank_return_is_reconciled_once(funds_db: Path | str,
                                            funds_province: Province,
                                            tmp_path: Path) -> None:
    p = funds_province
    (h1, n1, y1), (h2, n2, _), (h3, n3, y3), (_, _, y4) = p.payable[:4]
    with _funded(funds_db, p, tmp_path) as store:
        county = user_named(store, "county_officer")
        batch = pay(store, payment_list(p, tmp_path), _order(p), county).batch_id
        returned = _returns(tmp_path, batch, [
            f"1,{{batch}},2,paid,{y1},{n1},{account_of(h1)},,2026-09-25",
            f"2,{{batch}},3,failed,,{n2},{account_of(h2)},closed_account,2026-09-25",
            f"3,{{batch}},4,paid,{y3 - 1},{n3},{account_of(h3)},,2026-09-25",
            f"4,{{batch}},5,paid,{y4},冒领人,6228480099999999,,2026-09-25",
            "5,{batch},40,paid,10,某人,6228480012345678,,2026-09-25",
            f"6,{{batch}},2,paid,{y1},{n1},{account_of(h1)},,2026-09-26"])
        done = reconcile(store, returned, batch, county)
        assert {o: n for o, (n, _) in done.outcomes.items()} == {
            "paid": 1, "failed": 1, "amount_differs": 1, "other_holder": 1, "unknown": 1,
            "repeat": 1}
        assert done.outcomes["amount_differs"][1] == (y3 - 1) * 100
        received = dict(store.rows(
            "SELECT account, sum(amount_fen) FROM fund_postings WHERE account IN (?, ?, ?, "
            "?) GROUP BY account", [f"household:{h1}", f"household:{h2}",
                                    f"household:{h3}", f"recovery:{p.county}"]))
        assert received == {f"household:{h1}": y1 * 100, f"household:{h3}": (y3 - 1) * 100,
                            f"recovery:{p.county}": y4 * 100}
        entries = store.scalar("SELECT count(*) FROM fund_entries")
        assert reconcile(store, returned, batch, county).report.duplicate_of is not None
        again = _returns(tmp_path, batch, [
            f"7,{{batch}},2,paid,{y1},{n1},{account_of(h1)},,2026-09-27"])
        assert reconcile(store, again, batch, county).outcomes == {"repeat": (1, 0)}
        assert store.scalar("SELECT count(*) FROM fund_entries") == entries
        assert verify(store).intact


def test_a_line_paid_nothing_books_no_entry(funds_db: Path | str,
                                            funds_province: Province,
                                            tmp_path: Path) -> None:
    """A line the bank says it paid with 0 yuan differs in amount and moves nothing: no
    entry of zero fen enters the ledger (its entries are all of whole, non-zero fen)."""
    p = funds_province
    (h1, n1, _), (h2, n2, y2) = p.payable[:2]
    with _funded(funds_db, p, tmp_path) as store:
        county = user_named(store, "county_officer")
        batch = pay(store, payment_list(p, tmp_path), _order(p), county).batch_id
        entries = store.scalar("SELECT count(*) FROM fund_entries")
        done = reconcile(store, _returns(tmp_path, batch, [
            f"1,{{batch}},2,paid,0,{n1},{account_of(h1)},,2026-09-25",
            f"2,{{batch}},3,paid,{y2},{n2},{account_of(h2)},,2026-09-25"]), batch, county)
        assert done.outcomes == {"amount_differs": (1, 0), "paid": (1, y2 * 100)}
        assert store.scalar("SELECT count(*) FROM fund_entries") == entries + 1
        assert store.scalar("SELECT count(*) FROM fund_postings WHERE amount_fen = 0") == 0
        assert store.value("SELECT entry_id FROM fund_reconciliations WHERE line = 2") \
            is None
        assert verify(store).intact


def test_a_return_of_another_batch_takes_in_nothing(funds_db: Path | str,
                                                    funds_province: Province,
                                                    tmp_path: Path) -> None:
    p = funds_province
    h, n, y = p.payable[0]
    with _funded(funds_db, p, tmp_path) as store:
        county = user_named(store, "county_officer")
        batch = pay(store, payment_list(p, tmp_path), _order(p), county).batch_id
        other = _returns(tmp_path, batch + 1, [
            f"1,{{batch}},2,paid,{y},{n},{account_of(h)},,2026-09-25"])
        with pytest.raises(PovertyCloudError, match=f"not of batch {batch}"):
            reconcile(store, other, batch, county)
        assert store.scalar("SELECT count(*) FROM fund_reconciliations") == 0
        assert not store.has_table("fund_bank_returns") or not store.scalar(
            "SELECT count(*) FROM fund_bank_returns")


def test_a_sealed_store_pays_and_reconciles_with_accounts_sealed(
        funds_province: Province, tmp_path: Path) -> None:
    """On PostgreSQL with a key: the lines' bank accounts and the return's are sealed in
    the database, read in clear through the store, and the outcomes are the same."""
    key = keys.Key("00112233445566778899aabbccddeeff" * 2, "the test")
    p = funds_province
    (h1, n1, y1), (_, n2, _) = p.payable[:2]
    with postgres.server().database() as url:
        with Store(p.db, read_only=True) as source, Store.create(url, key=key) as target:
            copy_store(source, target)
        with Store(url, key=key) as store:
            book(store, entries_in(store, allocations(p, tmp_path)),
                 user_named(store, "province_officer"), PROGRAMMES)
            county = user_named(store, "county_officer")
            batch = pay(store, payment_list(p, tmp_path), _order(p), county).batch_id
            returned = _returns(tmp_path, batch, [
                f"1,{{batch}},2,paid,{y1},{n1},{account_of(h1)},,2026-09-25",
                f"2,{{batch}},3,paid,{1500},{n2},6228480099999999,,2026-09-25"])
            done = reconcile(store, returned, batch, county)
            assert {o: n for o, (n, _) in done.outcomes.items()} == {"paid": 1,
                                                                   "other_holder": 1}
            assert store.value("SELECT bank_account FROM fund_payments WHERE line = 2") \
                == account_of(h1)
            assert verify(store).intact
        with psycopg.connect(url) as con:
            stored = [r[0] for r in con.execute(
                "SELECT bank_account FROM sealed.fund_payments UNION ALL "
                "SELECT bank_account FROM sealed.fund_bank_returns").fetchall()]
        assert stored and not any(account_of(h1) in v for v in stored)


@pytest.mark.parametrize(("programme", "period", "reason"), [
    ("education_subsidy", "2026-03", "not a semester period of education_subsidy: write "
                                     "2026-spring or 2026-autumn"),
    ("public_welfare_jobs", "2026-13", "not a month period"),
    ("industry_award", "2026-autumn", "not a year period"),
])
def test_a_period_not_written_as_the_programme_pays_is_refused(
        funds_province: Province, tmp_path: Path, programme: str, period: str,
        reason: str) -> None:
    p = funds_province
    db = tmp_path / "f.duckdb"
    db.write_bytes(p.db.read_bytes())
    with Store(db) as store:
        order = PaymentOrder(PROGRAMMES[programme], p.county, period, ON)
        with pytest.raises(PovertyCloudError, match=reason):
            pay(store, payment_list(p, tmp_path), order, user_named(store, "county_officer"))
