"""`povertycloud plans` as an officer runs it: propose, show, change, add, flags and their
export; a change outside one's jurisdiction or an ineligible measure refused in one line,
the store as it was; a proposal killed at any write leaves no plan."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.conftest import CLI, KillTest, Refusal, store_content
from tests.funded import Province

from povertycloud.store import Store


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture
def db(funds_province: Province, tmp_path: Path) -> Path:
    target = tmp_path / "plans.duckdb"
    target.write_bytes(funds_province.db.read_bytes())
    return target


def test_an_officer_plans_changes_and_sees_the_flags(db: Path, funds_province: Province,
                                                     tmp_path: Path) -> None:
    p = funds_province
    done = _cli("plans", "propose", "--db", db, "--year", "2026", "--starts", "2026-03-01",
                "--region", p.county)
    assert done.returncode == 0, done.stderr
    assert "Proposed" in done.stdout and "from the identification of 2020" in done.stdout
    with Store(db, read_only=True) as store:
        item, household, village = store.one(
            "SELECT item_id, household_id, village_code FROM plan_items ORDER BY item_id "
            "LIMIT 1") or (0, 0, "")
    shown = _cli("plans", "show", household, "--db", db, "--year", "2026")
    assert shown.returncode == 0 and f"Plan of household {household}, 2026" in shown.stdout
    changed = _cli("plans", "set", item, "--db", db, "--as", "county_officer", "--state",
                   "under_way", "--note", "seedlings ordered")
    assert changed.returncode == 0, changed.stderr
    assert f"Plan item {item}:" in changed.stdout and "version 2" in changed.stdout
    history = _cli("plans", "show", household, "--db", db, "--year", "2026", "--history")
    assert "county_officer" in history.stdout and "v2" in history.stdout
    flags = _cli("plans", "flags", "--db", db, "--year", "2026", "--region", p.county,
                 "--as-of", "2027-12-31", "--export", tmp_path / "flags.csv")
    assert flags.returncode == 0, flags.stderr
    written = (tmp_path / "flags.csv").read_text(encoding="utf-8").splitlines()
    assert written[0].startswith("flag,village_code,household_id")
    assert any(line.startswith("overdue,") for line in written[1:])
    assert village.startswith(p.county[:6])


def test_a_change_outside_ones_jurisdiction_is_refused(db: Path, refuse: Refusal) -> None:
    assert _cli("plans", "propose", "--db", db, "--year", "2026").returncode == 0
    with Store(db, read_only=True) as store:
        item = store.value("SELECT min(item_id) FROM plan_items WHERE NOT starts_with("
                           "village_code, (SELECT substr(region_code, 1, 6) FROM users "
                           "WHERE username = 'other_county_officer'))")
        eligible = store.value("SELECT min(household_id) FROM help_plans h WHERE NOT EXISTS "
                               "(SELECT 1 FROM people m WHERE m.household_id = "
                               "h.household_id AND m.in_school)")
    refuse("an item outside the officer's jurisdiction",
           ["plans", "set", str(item), "--db", str(db), "--as", "other_county_officer",
            "--state", "delivered"],
           (f"no plan item {item} in the jurisdiction of other_county_officer",), db)
    refuse("a change by an auditor",
           ["plans", "set", str(item), "--db", str(db), "--as", "auditor", "--state",
            "delivered"], ("auditor (auditor) may not change help plans",), db)
    refuse("a measure for an ineligible household",
           ["plans", "add", str(eligible), "rain_plan", "--db", str(db), "--year", "2026",
            "--as", "province_officer"], (f"household {eligible} is not eligible for "
                                          "rain_plan",), db)
    assert _cli("plans", "set", item, "--db", db, "--as", "province_officer", "--state",
                "delivered").returncode == 0
    refuse("a state backwards",
           ["plans", "set", str(item), "--db", str(db), "--as", "province_officer",
            "--state", "planned"],
           ("is delivered: it may become verified, cancelled, not planned",), db)


def test_a_proposal_killed_at_any_write_leaves_no_plan(db: Path, crash_test: KillTest,
                                                       tmp_path: Path) -> None:
    before, after, tried = crash_test(db, tmp_path, lambda target: [
        "plans", "propose", "--db", str(target), "--year", "2026"], store_content)
    assert tried >= 1 and after != before
