"""Relapse early warning on a real store: a small synthetic province (2014–2020, villages
of about fifty households). Changes to the registry are made in a transaction that is
rolled back, so every test sees the province as built."""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.conftest import store_content
from typer.testing import CliRunner

from povertycloud.access.accounts import create_user
from povertycloud.access.privacy import HEALTH_REASONS
from povertycloud.cli.common import console
from povertycloud.cli.main import app
from povertycloud.cli.synth import build_store
from povertycloud.dynamic.warning import (
    WarningError,
    evaluate,
    listed,
    load_warning,
    monitoring_list,
    score,
    scored_years,
)
from povertycloud.dynamic.warning_features import FEATURE_NAMES, REASONS, examples
from povertycloud.lines import national
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store
from povertycloud.synth import SynthConfig

from .conftest import rule_file_with

DOC = Path(__file__).resolve().parents[2] / "docs" / "early-warning.md"
LINES = national()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warning") / "warning.duckdb"
    build_store(SynthConfig(people=6_000, seed=3, people_per_village=200), path)
    return path


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    """The store inside a transaction that is rolled back."""
    with Store(db) as opened:
        opened.execute("BEGIN TRANSACTION")
        yield opened
        opened.execute("ROLLBACK")


def _pc(store: Store, household: int, year: int) -> float:
    row = store.one("SELECT wage_income, business_income, property_income, transfer_income, "
                    "members FROM household_years WHERE household_id = ? AND year = ?",
                    [household, year])
    assert row is not None
    return float(sum(row[:4])) / row[4]


def _set_income(store: Store, household: int, year: int, total: int) -> None:
    store.execute("UPDATE household_years SET wage_income = ?, business_income = 0, "
                  "property_income = 0, transfer_income = 0 WHERE household_id = ? AND year = ?",
                  [total, household, year])


def _members(store: Store, household: int, year: int) -> int:
    return store.scalar("SELECT members FROM household_years WHERE household_id = ? AND year = ?",
                        [household, year])


# -- rules ----------------------------------------------------------------------------------

def test_shipped_rules_load() -> None:
    rules = load_warning()
    assert rules.model == "relapse-warning@1.0.0"
    assert (rules.capacity_share, rules.capacity_scope, rules.expense_share) == (
        0.05, "village", 0.5)


@pytest.mark.parametrize(("old", "new", "named"), [
    ("share: 0.05", "share: 1.5", "'share' must be between"),
    ("scope: village", "scope: county", "'scope' must be one of"),
    ("expense_share: 0.5", "expense_share: half", "'expense_share' must be"),
    ("num_leaves: 4", "num_leafs: 4", "'num_leafs'"),
    ("  rounds: 150\n", "", "'rounds' is missing"),
])
def test_a_bad_rule_file_is_refused_naming_the_field(tmp_path: Path, old: str, new: str,
                                                     named: str) -> None:
    path = rule_file_with(tmp_path, "warning.yaml", old, new)
    with pytest.raises(RuleFileError, match=re.escape(named)) as error:
        load_warning(path)
    assert str(path) in str(error.value) and ", line " in str(error.value)


# -- features and labels --------------------------------------------------------------------

def test_features_use_no_data_after_the_origin_year(store: Store) -> None:
    first = examples(store, [2016], LINES)
    household = int(first.household_id[first.label == 0][0])
    person = store.execute("SELECT min(person_id) FROM people WHERE household_id = ? AND NOT "
                           "serious_illness AND death_date IS NULL AND person_id NOT IN (SELECT "
                           "person_id FROM events WHERE person_id IS NOT NULL)", [household]
                           ).fetchone()
    assert person is not None and person[0] is not None
    _set_income(store, household, 2018, 200_000)  # at the line in 2018 whatever happens
    before = {y: examples(store, [y], LINES) for y in (2016, 2018)}
    # after 2016: incomes cut, a serious illness in 2018 (the member is ill now, as the
    # registry's people say), a disaster, every household exited
    store.execute("UPDATE household_years SET wage_income = 0, business_income = 0, "
                  "transfer_income = 0 WHERE year > 2016 AND household_id <> ?", [household])
    store.execute("UPDATE people SET serious_illness = true WHERE person_id = ?", [person[0]])
    store.execute("INSERT INTO events SELECT (SELECT max(event_id) FROM events) + n, ?, ?, "
                  "DATE '2018-05-01', kind, 20000, 1, now() FROM (VALUES (1, 'serious_illness'), "
                  "(2, 'disaster')) k(n, kind)", [household, person[0]])
    store.execute("INSERT OR IGNORE INTO status_changes SELECT household_id, DATE '2017-06-01', "
                  "'exited', 'test', 1, now() FROM households")
    after = {y: examples(store, [y], LINES) for y in (2016, 2018)}
    assert np.array_equal(before[2016].household_id, after[2016].household_id)
    assert np.array_equal(before[2016].x, after[2016].x, equal_nan=True)
    assert after[2016].label.sum() > before[2016].label.sum()  # the labels did change
    # ... and the features of 2018 did: the illness and the disaster count from 2018
    row = {y: int(np.flatnonzero(after[y].household_id == household)[0]) for y in after}
    for name in ("seriously_ill", "disaster_events", "status_exited"):
        column = FEATURE_NAMES.index(name)
        was = before[2018].x[before[2018].household_id == household, column][0]
        assert after[2018].x[row[2018], column] == (1 if name == "status_exited" else was + 1)


def test_labels_follow_the_line(store: Store) -> None:
    ex = examples(store, [2017], LINES)
    # hand-checked on untouched households: at or above the line in 2017, below in 2018?
    for household, label in list(zip(ex.household_id, ex.label, strict=True))[:40]:
        assert _pc(store, int(household), 2017) >= LINES.line_for(2017)
        assert label == float(_pc(store, int(household), 2018) < LINES.line_for(2018))
    household = int(ex.household_id[0])
    line16, line17 = LINES.line_for(2016), LINES.line_for(2017)
    members16, members17 = _members(store, household, 2016), _members(store, household, 2017)
    _set_income(store, household, 2016, members16 * line16)  # exactly at the line: not poor
    _set_income(store, household, 2017, members17 * line17 - 1)  # just below: poor
    ex = examples(store, [2016], LINES)
    assert ex.label[ex.household_id == household].tolist() == [1.0]
    _set_income(store, household, 2017, members17 * line17)
    ex = examples(store, [2016], LINES)
    assert ex.label[ex.household_id == household].tolist() == [0.0]
    _set_income(store, household, 2016, members16 * line16 - 1)  # poor in 2016: not at risk
    assert household not in examples(store, [2016], LINES).household_id


# -- evaluation -------------------------------------------------------------------------------

def test_evaluation_out_of_sample_model_and_baseline(db: Path) -> None:
    with Store(db, read_only=True) as store:
        result = evaluate(store)
    assert result.train_years == (2014, 2015, 2016, 2017)
    assert [y.year for y in result.years] == [2018, 2019]
    for y in result.years:
        assert y.falls > 20 and y.capacity > 0
        assert y.model_auc > 0.6 and y.baseline_auc > 0.6
        assert 0 < y.model_recall <= 1 and 0 < y.baseline_recall <= 1
        assert y.baseline_recall <= y.baseline_flagged_recall  # a list is a part of the flags
        assert y.capacity < y.baseline_flagged


def test_an_origin_year_without_a_next_year_is_refused(db: Path) -> None:
    with Store(db) as store:
        with pytest.raises(WarningError, match="origin year 2020 has no next year"):
            evaluate(store, test_years=[2019, 2020])
        with pytest.raises(WarningError, match="no labelled origin year before 2014"):
            score(store, year=2014)
        with pytest.raises(WarningError, match="no survey of 2031"):
            score(store, year=2031)


def test_province_capacity_is_one_list(store: Store) -> None:
    ex = examples(store, [2019], LINES)
    rules = replace(load_warning(), capacity_scope="province", capacity_share=0.1)
    scores = np.random.default_rng(0).random(len(ex))
    ranks, on_list = listed(ex, scores, rules)
    assert on_list.sum() == math.ceil(0.1 * len(ex))
    assert scores[on_list].min() > scores[~on_list].max()
    assert ranks.min() == 1 and len(set(zip(ex.village_code, ranks, strict=True))) == len(ex)


# -- scores and monitoring lists ------------------------------------------------------------

def test_scores_lists_and_reasons(db: Path) -> None:
    with Store(db) as store:
        done = score(store, year=2019)
        score(store)  # 2020, keeping 2019
        assert scored_years(store) == [2019, 2020]
        assert done.households == store.scalar("SELECT count(*) FROM relapse_risk WHERE "
                                               "year = 2019")
        villages = store.execute(
            "SELECT village_code, count(*), count(*) FILTER (WHERE on_list), "
            "min(risk) FILTER (WHERE on_list), max(risk) FILTER (WHERE NOT on_list), "
            "max(rank_in_village) FILTER (WHERE on_list) FROM relapse_risk WHERE year = 2020 "
            "GROUP BY village_code").fetchall()
        for _, households, on, lowest_on, highest_off, last in villages:
            assert on == math.ceil(0.05 * households) == last
            assert highest_off is None or lowest_on >= highest_off
        county = villages[0][0][:6]
        rows = monitoring_list(store, county, limit=10_000)
        on_list_in_county = store.scalar("SELECT count(*) FROM relapse_risk WHERE year = 2020 "
                                          "AND on_list AND starts_with(village_code, ?)",
                                          [county])
        assert len(rows) == on_list_in_county > 0
        assert {r["year"] for r in rows} == {2020}
        assert all(r["village_code"].startswith(county) and r["village_name"] for r in rows)
        assert not {"id_number", "phone", "name"} & set(rows[0])
        assert len(monitoring_list(store, county, year=2019, limit=3)) == 3
        assert monitoring_list(store, "99") == []
        reasons = [json.loads(r[0]) for r in store.execute("SELECT reasons FROM relapse_risk"
                                                           ).fetchall()]
    codes = {code for row in reasons for code in row}
    assert codes <= set(REASONS) and "income_near_line" in codes
    assert all(len(row) <= 3 for row in reasons)
    documented = DOC.read_text(encoding="utf-8")
    assert all(f"`{code}`" in documented for code in REASONS)


# -- the command ------------------------------------------------------------------------------

def test_the_warn_commands(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 250)  # whole reasons in the tables
    runner = CliRunner()
    said = runner.invoke(app, ["warn", "evaluate", "--db", str(db)])
    assert said.exit_code == 0, said.output
    out = " ".join(said.output.split())
    assert "trained on 2014–2017" in out and "AUC" in out and "2018 →" in out
    said = runner.invoke(app, ["warn", "score", "--db", str(db), "--year", "2020"])
    assert said.exit_code == 0, said.output
    assert "on the monitoring lists of" in " ".join(said.output.split())
    said = runner.invoke(app, ["warn", "list", "--db", str(db), "--region", "52"])
    assert said.exit_code == 0, said.output
    assert "Monitoring list" in said.output and "hidden" not in said.output
    assert not any(code in said.output for code in HEALTH_REASONS)
    with Store(db) as store:
        create_user(store, "officer", "a-long-password", "officer", "520000000000")
        create_user(store, "auditor", "a-long-password", "auditor", "520000000000")
    refused = runner.invoke(app, ["warn", "list", "--db", str(db), "--health-as", "auditor"])
    assert "may not see health details" in str(refused.exception)
    said = runner.invoke(app, ["warn", "list", "--db", str(db), "--health-as", "officer"])
    assert said.exit_code == 0
    assert any(code in " ".join(said.output.split()) for code in HEALTH_REASONS)
    with Store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = "
                            "'read_monitoring_list' AND username = 'officer'") == 1
    bad = tmp_path / "warning.yaml"
    bad.write_text(shipped("warning.yaml").read_text(encoding="utf-8").replace(
        "scope: village", "scope: everywhere"), encoding="utf-8")
    said = runner.invoke(app, ["warn", "score", "--db", str(db), "--rules", str(bad)])
    assert isinstance(said.exception, RuleFileError) and "scope" in str(said.exception)
    said = runner.invoke(app, ["warn", "evaluate", "--db", str(db), "--test-year", "2020"])
    assert isinstance(said.exception, WarningError)


def test_warn_score_killed_at_its_commit_keeps_the_scores_as_they_were(
        db: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """Killed at its commit only (each run trains the model: seconds; its writes are the
    table of scores and the commit, one transaction), `warn score` leaves no scores; run
    again, it gives what an uninterrupted run gives."""
    _, after, writes = crash_test(
        db, tmp_path, lambda d: ["warn", "score", "--db", str(d), "--year", "2019"],
        store_content, sample=1)
    assert after["relapse_risk"][0] > 0 and writes >= 2


def test_an_audited_list_killed_at_its_write_is_read_and_audited_or_not(
        db: Path, tmp_path: Path, crash_test: Callable[..., tuple[Any, Any, int]]) -> None:
    """`warn list --health-as` writes the read to the audit log: killed before that
    write, nothing is logged; run again, it is logged once."""
    scored = tmp_path / "scored.duckdb"
    shutil.copy(db, scored)
    with Store(scored) as store:
        score(store, load_warning(), year=2019)
        create_user(store, "reader", "a-long-password", "officer", "520000000000")
    _, after, writes = crash_test(
        scored, tmp_path, lambda d: ["warn", "list", "--db", str(d), "--health-as", "reader"],
        store_content)
    assert after["audit_log"][0] >= 1 and writes == 1

