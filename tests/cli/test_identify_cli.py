"""`povertycloud identify`, `whatif`, `explain` and `rules check`, run as a user runs them:
the console script in a subprocess, judged by exit code, output and what the store holds.

The store is built once per module (the small province, loaded in-process) and identified
once by the command under test; tests that change a store work on a copy.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from povertycloud.intake import load_directory
from povertycloud.rulefiles import shipped
from povertycloud.store import Store

from ..identification.test_rules import line_of, write
from .test_cli import Run, fails, ok, query

KINDS = ("scorecard", "guarantees", "causes", "measures", "lines")


def checksum(db: Path, table: str) -> list[tuple[Any, ...]]:
    return query(db, f"SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) "
                     f"FROM {table} t")


def copy_store(db: Path, folder: Path) -> Path:
    target = folder / "store.duckdb"
    shutil.copy(db, target)
    return target


SCORECARD = shipped("scorecard.yaml").read_text(encoding="utf-8")
FIRST_BANDS = ("  - {band: impoverished, from: 0, to: 60}\n"
               "  - {band: likely_impoverished, from: 60, to: 80}\n")
WIDENED = SCORECARD.replace(FIRST_BANDS, "  - {band: impoverished, from: 0, to: 70}\n"
                                         "  - {band: likely_impoverished, from: 70, to: 80}\n")
OVER_MAX = SCORECARD.replace(
    '{when: "income_per_capita >= 2 * poverty_line", points: 8}',
    '{when: "income_per_capita >= 2 * poverty_line", points: 9}')


@pytest.fixture(scope="module")
def registry(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the small province (loaded in-process); nothing identified."""
    db = tmp_path_factory.mktemp("identify-cli") / "registry.duckdb"
    with Store.create(db) as store:
        load_directory(store, small_province)
    return db


@pytest.fixture(scope="module")
def identify_run(registry: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """``identify --db`` for 2019, then for the latest year (2020), on a copy."""
    db = copy_store(registry, tmp_path_factory.mktemp("identified"))
    ok(db.parent, "identify", "--db", db.name, "--year", "2019")
    return db, ok(db.parent, "identify", "--db", db.name)


@pytest.fixture(scope="module")
def identified(identify_run: tuple[Path, Run]) -> Path:
    return identify_run[0]


def households(db: Path, year: int) -> int:
    return int(query(db, f"SELECT count(*) FROM household_years WHERE year = {year}")[0][0])


# -- identify ---------------------------------------------------------------------------------


def test_identify_keeps_the_latest_year_and_says_so(identify_run: tuple[Path, Run]) -> None:
    db, result = identify_run
    n = households(db, 2020)
    assert f"{n:,} households identified in" in result.said
    assert "Identification 2020" in result.said
    for word in ("proposal", "poor", "at_risk", "not_poor", "Scorecard", "impoverished",
                 "Recommended measures"):
        assert word in result.said, word
    for kind in KINDS:
        assert kind in result.said
    assert "guizhou-48 1.0.0 (" in result.said
    assert query(db, "SELECT year, count(*) FROM identification GROUP BY 1 ORDER BY 1") == [
        (2019, households(db, 2019)), (2020, n)]
    assert query(db, "SELECT year, engine, households FROM identification_runs "
                     "ORDER BY run_id") == [(2019, "duckdb", households(db, 2019)),
                                            (2020, "duckdb", n)]


def test_identify_a_year_without_a_survey(identified: Path, tmp_path: Path) -> None:
    db = copy_store(identified, tmp_path)
    before = checksum(db, "identification")
    result = fails(tmp_path, "identify", "--db", db.name, "--year", "2030")
    assert "has no survey of 2030" in result.said
    assert checksum(db, "identification") == before


def test_identify_with_a_broken_scorecard_writes_nothing(identified: Path, tmp_path: Path
                                                         ) -> None:
    db = copy_store(identified, tmp_path)
    write(tmp_path, OVER_MAX, "broken.yaml")
    before = [checksum(db, t) for t in ("identification", "identification_runs")]
    result = fails(tmp_path, "identify", "--db", db.name, "--scorecard", "broken.yaml")
    assert "broken.yaml, line" in result.said and "points 9 are out of range" in result.said
    assert [checksum(db, t) for t in ("identification", "identification_runs")] == before


def test_identify_with_an_unknown_engine(identified: Path, tmp_path: Path) -> None:
    db = copy_store(identified, tmp_path)
    result = fails(tmp_path, "identify", "--db", db.name, "--engine", "flink")
    assert "unknown engine 'flink'" in result.said


# -- whatif -----------------------------------------------------------------------------------


def test_whatif_writes_the_households_that_would_change(identified: Path, tmp_path: Path
                                                        ) -> None:
    db = copy_store(identified, tmp_path)
    write(tmp_path, WIDENED, "widened.yaml")
    before = [checksum(db, t) for t in ("identification", "identification_scores")]
    result = ok(tmp_path, "whatif", "--db", db.name, "--scorecard", "widened.yaml",
                "--out", "changed.csv")
    assert "What if, 2020" in result.said
    with (tmp_path / "changed.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert f"Wrote {len(rows):,} changed households to changed.csv" in result.said
    assert list(rows[0]) == ["household_id", "village_code", "proposal_official",
                             "proposal_whatif", "band_official", "band_whatif",
                             "score_official", "score_whatif"]
    assert {(r["band_official"], r["band_whatif"]) for r in rows} == {
        ("likely_impoverished", "impoverished")}
    assert all(60 <= float(r["score_whatif"]) < 70 for r in rows)
    assert f"(+{len(rows):,}, −0)" in result.said
    assert [checksum(db, t) for t in ("identification", "identification_scores")] == before


def test_whatif_refuses_to_overwrite_its_output(identified: Path, tmp_path: Path) -> None:
    db = copy_store(identified, tmp_path)
    (tmp_path / "changed.csv").write_text("keep me", encoding="utf-8")
    result = fails(tmp_path, "whatif", "--db", db.name, "--out", "changed.csv")
    assert "exists; choose another path or pass --overwrite" in result.said
    assert (tmp_path / "changed.csv").read_text(encoding="utf-8") == "keep me"
    ok(tmp_path, "whatif", "--db", db.name, "--out", "changed.csv", "--overwrite")
    assert (tmp_path / "changed.csv").read_text(encoding="utf-8").startswith("household_id")


def test_whatif_with_the_same_rules_changes_nobody(identified: Path, tmp_path: Path) -> None:
    db = copy_store(identified, tmp_path)
    result = ok(tmp_path, "whatif", "--db", db.name, "--year", "2019", "--out", "same.csv")
    assert "What if, 2019" in result.said
    assert "Wrote 0 changed households to same.csv" in result.said
    assert "(+0, −0)" in result.said


def test_whatif_before_identify(registry: Path, tmp_path: Path) -> None:
    db = copy_store(registry, tmp_path)
    result = fails(tmp_path, "whatif", "--db", db.name)
    assert "has no identification yet: run `povertycloud identify --db" in result.said


# -- explain ----------------------------------------------------------------------------------


def test_explain_a_household(identified: Path, tmp_path: Path) -> None:
    [(household, score, band, proposal, priority)] = query(
        identified, "SELECT household_id, score, band, proposal, priority FROM identification "
                    "WHERE year = 2020 ORDER BY household_id LIMIT 1")
    result = ok(tmp_path, "explain", "--db", identified, "--household", str(household))
    assert (f"Household {household}, 2020: score {score:g} ({band}), proposal {proposal}, "
            f"priority {priority}") in result.said
    for words in ("收入 income", "income_vs_line", "guarantees detail:", "measures:"):
        assert words in result.said, words


def test_explain_an_unknown_household(identified: Path, tmp_path: Path) -> None:
    result = fails(tmp_path, "explain", "--db", identified, "--household", "1")
    assert "household 1 has no identification in 2020" in result.said


# -- rules check ------------------------------------------------------------------------------


def test_rules_check_the_shipped_files(tmp_path: Path) -> None:
    result = ok(tmp_path, "rules", "check")
    lines = [line for line in result.out.splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == list(KINDS)
    assert all(line.rstrip().endswith("ok") for line in lines)


def test_rules_check_a_broken_scorecard(tmp_path: Path) -> None:
    write(tmp_path, OVER_MAX, "broken.yaml")
    line = line_of(OVER_MAX, "points: 9}")
    result = fails(tmp_path, "rules", "check", "--scorecard", "broken.yaml")
    assert (f"broken.yaml, line {line}, indicator income_vs_line: points 9 are out of range "
            "0 to 8") in result.said
    assert "ok" not in result.out


def test_rules_check_a_broken_measures_file(tmp_path: Path) -> None:
    text = shipped("measures.yaml").read_text(encoding="utf-8").replace(
        "causes: [lack_of_capital]\n", "causes: [lack_of_money]\n")
    write(tmp_path, text, "measures.yaml")
    line = line_of(text, "- measure: microcredit")
    result = fails(tmp_path, "rules", "check", "--measures", "measures.yaml")
    assert (f"measures.yaml, line {line}, measure microcredit: unknown cause "
            "'lack_of_money'") in result.said


def test_rules_check_invalid_yaml(tmp_path: Path) -> None:
    write(tmp_path, SCORECARD.replace("total: 100", "total: 100: 1"), "card.yaml")
    result = fails(tmp_path, "rules", "check", "--scorecard", "card.yaml")
    assert f"card.yaml, line {line_of(SCORECARD, 'total: 100')}: not valid YAML" in result.said


# -- bugs -------------------------------------------------------------------------------------


def test_identify_again_with_another_scorecard(identified: Path, tmp_path: Path) -> None:
    db = copy_store(identified, tmp_path)
    text = SCORECARD.replace("""      - indicator: electricity
        label: 生活用电
        max: 1
        levels: [{when: "electricity", points: 1}]
""", "")
    text = text.replace("levels: [{when: \"food_secure\", points: 4}]",
                        "levels: [{when: \"food_secure\", points: 4}]\n"
                        "      - indicator: food_and_power\n"
                        "        max: 1\n"
                        "        levels: [{when: \"food_secure and electricity\", points: 1}]")
    write(tmp_path, text, "v2.yaml")
    ok(tmp_path, "rules", "check", "--scorecard", "v2.yaml")
    ok(tmp_path, "identify", "--db", db.name, "--scorecard", "v2.yaml")
