"""Guarantee checks, causes, recommended measures and poverty lines: what each rule file
decides for hand-made households on DuckDB, and how a bad file is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import yaml

from povertycloud.engines.duckdb import DuckDBEngine
from povertycloud.identification.causes import CauseRules, load_causes
from povertycloud.identification.guarantees import load_guarantees
from povertycloud.identification.plan import identify_plan, load_rules
from povertycloud.identification.recommendations import load_recommendations
from povertycloud.lines import NATIONAL_LINE, line_for, load_lines
from povertycloud.pipeline import profile_steps
from povertycloud.profile.household import MEMBER_TYPES, member_counts_sql
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.standard import codes

ProfileTable = Callable[[list[dict[str, Any]]], pa.Table]
PythonEval = Callable[[str, dict[str, Any]], Any]


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of ``text`` holding ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


# -- guarantees -------------------------------------------------------------------------------

ADULT: dict[str, Any] = {
    "age": 40, "sex": "male", "relation": "head", "education": "junior_secondary",
    "in_school": False, "chronic_illness": False, "serious_illness": False,
    "disability_grade": 0, "disability_kind": "none", "labour_capacity": "normal",
    "migrant_months": 0, "medical_insurance": True, "critical_illness_insurance": True,
    "pension_insurance": True, "min_living_guarantee": False}
CHILD = ADULT | {"age": 10, "relation": "child", "education": "primary", "in_school": True,
                 "labour_capacity": "none"}
_MEMBER_ARROW = {"number": pa.int64(), "boolean": pa.bool_(), "string": pa.string()}


def with_member_lists(con: duckdb.DuckDBPyConnection, profile: pa.Table, members: pa.Table,
                      lists: dict[str, str]) -> None:
    """Register ``household_profile``: the hand-made ``profile`` with the member ``lists``
    computed from ``members`` as the identification plan does."""
    con.register("hand_profile", profile)
    con.register("member_rows", members)
    con.execute(f"CREATE OR REPLACE VIEW member_counts AS {member_counts_sql(lists)}")
    named = "".join(f", m.{column}" for column in lists)
    con.execute(f"CREATE OR REPLACE VIEW household_profile AS SELECT p.*{named} "
                "FROM hand_profile p LEFT JOIN member_counts m "
                "ON m.household_id = p.household_id AND m.year = p.year")


def member_rows(members: list[tuple[int, int, str, dict[str, Any]]]) -> pa.Table:
    """``member_rows`` for 2020 from (household, person_id, name, fields) tuples."""
    columns: dict[str, Any] = {
        "household_id": pa.array([m[0] for m in members], pa.int64()),
        "year": pa.array([2020] * len(members), pa.int64()),
        "person_id": pa.array([m[1] for m in members], pa.int64()),
        "name": pa.array([m[2] for m in members], pa.string())}
    for field, t in MEMBER_TYPES.items():
        columns[field] = pa.array([m[3][field] for m in members], _MEMBER_ARROW[t.kind])
    return pa.table(columns)


HOUSEHOLDS: list[dict[str, Any]] = [
    {},  # 1: everything holds
    {"food_secure": False},  # 2
    {"clothing_secure": False},  # 3
    {"housing_grade": "C"},  # 4
    {"drinking_water_safe": False, "water_source": "surface"},  # 5
    {},  # 6: a child out of school
    {},  # 7: children out of school for serious illness or a severe disability
    {},  # 8: a child out of school with a mild disability
    {},  # 9: two members without full medical cover
    {},  # 10: out of school but not of compulsory-school age
    {"food_secure": False, "housing_grade": "D"},  # 11: three checks fail
]
MEMBERS = [
    (1, 101, "张一", ADULT), (1, 102, "张二", CHILD),
    (6, 601, "李大", ADULT), (6, 602, "李小明", CHILD | {"in_school": False}),
    (7, 701, "王大", ADULT),
    (7, 702, "王病", CHILD | {"in_school": False, "serious_illness": True}),
    (7, 703, "王残", CHILD | {"age": 12, "in_school": False, "disability_grade": 2,
                             "disability_kind": "physical"}),
    (8, 801, "赵大", ADULT),
    (8, 802, "赵轻", CHILD | {"age": 13, "in_school": False, "disability_grade": 3,
                             "disability_kind": "hearing"}),
    (9, 901, "钱一", ADULT | {"medical_insurance": False}),
    (9, 902, "钱二", ADULT | {"relation": "spouse", "critical_illness_insurance": False}),
    (9, 903, "钱三", ADULT | {"relation": "parent", "age": 70}),
    (10, 1001, "孙五", CHILD | {"age": 5, "in_school": False}),
    (10, 1002, "孙十六", CHILD | {"age": 16, "in_school": False}),
    (11, 1101, "周大", ADULT), (11, 1102, "周小", CHILD | {"age": 15, "in_school": False}),
]
CHECKS = ["food", "clothing", "compulsory_education", "basic_medical", "safe_housing",
          "safe_water"]


@pytest.fixture
def guarantee_results(con: duckdb.DuckDBPyConnection, make_profile: ProfileTable
                      ) -> dict[int, dict[str, Any]]:
    rules = load_guarantees()
    with_member_lists(con, make_profile(HOUSEHOLDS), member_rows(MEMBERS),
                      rules.member_lists())
    rows = con.sql(rules.results_sql()).to_arrow_table().to_pylist()
    return {r["household_id"]: r for r in rows}


def failed(row: dict[str, Any]) -> list[str]:
    return [c for c in CHECKS if not row[f"g_{c}"]]


def test_shipped_guarantees_are_the_six_checks() -> None:
    rules = load_guarantees()
    assert [c.id for c in rules.checks] == CHECKS
    assert [c.column for c in rules.checks] == [f"g_{c}" for c in CHECKS]
    members = {c.id for c in rules.checks if c.member_sql}
    assert members == {"compulsory_education", "basic_medical"}


def test_a_household_that_meets_every_guarantee(
        guarantee_results: dict[int, dict[str, Any]]) -> None:
    row = guarantee_results[1]
    assert failed(row) == []
    assert row["guarantees_failed"] == 0
    assert row["guarantees_detail"] == ""


@pytest.mark.parametrize(("household", "check", "detail"), [
    (2, "food", "food: food_secure=false"),
    (3, "clothing", "clothing: clothing_secure=false"),
    (4, "safe_housing", "safe_housing: housing_grade=C"),
    (5, "safe_water", "safe_water: drinking_water_safe=false, water_source=surface"),
    (6, "compulsory_education", "compulsory_education: 602 李小明"),
    (8, "compulsory_education", "compulsory_education: 802 赵轻"),
])
def test_each_check_fails_for_the_right_household(
        guarantee_results: dict[int, dict[str, Any]], household: int, check: str,
        detail: str) -> None:
    row = guarantee_results[household]
    assert failed(row) == [check]
    assert row["guarantees_failed"] == 1
    assert row["guarantees_detail"] == detail


def test_member_checks_name_every_failing_member(
        guarantee_results: dict[int, dict[str, Any]]) -> None:
    row = guarantee_results[9]
    assert failed(row) == ["basic_medical"]
    prefix = "basic_medical: "
    assert row["guarantees_detail"].startswith(prefix)
    named = row["guarantees_detail"].removeprefix(prefix).split(", ")
    assert sorted(named) == ["901 钱一", "902 钱二"]


def test_serious_illness_or_severe_disability_exempt_from_compulsory_education(
        guarantee_results: dict[int, dict[str, Any]]) -> None:
    assert failed(guarantee_results[7]) == []


def test_compulsory_education_covers_ages_6_to_15_only(
        guarantee_results: dict[int, dict[str, Any]]) -> None:
    assert failed(guarantee_results[10]) == []
    assert "1102 周小" in guarantee_results[11]["guarantees_detail"]  # 15 is still included


def test_several_failures_are_counted_and_listed_in_file_order(
        guarantee_results: dict[int, dict[str, Any]]) -> None:
    row = guarantee_results[11]
    assert failed(row) == ["food", "compulsory_education", "safe_housing"]
    assert row["guarantees_failed"] == 3
    assert row["guarantees_detail"] == ("food: food_secure=false; compulsory_education: "
                                        "1102 周小; safe_housing: housing_grade=D")


def test_a_missing_household_value_fails_the_check(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    rules = load_guarantees()
    with_member_lists(con, make_profile([{"housing_grade": None}]),
                      member_rows([(1, 101, "张一", ADULT)]), rules.member_lists())
    [row] = con.sql(rules.results_sql()).to_arrow_table().to_pylist()
    assert failed(row) == ["safe_housing"]
    assert row["guarantees_detail"] == "safe_housing: housing_grade="


GUARANTEES = """\
id: test-guarantees
version: 1
effective: 2020-01-01
checks:
  - check: food
    household: "food_secure"
  - check: school
    member_fails: "age >= 6 and age <= 15 and not in_school"
"""


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ('household: "food_secure"', 'household: "food_secure + 1"', 5,
     "check food: 'food_secure' is a boolean"),
    ('household: "food_secure"', 'household: "income_per_capita"', 5,
     "check food: 'income_per_capita' gives a number, a boolean is needed"),
    ("not in_school", "not in_school and food_secure", 7,
     "check school: unknown field 'food_secure'"),
    ('household: "food_secure"', 'show: [food_secure]', 5,
     "check food: give exactly one of 'household' and 'member_fails'"),
    ('household: "food_secure"', 'household: "food_secure"\n    show: [food]', 5,
     "check food: 'show' names unknown field 'food'"),
])
def test_bad_guarantees_name_file_line_and_check(tmp_path: Path, old: str, new: str,
                                                 line: int, message: str) -> None:
    path = write(tmp_path, GUARANTEES.replace(old, new), "guarantees.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_guarantees(path)
    assert str(caught.value).startswith(f"{path}, line {line}, ")
    assert message in str(caught.value)


# -- causes -----------------------------------------------------------------------------------


def strengths(con: duckdb.DuckDBPyConnection, rules: CauseRules, profile: pa.Table
              ) -> dict[str, float]:
    con.register("household_profile", profile)
    values = con.sql("SELECT " + ", ".join(sql for _, sql in rules.strengths)
                     + " FROM household_profile").fetchone()
    assert values is not None
    return {cause: float(v) for (cause, _), v in zip(rules.strengths, values, strict=True)}


def causes_of(con: duckdb.DuckDBPyConnection, rules: CauseRules, profile: pa.Table
              ) -> list[tuple[str, str]]:
    con.register("household_profile", profile)
    return [(r["primary_cause"], r["causes"]) for r in con.sql(
        rules.causes_sql() + " ORDER BY household_id").to_arrow_table().to_pylist()]


def test_shipped_causes_are_registry_causes() -> None:
    rules = load_causes()
    causes = [c for c, _ in rules.strengths]
    assert set(causes) <= set(codes.CAUSES) - {"other"}
    assert len(causes) == len(set(causes)) == 11
    assert rules.min_strength == 0.1


def shipped_strengths() -> list[tuple[str, str]]:
    """(cause, strength text) of the shipped cause rules, in file order."""
    data = yaml.safe_load(shipped("causes.yaml").read_text(encoding="utf-8"))
    return [(r["cause"], r["strength"]) for r in data["rules"]]


def random_profiles(n: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        members = int(rng.integers(1, 7))
        disabled = int(rng.integers(0, 3))
        rows.append({
            "members": members, "labourers": int(rng.integers(0, members + 1)),
            "seriously_ill": int(rng.integers(0, 2)), "chronically_ill": int(rng.integers(0, 4)),
            "disabled": disabled, "severely_disabled": int(rng.integers(0, disabled + 1)),
            "upper_students": int(rng.integers(0, 3)), "disaster_events": int(rng.integers(0, 2)),
            "debt_yuan": float(rng.choice([0, 20_000, 60_000])),
            "head_age": int(rng.integers(20, 80)),
            "land_per_capita": float(rng.choice([0.2, 0.5, 1.0])),
            "water_access": bool(rng.random() < 0.5),
            "terrain": str(rng.choice(codes.TERRAINS)),
            "head_education": str(rng.choice(codes.EDUCATION)),
            "asset_value_yuan": float(rng.choice([0, 2_999, 3_000, 10_000])),
            "road_access": bool(rng.random() < 0.7),
            "distance_to_county_km": float(rng.choice([10, 50, 51, 90]))})
    return rows


@pytest.mark.parametrize(("values", "applies"), [
    ({}, set()),
    ({"seriously_ill": 1}, {"illness"}),
    ({"chronically_ill": 1}, {"illness"}),
    ({"disabled": 2, "severely_disabled": 1}, {"disability"}),
    ({"upper_students": 3}, {"schooling"}),
    ({"disaster_events": 2}, {"disaster"}),
    ({"debt_yuan": 20_000, "head_age": 39}, {"marriage"}),
    ({"debt_yuan": 20_000, "head_age": 39, "seriously_ill": 1}, {"illness"}),
    ({"land_per_capita": 0.49}, {"lack_of_land"}),
    ({"water_access": False, "terrain": "mountain"}, {"lack_of_water"}),
    ({"water_access": False, "terrain": "plain"}, set()),
    ({"head_education": "primary", "head_age": 64}, {"lack_of_skills"}),
    ({"asset_value_yuan": 2_999}, {"lack_of_capital"}),
    ({"labourers": 0}, {"lack_of_labour"}),
    ({"labourers": 1}, {"lack_of_labour"}),
    ({"road_access": False}, {"poor_transport"}),
    ({"distance_to_county_km": 51}, {"poor_transport"}),
])
def test_cause_strengths(con: duckdb.DuckDBPyConnection, make_profile: ProfileTable,
                         py_eval: PythonEval, values: dict[str, Any], applies: set[str]
                         ) -> None:
    """Each shipped strength compiles to what the rule says, and the situation it is
    about is what makes it positive."""
    profile = make_profile([values])
    row = profile.to_pylist()[0]
    got = strengths(con, load_causes(), profile)
    assert got == pytest.approx({c: py_eval(text, row) for c, text in shipped_strengths()})
    assert {c for c, s in got.items() if s > 0} == applies


def test_shipped_causes_as_python_reads_them(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable, py_eval: PythonEval
        ) -> None:
    """The primary cause is the strongest (the first in the file on a tie), the list holds
    every cause reaching min_strength in alphabetical order, 'other' when none does."""
    rules = load_causes()
    profile = make_profile(random_profiles(300))
    expected = []
    for row in profile.to_pylist():
        strength = {c: py_eval(text, row) for c, text in shipped_strengths()}
        strongest = max(strength.values())
        if strongest < rules.min_strength:
            expected.append(("other", "other"))
            continue
        primary = next(c for c, s in strength.items() if s == strongest)
        listed = ";".join(sorted(c for c, s in strength.items() if s >= rules.min_strength))
        expected.append((primary, listed))
    got = causes_of(con, rules, profile)
    assert got == expected
    assert len({p for p, _ in got}) >= 5  # the households differ
    assert any(";" in c for _, c in got)


def test_primary_is_the_strongest_and_the_list_alphabetical(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    profile = make_profile([
        {"seriously_ill": 1, "disabled": 1, "severely_disabled": 1, "upper_students": 1},
        {},
    ])
    assert causes_of(con, load_causes(), profile) == [
        ("illness", "disability;illness;schooling"), ("other", "other")]


CAUSES = """\
id: test-causes
version: 1
effective: 2020-01-01
min_strength: 0.3
rules:
  - cause: illness
    strength: "0.3 * seriously_ill"
  - cause: disaster
    strength: "0.3 * disaster_events"
  - cause: lack_of_capital
    strength: "0.2 if asset_value_yuan < 3000 else 0"
"""


@pytest.mark.parametrize(("values", "primary", "causes"), [
    ({"seriously_ill": 1, "disaster_events": 1}, "illness", "disaster;illness"),
    ({"seriously_ill": 1, "disaster_events": 2}, "disaster", "disaster;illness"),
    ({"disaster_events": 1}, "disaster", "disaster"),
    ({"asset_value_yuan": 0}, "other", "other"),
    ({"asset_value_yuan": 0, "seriously_ill": 1}, "illness", "illness"),
    ({}, "other", "other"),
])
def test_ties_go_to_file_order_and_weak_causes_do_not_count(
        tmp_path: Path, con: duckdb.DuckDBPyConnection, make_profile: ProfileTable,
        values: dict[str, Any], primary: str, causes: str) -> None:
    rules = load_causes(write(tmp_path, CAUSES, "causes.yaml"))
    assert causes_of(con, rules, make_profile([values])) == [(primary, causes)]


def test_ties_follow_the_file_whichever_comes_first(
        tmp_path: Path, con: duckdb.DuckDBPyConnection, make_profile: ProfileTable) -> None:
    first, illness, disaster, rest = CAUSES.split("  - cause: ")
    swapped = "  - cause: ".join([first, disaster, illness, rest])
    rules = load_causes(write(tmp_path, swapped, "causes.yaml"))
    assert [c for c, _ in rules.strengths][:2] == ["disaster", "illness"]
    profile = make_profile([{"seriously_ill": 1, "disaster_events": 1}])
    assert causes_of(con, rules, profile) == [("disaster", "disaster;illness")]


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("cause: disaster", "cause: laziness", 8, "cause laziness: unknown cause"),
    ("cause: disaster", "cause: other", 8, "cause other: unknown cause"),
    ("cause: disaster", "cause: illness", 8, "cause illness: has two rules"),
    ('"0.3 * disaster_events"', '"disaster_events > 0"', 8,
     "cause disaster: 'disaster_events > 0' gives a boolean, a number is needed"),
    ('"0.3 * disaster_events"', '"0.3 * disasters"', 8,
     "cause disaster: unknown field 'disasters'"),
])
def test_bad_causes_name_file_line_and_cause(tmp_path: Path, old: str, new: str, line: int,
                                             message: str) -> None:
    path = write(tmp_path, CAUSES.replace(old, new), "causes.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_causes(path)
    assert str(caught.value).startswith(f"{path}, line {line}, ")
    assert message in str(caught.value)


# -- recommendations --------------------------------------------------------------------------

RESULTS: dict[str, Any] = {
    "income_per_capita": 7_000, "migrant_workers": 1, "score": 90.0,
    "band": "out_of_poverty", "guarantees_failed": 0, "income_below_line": False,
    "causes": "other"} | {f"g_{c}": True for c in CHECKS}


def recommend(con: duckdb.DuckDBPyConnection, make_profile: ProfileTable,
              cases: list[dict[str, Any]]) -> list[tuple[str, int]]:
    card_bands = ("impoverished", "likely_impoverished", "out_of_poverty")
    rules = load_recommendations(None, card_bands, tuple(CHECKS))
    rows = [RESULTS | c for c in cases]
    for row in rows:  # what cause_results adds beside the ';'-joined list
        listed = set(str(row.get("causes") or "").split(";"))
        row.update({f"has_{cause}": cause in listed
                    for cause in codes.CAUSES if cause != "other"})
    con.register("results", make_profile(rows))
    return [(r["measures"], r["priority"]) for r in con.sql(
        f"SELECT household_id, {rules.columns_sql()} FROM results ORDER BY household_id"
    ).to_arrow_table().to_pylist()]


@pytest.mark.parametrize(("values", "measures"), [
    ({}, ""),
    ({"causes": "lack_of_capital"}, "industry_support;microcredit"),
    ({"causes": "illness;lack_of_labour"},
     "jobs_and_training;medical_assistance;minimum_living_guarantee"),
    ({"causes": "weak_motivation"}, "motivation_building"),
    ({"causes": "lack_of_land"}, "industry_support"),
    ({"g_safe_housing": False}, "housing_renovation"),
    ({"g_food": False}, "food_and_clothing_relief"),
    ({"g_basic_medical": False, "g_safe_water": False}, "medical_assistance;water_project"),
    ({"terrain": "mountain", "land_per_capita": 0.3}, "ecological_compensation"),
    ({"labourers": 0}, "minimum_living_guarantee"),
    ({"migrant_workers": 0}, "jobs_and_training"),
    ({"distance_to_county_km": 60, "road_access": False}, "relocation"),
])
def test_measures_by_cause_failed_guarantee_or_condition(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable, values: dict[str, Any],
        measures: str) -> None:
    [(got, _)] = recommend(con, make_profile, [values])
    assert got == measures


@pytest.mark.parametrize(("values", "priority"), [
    ({}, 4),
    ({"guarantees_failed": 1, "income_below_line": True}, 1),
    ({"income_per_capita": 1_999}, 1),
    ({"income_per_capita": 2_000, "income_below_line": True}, 2),
    ({"band": "impoverished"}, 2),
    ({"band": "likely_impoverished"}, 3),
    ({"income_per_capita": 5_999}, 3),
    ({"income_per_capita": 6_000}, 4),
])
def test_priority_is_the_first_rule_that_holds(
        con: duckdb.DuckDBPyConnection, make_profile: ProfileTable, values: dict[str, Any],
        priority: int) -> None:
    [(_, got)] = recommend(con, make_profile, [values])
    assert got == priority


MEASURES = """\
id: test-measures
version: 1
effective: 2020-01-01
measures:
  - measure: microcredit
    causes: [lack_of_capital]
  - measure: housing
    guarantees: [safe_housing]
  - measure: relief
    when: "band == 'impoverished'"
priority:
  - {priority: 1, when: "true"}
"""


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("[lack_of_capital]", "[lack_of_money]", 5,
     "measure microcredit: unknown cause 'lack_of_money'"),
    ("[safe_housing]", "[safe_house]", 7,
     "measure housing: unknown guarantee check 'safe_house'"),
    ("'impoverished'", "'rich'", 9, "measure relief: 'rich' is not a value of band"),
    ('when: "band == \'impoverished\'"', "label: relief", 9,
     "measure relief: needs causes, guarantees or a condition"),
    ('when: "true"', 'when: "score"', 12, "priority 1: 'score' gives a number"),
])
def test_bad_measures_name_file_line_and_measure(tmp_path: Path, old: str, new: str,
                                                 line: int, message: str) -> None:
    path = write(tmp_path, MEASURES.replace(old, new), "measures.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_recommendations(path, ("impoverished", "out_of_poverty"), tuple(CHECKS))
    assert str(caught.value).startswith(f"{path}, line {line}, ")
    assert message in str(caught.value)


def test_load_rules_names_an_unknown_cause_in_measures(tmp_path: Path) -> None:
    text = shipped("measures.yaml").read_text(encoding="utf-8")
    text = text.replace("causes: [lack_of_capital]\n", "causes: [lack_of_money]\n")
    path = write(tmp_path, text, "measures.yaml")
    line = line_of(text, "- measure: microcredit")
    with pytest.raises(RuleFileError) as caught:
        load_rules(measures=path)
    assert str(caught.value) == (f"{path}, line {line}, measure microcredit: unknown cause "
                                 "'lack_of_money'")


def test_load_rules_checks_measures_against_the_scorecards_bands(tmp_path: Path) -> None:
    text = shipped("measures.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, text.replace("band == 'impoverished'", "band == 'destitute'"),
                 "measures.yaml")
    with pytest.raises(RuleFileError, match="'destitute' is not a value of band"):
        load_rules(measures=path)


# -- poverty lines ----------------------------------------------------------------------------

NATIONAL = {2010: 2300, 2011: 2536, 2012: 2625, 2013: 2736, 2014: 2800, 2015: 2855,
            2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}


def test_shipped_lines() -> None:
    lines = load_lines()
    assert lines.by_year == NATIONAL
    assert NATIONAL_LINE == NATIONAL
    assert lines.monitoring_factor == 1.5
    assert lines.label == "national-rural 1.0.0"


@pytest.mark.parametrize(("year", "line"), [
    (2010, 2300), (2014, 2800), (2017, 2952), (2020, 4000), (2021, 4000), (2035, 4000)])
def test_line_for_a_year(year: int, line: int) -> None:
    assert line_for(year) == line
    assert load_lines().line_for(year) == line


def test_no_line_before_the_first_year() -> None:
    with pytest.raises(ValueError, match="no poverty line before 2010"):
        line_for(2009)


def identify_profiles(con: duckdb.DuckDBPyConnection, profile: pa.Table, members: pa.Table
                      ) -> list[dict[str, Any]]:
    """The identification plan's own steps over a hand-made profile and members."""
    rules = load_rules()
    plan = identify_plan(rules, 2020)
    engine = DuckDBEngine(con)
    with_member_lists(con, profile, members, rules.guarantees.member_lists())
    for name, table in plan.parameters.items():
        engine.register_arrow(name, table)
    built_elsewhere = {s.name for s in profile_steps(2020)}
    for step in plan.steps:
        if step.name not in built_elsewhere:
            engine.create_view(step.name, step.sql)
    rows: list[dict[str, Any]] = con.sql(
        "SELECT * FROM identification ORDER BY household_id").to_arrow_table().to_pylist()
    return rows


def test_income_equal_to_the_line_is_not_poor(con: duckdb.DuckDBPyConnection,
                                              make_profile: ProfileTable) -> None:
    line = line_for(2020)
    cases = [  # net income of four members, registration, food secure
        (4 * line, "not_registered", True),  # exactly on the line
        (4 * line - 1, "not_registered", True),  # one yuan short
        (4 * line, "registered_poor", False),  # on the line, registered, a guarantee fails
        (4 * line, "not_registered", False),  # the same, not registered
    ]
    profile = make_profile([
        {"village_code": "520121100200", "members": 4, "net_income": net,
         "income_per_capita": round(net / 4, 2), "poverty_line": line,
         "registration_status": status, "food_secure": food}
        for net, status, food in cases])
    members = member_rows([(h, h * 100 + 1, "某", ADULT) for h in range(1, 5)])
    got = [(r["income_below_line"], r["g_food"], r["proposal"])
           for r in identify_profiles(con, profile, members)]
    assert got[0][0] is False and got[0][2] != "poor"
    assert got[1][0] is True and got[1][2] == "poor"
    assert got[2] == (False, False, "poor")
    assert got[3] == (False, False, "at_risk")


LINES = """\
id: test-lines
version: 1
effective: 2010-01-01
years:
  - {year: 2010, line: 2300}
  - {year: 2011, line: 2536}
  - {year: 2012, line: 2625}
"""


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("{year: 2011,", "{year: 2010,", 6, "year 2010: appears twice"),
    ("line: 2536", "line: 0", 6, "year 2011: the line must be positive, not 0"),
    ("line: 2625", "line: -2625", 7, "year 2012: the line must be positive, not -2625"),
    ("line: 2625", "line: many", 7, "year 2012: 'line' must be"),
    ("{year: 2012, ", "{", 7, "year: 'year' is missing"),
])
def test_bad_lines_name_file_and_line(tmp_path: Path, old: str, new: str, line: int,
                                      message: str) -> None:
    path = write(tmp_path, LINES.replace(old, new), "lines.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_lines(path)
    assert str(caught.value).startswith(f"{path}, line {line}, ")
    assert message in str(caught.value)


def test_a_line_file_without_years(tmp_path: Path) -> None:
    path = write(tmp_path, LINES.split("years:")[0] + "years: []\n", "lines.yaml")
    with pytest.raises(RuleFileError, match="no years"):
        load_lines(path)


def test_a_gap_in_the_years_is_refused_or_carries_the_line_forward(tmp_path: Path) -> None:
    path = write(tmp_path, LINES.replace("  - {year: 2011, line: 2536}\n", ""), "lines.yaml")
    try:
        lines = load_lines(path)
    except RuleFileError as exc:
        assert "2011" in str(exc)
        return
    assert lines.line_for(2011) == 2300


def test_a_fractional_line_is_kept_or_refused(tmp_path: Path) -> None:
    path = write(tmp_path, LINES.replace("line: 2300", "line: 2300.5"), "lines.yaml")
    try:
        lines = load_lines(path)
    except RuleFileError as exc:
        assert "line 5" in str(exc)
        return
    assert lines.line_for(2010) == 2300.5
