"""The assessors' returns and the rates: a file taken whole or refused naming each bad row
and field (outside the sample, twice, out of range), the same file twice changing
nothing; the rates estimated with the design's weights and their intervals, and the
exit criteria judged on them."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import store_state
from tests.funded import PASSWORD, Province

from povertycloud.access.accounts import create_user, user_named
from povertycloud.assessment.design import DesignError, make_design
from povertycloud.assessment.draw import draw_sample
from povertycloud.assessment.questionnaire import COLUMNS
from povertycloud.assessment.rates import estimates
from povertycloud.assessment.returns import import_returns
from povertycloud.assessment.rules import load_assessment_rules
from povertycloud.assessment.xlsform import write_kit
from povertycloud.dynamic.region_criteria import criteria
from povertycloud.errors import ValidationFailed
from povertycloud.store import Store
from povertycloud.synth.assessment import (
    AssessmentConfig,
    true_rates,
    write_returns,
    write_truth,
)

RULES = load_assessment_rules()
AS_OF = dt.date(2021, 3, 1)


def _drawn(store: Store, p: Province, seed: int = 2) -> int:
    officer = user_named(store, "province_officer")
    assessment = make_design(store, RULES, p.county, AS_OF, seed, officer)
    draw_sample(store, assessment, ["a1", "a2"], officer)
    create_user(store, "third_party", PASSWORD, "assessor", p.province)
    return assessment


def _returns(store: Store, assessment: int, folder: Path, error: float = 0.0) -> Path:
    config = AssessmentConfig(assessor_error=error)
    write_truth(store, str(store.value("SELECT county_code FROM assessment_designs WHERE "
                                       "assessment_id = ?", [assessment])), AS_OF, config)
    path = folder / "returns.csv"
    write_returns(store, assessment, path, config)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.DictWriter(file, columns or list(COLUMNS))
        out.writeheader()
        out.writerows(rows)
    return path


def test_returns_are_taken_whole_once_and_the_rates_estimated(
        funds_db: Path | str, funds_province: Province, tmp_path: Path) -> None:
    with Store(funds_db) as store:
        assessment = _drawn(store, funds_province)
        path = _returns(store, assessment, tmp_path)
        assessor = user_named(store, "third_party")
        done = import_returns(store, RULES, assessment, path, assessor)
        assert done.new and done.returns == store.scalar(
            "SELECT count(*) FROM assessment_households WHERE assessment_id = ?", [assessment])
        again = import_returns(store, RULES, assessment, path, assessor)
        assert not again.new and store.scalar(
            "SELECT count(*) FROM assessment_returns") == done.returns
        found = {r["rate"]: r for r in store.records(
            "SELECT * FROM assessment_estimates WHERE level = 'county' AND assessment_id = ?",
            [assessment])}
        # the point estimate is the weighted share of people (of households, approval)
        rows = store.records("""
SELECT h.weight, r.members, h.grp, r.verdict, r.excluded, r.satisfied_policy,
  r.satisfied_help, r.satisfied_exit, r.satisfied_cadres
FROM assessment_returns r JOIN assessment_households h USING (assessment_id, household_id)
WHERE r.assessment_id = ?""", [assessment])
        w = np.array([r["weight"] * r["members"] for r in rows])
        exited = np.array([r["grp"] == "exited" for r in rows])
        poor = np.array([r["verdict"] == "poor" for r in rows])
        assert found["wrong_exit"]["estimate"] == pytest.approx(
            (w * exited * poor).sum() / (w * exited).sum())
        pleased = np.array([max(r["satisfied_policy"], r["satisfied_help"],
                                r["satisfied_exit"] or 1, r["satisfied_cadres"]) <= 2
                            for r in rows])
        hw = np.array([r["weight"] for r in rows])
        assert found["approval"]["estimate"] == pytest.approx((hw * pleased).sum() / hw.sum())
        for r in found.values():
            assert r["ci_low"] <= r["estimate"] <= r["ci_high"]
        # with no assessor error, the truth lies in each 95 % interval (this seed)
        truth = true_rates(store, funds_province.county)
        for rate, value in truth.items():
            assert found[rate]["ci_low"] <= value <= found[rate]["ci_high"], rate
        # townships and drawn villages have their own
        levels = dict(store.rows("SELECT level, count(DISTINCT region_code) FROM "
                                 "assessment_estimates GROUP BY 1"))
        assert levels["county"] == 1 and levels["village"] == store.scalar(
            "SELECT count(*) FROM assessment_villages WHERE assessment_id = ?", [assessment])


def test_bad_returns_are_refused_naming_row_and_field_and_nothing_changes(
        funds_province: Province, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "p.duckdb"
    shutil.copy(funds_province.db, db)
    with Store(db) as store:
        assessment = _drawn(store, funds_province)
        good = _rows(_returns(store, assessment, tmp_path))
        outside = store.value("SELECT min(household_id) FROM households WHERE household_id "
                              "NOT IN (SELECT household_id FROM assessment_households)")
    bad = [dict(r) for r in good[:6]]
    bad[0]["household_id"] = str(outside)
    bad[1]["members"] = "0"
    bad[2]["food_secure"] = "maybe"
    bad[3]["satisfied_help"] = "5"
    bad[4]["income_per_capita"] = "-3"
    bad.append(dict(good[5]))  # twice
    path = _write(tmp_path / "bad.csv", bad)
    before = store_state(db)
    with Store(db) as store, pytest.raises(ValidationFailed) as caught:
        import_returns(store, RULES, assessment, path, user_named(store, "third_party"))
    said = str(caught.value)
    for row, field, words in ((2, "household_id", "not in the sample"),
                              (3, "members", "1 to 20"), (4, "food_secure", "yes or no"),
                              (5, "satisfied_help", "must be 1"),
                              (6, "income_per_capita", "from 0"),
                              (7, "household_id", "2 times"), (8, "household_id", "2 times")):
        assert any(i.row == row and i.field == field and words in i.reason
                   for i in caught.value.issues), (row, field, said)
    assert "bad.csv" in said and store_state(db) == before
    # a verdict against the standard's needs a note; a missing column is named
    flipped = dict(good[0])
    flipped["verdict"] = "not_poor" if flipped["verdict"] == "poor" else "poor"
    flipped["note"] = ""
    with Store(db) as store, pytest.raises(ValidationFailed, match="note"):
        import_returns(store, RULES, assessment, _write(tmp_path / "n.csv", [flipped]),
                       user_named(store, "third_party"))
    columns = [c for c in COLUMNS if c != "verdict"]
    with Store(db) as store, pytest.raises(ValidationFailed, match="verdict"):
        import_returns(store, RULES, assessment, _write(
            tmp_path / "c.csv", [{c: good[0][c] for c in columns}], columns),
            user_named(store, "third_party"))
    # the county's own officers do not enter the third party's returns
    with Store(db) as store, pytest.raises(DesignError, match="may not enter"):
        import_returns(store, RULES, assessment, _write(tmp_path / "o.csv", good[:1]),
                       user_named(store, "county_officer"))
    assert store_state(db) == before
    # Kobo's group paths name the columns: taken
    kobo = [{f"household/{c}": v for c, v in r.items()} for r in good]
    with Store(db) as store:
        done = import_returns(store, RULES, assessment, _write(
            tmp_path / "kobo.csv", kobo, [f"household/{c}" for c in COLUMNS]),
            user_named(store, "third_party"))
    assert done.returns == len(good)


def test_the_exit_criteria_use_the_assessment_where_there_is_one(
        funds_db: Path | str, funds_province: Province, tmp_path: Path) -> None:
    p = funds_province
    with Store(funds_db) as store:
        before = criteria(store, p.county, dt.date(2021, 6, 1), 2020)
        assessment = _drawn(store, p)
        import_returns(store, RULES, assessment, _returns(store, assessment, tmp_path, 0.02),
                       user_named(store, "third_party"))
        after = criteria(store, p.county, dt.date(2021, 6, 1), 2020)
        earlier = criteria(store, p.county, AS_OF - dt.timedelta(days=1), 2020)
        estimated = {r["rate"]: r for r in estimates(store, RULES, assessment)
                     if r["region_code"] == p.county}
    judged = {c["criterion"]: c for c in after["criteria"]}
    for name in ("wrong_exit", "missed", "approval", "integrated_incidence"):
        assert judged[name]["value"] == pytest.approx(100 * estimated[name]["estimate"])
        assert judged[name]["source"].startswith(f"assessment {assessment}")
        assert not judged[name]["estimate"] and judged[name]["interval"] is not None
    was = {c["criterion"]: c for c in before["criteria"]}
    assert was["approval"]["value"] is None and was["wrong_exit"]["estimate"]
    # a day judged before the assessment's frame does not use it
    assert {c["criterion"]: c["estimate"] for c in earlier["criteria"]}["wrong_exit"]


def test_the_kit_is_a_valid_xlsform_with_the_drawn_households(
        funds_province: Province, tmp_path: Path) -> None:
    import shutil

    from pyxform.xls2xform import convert

    db = tmp_path / "p.duckdb"
    shutil.copy(funds_province.db, db)
    with Store(db) as store:
        assessment = _drawn(store, funds_province)
        form, media, assignments = write_kit(store, RULES, assessment, tmp_path / "kit")
        drawn = store.column("SELECT household_id FROM assessment_households WHERE "
                             "assessment_id = ? ORDER BY 1", [assessment])
    xml = convert(xlsform=str(form), warnings=[]).xform
    for name in COLUMNS:
        assert f"/{name}" in xml, name
    assert "pulldata('households', 'grp', 'name'" in xml and "standard_verdict" in xml
    assert sorted(int(r["name"]) for r in _rows(media)) == drawn
    assert {r["assessor"] for r in _rows(assignments)} == {"a1", "a2"}
