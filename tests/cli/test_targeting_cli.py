"""`povertycloud targeting fit-predict` and `evaluate` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from povertycloud.targeting.synthetic import household_features

from .test_cli import run

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
