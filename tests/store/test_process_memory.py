"""The memory of a command's process beyond DuckDB's: a statement's parameters are bound
without loading pandas (some 45 MB with pyarrow), which loads as usual when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from povertycloud.store import Store

CODE = """
import sys
from povertycloud.store import Store
with Store(sys.argv[1], read_only=True) as store:
    assert store.value("SELECT ? || ?", ["a", 1]) == "a1"
    assert "pandas" not in sys.modules, "bound with pandas"
    import pandas
    frame = pandas.DataFrame({"k": [1, 2]})
    assert store.con.execute("SELECT sum(k) FROM frame").fetchone() == (3,)
    assert store.value("SELECT ?", [pandas.Timestamp("2020-01-02")]).year == 2020
"""


def test_parameters_are_bound_without_pandas_which_still_loads_later(tmp_path: Path
                                                                      ) -> None:
    Store.create(tmp_path / "s.duckdb").close()
    subprocess.run([sys.executable, "-c", CODE, str(tmp_path / "s.duckdb")], check=True,
                   timeout=120)
