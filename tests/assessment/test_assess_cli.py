"""`povertycloud assess` as a province office and a third party run it: a county's design,
the draw, the kit, the returns imported once, the rates, the exit criteria judged on
them; bad input refused in one line, the store as it was; an import killed at any write
keeps all its returns or none."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import CLI, KillTest, Refusal, store_content
from tests.funded import PASSWORD, Province

from povertycloud.access.accounts import create_user
from povertycloud.rulefiles import shipped
from povertycloud.store import Store


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "220"})


def _drawn(p: Province, folder: Path) -> Path:
    db = folder / "assess.duckdb"
    shutil.copy(p.db, db)
    with Store(db) as store:
        create_user(store, "third_party", PASSWORD, "assessor", p.province)
    designed = _cli("assess", "design", "--db", db, "--as", "province_officer", "--county",
                    p.county, "--as-of", "2021-03-01", "--seed", "4")
    assert designed.returncode == 0, designed.stderr
    assert "Assessment 1:" in designed.stdout and "households needed" in designed.stdout
    drawn = _cli("assess", "draw", "1", "--db", db, "--as", "province_officer",
                 "--assessor", "李评估", "--assessor", "王评估")
    assert drawn.returncode == 0 and "households drawn" in drawn.stdout, drawn.stderr
    return db


def test_an_assessment_from_design_to_the_exit_criteria(
        funds_province: Province, tmp_path: Path, refuse: Refusal) -> None:
    p = funds_province
    db = _drawn(p, tmp_path)
    kit = _cli("assess", "xlsform", "1", "--db", db, "--out", tmp_path / "kit")
    assert kit.returncode == 0 and (tmp_path / "kit" / "households.csv").exists(), kit.stderr
    returns = tmp_path / "kit" / "returns.csv"
    synth = _cli("assess", "synth", "1", "--db", db, "--returns", returns)
    assert synth.returncode == 0 and "true rates" in synth.stdout, synth.stderr
    refuse("returns entered by the county's own officer",
           ["assess", "import", str(returns), "--db", str(db), "--assessment", "1", "--as",
            "county_officer"], ("county_officer", "may not enter"), db)
    done = _cli("assess", "import", returns, "--db", db, "--assessment", "1", "--as",
                "third_party")
    assert done.returncode == 0 and "Imported" in done.stdout, done.stderr
    again = _cli("assess", "import", returns, "--db", db, "--assessment", "1", "--as",
                 "third_party")
    assert "nothing changed" in again.stdout
    rates = _cli("assess", "rates", "1", "--db", db, "--export", tmp_path / "rates.xlsx")
    assert rates.returncode == 0, rates.stderr
    for rate in ("wrong_exit", "missed", "misidentified", "approval", "integrated_incidence"):
        assert rate in rates.stdout
    assert (tmp_path / "rates.xlsx").exists()
    listed = _cli("assess", "list", "--db", db)
    assert "drawn" in listed.stdout and p.county in listed.stdout
    judged = _cli("regions", "criteria", "--db", db, "--level", "county", "--region",
                  p.county, "--as-of", "2021-06-01", "--year", "2020")
    row = next(line for line in judged.stdout.splitlines() if p.county in line)
    assert "est." not in row.split("│")[3:6]  # the rates assessed, not estimated
    replay = tmp_path / "third-party-only.yaml"
    replay.write_text(shipped("exit_evaluation.yaml").read_text(encoding="utf-8").replace(
        "id: multi-party-2017", "id: third-party-only").replace("households: 0.30",
        "households: 0").replace("villagers: 0.15", "villagers: 0").replace(
        "project_supervisors: 0.15", "project_supervisors: 0").replace(
        "third_party: 0.25", "third_party: 1").replace("departments: 0.15", "departments: 0"),
        encoding="utf-8")
    evaluated = _cli("assess", "evaluate", p.county, "--db", db, "--as-of", "2021-06-01",
                     "--year", "2020", "--weights", replay)
    assert evaluated.returncode == 0, evaluated.stderr
    combined = next(line for line in evaluated.stdout.splitlines() if "combined" in line)
    assert "incomplete" in combined and ("pass" in combined or "FAIL" in combined)
    assert "third-party-only" in evaluated.stdout
    lopsided = tmp_path / "lopsided.yaml"
    lopsided.write_text(replay.read_text(encoding="utf-8").replace("third_party: 1",
                                                                   "third_party: 0.9"))
    refuse("weights that do not sum to one",
           ["assess", "evaluate", p.county, "--db", str(db), "--weights", str(lopsided)],
           ("lopsided.yaml, line", "sum to 0.9, not 1"), db)
    shown = _cli("assess", "indicators", "--db", db, "--year", "2020", "--level", "township",
                 "--region", p.county)
    assert shown.returncode == 0 and p.township in shown.stdout, shown.stderr
    ranked = _cli("assess", "rank", "--db", db, "--year", "2020", "--export",
                  tmp_path / "rank.csv")
    assert ranked.returncode == 0 and "registered_incidence" in ranked.stdout, ranked.stderr
    assert "distance_wrong_exit" in (tmp_path / "rank.csv").read_text(encoding="utf-8")
    clean = _cli("assess", "suspicions", "--db", db, "--year", "2020")
    assert clean.returncode == 0 and "Signs of faked figures, 2020 (0)" in clean.stdout
    for suffix, which in (("pdf", ["1"]), ("xlsx", ["--county", p.county])):
        written = _cli("assess", "report", *which, "--db", db, "--out",
                       tmp_path / f"r.{suffix}")
        assert written.returncode == 0 and (tmp_path / f"r.{suffix}").stat().st_size > 1000
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    refuse("a report of a county without an assessment",
           ["assess", "report", "--county", p.other_county, "--db", str(db), "--out",
            str(tmp_path / "other.pdf")], ("no assessment of", p.other_county), db)
    refuse("a report to a text file", ["assess", "report", "1", "--db", str(db), "--out",
                                       str(tmp_path / "r.txt")], ("write .pdf or .xlsx",), db)
    refuse("a report over an existing file", ["assess", "report", "1", "--db", str(db),
                                              "--out", str(tmp_path / "r.pdf")],
           ("exists", "--overwrite"), db)
    refuse("a ranking of villages", ["assess", "rank", "--db", str(db), "--year", "2020",
                                     "--level", "village"], ("county or township",), db)
    refuse("a second draw", ["assess", "draw", "1", "--db", str(db), "--as",
                             "province_officer", "--assessor", "x"], ("drawn once",), db)
    refuse("a design of a village", ["assess", "design", "--db", str(db), "--as",
                                     "province_officer", "--county", p.village, "--as-of",
                                     "2021-03-01"], ("not a county",), db)
    refuse("rates at an unknown level", ["assess", "rates", "1", "--db", str(db), "--level",
                                         "street"], ("county, township, village",), db)
    refuse("an assessment that does not exist", ["assess", "rates", "9", "--db", str(db)],
           ("no assessment 9",), db)


def test_returns_of_households_outside_the_sample_are_refused_naming_the_row(
        funds_province: Province, tmp_path: Path) -> None:
    db = _drawn(funds_province, tmp_path)
    returns = tmp_path / "returns.csv"
    assert _cli("assess", "synth", "1", "--db", db, "--returns", returns).returncode == 0
    lines = returns.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[0] = "5201019999990001"
    returns.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n",
                       encoding="utf-8")
    before = store_content(db)
    done = _cli("assess", "import", returns, "--db", db, "--assessment", "1", "--as",
                "third_party")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "returns.csv" in done.stderr and "line 2" in done.stderr
    assert "household_id" in done.stderr and "not in the sample" in done.stderr
    assert "no return was imported" in done.stderr and store_content(db) == before


def test_an_import_killed_at_any_write_keeps_all_returns_or_none(
        funds_province: Province, tmp_path: Path, crash_test: KillTest) -> None:
    db = _drawn(funds_province, tmp_path)
    returns = tmp_path / "returns.csv"
    assert _cli("assess", "synth", "1", "--db", db, "--returns", returns).returncode == 0
    before, after, tried = crash_test(db, tmp_path, lambda target: [
        "assess", "import", str(returns), "--db", str(target), "--assessment", "1", "--as",
        "third_party"], store_content)
    assert tried >= 1 and after != before
