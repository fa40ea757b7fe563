"""Regions' plans for a year: taken from a file whole or not at all (each bad row named
with its field), proposed from a kept allocation, and set beside what the data say was
done (exits, villages, money, households reached by each kind of measure)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import KillTest, Refusal, store_content
from tests.funded import Province

from povertycloud.access.accounts import user_named
from povertycloud.assessment.targets import import_plans, latest_progress, progress
from povertycloud.errors import ValidationFailed
from povertycloud.store import Store

CLI = str(Path(sys.executable).parent / "povertycloud")
HEADER = "region_code,year,kind,households,villages,budget_yuan"


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=False)


def _file(folder: Path, rows: list[str], name: str = "plans.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(funds_province: Province, tmp_path: Path) -> Path:
    target = tmp_path / "plans.duckdb"
    shutil.copy(funds_province.db, target)
    return target


def test_a_plan_beside_what_was_done(db: Path, funds_province: Province,
                                     tmp_path: Path) -> None:
    county, township = funds_province.county, funds_province.township
    plans = _file(tmp_path, [f"{county},2020,,40,2,500000", f"{county},2020,industry,30,,200000",
                             f"{county},2020,health,20,,", f"{township},2020,,5,0,1000"])
    done = _cli("assess", "plan", "import", plans, "--db", db, "--as", "county_officer")
    assert done.returncode == 0 and "Kept 2 plans with 2 lines" in done.stdout, done.stderr
    with Store(db) as store:
        found = progress(store, county, 2020, dt.date(2021, 6, 1))
        exits = store.scalar(
            "SELECT count(DISTINCT household_id) FROM status_changes WHERE status = 'exited' "
            "AND year(effective_date) = 2020 AND household_id IN (SELECT household_id FROM "
            "households WHERE village_code LIKE ?)", [county[:6] + "%"])
        industry = store.scalar(
            "SELECT count(*) FROM household_measures m JOIN households h USING "
            "(household_id) WHERE m.year = 2020 AND m.kind = 'industry' AND h.village_code "
            "LIKE ?", [county[:6] + "%"])
        assert latest_progress(store, county, dt.date(2022, 1, 1)) is not None
        assert latest_progress(store, county, dt.date(2019, 1, 1)) is None
    assert found is not None
    assert (found["households"], found["villages"], found["budget_fen"]) == (40, 2, 50_000_000)
    assert found["until"] == dt.date(2020, 12, 31) and found["year_gone"] == 1
    assert found["households_lifted"] == exits > 0
    line = {r["kind"]: r for r in found["lines"]}
    assert set(line) == {"industry", "health"}
    assert line["industry"]["households_reached"] == industry > 0
    assert line["health"]["budget_fen"] == 0
    shown = _cli("assess", "plan", "show", county, "--year", "2020", "--db", db)
    assert shown.returncode == 0 and "households lifted" in shown.stdout
    assert f"{exits:,}" in shown.stdout and "industry: households reached" in shown.stdout


def test_a_bad_file_names_each_row_and_field_and_keeps_nothing(
        db: Path, funds_province: Province, tmp_path: Path) -> None:
    county, other = funds_province.county, funds_province.other_county
    good = _file(tmp_path, [f"{county},2020,,40,2,500000"], "good.csv")
    bad = _file(tmp_path, [
        f"{county},2020,,40,100000,500000",  # 2: more villages than it has
        f"{county},2020,industry,30,1,600000",  # 3: villages on a line; budget over
        f"{county},20x0,,1,0,1",  # 4: not a year
        f"{county},2021,magic,1,,1",  # 5: unknown kind, and no plan row for 2021
        f"{county},2020,health,-3,,",  # 6: households below zero
        f"{county},2020,health,3,,",  # 7: the same line twice
        f"{other},2020,,1,0,1",  # 8: outside the county officer's jurisdiction
        "999999999999,2020,,1,0,1",  # 9: no such region
    ], "bad.csv")
    with Store(db) as store:
        officer = user_named(store, "county_officer")
        import_plans(store, good, officer)
        before = store.rows("SELECT * FROM region_plans")
        with pytest.raises(ValidationFailed) as refused:
            import_plans(store, bad, officer)
        assert store.rows("SELECT * FROM region_plans") == before
    found = {(i.row, i.field) for i in refused.value.issues}
    assert found >= {(2, "villages"), (2, "budget_yuan"), (3, "villages"), (4, "year"),
                     (5, "kind"), (6, "households"), (6, "kind"), (7, "kind"),
                     (8, "region_code"), (9, "region_code")}
    assert all(i.source == str(bad) for i in refused.value.issues)


def test_bad_requests_are_refused_in_a_line(db: Path, funds_province: Province,
                                            tmp_path: Path, refuse: Refusal) -> None:
    county = funds_province.county
    plans = _file(tmp_path, [f"{county},2020,,40,2,-1"])
    refuse("a plan with a budget below zero", ["assess", "plan", "import", str(plans),
           "--db", str(db), "--as", "county_officer"], ("line 2", "budget_yuan"), db=db)
    refuse("a plan set by an auditor", ["assess", "plan", "import", str(plans), "--db",
           str(db), "--as", "auditor"], ("may not",), db=db)
    refuse("a plan without its columns", ["assess", "plan", "import",
           str(_write(tmp_path / "short.csv", "region_code,year,kind,villages,budget_yuan\n"
                                        f"{county},2020,,1,1\n")), "--db", str(db),
           "--as", "county_officer"], ("households",), db=db)
    refuse("the plan of a region without one", ["assess", "plan", "show", county, "--year",
           "2020", "--db", str(db)], ("no plan",), db=db)
    refuse("a plan from an allocation never kept", ["assess", "plan", "propose", "7",
           "--db", str(db), "--as", "county_officer"], ("no allocation 7",), db=db)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_proposed_from_an_allocation(db: Path, funds_province: Province) -> None:
    county = funds_province.county
    made = _cli("allocate", "--db", db, "--county", county, "--year", "2026",
                "--budget-yuan", "300000", "--as", "county_officer", "--time-limit", "20")
    assert made.returncode == 0, made.stderr
    done = _cli("assess", "plan", "propose", "1", "--villages", "1", "--db", db, "--as",
                "county_officer")
    assert done.returncode == 0, done.stderr
    with Store(db) as store:
        plan = store.record("SELECT * FROM region_plans WHERE region_code = ?", [county])
        lines = store.records("SELECT * FROM region_plan_measures WHERE region_code = ?",
                              [county])
        spent, households = store.one(
            "SELECT sum(cost_fen), count(DISTINCT household_id) FROM allocation_items "
            "WHERE allocation_id = 1 AND method = 'milp'") or (0, 0)
    assert plan is not None and plan["year"] == 2026 and plan["villages"] == 1
    assert plan["budget_fen"] == spent == sum(r["budget_fen"] for r in lines) > 0
    assert plan["source"] == "allocation 1"
    assert max(r["households"] for r in lines) <= households


def test_an_import_killed_at_any_write_keeps_all_plans_or_none(
        db: Path, funds_province: Province, tmp_path: Path, crash_test: KillTest) -> None:
    county = funds_province.county
    plans = _file(tmp_path, [f"{county},2020,,40,2,500000", f"{county},2020,industry,30,,1"])
    before, after, tried = crash_test(db, tmp_path, lambda target: [
        "assess", "plan", "import", str(plans), "--db", str(target), "--as",
        "county_officer"], store_content)
    assert tried >= 1 and after != before
