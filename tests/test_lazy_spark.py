"""The core needs no PySpark: with PySpark made unimportable, the package, the CLI and the
DuckDB pipeline work, and asking for Spark says how to install it.

Each test runs a fresh interpreter in which ``sys.modules['pyspark'] = None`` is set before
povertycloud is imported, so any ``import pyspark`` raises ImportError.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from povertycloud.synth import SynthConfig, generate

BLOCK_PYSPARK = "import sys\nsys.modules['pyspark'] = None\n"


def without_pyspark(script: str, *args: str | Path) -> str:
    """Run ``script`` with PySpark blocked; returns its stdout, failing on a non-zero exit."""
    code = BLOCK_PYSPARK + textwrap.dedent(script)
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)],
                          capture_output=True, encoding="utf-8", timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def tiny_province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lazy") / "province"
    generate(SynthConfig(people=1_000, seed=5), root)
    return root


def test_core_and_duckdb_pipeline_run_without_pyspark(tiny_province: Path,
                                                      tmp_path: Path) -> None:
    out = without_pyspark("""
        import json
        from pathlib import Path

        import povertycloud
        import povertycloud.cli.main
        import povertycloud.engines
        import povertycloud.pipeline
        from povertycloud.engines import get_engine
        from povertycloud.pipeline import run_on_parquet

        engine = get_engine("duckdb")
        try:
            written = run_on_parquet(engine, Path(sys.argv[1]), Path(sys.argv[2]))
        finally:
            engine.close()
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("pyspark", "py4j") and sys.modules[m])
        print(json.dumps({"written": {k: str(v) for k, v in written.items()},
                          "loaded": loaded, "blocked": sys.modules["pyspark"] is None}))
        """, tiny_province, tmp_path / "out")
    report = json.loads(out)
    assert report["loaded"] == []
    assert report["blocked"] is True
    assert sorted(report["written"]) == ["household_indicators", "region_rollups",
                                         "status_periods"]
    for path in report["written"].values():
        assert Path(path).stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "household_indicators.parquet", "region_rollups.parquet", "status_periods.parquet"]


def test_spark_engine_without_pyspark_says_how_to_install() -> None:
    out = without_pyspark("""
        from povertycloud.engines import get_engine
        from povertycloud.errors import EngineError

        try:
            get_engine("spark")
        except EngineError as exc:
            print(exc)
        else:
            raise SystemExit("get_engine('spark') did not raise EngineError")
        """)
    assert "pip install" in out
    assert "povertycloud[spark]" in out
