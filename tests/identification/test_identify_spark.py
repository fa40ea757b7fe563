"""The identification plan on Spark (local mode) gives the same tables as on DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tests.funded import Trained

from povertycloud.engines import get_engine
from povertycloud.identification.cause_model import load_cause_model
from povertycloud.identification.plan import OUTPUTS, identify_plan, load_rules
from povertycloud.pipeline.plan import register_inputs, run_plan, write_outputs

pytestmark = [pytest.mark.spark, pytest.mark.slow]  # 2 min; Spark stays in the default run
# with tests/pipeline/test_engines.py

YEAR = 2020
# Columns joined from the parts that apply (sqltext.join_present).
JOINED = ("guarantees_detail", "causes", "measures")


def identify_on(engine_name: str, inputs: Path, out: Path, model: Path | None = None
                ) -> dict[str, Path]:
    engine = get_engine(engine_name)
    try:
        plan = identify_plan(load_rules(), YEAR, None,
                             load_cause_model(model) if model is not None else None)
        register_inputs(engine, plan.inputs, inputs)
        run_plan(engine, plan)
        return write_outputs(engine, plan, out)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def outputs(small_province: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("identify-engines")
    return {name: identify_on(name, small_province, root / name) for name in ("duckdb", "spark")}


def differing_rows(left: Path, right: Path, columns: str = "*") -> int:
    con = duckdb.connect()
    try:
        row = con.sql(f"""SELECT count(*) FROM (
            (SELECT {columns} FROM '{left}' EXCEPT ALL SELECT {columns} FROM '{right}')
            UNION ALL
            (SELECT {columns} FROM '{right}' EXCEPT ALL SELECT {columns} FROM '{left}'))"""
                      ).fetchone()
        assert row is not None
        return int(row[0])
    finally:
        con.close()


@pytest.mark.parametrize("name", OUTPUTS)
def test_same_columns_and_rows(outputs: dict[str, dict[str, Path]], name: str) -> None:
    left, right = outputs["duckdb"][name], outputs["spark"][name]
    assert pq.read_schema(left).names == pq.read_schema(right).names
    rows = pq.read_metadata(left).num_rows
    assert rows > 1_000
    assert pq.read_metadata(right).num_rows == rows


def test_scores_are_the_same(outputs: dict[str, dict[str, Path]]) -> None:
    columns = ", ".join(["household_id", *load_rules().scorecard.score_columns()])
    assert differing_rows(outputs["duckdb"]["identification"],
                          outputs["spark"]["identification"], columns) == 0


def test_identification_is_the_same_but_for_joined_lists(
        outputs: dict[str, dict[str, Path]]) -> None:
    left, right = outputs["duckdb"]["identification"], outputs["spark"]["identification"]
    columns = ", ".join(f'"{c}"' for c in pq.read_schema(left).names if c not in JOINED)
    assert differing_rows(left, right, columns) == 0


def test_identification_is_the_same(outputs: dict[str, dict[str, Path]]) -> None:
    assert differing_rows(outputs["duckdb"]["identification"],
                          outputs["spark"]["identification"]) == 0


def test_learned_causes_are_the_same(small_province: Path, trained: Trained,
                                     tmp_path: Path) -> None:
    """With a cause model, Spark's workers score the profile's Arrow batches as DuckDB
    does in this process: the same causes, confidences and reasons."""
    found = {name: identify_on(name, small_province, tmp_path / name, trained.model)
             for name in ("duckdb", "spark")}
    left, right = found["duckdb"]["identification"], found["spark"]["identification"]
    con = duckdb.connect()
    learned = con.sql(f"SELECT count(*) FROM '{left}' WHERE cause_source = 'model'").fetchone()
    assert learned is not None and learned[0] > 100
    assert differing_rows(left, right) == 0
