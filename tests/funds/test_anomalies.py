"""The anomaly rules on a small case, on DuckDB and PostgreSQL: each finds what was made
to happen and nothing else; a second run raises nothing; a bad rules file is refused
with its file, line and rule."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import CLI, Refusal
from tests.funded import Province, account_of

from povertycloud.access.accounts import user_named
from povertycloud.feeds.sources import load_sources
from povertycloud.funds.anomalies import load_anomaly_rules, raise_fund_flags
from povertycloud.funds.bookings import entries_in
from povertycloud.funds.ledger import book
from povertycloud.funds.payments import PaymentOrder, pay
from povertycloud.funds.programmes import Programmes, load_programmes
from povertycloud.intake import import_file
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store

# an award with an approval threshold, for split payments and amounts off the standard
AWARD = """
  - programme: award
    name: test award
    source: county
    pays: household
    from: 2026-01-01
    until: 2026-12-31
    period: year
    pay_within_days: 150
    when: "registration_status in ('registered_poor', 'monitored') and students >= 1"
    range_yuan: [500, 5000]
    approval_yuan: 2000
"""
YEAR_END = dt.date(2026, 12, 31)


def _cli(*args: str | int | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


def _programmes(folder: Path) -> Programmes:
    path = folder / "programmes.yaml"
    path.write_text(shipped("programmes.yaml").read_text(encoding="utf-8") + AWARD,
                    encoding="utf-8")
    return load_programmes(path)


def _money(p: Province, folder: Path) -> Path:
    """Education subsidy and the award allocated to the county; the central special
    fund allocated to it in January and never spent."""
    lines = ["entry,kind,programme,value_date,account,debit_yuan,credit_yuan,memo"]
    for n, (programme, source, yuan) in enumerate(
            (("education_subsidy", "central", 50_000), ("award", "county", 50_000),
             ("central_special", "central", 80_000))):
        e = 10 * n
        if source == "county":
            lines += [f"{e + 1},appropriation,{programme},2026-01-10,source:county,,{yuan},",
                      f"{e + 1},appropriation,{programme},2026-01-10,region:{p.county},{yuan},,"]
            continue
        lines += [f"{e + 1},appropriation,{programme},2026-01-10,source:{source},,{yuan},",
                  f"{e + 1},appropriation,{programme},2026-01-10,region:{p.province},{yuan},,",
                  f"{e + 2},allocation,{programme},2026-01-10,region:{p.province},,{yuan},",
                  f"{e + 2},allocation,{programme},2026-01-10,region:{p.prefecture},{yuan},,",
                  f"{e + 3},allocation,{programme},2026-01-10,region:{p.prefecture},,{yuan},",
                  f"{e + 3},allocation,{programme},2026-01-10,region:{p.county},{yuan},,"]
    path = folder / "money.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _list(folder: Path, name: str, rows: list[tuple[int, str, str, int]]) -> Path:
    path = folder / f"{name}.csv"
    path.write_text("household_id,payee_name,payee_id_number,bank_account,amount_yuan\n"
                    + "".join(f"{h},{n},,{a},{y}\n" for h, n, a, y in rows),
                    encoding="utf-8")
    return path


def _case(store: Store, p: Province, folder: Path) -> dict[str, set[object]]:
    """Book the small case and make each anomaly happen once; what each rule must find
    (the flag's household, or batch for late_disbursement, or region for idle_funds)."""
    programmes = _programmes(folder)
    officer = user_named(store, "county_officer")
    book(store, entries_in(store, _money(p, folder)), user_named(store, "province_officer"),
         programmes)
    (a, name_a, yuan_a), (b, name_b, _), (c, _, _), (d, name_d, _), (e, name_e, _), \
        (f, name_f, _) = p.payable
    shared = account_of(b)

    def paying(path: Path, programme: str, period: str, on: str) -> int:
        order = PaymentOrder(programmes[programme], p.county, period,
                             dt.date.fromisoformat(on))
        return pay(store, path, order, officer).batch_id

    # the education subsidy of the autumn: b and c paid into one account
    paying(_list(folder, "autumn", [(h, n, shared if h == c else account_of(h), y)
                                    for h, n, y in p.payable]),
           "education_subsidy", "2026-autumn", "2026-09-20")
    # a's subsidy again in a supplementary list
    paying(_list(folder, "again", [(a, name_a, account_of(a), yuan_a)]),
           "education_subsidy", "2026-autumn", "2026-09-25")
    # the award: d split in two under the threshold, e paid off the standard; f late
    paying(_list(folder, "award", [(d, name_d, account_of(d), 1500),
                                   (e, name_e, account_of(e), 6000)]),
           "award", "2026", "2026-03-10")
    paying(_list(folder, "award-2", [(d, name_d, account_of(d), 1000)]),
           "award", "2026", "2026-03-20")
    late = paying(_list(folder, "award-late", [(f, name_f, account_of(f), 1000)]),
                  "award", "2026", "2026-07-01")
    # d's payee registered a second time in c, and paid the award there too
    store.execute("INSERT INTO people BY NAME SELECT * REPLACE (? AS household_id, "
                  "(SELECT max(person_id) + 1 FROM people) AS person_id) FROM people "
                  "WHERE household_id = ? AND name = ?", [c, d, name_d])
    paying(_list(folder, "award-c", [(c, name_d, account_of(c), 1000)]),
           "award", "2026", "2026-03-25")
    # later data: e's payee died before being paid, f struck from the registry, a
    # member of a's household on the public-employee roster
    store.execute("UPDATE people SET death_date = DATE '2026-09-01' WHERE household_id = ? "
                  "AND name = ?", [e, name_e])
    store.execute("UPDATE households SET registration_status = 'not_registered' "
                  "WHERE household_id = ?", [f])
    member = store.one("SELECT name, id_number FROM people WHERE household_id = ? AND "
                       "death_date IS NULL ORDER BY person_id LIMIT 1", [a])
    assert member is not None
    roster = folder / "roster.csv"
    roster.write_text("record_id,name,id_number,address,employer,post,since\n"
                      f"990001,{member[0]},{member[1]},,县教育局,civil_servant,2020-01-01\n"
                      f"990002,{name_b},,,村民委员会,village_cadre,2020-01-01\n",
                      encoding="utf-8")
    import_file(store, load_sources()["public_employees"].table, roster)
    return {"ineligible_or_unregistered": {f}, "paid_after_death": {e},
            "duplicate_benefit": {a, c}, "shared_account": {b, c}, "officer_payee": {a},
            "split_payments": {d}, "off_standard": {e}, "idle_funds": {p.county},
            "late_disbursement": {late}}


def _found(store: Store) -> dict[str, set[object]]:
    found: dict[str, set[object]] = {}
    for rule, household, batch, region in store.rows(
            "SELECT rule, household_id, batch_id, region_code FROM fund_flags"):
        key = {"idle_funds": region, "late_disbursement": batch}.get(rule, household)
        found.setdefault(rule, set()).add(key)
    return found


def test_each_rule_finds_what_happened_and_nothing_else(
        funds_province: Province, funds_db: Path | str, tmp_path: Path) -> None:
    with Store(funds_db) as store:
        expected = _case(store, funds_province, tmp_path)
        rules, programmes = load_anomaly_rules(), _programmes(tmp_path)
        raised = raise_fund_flags(store, rules, programmes, YEAR_END)
        assert _found(store) == expected
        assert raised["officer_payee"] == 2  # a's two lines: the subsidy and its repeat
        idle = store.one("SELECT programme, amount_fen FROM fund_flags "
                         "WHERE rule = 'idle_funds'")
        assert idle == ("central_special", 8_000_000)
        evidence = " ".join(store.column("SELECT evidence FROM fund_flags"))
        assert account_of(funds_province.payable[1][0]) not in evidence  # masked
        shared = json.loads(str(store.value(
            "SELECT evidence FROM fund_flags WHERE rule = 'shared_account' LIMIT 1")))
        assert shared["account"].startswith("****") and shared["households"] == 2
        again = raise_fund_flags(store, rules, programmes, YEAR_END)
        assert sum(again.values()) == 0 and _found(store) == expected


def test_a_bad_rules_file_is_refused_with_its_line_and_rule(tmp_path: Path) -> None:
    text = shipped("fund_anomalies.yaml").read_text(encoding="utf-8")
    for old, new, said in (
            ("window_days: 30", "window_days: -3", "'window_days' must not be negative"),
            ("min_households: 2", "min_households: 1", "'min_households' must be 2"),
            ("grace_days: 0", "grace_day: 0", "unknown key 'grace_day'"),
            ("rule: off_standard", "rule: off_standards", "unknown rule")):
        path = tmp_path / "rules.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(RuleFileError) as refused:
            load_anomaly_rules(path)
        line = text.splitlines().index(next(x for x in text.splitlines() if old in x))
        message = str(refused.value)
        assert str(path) in message and said in message
        assert any(f"line {n}," in message for n in range(line - 3, line + 2))


def test_an_officer_raises_lists_and_verifies_flags_on_synthetic_funds(
        funds_province: Province, tmp_path: Path, refuse: Refusal) -> None:
    p, db = funds_province, tmp_path / "funds.duckdb"
    shutil.copy(p.db, db)
    for args in (("synth", "--dir", tmp_path / "files"),
                 ("flags", "raise", "--as-of", "2026-12-31")):
        done = _cli("funds", *args, "--db", db)
        assert done.returncode == 0, done.stderr
    with Store(db, read_only=True) as store:
        flag = int(store.value("SELECT min(flag_id) FROM fund_flags WHERE "
                               "starts_with(region_code, ?)", [p.county[:6]]))
        rule = str(store.value("SELECT rule FROM fund_flags WHERE flag_id = ?", [flag]))
        flags = store.scalar("SELECT count(*) FROM fund_flags WHERE rule = ?", [rule])
    verified = _cli("funds", "flags", "verify", "--db", db, "--flag", flag, "--outcome",
                    "confirmed", "--as", "county_officer", "--note", "seen in the field")
    assert verified.returncode == 0, verified.stderr
    listed = _cli("funds", "flags", "list", "--db", db, "--rule", rule).stdout
    assert re.search(rf"{rule}\s*│\s*[\d,]+\s*│\s*1\s*│\s*1\s*│\s*1\.00", listed), listed
    waiting = listed.split("Flags to verify")[1]
    assert f"({flags - 1} shown)" in waiting and not re.search(rf"^│ {flag} ", waiting,
                                                               re.M)
    refuse("a flag verified twice",
           ["funds", "flags", "verify", "--db", str(db), "--flag", str(flag), "--outcome",
            "false_alarm", "--as", "county_officer"], (str(flag), "verified already"),
           db=db)
    bad = tmp_path / "rules.yaml"
    bad.write_text(shipped("fund_anomalies.yaml").read_text(encoding="utf-8").replace(
        "window_days: 30", "window_days: -30"), encoding="utf-8")
    refuse("an anomaly rules file with a negative window",
           ["funds", "flags", "raise", "--db", str(db), "--rules", str(bad)],
           (str(bad), "line", "rule split_payments", "must not be negative"), db=db)
    refuse("synthetic funds into a store with funds",
           ["funds", "synth", "--db", str(db), "--dir", str(tmp_path / "again")],
           ("funds booked already",), db=db)
