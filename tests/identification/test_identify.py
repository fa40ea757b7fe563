"""Identification runs over a store: identify a year and keep it, record the run, replace a
year without touching the others, replay rules as "what if" without changing anything,
explain a household's score, and refuse what cannot be done."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from povertycloud.errors import PovertyCloudError
from povertycloud.identification.plan import Rules, load_rules
from povertycloud.identification.runs import explain, identify, whatif, whatif_households
from povertycloud.identification.scorecard import Level
from povertycloud.intake import load_directory
from povertycloud.lines import line_for
from povertycloud.pipeline.on_store import run_on_store
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store
from povertycloud.synth import SynthConfig, generate

RESULTS = ("identification", "identification_scores")
CrashTest = Callable[..., tuple[Any, Any, int]]  # the crash_test fixture (tests/conftest.py)


@pytest.fixture(scope="module")
def registry(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the small province, after the batch pipeline; nothing identified."""
    db = tmp_path_factory.mktemp("registry") / "registry.duckdb"
    store = Store.create(db)
    try:
        load_directory(store, small_province)
        run_on_store(store)
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


@pytest.fixture(scope="module")
def identified(registry: Path, rules: Rules, tmp_path_factory: pytest.TempPathFactory
               ) -> Path:
    """A copy of ``registry`` identified for 2019, then 2020, with the shipped rules."""
    db = tmp_path_factory.mktemp("identified") / "identified.duckdb"
    shutil.copy(registry, db)
    with Store(db) as store:
        identify(store, rules, 2019)
        identify(store, rules, 2020)
    return db


def copy_of(db: Path, folder: Path) -> Path:
    target = folder / "store.duckdb"
    shutil.copy(db, target)
    return target


@pytest.fixture
def store(identified: Path, tmp_path: Path) -> Iterator[Store]:
    """A writable copy of the identified store."""
    with Store(copy_of(identified, tmp_path)) as store:
        yield store


def one(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    row = store.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def checksum(store: Store, table: str, where: str = "") -> tuple[Any, ...]:
    """Rows and a digest of every value of ``table``."""
    row = store.execute(
        f"SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) "
        f"FROM {table} t {where}").fetchone()
    assert row is not None
    return tuple(row)


def tables(store: Store) -> set[str]:
    return {r[0] for r in store.execute("SHOW TABLES").fetchall()}


def temporary_objects(store: Store) -> int:
    return int(one(store, "SELECT (SELECT count(*) FROM duckdb_views() WHERE temporary AND "
                          "NOT internal) + (SELECT count(*) FROM duckdb_tables() "
                          "WHERE temporary)"))


def households_of(store: Store, year: int) -> int:
    return int(one(store, "SELECT count(*) FROM household_years WHERE year = ?", [year]))


# -- identify ---------------------------------------------------------------------------------

def run_state(db: Path) -> tuple[Any, ...]:
    """What an identification run of 2020 leaves: its rows, its record, its view."""
    with Store(db, read_only=True) as store:
        return (checksum(store, "identification", "WHERE year = 2020"),
                checksum(store, "(SELECT * EXCLUDE (finished_at) FROM identification_runs "
                                "WHERE year = 2020)"),
                store.has_view("identification_scores"))


def test_identify_killed_at_any_write_leaves_the_store_as_it_was(
        identified: Path, tmp_path: Path, crash_test: CrashTest) -> None:
    """Killed before each of its writes and commits in turn, `identify` leaves exactly
    the state before; run again, it gives what an uninterrupted run gives."""
    before, after, writes = crash_test(
        identified, tmp_path, lambda db: ["identify", "--db", str(db), "--year", "2020"],
        run_state)
    assert after[1] != before[1]  # the run was recorded
    assert writes > 3  # the table, the results, the view, the record, the commit


def test_identify_returns_the_rows_it_kept(registry: Path, rules: Rules, tmp_path: Path
                                           ) -> None:
    with Store(copy_of(registry, tmp_path)) as store:
        assert not set(RESULTS) & tables(store)
        counts = identify(store, rules, 2020)
        surveyed = households_of(store, 2020)
        assert surveyed > 1_000
        assert counts == dict.fromkeys(RESULTS, surveyed)
        assert set(RESULTS) | {"identification_runs"} <= tables(store)
        assert temporary_objects(store) == 0


@pytest.mark.parametrize("table", RESULTS)
def test_one_row_per_household_of_each_year(identified: Path, table: str) -> None:
    with Store(identified, read_only=True) as store:
        for year in (2019, 2020):
            assert one(store, f"SELECT count(*) FROM {table} WHERE year = ?", [year]) \
                == households_of(store, year)
            assert one(store, f"SELECT count(DISTINCT household_id) FROM {table} "
                              "WHERE year = ?", [year]) == households_of(store, year)
            missing = one(store, "SELECT count(*) FROM (SELECT household_id FROM household_years "
                                 f"WHERE year = ? EXCEPT SELECT household_id FROM {table} "
                                 "WHERE year = ?)", [year, year])
            assert missing == 0
        assert one(store, f"SELECT list(DISTINCT year ORDER BY year) FROM {table}") \
            == [2019, 2020]


def test_each_run_is_recorded_with_the_rule_versions(identified: Path, rules: Rules) -> None:
    with Store(identified, read_only=True) as store:
        runs = store.execute("SELECT run_id, year, engine, households, rules, finished_at "
                             "FROM identification_runs ORDER BY run_id").fetchall()
        assert [r[:4] for r in runs] == [(1, 2019, "duckdb", households_of(store, 2019)),
                                        (2, 2020, "duckdb", households_of(store, 2020))]
        assert all(r[5] is not None for r in runs)
        versions = rules.versions()
        assert set(versions) == {"scorecard", "guarantees", "causes", "measures", "lines"}
        assert versions["scorecard"].startswith(f"{rules.scorecard.label} (")
        for run in runs:
            assert json.loads(run[4]) == versions
        stamped = store.execute("SELECT DISTINCT year, run_id FROM identification "
                                "ORDER BY year").fetchall()
        assert stamped == [(r[1], r[0]) for r in runs]  # each row names the run of its rules


def test_a_second_run_replaces_its_year_and_keeps_the_others(store: Store, rules: Rules
                                                             ) -> None:
    before = {year: checksum(store, t, f"WHERE year = {year}")
              for year in (2019, 2020) for t in RESULTS}
    counts = identify(store, rules, 2020)
    assert counts == dict.fromkeys(RESULTS, households_of(store, 2020))
    for table in RESULTS:
        assert one(store, f"SELECT count(*) - count(DISTINCT (household_id, year)) "
                          f"FROM {table}") == 0
    after = {year: checksum(store, t, f"WHERE year = {year}")
             for year in (2019, 2020) for t in RESULTS}
    assert after == before  # the same rules give the same rows, and 2019 is untouched
    assert store.execute("SELECT run_id, year FROM identification_runs ORDER BY run_id"
                         ).fetchall() == [(1, 2019), (2, 2020), (3, 2020)]


def test_a_run_with_other_rules_replaces_only_its_year(store: Store, tmp_path: Path) -> None:
    text = shipped("scorecard.yaml").read_text(encoding="utf-8")
    widened = write(tmp_path, widen_first_band(text), "scorecard.yaml")
    before_2019 = checksum(store, "identification", "WHERE year = 2019")
    bands_2020 = dict(store.execute("SELECT band, count(*) FROM identification "
                                    "WHERE year = 2020 GROUP BY 1").fetchall())
    identify(store, load_rules(scorecard=widened), 2020)
    assert checksum(store, "identification", "WHERE year = 2019") == before_2019
    now = dict(store.execute("SELECT band, count(*) FROM identification "
                             "WHERE year = 2020 GROUP BY 1").fetchall())
    assert now["impoverished"] > bands_2020["impoverished"]
    assert sum(now.values()) == sum(bands_2020.values())
    assert one(store, "SELECT min(score) FROM identification WHERE year = 2020 AND "
                      "band = 'likely_impoverished'") >= 70
    recorded = json.loads(one(store, "SELECT rules FROM identification_runs "
                                     "ORDER BY run_id DESC LIMIT 1"))
    assert recorded["scorecard"].endswith(f"({digest(widened)})")


def write(folder: Path, text: str, name: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def widen_first_band(text: str) -> str:
    """The shipped scorecard with 'impoverished' up to 70 (and 'likely' from 70)."""
    old = ("  - {band: impoverished, from: 0, to: 60}\n"
           "  - {band: likely_impoverished, from: 60, to: 80}\n")
    assert old in text
    return text.replace(old, "  - {band: impoverished, from: 0, to: 70}\n"
                             "  - {band: likely_impoverished, from: 70, to: 80}\n")


def digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# -- what identification decides --------------------------------------------------------------

PROPOSAL = """
CASE WHEN y.wage_income + y.business_income + y.property_income + y.transfer_income
          < i.poverty_line * y.members
       OR (i.guarantees_failed > 0 AND h.registration_status = 'registered_poor')
     THEN 'poor'
     WHEN i.guarantees_failed > 0 OR i.income_per_capita < {factor} * i.poverty_line
       OR i.band <> 'out_of_poverty' THEN 'at_risk'
     ELSE 'not_poor' END"""


def test_proposals_follow_the_rules(identified: Path, rules: Rules) -> None:
    """Poor iff income is below the line, or a registered poor household fails a guarantee;
    at risk iff a guarantee fails, income is under the monitoring threshold or the band is
    not out of poverty; otherwise not poor."""
    expected = PROPOSAL.format(factor=rules.lines.monitoring_factor)
    with Store(identified, read_only=True) as store:
        joined = ("FROM identification i JOIN households h USING (household_id) "
                  "JOIN household_years y USING (household_id, year)")
        assert one(store, f"SELECT count(*) {joined} "
                          f"WHERE i.proposal IS DISTINCT FROM ({expected})") == 0
        assert one(store, f"SELECT count(*) {joined} WHERE i.income_below_line IS DISTINCT FROM "
                          "(y.wage_income + y.business_income + y.property_income + "
                          "y.transfer_income < i.poverty_line * y.members)") == 0
        proposals = dict(store.execute("SELECT proposal, count(*) FROM identification "
                                       "GROUP BY 1").fetchall())
        assert set(proposals) == {"poor", "at_risk", "not_poor"}


def test_lines_guarantees_causes_and_measures_are_consistent(identified: Path) -> None:
    checks = [c.column for c in load_rules().guarantees.checks]
    failed = " + ".join(f"(NOT {c})::INT" for c in checks)
    with Store(identified, read_only=True) as store:
        assert store.execute("SELECT year, list(DISTINCT poverty_line) FROM identification "
                             "GROUP BY 1 ORDER BY 1").fetchall() == [
            (2019, [line_for(2019)]), (2020, [line_for(2020)])]
        assert one(store, f"SELECT count(*) FROM identification WHERE guarantees_failed <> "
                          f"{failed}") == 0
        assert one(store, "SELECT count(*) FROM identification WHERE (guarantees_failed = 0) "
                          "<> (guarantees_detail = '')") == 0
        # causes and measures are kept for households that need help, not for the others
        assert one(store, "SELECT count(*) FROM identification WHERE (proposal = 'not_poor') "
                          "<> (primary_cause IS NULL)") == 0
        assert one(store, "SELECT count(*) FROM identification WHERE (proposal = 'not_poor') "
                          "<> (causes IS NULL)") == 0
        assert one(store, "SELECT count(*) FROM identification WHERE priority IS NULL") == 0
        assert one(store, "SELECT count(*) FROM identification i JOIN identification_scores s "
                          "USING (household_id, year) WHERE i.score <> s.score OR "
                          "i.band <> s.band") == 0


def test_income_equal_to_the_line_is_not_poor(registry: Path, rules: Rules, tmp_path: Path
                                              ) -> None:
    line = line_for(2020)
    with Store(copy_of(registry, tmp_path)) as store:
        at, below, guarantee, unregistered = (r[0] for r in store.execute(
            "SELECT household_id FROM household_years WHERE year = 2020 "
            "ORDER BY household_id LIMIT 4").fetchall())
        income = "wage_income = ? * members + ?, business_income = 0, property_income = 0, " \
                 "transfer_income = 0"
        for household, extra in ((at, 0), (below, -1), (guarantee, 1), (unregistered, 1)):
            store.execute(f"UPDATE household_years SET {income} WHERE household_id = ? "
                          "AND year = 2020", [line, extra, household])
        store.execute("UPDATE household_years SET food_secure = household_id NOT IN (?, ?) "
                      "WHERE year = 2020 AND household_id IN (?, ?, ?, ?)",
                      [guarantee, unregistered, at, below, guarantee, unregistered])
        store.execute("UPDATE households SET registration_status = CASE household_id "
                      "WHEN ? THEN 'registered_poor' ELSE 'not_registered' END "
                      "WHERE household_id IN (?, ?, ?, ?)",
                      [guarantee, at, below, guarantee, unregistered])
        identify(store, rules, 2020)
        got = {r[0]: r[1:] for r in store.execute(
            "SELECT household_id, income_per_capita, income_below_line, g_food, proposal "
            "FROM identification WHERE year = 2020 AND household_id IN (?, ?, ?, ?)",
            [at, below, guarantee, unregistered]).fetchall()}
    assert got[at][:2] == (line, False)  # exactly the line: not below it
    assert got[at][3] != "poor"
    assert got[below][1] is True and got[below][3] == "poor"  # one yuan short
    assert got[guarantee][1:] == (False, False, "poor")  # registered, a guarantee fails
    assert got[unregistered][1:] == (False, False, "at_risk")  # not registered: at risk


# -- what if ----------------------------------------------------------------------------------


def test_whatif_with_the_same_rules_changes_nobody(store: Store, rules: Rules) -> None:
    report = whatif(store, rules, 2020).to_pylist()
    assert sum(r["households"] for r in report) == households_of(store, 2020)
    for r in report:
        assert r["poor_entering"] == r["poor_leaving"] == 0
        assert r["band1_entering"] == r["band1_leaving"] == 0
        assert r["poor_official"] == r["poor_whatif"]
        assert r["band1_official"] == r["band1_whatif"]
    assert whatif_households(store, rules, 2020).num_rows == 0
    assert temporary_objects(store) == 0


def test_whatif_with_bands_moved_reports_entering_and_changes_nothing(
        store: Store, tmp_path: Path) -> None:
    text = shipped("scorecard.yaml").read_text(encoding="utf-8")
    moved = load_rules(scorecard=write(tmp_path, widen_first_band(text), "scorecard.yaml"))
    before = {t: checksum(store, t) for t in (*RESULTS, "identification_runs")}
    report = whatif(store, moved, 2020).to_pylist()
    entering = sum(r["band1_entering"] for r in report)
    assert entering > 0
    assert sum(r["band1_leaving"] for r in report) == 0
    for r in report:
        assert r["band1_whatif"] == r["band1_official"] + r["band1_entering"]
        assert r["poor_entering"] == r["poor_leaving"] == 0  # the bands do not decide 'poor'
    changed = whatif_households(store, moved, 2020).to_pylist()
    assert len(changed) == entering
    assert {(c["band_official"], c["band_whatif"]) for c in changed} == {
        ("likely_impoverished", "impoverished")}
    assert all(60 <= c["score_whatif"] < 70 and c["score_official"] == c["score_whatif"]
               for c in changed)
    assert {t: checksum(store, t) for t in before} == before
    assert temporary_objects(store) == 0


def test_whatif_by_village(store: Store, rules: Rules) -> None:
    report = whatif(store, rules, 2020, level="village").to_pylist()
    villages = store.execute(
        "SELECT h.village_code, count(*) FROM household_years y JOIN households h "
        "USING (household_id) WHERE y.year = 2020 GROUP BY 1 ORDER BY 1").fetchall()
    assert [(r["region_code"], r["households"]) for r in report] == villages
    assert all(r["region_name"] for r in report)


# -- explain ----------------------------------------------------------------------------------

def test_explain_sets_sum_to_the_score(identified: Path, rules: Rules) -> None:
    with Store(identified, read_only=True) as store:
        sample = store.execute(
            "SELECT household_id, score, band, proposal FROM identification WHERE year = 2020 "
            "ORDER BY hash(household_id) LIMIT 25").fetchall()
        bands = {s[2] for s in sample}
        for household, score, band, proposal in sample:
            why = explain(store, rules, household, 2020)
            assert (why["household_id"], why["year"]) == (household, 2020)
            assert why["score"] == score and why["band"] == band
            assert why["identification"]["proposal"] == proposal
            assert len(why["sets"]) == 18
            assert sum(s["points"] for s in why["sets"]) == pytest.approx(score)
            assert sum(s["max"] for s in why["sets"]) == pytest.approx(100)
            for s in why["sets"]:
                assert sum(i["points"] for i in s["indicators"]) == pytest.approx(s["points"])
                for i in s["indicators"]:
                    assert 0 <= i["points"] <= i["max"]
                    assert i["points"] in {0, *(p for _, p in i["levels"])}
    assert len(bands) >= 2


# -- refusals ---------------------------------------------------------------------------------


def test_identify_a_year_without_a_survey(registry: Path, rules: Rules, tmp_path: Path) -> None:
    with Store(copy_of(registry, tmp_path)) as store:
        with pytest.raises(PovertyCloudError, match="has no survey of 2030"):
            identify(store, rules, 2030)
        assert not set(RESULTS) & tables(store)
        assert store.count("identification_runs") == 0


def test_whatif_and_explain_before_any_identification(registry: Path, rules: Rules) -> None:
    with Store(registry, read_only=True) as store:
        with pytest.raises(PovertyCloudError, match="has no identification yet: run "
                           "`povertycloud identify"):
            whatif(store, rules, 2020)
        with pytest.raises(PovertyCloudError, match="has no identification yet"):
            whatif_households(store, rules, 2020)
        with pytest.raises(PovertyCloudError, match="has no identification yet"):
            explain(store, rules, 1, 2020)


def test_whatif_and_explain_for_a_year_not_identified(identified: Path, rules: Rules) -> None:
    with Store(identified, read_only=True) as store:
        with pytest.raises(PovertyCloudError, match="has no identification for 2018"):
            whatif(store, rules, 2018)
        with pytest.raises(PovertyCloudError, match="has no identification for 2018"):
            explain(store, rules, 1, 2018)
        with pytest.raises(PovertyCloudError, match="household 1 has no identification in 2020"):
            explain(store, rules, 1, 2020)


def test_whatif_at_an_unknown_level(store: Store, rules: Rules) -> None:
    with pytest.raises(PovertyCloudError, match="unknown level 'street'"):
        whatif(store, rules, 2020, level="street")


def test_a_bad_rule_file_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = {t: checksum(store, t) for t in (*RESULTS, "identification_runs")}
    text = shipped("scorecard.yaml").read_text(encoding="utf-8")
    bad = write(tmp_path, text.replace('"food_secure"', '"food_secured"'), "scorecard.yaml")
    with pytest.raises(RuleFileError, match="unknown field 'food_secured'"):
        identify(store, load_rules(scorecard=bad), 2020)
    assert {t: checksum(store, t) for t in before} == before


def test_a_run_that_fails_on_the_engine_writes_nothing(store: Store, rules: Rules) -> None:
    before = {t: checksum(store, t) for t in (*RESULTS, "identification_runs")}
    with pytest.raises(Exception, match="no_such_column"):
        identify(store, broken_rules(rules), 2020)
    assert {t: checksum(store, t) for t in before} == before


def broken_rules(rules: Rules) -> Rules:
    """``rules`` with a scorecard level whose SQL names no column: loads, fails on the engine."""
    first = rules.scorecard.indicators[0]
    broken = dataclasses.replace(first, levels=(Level("x", 1, "no_such_column > 0"),))
    card = dataclasses.replace(rules.scorecard,
                               indicators=(broken, *rules.scorecard.indicators[1:]))
    return dataclasses.replace(rules, scorecard=card)


def test_a_run_that_fails_on_the_engine_leaves_no_temporary_views(store: Store, rules: Rules
                                                                  ) -> None:
    with pytest.raises(Exception, match="no_such_column"):
        identify(store, broken_rules(rules), 2020)
    assert temporary_objects(store) == 0


# -- bugs -------------------------------------------------------------------------------------


def test_identify_again_with_a_new_scorecard_version(store: Store, tmp_path: Path) -> None:
    text = shipped("scorecard.yaml").read_text(encoding="utf-8")
    old = """        levels:
          - {when: "income_per_capita >= 2 * poverty_line", points: 8}"""
    assert old in text
    text = text.replace("        max: 8\n" + old, """        max: 7
        levels:
          - {when: "income_per_capita >= 2 * poverty_line", points: 7}""").replace(
        "  - set: food\n", """      - indicator: extra
        max: 1
        levels: [{when: "members <= 3", points: 1}]
  - set: food
""")
    rules = load_rules(scorecard=write(tmp_path, text, "scorecard.yaml"))
    assert "extra" in [i.id for i in rules.scorecard.indicators]
    counts = identify(store, rules, 2020)
    assert counts["identification_scores"] == households_of(store, 2020)
    assert one(store, "SELECT count(i_extra) FROM identification_scores WHERE year = 2020") \
        == households_of(store, 2020)


def test_identify_a_year_after_the_last_line(tmp_path: Path, rules: Rules) -> None:
    province = tmp_path / "province"
    generate(SynthConfig(people=1_000, seed=3, first_year=2017, last_year=2021), province)
    with Store.create(tmp_path / "late.duckdb") as store:
        load_directory(store, province)
        counts = identify(store, rules, 2021)
        assert counts["identification"] == households_of(store, 2021) > 0
        assert one(store, "SELECT min(poverty_line) FROM identification") == line_for(2021)


def test_explain_uses_no_deprecated_duckdb_api(identified: Path, rules: Rules) -> None:
    with Store(identified, read_only=True) as store:
        household = one(store, "SELECT min(household_id) FROM identification")
        explain(store, rules, household, 2020)
