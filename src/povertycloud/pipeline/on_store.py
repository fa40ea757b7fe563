"""Run a plan over a store. An engine that runs inside the store (DuckDB) defines the
steps over the stored tables; any other (Spark) gets the inputs as Parquet, runs, and
the outputs come back. Either way the outputs replace their tables (or, with
``replace_where``, those rows) in one transaction."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import engines
from ..engines import Engine
from ..errors import PovertyCloudError
from ..sqltext import literal
from ..standard.tables import TABLES, table_path
from ..store import Store
from . import OUTPUTS, batch_plan
from .plan import Plan, Progress, register_inputs, run_plan, write_outputs


def run_on_store(store: Store, engine_name: str = engines.DEFAULT,
                 progress: Progress | None = None) -> dict[str, int]:
    """Recompute the batch pipeline's outputs for ``store``; returns rows per output."""
    years = [int(y) for y in store.column(
        "SELECT DISTINCT year FROM household_years ORDER BY 1")]
    if not years:
        raise PovertyCloudError(f"{store.label} has no household_years to run the pipeline on: "
                                "import data or build it with `povertycloud synth --db`")
    return execute(store, engine_name, batch_plan(years), progress)


def execute(store: Store, engine_name: str, plan: Plan,
            progress: Progress | None = None) -> dict[str, int]:
    """Run ``plan`` over ``store`` on the named engine and keep its outputs."""
    with engines.for_store(store, engine_name) as engine:
        run = _in_store if engine.in_store else _through_parquet
        return run(store, engine, plan, progress)


def _in_store(store: Store, engine: Engine, plan: Plan,
              progress: Progress | None) -> dict[str, int]:
    with _steps(engine, plan, progress):
        return _keep(store, plan, engine.relation, progress)


@contextmanager
def preview(store: Store, plan: Plan, progress: Progress | None = None
            ) -> Iterator[Callable[[str], str]]:
    """Define the plan's steps inside the store, without keeping anything: yields a
    function naming a step's result for the store's SQL, and drops every step
    afterwards. Used for what-if replays."""
    engine = engines.in_store(store)
    with _steps(engine, plan, progress):
        yield engine.relation


@contextmanager
def _steps(engine: Engine, plan: Plan, progress: Progress | None) -> Iterator[None]:
    """The plan's steps defined on ``engine`` inside the block, dropped after it."""
    try:
        run_plan(engine, plan, progress)
        yield
    finally:
        for name in [*(s.name for s in reversed(plan.steps)), *plan.parameters]:
            engine.drop(name)


def _through_parquet(store: Store, engine: Engine, plan: Plan,
                     progress: Progress | None) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="povertycloud-", dir=store.backend.scratch) as tmp:
        inputs, outputs = Path(tmp) / "in", Path(tmp) / "out"
        (inputs / "truth").mkdir(parents=True)
        for name in plan.inputs:
            if progress:
                progress(f"export {name}")
            columns = ", ".join(TABLES[name].names)
            store.execute(f"COPY (SELECT {columns} FROM {name}) TO "
                          f"{literal(table_path(inputs, name))} (FORMAT PARQUET)")
        register_inputs(engine, plan.inputs, inputs)
        run_plan(engine, plan, progress)
        written = write_outputs(engine, plan, outputs, progress)
        return _keep(store, plan, lambda name: f"read_parquet({literal(written[name])})",
                     progress)


def _keep(store: Store, plan: Plan, source: Callable[[str], str],
          progress: Progress | None) -> dict[str, int]:
    """Copy the outputs into the store's own tables, in one transaction."""
    counts = {}
    with store.transaction():
        for name in plan.outputs:
            if progress:
                progress(f"keep {name}")
            target = store.qualified(name)
            if plan.replace_where and store.has_table(name):
                _replace_rows(store, target, source(name), plan.replace_where)
            else:
                store.replace_table(target, f"SELECT * FROM {source(name)}")
            counts[name] = store.count(target)
    return counts


def _replace_rows(store: Store, target: str, source: str, where: str) -> None:
    """Replace the rows of ``target`` matching ``where`` by the rows of ``source``,
    matching columns by name. Columns new in ``source`` are added (NULL in the other
    rows: rules that gained an indicator); columns it lacks are NULL in its rows."""
    kept = store.columns(target)
    new = store.columns(f"SELECT * FROM {source}")
    if any(kept.get(column, kind) != kind for column, kind in new.items()):  # a type changed
        store.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {target} "
                      f"WHERE NOT ({where}) UNION ALL BY NAME SELECT * FROM {source}")
        return
    for column, kind in new.items():
        if column not in kept:
            store.execute(f'ALTER TABLE {target} ADD COLUMN "{column}" {kind}')
    store.execute(f"DELETE FROM {target} WHERE {where}")
    store.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {source}")


def has_outputs(store: Store) -> bool:
    return set(OUTPUTS) <= store.tables()
