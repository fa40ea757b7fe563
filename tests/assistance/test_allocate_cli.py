"""`povertycloud allocate` as an officer runs it: the three methods side by side, the
allocation kept and exported; an infeasible budget or a wrong limit refused in one line
naming the constraint, the store as it was."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import CLI, Refusal
from tests.funded import Province

from povertycloud.store import Store


def test_a_county_budget_is_allocated_kept_and_exported(funds_province: Province,
                                                        tmp_path: Path) -> None:
    db = tmp_path / "allocate.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    done = subprocess.run(
        [str(CLI), "allocate", "--db", str(db), "--county", funds_province.county, "--year",
         "2026", "--budget-yuan", "300000", "--limit", "housing_renovation=100000", "--as",
         "county_officer", "--export", str(tmp_path / "chosen.csv"), "--time-limit", "30"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    for said in ("mixed-integer programme (HiGHS)", "cheapest first", "poorest first",
                 "LP bound", "Kept as allocation 1", "housing_renovation"):
        assert said in done.stdout
    chosen = (tmp_path / "chosen.csv").read_text(encoding="utf-8").splitlines()
    assert chosen[0] == "method,household_id,village_code,measure,programme,cost_fen"
    with Store(db, read_only=True) as store:
        housing = store.scalar("SELECT coalesce(sum(cost_fen), 0) FROM allocation_items "
                               "WHERE method = 'milp' AND programme = 'housing_renovation'")
    assert housing <= 100_000_00 and len(chosen) > 1


def test_an_infeasible_budget_is_refused_naming_the_constraint(
        funds_province: Province, tmp_path: Path, refuse: Refusal) -> None:
    db = tmp_path / "allocate.duckdb"
    db.write_bytes(funds_province.db.read_bytes())
    county = ["allocate", "--db", str(db), "--county", funds_province.county, "--year", "2026"]
    refuse("a budget below the entitlements", [*county, "--budget-yuan", "10", "--as",
                                                "county_officer"],
           ("the budget of 10.00 yuan is below the entitlements it must pay",), db)
    refuse("a programme's limit below its entitlements",
           [*county, "--budget-yuan", "1000000", "--limit", "education_subsidy=1"],
           ("the limit of programme education_subsidy, 1.00 yuan, is below its "
            "entitlements",), db)
    refuse("a limit of no programme", [*county, "--budget-yuan", "1000", "--limit",
                                       "lottery=5"],
           ("no help measure is paid by programme 'lottery'",), db)
    refuse("a limit that is not an amount", [*county, "--budget-yuan", "1000", "--limit",
                                             "education_subsidy=1.005"],
           ("--limit 'education_subsidy=1.005'",), db)
    refuse("no budget", county, ("give the budget as --budget-yuan or --from-ledger",), db)
