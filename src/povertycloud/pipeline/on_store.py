"""Run a plan over a store. On DuckDB the plan runs inside the store's own connection
(its steps are temporary views over the stored tables). On Spark the inputs go out as
Parquet, Spark runs, and the outputs come back. Either way the outputs replace their
tables (or, with ``replace_where``, those rows) in one transaction."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..engines import check_engine, get_engine
from ..engines.duckdb import DuckDBEngine
from ..errors import PovertyCloudError
from ..sqltext import literal
from ..standard.tables import TABLES, table_path
from ..store import Store
from . import OUTPUTS, batch_plan
from .plan import Plan, Progress, register_inputs, run_plan, write_outputs


def run_on_store(store: Store, engine_name: str = "duckdb",
                 progress: Progress | None = None) -> dict[str, int]:
    """Recompute the batch pipeline's outputs for ``store``; returns rows per output."""
    years = [int(y) for (y,) in store.con.execute(
        "SELECT DISTINCT year FROM household_years ORDER BY 1").fetchall()]
    if not years:
        raise PovertyCloudError(f"{store.path} has no household_years to run the pipeline on: "
                                "import data or build it with `povertycloud synth --db`")
    return execute(store, engine_name, batch_plan(years), progress)


def execute(store: Store, engine_name: str, plan: Plan,
            progress: Progress | None = None) -> dict[str, int]:
    """Run ``plan`` over ``store`` on the named engine and keep its outputs."""
    check_engine(engine_name)
    if engine_name == "duckdb":
        return _in_store(store, plan, progress)
    return _through_parquet(store, engine_name, plan, progress)


def _in_store(store: Store, plan: Plan, progress: Progress | None) -> dict[str, int]:
    with preview(store, plan, progress):
        return _keep(store, plan, lambda name: f"temp.main.{name}", progress)


@contextmanager
def preview(store: Store, plan: Plan, progress: Progress | None = None
            ) -> Iterator[Callable[[str], str]]:
    """Define the plan's steps as temporary views inside the store, without keeping
    anything: yields a function naming a step's result (``temp.main.<step>``), and drops
    every step afterwards. Used for what-if replays."""
    try:
        run_plan(DuckDBEngine(store.con), plan, progress)
        yield lambda name: f"temp.main.{name}"
    finally:
        for step in reversed(plan.steps):
            kind = "TABLE" if step.materialize else "VIEW"
            store.con.execute(f"DROP {kind} IF EXISTS temp.main.{step.name}")
        for name in plan.parameters:
            store.con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")


def _through_parquet(store: Store, engine_name: str, plan: Plan,
                     progress: Progress | None) -> dict[str, int]:
    engine = get_engine(engine_name)
    try:
        with tempfile.TemporaryDirectory(prefix="povertycloud-", dir=store.path.parent) as tmp:
            inputs, outputs = Path(tmp) / "in", Path(tmp) / "out"
            (inputs / "truth").mkdir(parents=True)
            for name in plan.inputs:
                if progress:
                    progress(f"export {name}")
                columns = ", ".join(TABLES[name].names)
                store.con.execute(f"COPY (SELECT {columns} FROM {name}) TO "
                                  f"{literal(table_path(inputs, name))} (FORMAT PARQUET)")
            register_inputs(engine, plan.inputs, inputs)
            run_plan(engine, plan, progress)
            written = write_outputs(engine, plan, outputs, progress)
            return _keep(store, plan, lambda name: f"read_parquet({literal(written[name])})",
                         progress)
    finally:
        engine.close()


def _keep(store: Store, plan: Plan, source: Callable[[str], str],
          progress: Progress | None) -> dict[str, int]:
    """Copy the outputs into the store's own tables, in one transaction."""
    counts = {}
    with store.transaction():
        con = store.con
        for name in plan.outputs:
            if progress:
                progress(f"keep {name}")
            target = f'"{store.catalog}".main.{name}'
            exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? "
                                 "AND schema_name = 'main' AND table_name = ?",
                                 [store.catalog, name]).fetchone() != (0,)
            if plan.replace_where and exists:
                _replace_rows(con, target, source(name), plan.replace_where)
            else:
                con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {source(name)}")
            row = con.execute(f"SELECT count(*) FROM {target}").fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts


def _replace_rows(con: duckdb.DuckDBPyConnection, target: str, source: str,
                  where: str) -> None:
    """Replace the rows of ``target`` matching ``where`` by the rows of ``source``,
    matching columns by name. Columns new in ``source`` are added (NULL in the other
    rows: rules that gained an indicator); columns it lacks are NULL in its rows."""
    kept = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {target})"
                            ).fetchall())
    new = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})"
                      ).fetchall()
    if any(kept.get(column, kind) != kind for column, kind in new):  # a column changed type
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {target} "
                    f"WHERE NOT ({where}) UNION ALL BY NAME SELECT * FROM {source}")
        return
    for column, kind in new:
        if column not in kept:
            con.execute(f'ALTER TABLE {target} ADD COLUMN "{column}" {kind}')
    con.execute(f"DELETE FROM {target} WHERE {where}")
    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")


def has_outputs(store: Store) -> bool:
    return set(OUTPUTS) <= store.tables()
