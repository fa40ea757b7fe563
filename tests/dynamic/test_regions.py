"""The life cycle of villages and counties on a real store: a small synthetic province in
Guizhou (a western province), run through the pipeline and identified, its villages and
counties designated as of 2014. Tests that change the store work on a copy."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import store_content
from typer.testing import CliRunner

from povertycloud.access.accounts import User, create_user
from povertycloud.cli.common import console
from povertycloud.cli.regions import regions_app
from povertycloud.dynamic.region_criteria import criteria, criteria_for, load_exit_rules
from povertycloud.dynamic.regions import designate, propose_exit, region_status, status_as_of
from povertycloud.dynamic.workflow import act, clock_at
from povertycloud.errors import PovertyCloudError
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store

from .conftest import rule_file_with

YEAR = 2020
AS_OF = dt.date(YEAR, 12, 31)
PROPOSED = dt.date(2021, 3, 1)
DESIGNATED = 2014


@dataclass(frozen=True)
class Province:
    db: Path
    designated: int
    village: str  # poor, meeting every criterion as of AS_OF
    failing: str  # poor, failing a criterion
    other: str  # poor, in another township


@pytest.fixture(scope="module")
def province(identified_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Province:
    """The identified province (of 2020), designated, with officers over a village that
    meets every criterion."""
    db = tmp_path_factory.mktemp("regions") / "regions.duckdb"
    shutil.copy(identified_db, db)
    with Store(db) as store:
        designated = designate(store, DESIGNATED, "admin")
        poor = {r["region_code"] for r in status_as_of(store, PROPOSED) if r["status"] == "poor"}
        rows = [r for r in criteria_for(store, AS_OF, YEAR, "village") if r["region_code"] in poor]
        village = next(r["region_code"] for r in rows if r["met"])
        failing = next(r["region_code"] for r in rows if not r["met"])
        other = next(r["region_code"] for r in rows if r["region_code"][:9] != village[:9])
        for level, digits in (("village", 12), ("township", 9), ("county", 6)):
            create_user(store, f"{level}_officer", "correct horse battery", "officer",
                        village[:digits].ljust(12, "0"))
    return Province(db, designated, village, failing, other)


@pytest.fixture
def store(province: Province, tmp_path: Path) -> Iterator[Store]:
    """A copy of the province's store, open."""
    shutil.copy(province.db, tmp_path / "copy.duckdb")
    with Store(tmp_path / "copy.duckdb") as opened:
        yield opened


def user(store: Store, username: str) -> User:
    row = store.execute("SELECT user_id, username, display_name, role, region_code "
                        "FROM users WHERE username = ?", [username]).fetchone()
    assert row is not None
    return User(*row)


def by_name(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in rows if c["criterion"] == name)


# -- designation ----------------------------------------------------------------------------


def test_designation_makes_poor_the_regions_at_the_threshold_once(store: Store,
                                                                   province: Province) -> None:
    threshold = load_exit_rules().designation
    expected = set()
    for level in ("village", "county"):
        for r in criteria_for(store, dt.date(DESIGNATED, 12, 31), YEAR, level):
            if 100 * r["registered_poor_people"] / r["people"] >= threshold[level]:
                expected.add(r["region_code"])
    rows = store.execute("SELECT region_code, effective_date, status "
                         "FROM region_status_changes").fetchall()
    assert {r[0] for r in rows} == expected
    assert len(rows) == province.designated == len(expected)
    assert {(r[1], r[2]) for r in rows} == {(dt.date(DESIGNATED, 12, 31), "poor")}

    assert designate(store, DESIGNATED, "admin") == 0
    assert store.count("region_status_changes") == len(rows)


def test_never_designated_regions_show_as_not_poor(store: Store) -> None:
    statuses = status_as_of(store, PROPOSED)
    designated = {r[0] for r in store.execute(
        "SELECT region_code FROM region_status_changes").fetchall()}
    assert {r["level"] for r in statuses} == {"village", "county"}
    assert len(statuses) == store.execute(
        "SELECT count(*) FROM regions WHERE level IN ('village', 'county')").fetchone()[0]  # type: ignore[index]
    for r in statuses:
        assert (r["status"] == "not_poor") == (r["region_code"] not in designated)
    assert all(r["status"] == "not_poor" for r in status_as_of(store, dt.date(2014, 12, 30)))


# -- criteria -------------------------------------------------------------------------------


def hand_figures(store: Store, village: str) -> dict[str, int]:
    """The figures of one village from the raw tables, in Python."""
    q = store.execute
    changes: dict[int, list[tuple[dt.date, str]]] = {}
    for household, day, held in q("SELECT household_id, effective_date, status "
                                  "FROM status_changes").fetchall():
        changes.setdefault(household, []).append((day, held))

    def status(household: int) -> tuple[str, bool]:
        held = sorted(c for c in changes.get(household, []) if c[0] <= AS_OF)
        now = held[-1][1] if held else "not_registered"
        return ("not_registered" if now == "removed" else now), any(
            s == "exited" for _, s in held)

    out = dict.fromkeys(("people", "poor", "exited", "wrong", "unregistered", "missed"), 0)
    for household, members in q("SELECT household_id, members FROM household_indicators "
                                "WHERE year = ? AND village_code = ?", [YEAR, village]).fetchall():
        out["people"] += members
        out["poor"] += members if status(household)[0] == "registered_poor" else 0
    for household, members, below, failed, proposal in q(
            "SELECT household_id, members, income_below_line, guarantees_failed, proposal "
            "FROM identification WHERE year = ? AND village_code = ?", [YEAR, village]).fetchall():
        now, ever_exited = status(household)
        if now == "exited" or (now == "monitored" and ever_exited):
            out["exited"] += members
            out["wrong"] += members if below or failed > 0 else 0
        elif now != "registered_poor":
            out["unregistered"] += members
            out["missed"] += members if proposal == "poor" else 0
    return out


def test_criteria_of_a_village_match_a_hand_computation(store: Store) -> None:
    rows = criteria_for(store, AS_OF, YEAR, "village")
    # the village with the most to check: wrongly exited and missed people if any
    village = max(rows, key=lambda r: (r["wrongly_exited_people"] > 0, r["missed_people"] > 0,
                                       r["registered_poor_people"] > 0))["region_code"]
    hand = hand_figures(store, village)
    judged = criteria(store, village, AS_OF, YEAR)
    assert hand["wrong"] > 0 and hand["missed"] > 0 and hand["poor"] > 0
    assert by_name(judged["criteria"], "registered_incidence")["value"] == pytest.approx(
        100 * hand["poor"] / hand["people"])
    assert by_name(judged["criteria"], "wrong_exit")["value"] == pytest.approx(
        100 * hand["wrong"] / hand["exited"])
    assert by_name(judged["criteria"], "missed")["value"] == pytest.approx(
        100 * hand["missed"] / hand["unregistered"])
    assert [c["criterion"] for c in judged["criteria"]] == [
        "registered_incidence", "wrong_exit", "missed", "approval"]
    estimates = {c["criterion"] for c in judged["criteria"] if c["estimate"]}
    assert estimates == {"wrong_exit", "missed"}
    assert all("not an assessment" in c["source"] for c in judged["criteria"] if c["estimate"])


def test_counties_add_the_integrated_incidence(store: Store) -> None:
    for county in criteria_for(store, AS_OF, YEAR, "county"):
        integrated = by_name(county["criteria"], "integrated_incidence")
        assert integrated["estimate"]
        assert integrated["value"] == pytest.approx(
            100 * (county["registered_poor_people"] + county["missed_people"]
                   + county["wrongly_exited_people"]) / county["people"])


def test_the_west_limit_is_three_percent(store: Store, tmp_path: Path) -> None:
    central = tmp_path / "central.yaml"
    central.write_text(shipped("region_exit.yaml").read_text(encoding="utf-8").replace(
        '"52", ', ""), encoding="utf-8")
    west = criteria_for(store, AS_OF, YEAR, "village")
    east = criteria_for(store, AS_OF, YEAR, "village", rules=load_exit_rules(central))
    between = 0
    for w, e in zip(west, east, strict=True):
        wi, ei = by_name(w["criteria"], "registered_incidence"), by_name(
            e["criteria"], "registered_incidence")
        assert (w["west"], wi["limit"], e["west"], ei["limit"]) == (True, 3.0, False, 2.0)
        assert wi["passed"] == (wi["value"] < 3) and ei["passed"] == (ei["value"] < 2)
        between += 2 <= wi["value"] < 3
    assert between, "no village between the limits: the test would not tell them apart"


def test_one_failing_criterion_vetoes(store: Store) -> None:
    rows = criteria_for(store, AS_OF, YEAR, "village")
    lone = [r for r in rows if [c["passed"] for c in r["criteria"]].count(False) == 1]
    assert lone
    assert not any(r["met"] for r in lone)
    assert all(r["met"] == all(c["passed"] is not False for c in r["criteria"]) for r in rows)


def test_no_assessment_data_is_not_a_failure(store: Store, province: Province) -> None:
    judged = criteria(store, province.village, AS_OF, YEAR)
    approval = by_name(judged["criteria"], "approval")
    assert (approval["value"], approval["passed"], approval["note"]) == (
        None, None, "no assessment yet")
    assert judged["met"]


@pytest.mark.parametrize(("approving", "met"), [(0.89, False), (0.90, True)])
def test_approval_from_the_latest_assessment_of_the_day(store: Store, province: Province,
                                                        approving: float, met: bool) -> None:
    """The assessment's estimate judged against the limit, and one of a later frame not
    yet known (the whole flow: tests/assessment)."""
    for assessment, day, value in ((1, AS_OF, approving), (2, AS_OF + dt.timedelta(days=1), 0)):
        store.execute("INSERT INTO assessment_designs VALUES (?, ?, ?, ?, 'r', 1, 'v', 1, "
                      "'{}', 'drawn', 'x', current_timestamp, NULL)",
                      [assessment, province.village[:6] + "000000", day, YEAR])
        store.execute("INSERT INTO assessment_estimates VALUES (?, ?, 'village', 'approval', "
                      "?, ?, ?, 100, current_timestamp)",
                      [assessment, province.village, value, value - 0.05, value + 0.05])
    judged = criteria(store, province.village, AS_OF, YEAR)
    approval = by_name(judged["criteria"], "approval")
    assert (approval["value"], approval["passed"], judged["met"]) == (
        pytest.approx(100 * approving), met, met)
    assert approval["interval"] == (pytest.approx(100 * approving - 5),
                                    pytest.approx(100 * approving + 5))


# -- exit proposals and their procedure --------------------------------------------------


def test_propose_exit_refuses_a_region_failing_its_criteria(store: Store,
                                                            province: Province) -> None:
    judged = criteria(store, province.failing, AS_OF, YEAR)
    failed = [c["label"] for c in judged["criteria"] if c["passed"] is False]
    with pytest.raises(PovertyCloudError, match="does not meet the exit criteria") as info:
        propose_exit(store, user(store, "county_officer"), province.failing, PROPOSED, AS_OF,
                     YEAR)
    assert all(label in str(info.value) for label in failed)
    assert ": not met" in str(info.value)
    assert " < " not in str(info.value)  # "3.45 % < 3 %" read as if the criterion held
    assert store.count("proposals") == 0


def test_propose_exit_refuses_a_region_outside_the_jurisdiction(store: Store,
                                                                province: Province) -> None:
    with pytest.raises(PovertyCloudError, match="outside village_officer's jurisdiction"):
        propose_exit(store, user(store, "village_officer"), province.other, PROPOSED, AS_OF,
                     YEAR)
    assert store.count("proposals") == 0


def test_propose_exit_refuses_a_region_not_poor(store: Store, province: Province) -> None:
    officer = user(store, "county_officer")
    propose_exit(store, officer, province.village, PROPOSED, AS_OF, YEAR)
    with pytest.raises(PovertyCloudError, match="is exit_proposed"):
        propose_exit(store, officer, province.village, PROPOSED, AS_OF, YEAR)


def walk(store: Store, proposal: int, until: str | None = None) -> dt.date:
    """Take the village_exit steps up to (not including) ``until``, a day each after the
    notice; the day after the last step taken."""
    village, township, county = (user(store, f"{lv}_officer")
                                 for lv in ("village", "township", "county"))
    day = PROPOSED
    steps = [("appraisal", village, "minutes of the village assembly"),
             ("notice", village, None), ("township_review", township, None),
             ("county_approval", county, None), ("announcement", county, None)]
    for step, officer, note in steps:
        if step == until:
            break
        with clock_at(day):  # each step on its day
            act(store, proposal, step, officer, on=day, note=note)
        day += dt.timedelta(days=8 if step == "notice" else 1)
    return day


def test_a_met_village_walks_the_procedure_to_exit_then_consolidates(
        store: Store, province: Province) -> None:
    proposal = propose_exit(store, user(store, "village_officer"), province.village,
                            PROPOSED, AS_OF, YEAR)
    assert region_status(store, province.village, PROPOSED)["status"] == "exit_proposed"
    announced = walk(store, proposal) - dt.timedelta(days=1)

    def status(day: dt.date) -> str:
        return str(region_status(store, province.village, day)["status"])

    years = load_exit_rules().consolidation_years
    end = announced.replace(year=announced.year + years)
    assert [status(d) for d in (PROPOSED - dt.timedelta(days=1), announced
                                - dt.timedelta(days=1), announced, end
                                - dt.timedelta(days=1), end)] == [
        "poor", "exit_proposed", "consolidating", "consolidating", "exited"]
    assert region_status(store, province.village, announced)["consolidating_until"] == (
        end - dt.timedelta(days=1))
    [(state, evidence)] = store.execute(
        "SELECT state, evidence FROM proposals WHERE proposal_id = ?", [proposal]).fetchall()
    assert state == "approved" and province.village in evidence


def test_a_rejected_exit_returns_the_village_to_poor(store: Store, province: Province) -> None:
    proposal = propose_exit(store, user(store, "village_officer"), province.village,
                            PROPOSED, AS_OF, YEAR)
    day = walk(store, proposal, until="township_review")
    act(store, proposal, "township_review", user(store, "township_officer"), on=day,
        reject="the village road is not finished")
    after = region_status(store, province.village, day)
    assert (after["status"], after["since"], after["proposal_id"]) == ("poor", day, proposal)
    assert "road" in after["reason"]
    assert propose_exit(store, user(store, "village_officer"), province.village, day,
                        AS_OF, YEAR) != proposal  # poor again: a new proposal may follow


# -- the rule file and the command ------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "field"), [
    ("missed: {levels: [village, county], below: 2.0}",
     "missed: {levels: [village, county], below: two}", "'below'"),
    ("approval: {levels: [village, county], at_least: 90.0}",
     "approval: {levels: [village, town], at_least: 90.0}", "'levels'"),
    ("wrong_exit: {levels: [village, county], below: 2.0}",
     "wrong_exit: {levels: [village, county], below: 2.0, at_least: 1.0}",
     "'below' and 'at_least'"),
    ("consolidation_years: 5", "consolidation_years: -1", "'consolidation_years'"),
])
def test_a_bad_rule_file_is_refused_naming_line_and_field(tmp_path: Path, old: str, new: str,
                                                         field: str) -> None:
    bad = rule_file_with(tmp_path, "region_exit.yaml", old, new)
    text = shipped("region_exit.yaml").read_text(encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    with pytest.raises(RuleFileError) as info:
        load_exit_rules(bad)
    assert str(bad) in str(info.value) and field in str(info.value)
    if not old.startswith("consolidation"):  # top-level keys name the top mapping's line
        assert f"line {line}," in str(info.value)


def test_the_command_prints_statuses_and_criteria(province: Province,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 250)  # whole codes in the tables, on any terminal
    runner = CliRunner()
    county = province.village[:6] + "000000"
    shown = runner.invoke(regions_app, ["status", "--db", str(province.db), "--region",
                                        county, "--on", str(PROPOSED)],
                          env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    row = next(line for line in shown.output.splitlines() if province.village in line)
    assert "poor" in row and str(dt.date(DESIGNATED, 12, 31)) in row
    judged = runner.invoke(regions_app, ["criteria", "--db", str(province.db), "--level",
                                         "village", "--region", province.village],
                           env={"COLUMNS": "250"})
    assert judged.exit_code == 0, judged.output
    assert province.village in judged.output and "no assessment yet" in judged.output
    assert "est." in judged.output  # the rates estimated from the identification


def test_codes_are_whole_at_80_columns(province: Province,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The region codes the next command takes are never cut ("5201211…")."""
    monkeypatch.setattr(console, "width", 80)
    judged = CliRunner().invoke(regions_app, ["criteria", "--db", str(province.db),
                                              "--level", "village", "--region",
                                              province.village])
    assert judged.exit_code == 0, judged.output
    assert province.village in judged.output


def test_regions_designate_killed_at_any_write_designates_all_or_none(
        identified_db: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """Killed at its first write and at its commit, `regions designate` designates no
    region; run again, it designates what an uninterrupted run does, with the same
    ids."""
    before, after, writes = crash_test(
        identified_db, tmp_path, lambda db: ["regions", "designate", "--db", str(db),
                                             "--year", str(DESIGNATED), "--by", "admin"],
        store_content, sample=2)
    assert after["region_status_changes"][0] > before["region_status_changes"][0] == 0
    assert writes >= 2


def test_regions_propose_exit_killed_at_any_write_proposes_or_not(
        province: Province, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]
) -> None:
    """Killed at its first write and at its commit, `regions propose-exit` leaves no
    proposal; run again, it makes the one an uninterrupted run makes."""
    before, after, _ = crash_test(
        province.db, tmp_path, lambda db: [
            "regions", "propose-exit", "--db", str(db), province.village,
            "--as", "village_officer", "--on", str(PROPOSED), "--as-of", str(AS_OF),
            "--year", str(YEAR)], store_content, sample=2)
    assert after["proposals"][0] == before["proposals"][0] + 1
