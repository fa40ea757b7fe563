"""`povertycloud funds` as a user runs it: bad input refused in one line naming the
file, row and field, the store as it was; a payment killed at any write leaves the
ledger as before with its chain whole; `verify` exits 1 on a tampered ledger."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest
from tests.conftest import CLI, KillTest, Refusal, store_content
from tests.funded import Province, account_of, allocations, payment_list

from povertycloud.funds.verify import verify
from povertycloud.store import Store

PAY = ["--programme", "education_subsidy", "--period", "2026-autumn", "--on", "2026-09-20"]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture
def funded(funds_province: Province, tmp_path: Path) -> Path:
    db = tmp_path / "funded.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    done = _cli("funds", "book", allocations(funds_province, tmp_path), "--db", db,
                "--as", "province_officer")
    assert done.returncode == 0, done.stderr
    return db


def _ledger_state(db: Path) -> dict[str, tuple[int, int]]:
    """The store's content, the chain checked whole (its hashes, which cover the time of
    booking, left out: a re-run books at another time)."""
    content = store_content(db)
    with Store(db, read_only=True) as store:
        assert verify(store).intact
        found = store.one("SELECT count(*), sum(hash(book, seq, kind, programme, value_date, "
                          "memo, batch_id)::HUGEINT) FROM fund_entries")
        assert found is not None
        content["fund_entries"] = (int(found[0]), int(found[1] or 0))
    return content


BAD_BOOKINGS = {  # case: (the file's last rows, what the refusal names)
    "an amount in yuan with three decimals": (
        "region:{county},,100.005", ("line 3", "credit_yuan", "at most two decimals")),
    "a float written with an exponent": (
        "region:{county},,1e2", ("line 3", "credit_yuan", "1e2")),
    "a negative amount": ("region:{county},,-100", ("line 3", "credit_yuan")),
    "an unbalanced entry": ("region:{county},,99", ("entry 9", "does not balance")),
    "an account of another jurisdiction": (
        "region:{other_county},,100", ("entry 9", "outside the jurisdiction")),
}


@pytest.mark.parametrize("case", sorted(BAD_BOOKINGS))
def test_a_bad_booking_is_refused(funds_province: Province, funded: Path, tmp_path: Path,
                                  refuse: Refusal, case: str) -> None:
    p = funds_province
    last, names = BAD_BOOKINGS[case]
    path = tmp_path / "bad.csv"
    path.write_text("entry,kind,programme,value_date,account,debit_yuan,credit_yuan,memo\n"
                    f"9,disbursement,education_subsidy,2026-04-01,clearing:{p.county},"
                    f"100,,x\n9,disbursement,education_subsidy,2026-04-01,"
                    + last.format(county=p.county, other_county=p.other_county) + ",x\n",
                    encoding="utf-8")
    message = refuse(case, ["funds", "book", str(path), "--db", str(funded),
                            "--as", "county_officer"], (str(path), *names), db=funded)
    assert "nothing was booked" in message


def test_a_payment_list_for_a_closed_programme_is_refused(
        funds_province: Province, funded: Path, tmp_path: Path, refuse: Refusal) -> None:
    p = funds_province
    refuse("a payment list for a closed programme",
           ["funds", "pay", str(payment_list(p, tmp_path)), "--db", str(funded), "--as",
            "county_officer", "--county", p.county, "--programme", "education_subsidy",
            "--period", "2027-spring", "--on", "2027-03-01"],
           ("education_subsidy", "closed on 2027-03-01", "nothing booked"), db=funded)


def test_a_payment_killed_at_any_write_leaves_the_ledger_whole(
        funds_province: Province, funded: Path, tmp_path: Path,
        crash_test: KillTest) -> None:
    p = funds_province
    listed = payment_list(p, tmp_path)

    before, after, writes = crash_test(
        funded, tmp_path, lambda db: ["funds", "pay", str(listed), "--db", str(db), "--as",
                                      "county_officer", "--county", p.county, *PAY],
        _ledger_state, sample=4)
    assert after["fund_payments"][0] == before["fund_payments"][0] + 6 and writes > 3


def test_verify_exits_1_and_names_the_entry(funded: Path) -> None:
    assert _cli("funds", "verify", "--db", funded).returncode == 0
    with duckdb.connect(str(funded)) as con:
        con.execute("UPDATE fund_entries SET value_date = DATE '2026-01-01' "
                    "WHERE entry_id = 2")
    done = _cli("funds", "verify", "--db", funded)
    assert done.returncode == 1
    assert "entry 2 (link 2): was changed after it was booked" in done.stdout


def test_the_commands_show_programmes_and_balances(funds_province: Province,
                                                  funded: Path, tmp_path: Path) -> None:
    shown = _cli("funds", "programmes")
    assert shown.returncode == 0 and "education_subsidy" in shown.stdout
    fields = _cli("funds", "programmes", "--fields")
    assert "measure_relocation" in fields.stdout
    out = tmp_path / "balances.xlsx"
    done = _cli("funds", "balances", "--db", funded, "--level", "county", "--export", out)
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "region_code" and rows[1][0] == funds_province.county


@pytest.fixture
def paid(funds_province: Province, funded: Path, tmp_path: Path) -> Path:
    p = funds_province
    done = _cli("funds", "pay", payment_list(p, tmp_path), "--db", funded, "--as",
                "county_officer", "--county", p.county, *PAY)
    assert done.returncode == 0, done.stderr
    return funded


def _return_file(p: Province, folder: Path, batch: int) -> Path:
    path = folder / "returns.csv"
    path.write_text("record_id,payment_batch,line,status,paid_yuan,holder_name,bank_account,"
                    "reason,value_date\n" + "".join(
                        f"{i},{batch},{i + 1},{'failed' if i == 3 else 'paid'},"
                        f"{'' if i == 3 else y},{n},{account_of(h)},"
                        f"{'closed_account' if i == 3 else ''},2026-09-25\n"
                        for i, (h, n, y) in enumerate(p.payable, 1)), encoding="utf-8")
    return path


def test_a_return_of_another_batch_is_refused(funds_province: Province, paid: Path,
                                              tmp_path: Path, refuse: Refusal) -> None:
    refuse("a bank return of another batch",
           ["funds", "reconcile", str(_return_file(funds_province, tmp_path, 2)), "--db",
            str(paid), "--as", "county_officer", "--batch", "1"],
           ("returns.csv, record 1 and 5 more", "payment batch 2, not of batch 1",
            "nothing was booked"), db=paid)


def test_a_reconciliation_killed_at_any_write_leaves_the_ledger_whole(
        funds_province: Province, paid: Path, tmp_path: Path,
        crash_test: KillTest) -> None:
    returned = _return_file(funds_province, tmp_path, 1)
    _, after, _ = crash_test(
        paid, tmp_path, lambda db: ["funds", "reconcile", str(returned), "--db", str(db),
                                    "--as", "county_officer", "--batch", "1"],
        _ledger_state, sample=3)
    assert after["fund_reconciliations"][0] == 6
