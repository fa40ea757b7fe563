"""The same pipeline on DuckDB and on Spark (local mode) gives the same tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from povertycloud.engines import get_engine
from povertycloud.errors import EngineError
from povertycloud.pipeline import OUTPUTS, run_on_parquet


def _run(engine_name: str, inputs: Path, out: Path) -> dict[str, Path]:
    engine = get_engine(engine_name)
    try:
        return run_on_parquet(engine, inputs, out)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def duckdb_outputs(small_province: Path, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Path]:
    return _run("duckdb", small_province, tmp_path_factory.mktemp("duckdb") / "out")


@pytest.mark.spark
def test_spark_equals_duckdb(small_province: Path, duckdb_outputs: dict[str, Path],
                             tmp_path: Path) -> None:
    spark_outputs = _run("spark", small_province, tmp_path / "out")
    con = duckdb.connect()
    for name in OUTPUTS:
        left, right = duckdb_outputs[name], spark_outputs[name]
        assert pq.read_schema(left).names == pq.read_schema(right).names
        rows = con.sql(f"SELECT count(*) FROM '{left}'").fetchone()
        assert rows is not None and rows[0] > 0
        diff = con.sql(f"""SELECT count(*) FROM (
            (SELECT * FROM '{left}' EXCEPT ALL SELECT * FROM '{right}')
            UNION ALL (SELECT * FROM '{right}' EXCEPT ALL SELECT * FROM '{left}'))""").fetchone()
        assert diff == (0,), f"{name} differs between DuckDB and Spark"


def test_outputs_cover_every_year_and_level(duckdb_outputs: dict[str, Path]) -> None:
    con = duckdb.connect()
    path = duckdb_outputs["region_rollups"]
    years = con.sql(f"SELECT count(DISTINCT as_of) FROM '{path}'").fetchone()
    levels = con.sql(f"SELECT list(DISTINCT level ORDER BY level) FROM '{path}'").fetchone()
    assert years == (7,)
    assert levels == (["county", "prefecture", "province", "township", "village"],)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(EngineError, match="unknown engine 'flink'; choose one of: duckdb, spark"):
        get_engine("flink")


def test_missing_inputs_are_named(tmp_path: Path) -> None:
    from povertycloud.errors import PovertyCloudError

    engine = get_engine("duckdb")
    with pytest.raises(PovertyCloudError, match="missing input table"):
        run_on_parquet(engine, tmp_path, tmp_path / "out")
