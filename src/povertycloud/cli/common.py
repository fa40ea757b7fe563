"""What every command shares: the console, error reporting, progress bars, options."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:
    from rich.table import Table

    from ..access.accounts import User
    from ..store import Store
    from ..store.copy import Counter

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # a message stays one line, as grep sees it

DB_VARIABLE = "POVERTYCLOUD_DB"
DbOption = Annotated[str, typer.Option(
    "--db", envvar=DB_VARIABLE, metavar="FILE|URL",
    help="The store: a DuckDB file (the embedded default), or a PostgreSQL database as "
         "postgresql://USER@HOST/NAME (password in ~/.pgpass or PGPASSWORD).")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="Engine for the batch pipeline: duckdb (default) or spark.")]
OverwriteOption = Annotated[bool, typer.Option(
    "--overwrite", help="Replace the output if it exists.")]
ExportAsOption = Annotated[str | None, typer.Option(
    "--as", metavar="USER",
    help="Write ID numbers, phones and health fields in clear, as this user (who may "
         "unmask, over the whole scope); the export is audited. Masked otherwise.")]
WaitOption = Annotated[float, typer.Option(
    "--wait", min=0, metavar="SECONDS",
    help="If another process (a writer, the web server) holds the store, wait up to this "
         "long for it, trying again, instead of stopping at once.")]


def log_statements(verbose: bool) -> None:
    """Send the store's log (slow statements; every statement when ``verbose``) to
    standard error."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log = logging.getLogger("povertycloud.store")
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.WARNING)
    log.propagate = False


def open_store(db: Path | str, *, read_only: bool = False, wait: float = 0) -> Store:
    """The store ``db``; DuckDB loads with the first command that opens one, not with
    `povertycloud --help`. While another process holds it, try again (more slowly each
    time) for up to ``wait`` seconds, saying once whom it waits for."""
    from ..errors import StoreLocked
    from ..store import Store

    deadline, pause = time.monotonic() + wait, 0.1
    while True:
        try:
            return Store(db, read_only=read_only)
        except StoreLocked as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                if not wait:
                    raise
                raise StoreLocked(f"{db} is still locked by {exc.holder} after waiting "
                                  f"{wait:g} s", exc.holder) from None
            if pause == 0.1:  # the first time
                console.print(f"{db} is locked by {exc.holder}: waiting up to {wait:g} s",
                              highlight=False, soft_wrap=True)
            time.sleep(min(pause, left))
            pause = min(pause * 2, 2.0)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=False) as bar:
        yield bar


@contextmanager
def copy_progress(what: str) -> Iterator[Counter]:
    """A progress bar of the tables a store's copy has done (a backup, a restore, a
    copy between backends, a key's rotation)."""
    with progress_bar() as bar:
        task = bar.add_task(what, total=None)

        def counter(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"{what} {table}", completed=done, total=total)

        yield counter
        bar.update(task, description=f"{what}: done", completed=bar.tasks[0].total)


def keys(table: Table, *headers: str) -> Table:
    """``table`` with its columns ``headers`` (IDs and codes the next command takes)
    never cut: they do not wrap, the other columns wrap first, and at the very last a
    key folds onto a second line rather than end in "…"."""
    for column in table.columns:
        if column.header in headers:
            column.no_wrap, column.overflow = True, "fold"
    return table


def say_masked(exported_as: str | None, table: str) -> None:
    """After an export without ``--as``, say what was masked and how to get it."""
    from ..access.privacy import masked_fields
    from ..standard.tables import table as standard_table

    hidden = masked_fields(standard_table(table))
    what = f"Masked: {', '.join(hidden)}" if hidden else \
        "Left out: health events" if table == "events" else ""
    if exported_as is None and what:
        console.print(f"{what}. To write them in clear, add --as USER (a user who may "
                      "unmask; audited).", highlight=False, soft_wrap=True)


def acting_user(store: Store, username: str, permission: str, doing: str) -> User:
    """The active user ``--as`` names, who must hold ``permission`` to be ``doing``."""
    from ..access.accounts import user_named
    from ..errors import PovertyCloudError

    user = user_named(store, username)
    if not user.may(permission):
        raise PovertyCloudError(f"{username} ({user.role}) may not {doing}")
    return user


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def prefix_of(region: str) -> str:
    """The digits regions under ``region`` start with: a full code's own digits, else
    the prefix as given."""
    from ..standard.regions import prefix
    from ..standard.regions import problem as code_problem

    if not region.isdigit() and region:
        raise typer.BadParameter(f"--region is a region code or its leading digits, "
                                 f"not {region!r}")
    if len(region) == 12 and not code_problem(region):
        return prefix(region)
    return region
