"""`povertycloud targeting fit-predict` and `evaluate` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from povertycloud.history import supersede
from povertycloud.store import Store
from povertycloud.targeting.synthetic import household_features

from .test_cli import fails, ok, run

ID, WELFARE = "household_id", "true_income_per_capita"


@pytest.fixture(scope="module")
def tables(small_province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """T (labelled, 30 %), P (the rest, without welfare) and the truth of P."""
    root = tmp_path_factory.mktemp("targeting")
    features, truth = household_features(small_province, 2014)
    labelled = np.random.default_rng(1).random(features.num_rows) < 0.3
    pq.write_table(features.filter(pa.array(labelled)).join(
        truth.select([ID, WELFARE]), ID), root / "T.parquet")
    pcsv.write_csv(features.filter(pa.array(~labelled)), root / "P.csv")
    pq.write_table(truth.filter(pa.array(~labelled)), root / "truth.parquet")
    return root


def test_fit_predict_then_evaluate(tables: Path) -> None:
    fitted = run(tables, "targeting", "fit-predict", "--train", "T.parquet", "--predict",
                 "P.csv", "--welfare", WELFARE, "--id", ID, "--out", "pred.parquet",
                 "--coverage", "0.25", "--report", "report.json", "--overwrite")
    assert fitted.code == 0, fitted.err
    predicted = pq.read_table(tables / "pred.parquet")
    assert predicted.column_names == [ID, "predicted_welfare"]
    assert predicted.num_rows == pcsv.read_csv(tables / "P.csv").num_rows
    report = json.loads((tables / "report.json").read_text())
    assert report["chosen"] in ("ols", "quantile", "gbm") and set(report["cv"]) == {
        "ols", "quantile", "gbm"}
    scored = run(tables, "targeting", "evaluate", "--truth", "truth.parquet", "--pred",
                 "pred.parquet", "--welfare", WELFARE, "--id", ID, "--coverage", "0.25",
                 "--json", "metrics.json")
    assert scored.code == 0, scored.err
    metrics = json.loads((tables / "metrics.json").read_text())
    assert metrics["exclusion_error"] == pytest.approx(1 - metrics["recall"])
    assert 0.5 < metrics["auc"] <= 1 and metrics["spearman"] > 0.3
    assert "exclusion error" in scored.said and '"auc"' in scored.out


@pytest.mark.parametrize(("args", "message"), [
    (["--welfare", "nosuch"], "no welfare column 'nosuch'"),
    (["--welfare", "housing_grade"], "must be numeric"),
])
def test_fit_predict_refuses_bad_welfare(tables: Path, args: list[str], message: str) -> None:
    result = run(tables, "targeting", "fit-predict", "--train", "T.parquet", "--predict",
                 "P.csv", "--id", ID, "--out", "x.parquet", *args)
    assert result.code == 1 and message in result.said
    assert not (tables / "x.parquet").exists()


def test_fit_predict_refuses_duplicate_ids(tables: Path) -> None:
    table = pq.read_table(tables / "T.parquet")
    pq.write_table(pa.concat_tables([table, table.slice(0, 3)]), tables / "dup.parquet")
    result = run(tables, "targeting", "fit-predict", "--train", "dup.parquet", "--predict",
                 "P.csv", "--welfare", WELFARE, "--id", ID, "--out", "x.parquet")
    assert result.code == 1 and "repeats 3 id(s)" in result.said


def test_fit_predict_refuses_tables_without_common_columns(tables: Path) -> None:
    pq.write_table(pa.table({ID: [1, 2], "other": [3.0, 4.0]}), tables / "alien.parquet")
    result = run(tables, "targeting", "fit-predict", "--train", "T.parquet", "--predict",
                 "alien.parquet", "--welfare", WELFARE, "--id", ID, "--out", "x.parquet")
    assert result.code == 1 and "share no feature column" in result.said


def test_evaluate_gives_the_full_table_and_compare_explains_changes(tables: Path) -> None:
    """The protocol's table against the OLS PMT with intervals and groups, then the
    decisions that change between the PMT and the model, each explained."""
    for name, model in (("ols.parquet", "ols"), ("gbm.parquet", "gbm")):
        ok(tables, "targeting", "fit-predict", "--train", "T.parquet", "--predict", "P.csv",
           "--welfare", WELFARE, "--id", ID, "--out", name, "--model", model, "--reasons",
           "--folds", "2", "--overwrite")
    scored = ok(tables, "targeting", "evaluate", "--truth", "truth.parquet", "--pred",
                "gbm.parquet", "--baseline", "ols.parquet", "--welfare", WELFARE, "--id", ID,
                "--coverage", "0.2", "--group", "head_sex", "--group", "terrain",
                "--groups-from", "P.csv", "--bootstrap", "50", "--json", "full.json")
    full = json.loads((tables / "full.json").read_text())
    assert full["draws"] == 50 and set(full["intervals"]) >= {"exclusion_error", "auc"}
    span = full["intervals"]["exclusion_error"]
    assert span["low"] <= full["exclusion_error"] <= span["high"]
    assert full["exclusion_cut"] == pytest.approx(
        1 - full["exclusion_error"] / full["baseline"]["exclusion_error"])
    assert {g["column"] for g in full["groups"]} == {"head_sex", "terrain"}
    assert "cut in exclusion error" in scored.said and "Errors by group" in scored.said
    compared = ok(tables, "targeting", "compare", "--a", "ols.parquet", "--b", "gbm.parquet",
                  "--id", ID, "--coverage", "0.2", "--out", "changes.csv", "--overwrite")
    changes = pcsv.read_csv(tables / "changes.csv")
    assert changes.num_rows > 0 and f"{changes.num_rows:,}" in compared.said
    assert all(changes.column("explanation").to_pylist())  # every change explained
    gaps = pq.read_table(tables / "gbm.parquet")
    pq.write_table(gaps.set_column(1, "predicted_welfare", pa.array(
        [None] * 2 + gaps.column(1).to_pylist()[2:], pa.float64())), tables / "gaps.parquet")
    empty = fails(tables, "targeting", "evaluate", "--truth", "truth.parquet", "--pred",
                  "gaps.parquet", "--welfare", WELFARE, "--id", ID, "--coverage", "0.2")
    assert "the prediction table's 'predicted_welfare' is empty in 2 of the rows" in empty.said
    missing = fails(tables, "targeting", "evaluate", "--truth", "truth.parquet", "--pred",
                    "gbm.parquet", "--welfare", WELFARE, "--id", ID, "--coverage", "0.2",
                    "--group", "nosuch")
    assert "has no column 'nosuch'" in missing.said


def test_features_from_a_store_with_a_linked_feed(tmp_path: Path) -> None:
    """What the registry and a department feed hold, one row per household; health
    columns only for a user who may unmask, and that read audited."""
    ok(tmp_path, "synth", "--people", "2000", "--db", "s.duckdb")
    ok(tmp_path, "synth", "--people", "2000", "--out", "p", "--feeds")
    vehicles = tmp_path / "p" / "feeds" / "transport_vehicles.parquet"
    ok(tmp_path, "intake", "--source", "transport_vehicles", vehicles, "--db", "s.duckdb")
    links = pq.read_table(tmp_path / "p" / "feeds" / "truth" / "transport_vehicles_links.parquet")
    with Store(tmp_path / "s.duckdb") as store, store.registered("truth_links", links):
        store.execute(  # the links linkage would make, decided as matches
            "INSERT INTO feed_links (source, record_id, person_id, match_probability, "
            "matched_on, decision, linked_at) SELECT 'transport_vehicles', record_id, "
            "person_id, 1, 'id_number', 'match', now() FROM truth_links "
            "WHERE person_id IS NOT NULL")
        expected = store.scalar(
            "SELECT count(*) FROM feed_transport_vehicles f JOIN feed_links k USING (record_id) "
            "JOIN people p USING (person_id) JOIN household_years hy ON hy.household_id = "
            "p.household_id AND hy.year = 2019 WHERE year(f.registered_on) <= 2019")
    said = ok(tmp_path, "targeting", "features", "--db", "s.duckdb", "--year", "2019",
              "--out", "f.parquet").said
    features = pq.read_table(tmp_path / "f.parquet")
    assert "Left out (health)" in said
    assert not {"chronically_ill", "workers", "medical_expense"} & set(features.column_names)
    assert pa.compute.sum(features.column("vehicles")).as_py() == expected > 0
    assert features.column("past_surveys").to_pylist()[0] > 0
    ok(tmp_path, "users", "add", "--db", "s.duckdb", "--username", "analyst", "--role",
       "admin", "--region", "520000000000", "--password", "a-long-password")
    ok(tmp_path, "targeting", "features", "--db", "s.duckdb", "--year", "2019", "--out",
       "f.parquet", "--as", "analyst", "--overwrite")
    before = pq.read_table(tmp_path / "f.parquet")
    assert "chronically_ill" in before.column_names
    with Store(tmp_path / "s.duckdb") as store:  # a disability recorded from 2021 on
        person, home = store.one(
            "SELECT person_id, household_id FROM people JOIN household_years y "
            "USING (household_id) WHERE y.year = 2019 AND death_date IS NULL AND "
            "coalesce(disability_grade, 0) = 0 AND year(birth_date) < 1990 LIMIT 1") or (0, 0)
        supersede(store, "people", f"SELECT {person} AS person_id, DATE '2021-01-01' "
                  "AS valid_to", "disability recorded", "test")
        store.execute("UPDATE people SET disability_grade = 1 WHERE person_id = ?", [person])
    ok(tmp_path, "targeting", "features", "--db", "s.duckdb", "--year", "2019", "--out",
       "later.parquet", "--as", "analyst")
    after = pq.read_table(tmp_path / "later.parquet")
    assert after.column("severely_disabled").equals(before.column("severely_disabled"))
    assert after.column(ID).to_pylist().count(home) == 1  # the household is there
    with Store(tmp_path / "s.duckdb", read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'export_unmasked' "
                            "AND object_id = 'targeting features'") == 2
    with Store(tmp_path / "s.duckdb") as store:  # two visits measured incomes, one did not
        first = store.scalar("SELECT min(household_id) FROM household_years WHERE year = 2019")
        store.execute(
            "INSERT INTO field_verifications VALUES (?, DATE '2020-03-01', 'li', true, "
            "'illness', 'illness', 2100, 1), (?, DATE '2020-04-01', 'li', false, NULL, "
            "NULL, NULL, 1), (?, DATE '2021-05-01', 'li', false, NULL, NULL, 9000, 1), "
            "(?, DATE '2018-05-01', 'li', false, NULL, NULL, 8000, 1)",
            [first, first + 1, first + 2, first + 3])
    ok(tmp_path, "targeting", "features", "--db", "s.duckdb", "--year", "2019", "--out",
       "f.parquet", "--verified-as-of", "2020-12-31", "--overwrite")
    labels = dict(zip(*pq.read_table(tmp_path / "f.parquet", columns=[
        ID, "verified_income_per_capita"]).to_pydict().values(), strict=True))
    assert labels[first] == 2100 and labels[first + 1] is None
    assert labels[first + 2] is None  # verified after the day
    assert labels[first + 3] is None  # before the survey year: an older income
    assert sum(v is not None for v in labels.values()) == 1
    no_year = fails(tmp_path, "targeting", "features", "--db", "s.duckdb", "--year", "1999",
                    "--out", "g.parquet")
    assert "no survey of 1999; its years are: 2014" in no_year.said
    assert not (tmp_path / "g.parquet").exists()
