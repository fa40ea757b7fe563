"""Run the pipeline for a store: inputs out as Parquet, the engine runs, outputs back in.

The same Parquet-in, Parquet-out path serves both engines, so a store and a cluster
produce the same tables.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from ..engines import get_engine
from ..errors import PovertyCloudError
from ..sqltext import literal
from ..standard.tables import TABLES
from ..store import Store
from ..synth import table_path
from . import INPUTS, OUTPUTS, run_on_parquet


def run_on_store(store: Store, engine_name: str = "duckdb",
                 progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the pipeline's outputs for ``store``; returns rows per output table."""
    if not store.count("household_years"):
        raise PovertyCloudError(f"{store.path} has no household_years to run the pipeline on: "
                                "import data or build it with `povertycloud synth --db`")
    engine = get_engine(engine_name)  # an unknown engine fails before any work
    try:
        with tempfile.TemporaryDirectory(prefix="povertycloud-", dir=store.path.parent) as tmp:
            inputs, outputs = Path(tmp) / "in", Path(tmp) / "out"
            (inputs / "truth").mkdir(parents=True)
            for name in INPUTS:
                if progress:
                    progress(f"export {name}")
                columns = ", ".join(TABLES[name].names)
                store.con.execute(f"COPY (SELECT {columns} FROM {name}) TO "
                                  f"{literal(table_path(inputs, name))} (FORMAT PARQUET)")
            written = run_on_parquet(engine, inputs, outputs, progress)
            counts = {}
            with store.transaction() as con:
                for name, path in written.items():
                    if progress:
                        progress(f"load {name}")
                    con.execute(f"CREATE OR REPLACE TABLE {name} AS "
                                f"SELECT * FROM read_parquet({literal(path)})")
                    counts[name] = store.count(name)
            return counts
    finally:
        engine.close()


def has_outputs(store: Store) -> bool:
    tables = {r[0] for r in store.con.execute("SHOW TABLES").fetchall()}
    return set(OUTPUTS) <= tables
