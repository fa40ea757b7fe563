"""What every command shares: the console, error reporting, progress bars, options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", help="The store: one DuckDB file.")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="Engine for the batch pipeline: duckdb (default) or spark.")]
OverwriteOption = Annotated[bool, typer.Option(
    "--overwrite", help="Replace the output if it exists.")]


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=False) as bar:
        yield bar


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None
