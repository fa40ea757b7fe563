"""The ledger on both backends: entries booked and chained, bad entries refused with
the reason and nothing booked, booked entries beyond change (by the store, and on
PostgreSQL by the database itself), tampering found and named, and two officers at once
never taking an account below zero."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import duckdb
import psycopg
import pytest
from tests.funded import Province, allocations

from povertycloud.access.accounts import user_named
from povertycloud.funds.balances import balances
from povertycloud.funds.bookings import entries_in
from povertycloud.funds.ledger import GENESIS, Entry, LedgerError, Posting, book, reverse
from povertycloud.funds.programmes import load_programmes
from povertycloud.funds.verify import verify
from povertycloud.store import Store
from povertycloud.store.append_only import AppendOnly

PROGRAMMES = load_programmes()
DAY = dt.date(2026, 4, 1)


def _funded(db: Path | str, p: Province, folder: Path, yuan: int = 50_000) -> Store:
    store = Store(db)
    book(store, entries_in(store, allocations(p, folder, yuan)),
         user_named(store, "province_officer"), PROGRAMMES)
    return store


def _pay(county: str, fen: int, day: dt.date = DAY) -> Entry:
    return Entry("disbursement", "education_subsidy", day,
                 (Posting(f"region:{county}", -fen), Posting(f"clearing:{county}", fen)))


def test_entries_are_booked_chained_and_balanced(funds_db: Path | str, funds_province:
                                                 Province, tmp_path: Path) -> None:
    p = funds_province
    with _funded(funds_db, p, tmp_path) as store:
        county = user_named(store, "county_officer")
        [paid] = book(store, [_pay(p.county, 1_000_00)], county, PROGRAMMES)
        links = store.rows("SELECT book, seq, prev_hash, hash FROM fund_entries "
                           "ORDER BY entry_id")
        assert [(b, s) for b, s, _, _ in links] == [  # a book for each level that pays
            (p.province, 1), (p.province, 2), (p.prefecture, 1), (p.county, 1)]
        assert links[1][2] == links[0][3]  # each link carries the hash before it
        assert links[3][2] == GENESIS
        by_county = {r["region_code"]: r for r in balances(store, "county")}
        assert by_county[p.county]["received_fen"] == 50_000_00
        assert by_county[p.county]["held_fen"] == 49_000_00
        assert by_county[p.county]["at_bank_fen"] == 1_000_00
        reversal = reverse(store, paid, county, PROGRAMMES, "wrong amount")
        assert store.value("SELECT sum(amount_fen) FROM fund_postings WHERE entry_id IN "
                           "(?, ?) AND account LIKE 'clearing:%'", [paid, reversal]) == 0
        with pytest.raises(LedgerError, match="reversed already"):
            reverse(store, paid, county, PROGRAMMES)
        before = {r["region_code"]: r["held_fen"] for r in
                  balances(store, "county", as_of=dt.date(2026, 3, 2))}
        assert p.county not in before  # nothing had reached it yet
        assert verify(store).intact


@pytest.mark.parametrize(("who", "entry", "reason"), [
    ("county_officer", Entry("disbursement", "education_subsidy", DAY, (
        Posting("region:{county}", -100), Posting("clearing:{county}", 99))),
     "does not balance"),
    ("county_officer", Entry("disbursement", "education_subsidy", DAY, (
        Posting("region:{county}", -1.5), Posting("clearing:{county}", 1.5))),  # type: ignore[arg-type]
     "whole fen"),
    ("county_officer", Entry("disbursement", "education_subsidy", DAY, (
        Posting("region:{county}", -10**12), Posting("clearing:{county}", 10**12))),
     "not enough"),
    ("county_officer", Entry("disbursement", "education_subsidy", DAY, (
        Posting("region:{other_county}", -100), Posting("clearing:{other_county}", 100))),
     "outside the jurisdiction"),
    ("province_officer", Entry("allocation", "education_subsidy", DAY, (
        Posting("region:{county}", -100), Posting("region:{province}", 100))),
     "goes down"),
    ("county_officer", Entry("appropriation", "education_subsidy", DAY, (
        Posting("source:central", -100), Posting("region:{county}", 100))),
     "only a province's officer"),
    ("county_officer", Entry("disbursement", "education_subsidy", dt.date(2027, 1, 4), (
        Posting("region:{county}", -100), Posting("clearing:{county}", 100))),
     "closed on 2027-01-04"),
    ("county_officer", Entry("receipt", "education_subsidy", DAY, (
        Posting("region:{county}", -100), Posting("household:{household}", 100))),
     "receipt cannot pay from"),
    ("province_officer", Entry("disbursement", "education_subsidy", DAY, (
        Posting("region:{county}", -100), Posting("clearing:{other_county}", 100))),
     "another county"),
])
def test_a_bad_entry_is_refused_and_nothing_booked(
        funds_province: Province, tmp_path: Path, who: str, entry: Entry,
        reason: str) -> None:
    p = funds_province
    codes = {"county": p.county, "other_county": p.other_county, "province": p.province,
             "household": p.payable[0][0]}
    postings = tuple(Posting(x.account.format(**codes), x.amount_fen) for x in entry.postings)
    db = tmp_path / "f.duckdb"
    db.write_bytes(p.db.read_bytes())
    with _funded(db, p, tmp_path) as store:
        before = store.scalar("SELECT count(*) FROM fund_postings")
        fine = _pay(p.county, 100)
        with pytest.raises(LedgerError, match=reason):
            book(store, [fine, Entry(entry.kind, entry.programme, entry.value_date,
                                     postings)], user_named(store, who), PROGRAMMES)
        assert store.scalar("SELECT count(*) FROM fund_postings") == before


def test_the_store_refuses_to_change_a_booked_entry(funds_db: Path | str,
                                                    funds_province: Province,
                                                    tmp_path: Path) -> None:
    with _funded(funds_db, funds_province, tmp_path) as store:
        for statement in ("UPDATE fund_postings SET amount_fen = 1",
                          "DELETE FROM fund_entries WHERE seq = 1",
                          "TRUNCATE fund_postings", "DROP TABLE fund_entries",
                          "INSERT OR REPLACE INTO fund_entries SELECT * FROM fund_entries",
                          "WITH x AS (SELECT 1) DELETE FROM fund_postings"):
            with pytest.raises(AppendOnly, match="append-only"):
                store.execute(statement)
        assert store.scalar("SELECT count(*) FROM fund_entries") == 3


def test_postgresql_refuses_a_change_from_any_client(funds_template: str) -> None:
    """The trigger: a client that bypasses the store (psql, another program) is refused
    too; only its owner, disabling the trigger first, can tamper (and verify finds it)."""
    url = funds_template
    with psycopg.connect(url) as con:
        con.execute("INSERT INTO fund_postings VALUES (999, 1, 'region:x', 1)")
        con.commit()
        for statement in ("UPDATE fund_postings SET amount_fen = 2",
                          "DELETE FROM fund_postings", "TRUNCATE fund_postings"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                con.execute(statement)  # type: ignore[arg-type]
            con.rollback()
        assert con.execute("SELECT amount_fen FROM fund_postings WHERE entry_id = 999"
                           ).fetchone() == (1,)
        con.execute("ALTER TABLE fund_postings DISABLE TRIGGER USER")
        con.execute("DELETE FROM fund_postings WHERE entry_id = 999")
        con.execute("ALTER TABLE fund_postings ENABLE TRIGGER USER")
        con.commit()


TAMPERING = {  # what an attacker does, past the store; what verify names
    "edited": ("UPDATE fund_postings SET amount_fen = amount_fen * 2 WHERE entry_id = 2",
               "entry 2 (link 2): was changed after it was booked"),
    "deleted": ("DELETE FROM fund_entries WHERE entry_id = 1; "
                "DELETE FROM fund_postings WHERE entry_id = 1",
                "entry 2 (link 2): is link 2 where link 1 was expected"),
    "reordered": ("UPDATE fund_entries SET seq = 3 - seq WHERE entry_id IN (1, 2)",
                  "entry 2 (link 1): does not follow the entry before it"),
    "inserted": ("UPDATE fund_entries SET seq = seq + 1 WHERE entry_id = 2; "
                 "INSERT INTO fund_entries SELECT 99, book, 2, kind, programme, value_date, "
                 "memo, reverses, batch_id, booked_by, booked_at, hash, hash FROM "
                 "fund_entries WHERE entry_id = 1; INSERT INTO fund_postings SELECT 99, "
                 "line, account, amount_fen FROM fund_postings WHERE entry_id = 1",
                 "entry 99 (link 2): "),
    "unbalanced": ("DELETE FROM fund_postings WHERE entry_id = 3 AND line = 1",
                   "entry 3 (link 1): has 1 posting(s)"),
}


@pytest.mark.parametrize("piece", [1_000_000, 1, 2])
@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_verify_names_each_tampered_entry(funds_province: Province, tmp_path: Path,
                                          tampering: str, piece: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Walked in one piece or in pieces of one or two links (a province's ledger is
    walked a million entries at a time), each tampering is named."""
    monkeypatch.setattr("povertycloud.funds.verify.PIECE", piece)
    db = tmp_path / "f.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    with _funded(db, funds_province, tmp_path) as store:
        whole = verify(store)
    assert whole.intact and sum(n for n, _ in whole.books.values()) == 3
    statement, named = TAMPERING[tampering]
    with duckdb.connect(str(db)) as con:  # past the store's door
        con.execute(statement)
    with Store(db, read_only=True) as store:
        result = verify(store)
    assert not result.intact
    assert any(named in str(f) for f in result.findings), result.findings


def test_verify_finds_a_rewritten_chain_against_its_kept_heads(
        funds_province: Province, tmp_path: Path) -> None:
    """A forger who recomputes every hash after an edit leaves a chain that is whole
    in itself: the heads kept earlier find it."""
    db = tmp_path / "f.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    with _funded(db, funds_province, tmp_path) as store:
        kept = verify(store).books
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE fund_entries SET memo = 'forged', hash = 'x' || hash "
                    "WHERE entry_id = 3")
    with Store(db, read_only=True) as store:
        result = verify(store, kept)
    assert any("no longer the head kept earlier" in str(f) for f in result.findings)


def test_two_officers_at_once_never_overdraw(funds_db: Path | str,
                                            funds_province: Province,
                                            tmp_path: Path) -> None:
    """Two bookings that each fit the county's 500 yuan but not both: exactly one wins,
    the other is refused for want of money, and the chain stays whole."""
    p = funds_province
    with _funded(funds_db, p, tmp_path, yuan=500) as store:
        county = user_named(store, "county_officer")
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def officer() -> None:
            handle = store.cursor()
            try:
                barrier.wait()
                book(handle, [_pay(p.county, 400_00)], county, PROGRAMMES)
                outcomes.append("booked")
            except LedgerError as exc:
                outcomes.append(str(exc))
            finally:
                handle.close()

        threads = [threading.Thread(target=officer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[0] == "booked"
        assert "not enough" in sorted(outcomes)[1], outcomes
        assert store.value("SELECT sum(amount_fen) FROM fund_postings WHERE account = ?",
                           [f"region:{p.county}"]) == 100_00
        assert verify(store).intact
