"""A plan: the inputs it reads, named SQL steps in order, and the outputs it keeps.

Plans are engine-neutral: `run_plan` defines the steps on any engine; `write_outputs`
writes the outputs as Parquet. Running a plan over a store is in `on_store`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..engines import BatchMap, Engine
from ..errors import PovertyCloudError
from ..standard.tables import table_path

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    materialize: bool = False  # computed once because later steps read it often
    batches: BatchMap | None = None  # the rows of ``sql`` mapped, batch by batch, in Python


@dataclass(frozen=True)
class Plan:
    inputs: tuple[str, ...]
    steps: tuple[Step, ...]
    outputs: tuple[str, ...]
    parameters: dict[str, pa.Table] = field(default_factory=dict)  # small in-memory inputs
    replace_where: str | None = None  # keep other rows of the output tables in a store


def run_plan(engine: Engine, plan: Plan, progress: Progress | None = None) -> None:
    """Define every step on ``engine``, whose inputs are already registered.

    Engines evaluate lazily: results are computed when written or queried."""
    for name, table in plan.parameters.items():
        engine.register_arrow(name, table)
    for step in plan.steps:
        if progress:
            progress(step.name)
        if step.batches is not None:
            engine.map_batches(step.name, step.sql, step.batches)
        elif step.materialize:
            engine.materialize(step.name, step.sql)
        else:
            engine.create_view(step.name, step.sql)


def register_inputs(engine: Engine, inputs: tuple[str, ...], input_dir: Path) -> None:
    missing = [n for n in inputs if not table_path(input_dir, n).exists()]
    if missing:
        raise PovertyCloudError(f"{input_dir}: missing input table(s) {', '.join(missing)}")
    for name in inputs:
        engine.register_parquet(name, table_path(input_dir, name))


def write_outputs(engine: Engine, plan: Plan, output_dir: Path,
                  progress: Progress | None = None) -> dict[str, Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in plan.outputs:
        if progress:
            progress(f"write {name}")
        path = output_dir / f"{name}.parquet"
        engine.write_parquet(name, path)
        written[name] = path
    return written
