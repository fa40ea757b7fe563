"""Performance indicators from the data, the composite ranking with weights as data and
its trend, and the signs of faked figures: incomes just above the line in the exit year,
households with the very same survey answers."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

import pytest
from tests.funded import Province

from povertycloud.assessment.indicators import INDICATORS, indicators
from povertycloud.assessment.ranking import (
    composite,
    load_ranking_rules,
    rank,
    suspicions,
)
from povertycloud.rulefiles import RuleFileError, shipped
from povertycloud.store import Store

RULES = load_ranking_rules()
YEAR = 2020


@pytest.fixture
def db(funds_province: Province, tmp_path: Path) -> Path:
    target = tmp_path / "ranked.duckdb"
    shutil.copy(funds_province.db, target)
    return target


def _row(code: str, **values: float | None) -> dict[str, object]:
    return {"region_code": code, "region_name": code,
            **{i.name: values.get(i.name) for i in INDICATORS}}


def test_the_composite_scales_weighs_and_ranks() -> None:
    rows = [_row("a", income_growth=10, update_days=5),
            _row("b", income_growth=0, update_days=15),
            _row("c", income_growth=5), _row("d")]
    ranked = composite(rows, RULES)
    by = {r["region_code"]: r for r in ranked}
    assert by["a"]["scaled"] == {"income_growth": 100, "update_days": 100}
    assert by["b"]["score"] == 0  # fewer days is better
    assert by["a"]["score"] == pytest.approx(100)
    assert by["c"]["score"] == pytest.approx(50)  # on its one indicator alone
    assert [r["region_code"] for r in ranked] == ["a", "c", "b", "d"]
    assert by["d"]["score"] is None and by["d"]["rank"] is None
    tied = composite([_row("x", income_growth=1), _row("y", income_growth=1)], RULES)
    assert [r["rank"] for r in tied] == [1, 1]


def test_indicators_come_from_the_data(db: Path, funds_province: Province) -> None:
    p = funds_province
    with Store(db) as store:
        rows = {r["region_code"]: r for r in indicators(store, "township", YEAR, p.county[:6])}
        growth = store.column("""
WITH s AS (SELECT household_id, max_by(status, effective_date) AS status FROM status_changes
           WHERE effective_date <= DATE '2020-12-31' GROUP BY household_id)
SELECT n.income_per_capita / p.income_per_capita - 1 FROM household_indicators n
JOIN household_indicators p ON p.household_id = n.household_id AND p.year = 2019
JOIN s ON s.household_id = n.household_id
WHERE n.year = 2020 AND s.status IN ('registered_poor', 'exited', 'monitored')
  AND starts_with(n.village_code, ?) AND p.income_per_capita > 0""", [p.township[:9]])
        assert rows[p.township]["income_growth"] == pytest.approx(
            100 * statistics.median(growth), abs=0.01)
        assert rows[p.township]["conflict_free"] == 100  # no department flags yet
        helped = store.column("""
SELECT s.household_id FROM status_changes s JOIN households h USING (household_id)
WHERE starts_with(h.village_code, ?) GROUP BY s.household_id
HAVING max_by(s.status, s.effective_date) IN ('registered_poor', 'exited', 'monitored')
  AND max(s.effective_date) < DATE '2020-05-01' ORDER BY 1""", [p.township[:9]])
        household, other = helped[:2]  # helped, their status unchanged since April 2020
        store.execute("INSERT INTO conflict_flags (rule, rules_version, source, record_id, "
                      "person_id, household_id, evidence, raised_at, outcome, verified_at, "
                      "verified_by) VALUES ('car', '1', 'vehicles', 1, 1, ?, '{}', "
                      "TIMESTAMP '2020-05-01 09:00', 'confirmed', TIMESTAMP '2020-05-03 "
                      "10:00', 'x')", [household])
        store.execute("INSERT INTO status_changes (household_id, effective_date, status, "
                      "reason, batch_id, recorded_at) VALUES (?, DATE '2020-05-13', "
                      "'not_registered', 'car', 0, current_timestamp)", [household])
        after = {r["region_code"]: r for r in indicators(store, "township", YEAR, p.county[:6])}
        store.execute("INSERT INTO conflict_flags (rule, rules_version, source, record_id, "
                      "person_id, household_id, evidence, raised_at) VALUES ('car', '1', "
                      "'vehicles', 2, 2, ?, '{}', TIMESTAMP '2020-08-01 09:00')", [other])
        flagged = {r["region_code"]: r for r in indicators(store, "township", YEAR,
                                                           p.county[:6])}
        helped_now = store.scalar("""
SELECT count(*) FROM (SELECT household_id, max_by(status, effective_date) AS status
  FROM status_changes WHERE effective_date <= DATE '2020-12-31' GROUP BY household_id) s
JOIN households h USING (household_id)
WHERE starts_with(h.village_code, ?) AND s.status IN ('registered_poor', 'exited',
  'monitored')""", [p.township[:9]])
    mine = after[p.township]
    assert mine["update_days"] == 10  # confirmed on 3 May, removed on 13 May
    # the household removed is helped no more; the others have no flag
    assert mine["conflict_free"] == 100
    # one flag not yet verified counts against the township: one helped household of all
    assert flagged[p.township]["conflict_free"] == round(100 * (helped_now - 1) / helped_now, 2)
    for name in ("disbursement_rate", "measures_delivered", "complaints_in_time"):
        assert mine[name] is None  # no funds, plans or complaints in 2020: no data


def test_counties_are_ranked_with_their_trend_and_distances(
        db: Path, funds_province: Province) -> None:
    with Store(db) as store:
        ranked = rank(store, "county", YEAR, RULES)
    assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
    assert all(r["score_before"] is not None for r in ranked)  # 2019 ranked too
    first = ranked[0]["distance"]
    assert set(first) >= {"registered_incidence", "wrong_exit", "missed"}


def test_faked_figures_are_found_where_they_were_made(db: Path,
                                                      funds_province: Province) -> None:
    p = funds_province
    with Store(db) as store:
        assert suspicions(store, YEAR, RULES, p.county[:6]) == []  # the synthetic data is clean
        homes = store.column("SELECT household_id FROM households WHERE village_code = ? "
                             "ORDER BY 1 LIMIT 4", [p.village])
        for h in homes:  # exited in 2020, just over the line after a year under it
            store.execute("DELETE FROM status_changes WHERE household_id = ? AND "
                          "effective_date >= DATE '2020-01-01'", [h])
            store.execute("INSERT INTO status_changes (household_id, effective_date, status, "
                          "reason, batch_id, recorded_at) VALUES (?, DATE '2020-11-30', "
                          "'exited', 'x', 0, current_timestamp)", [h])
            store.execute("UPDATE household_indicators SET income_per_capita = CASE year "
                          "WHEN 2020 THEN poverty_line + 30 ELSE poverty_line - 500 END "
                          "WHERE household_id = ? AND year IN (2019, 2020)", [h])
        copied = store.column("SELECT household_id FROM households WHERE village_code = ? "
                              "ORDER BY 1 DESC LIMIT 3", [p.village])
        answers = store.record("SELECT * EXCLUDE (household_id, year, batch_id, recorded_at) "
                               "FROM household_years WHERE household_id = ? AND year = ?",
                               [copied[0], YEAR])
        assert answers is not None
        for h in copied[1:]:  # three households with the very same answers
            store.execute(f"UPDATE household_years SET {', '.join(f'{c} = ?' for c in answers)}"
                          " WHERE household_id = ? AND year = ?", [*answers.values(), h, YEAR])
        found = suspicions(store, YEAR, RULES, p.county[:6])
    assert [(f["village_code"], f["sign"], f["households"]) for f in found] == [
        (p.village, "identical_answers", 3), (p.village, "incomes_just_above_line", 4)]


@pytest.mark.parametrize(("change", "message"), [
    ("income_growth: 0.20", "income_growth: 0.25"),
    ("identical_least: 3", "identical_least: 1"),
    ("update_days: 0.10", "update_dayz: 0.10"),
])
def test_a_wrong_ranking_file_is_refused_naming_its_line(tmp_path: Path, change: str,
                                                         message: str) -> None:
    text = shipped("ranking.yaml").read_text(encoding="utf-8")
    assert change in text
    path = tmp_path / "ranking.yaml"
    path.write_text(text.replace(change, message), encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"ranking.yaml, line \d+"):
        load_ranking_rules(path)
