"""`povertycloud synth`: generate a synthetic province."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ConfigError, OutputExistsError
from ..synth import SynthConfig
from .common import console, copy_progress, progress_bar

if TYPE_CHECKING:
    from ..store import Store


def synth(
    people: Annotated[int, typer.Option(help="People to generate, 1,000 to 10,000,000.")]
    = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same province.")]
    = SynthConfig.seed,
    out: Annotated[Path | None, typer.Option(
        help="Write Parquet files to this new folder (ground truth in truth/).")] = None,
    db: Annotated[str | None, typer.Option(
        metavar="FILE|URL", help="Or load straight into this new store: a DuckDB file, or "
                                 "an empty PostgreSQL database (built in a temporary file "
                                 "beside, then copied in).")] = None,
    first_year: Annotated[int, typer.Option(help="First year of the panel.")] = 2014,
    last_year: Annotated[int, typer.Option(help="Last year of the panel (5 years at least).")]
    = 2020,
    feeds: Annotated[bool, typer.Option(
        help="With --out: also write other departments' feeds about these people, with "
             "realistic faults, to feeds/ (which person each record is: feeds/truth/).")]
    = False,
    lookalikes: Annotated[bool | None, typer.Option(
        help="Twins and clan villages (namesakes) in the registry, at realistic rates; "
             "by default with --feeds only (give it with --db for the store of the same "
             "people).", show_default=False)] = None,
    missing_id: Annotated[float, typer.Option(
        help="With --feeds: the share of feed records sent without an ID number, on top "
             "of the other faults (0 to 1).")] = 0.0,
) -> None:
    """Generate a deterministic synthetic province: regions with boundaries, households,
    people, a yearly panel with shocks, registry history and ground truth."""
    from ..store.backends import backend, is_url
    from ..synth.feeds import REALISTIC, write_feeds

    if (out is None) == (db is None):
        raise typer.BadParameter("give exactly one of --out and --db")
    if feeds and out is None:
        raise typer.BadParameter("--feeds needs --out")
    if not 0 <= missing_id <= 1:
        raise ConfigError(f"--missing-id is a share of the records, from 0 to 1, not "
                          f"{missing_id}")
    if missing_id and not feeds:
        raise ConfigError("--missing-id needs --feeds (it is a share of the feeds' records)")
    config = SynthConfig(people=people, seed=seed, first_year=first_year, last_year=last_year)
    if feeds if lookalikes is None else lookalikes:
        config = config.with_lookalikes()
    target = out if out is not None else db
    assert target is not None
    if not is_url(target) and Path(target).exists():
        raise OutputExistsError(f"{target} exists; choose another path or remove it")
    started = time.perf_counter()
    if out is not None:
        counts = _generate(config, out)
        if feeds:
            extra = replace(REALISTIC, missing_id=missing_id)
            for name, rows in write_feeds(out, out / "feeds", seed, extra=extra).items():
                console.print(f"  feed {name}: {rows:,} records")
    elif is_url(target):
        counts = _build_in_database(config, str(target))
    else:
        counts = build_store(config, Path(target))
    console.print(f"[green]Generated[/] {counts.get('people', 0):,} people in "
                  f"{counts.get('households', 0):,} households and {counts['regions']:,} "
                  f"regions into {backend(target).label} in "
                  f"{time.perf_counter() - started:.1f} s")


def _generate(config: SynthConfig, out: Path) -> dict[str, int]:
    from ..synth import generate

    with progress_bar() as bar:
        task = bar.add_task("Generating counties", total=None)
        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        return generate(config, out, advance)


def _load_feeds(store: Store, province: Path, seed: int) -> dict[str, int]:
    from ..feeds.sources import load_sources
    from ..intake import import_file
    from ..synth.feeds import write_feeds

    write_feeds(province, province / "feeds", seed)
    counts = {}
    for source in load_sources().values():
        report = import_file(store, source.table, province / "feeds" / f"{source.id}.parquet",
                             label=f"{source.id}.parquet")
        counts[source.table.name] = report.accepted
    return counts


def _build_in_database(config: SynthConfig, url: str) -> dict[str, int]:
    """Generate into a temporary store file, then copy it into the PostgreSQL database
    ``url`` (one transaction: on failure the database holds no rows)."""
    from ..store import Store
    from ..store.backup import copy_into

    folder = Path(tempfile.mkdtemp(prefix="povertycloud-synth-"))
    try:
        counts = build_store(config, folder / "province.duckdb")
        with Store(folder / "province.duckdb", read_only=True) as built, \
                copy_progress("Copying into PostgreSQL") as counter:
            copy_into(built, url, counter)
        return counts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build_store(config: SynthConfig, db: Path, feeds: bool = False) -> dict[str, int]:
    """Generate into a new store (with the departments' feeds taken in, if ``feeds``);
    on any failure nothing is left at ``db``."""
    from ..intake import load_directory
    from ..store import Store

    db.parent.mkdir(parents=True, exist_ok=True)
    partial = db.with_name(db.name + ".partial")
    partial.unlink(missing_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="povertycloud-synth-", dir=db.parent))
    try:
        _generate(config, tmp / "province")
        with Store.create(partial) as store, progress_bar() as bar:
            task = bar.add_task("Loading into the store", total=None)
            counts = load_directory(store, tmp / "province",
                                    lambda name: bar.update(task, description=f"Loading {name}"))
            if feeds:
                bar.update(task, description="Loading the departments' feeds")
                counts |= _load_feeds(store, tmp / "province", config.seed)
            bar.update(task, description="Loaded into the store", total=1, completed=1)
        partial.replace(db)
        return counts
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        partial.unlink(missing_ok=True)
