"""`povertycloud regions`: the life cycle of poor villages and counties."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    WaitOption,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
)

if TYPE_CHECKING:
    from ..store import Store

regions_app = typer.Typer(help="Poor villages and counties: designation, status, exit "
                               "criteria and exit proposals.", no_args_is_help=True)
RegionOption = Annotated[str, typer.Option(
    "--region", help="Only regions under this region code (or code prefix).")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="The day judged (YYYY-MM-DD); default 31 December of --year.")]
YearOption = Annotated[int | None, typer.Option(
    help="The survey year whose identification gives the estimates; default the latest.")]


@regions_app.command("designate")
def designate_command(
    db: DbOption,
    year: Annotated[int, typer.Option(help="Designate as of 31 December of this year.")],
    by: Annotated[str, typer.Option(help="Who designates (for the audit log).")],
    wait: WaitOption = 0,
) -> None:
    """Make poor every village and county without a status whose registered incidence
    at the end of --year reaches the threshold of rules/region_exit.yaml."""
    from ..dynamic.regions import designate

    with open_store(db, wait=wait) as store:
        count = designate(store, year, by)
    console.print(f"{count:,} villages and counties designated poor from {year}-12-31")


@regions_app.command("status")
def status_command(db: DbOption, region: RegionOption = "",
                   on: Annotated[str | None, typer.Option(
                       help="The day (YYYY-MM-DD); default today.")] = None) -> None:
    """The status of each village and county: poor, exit_proposed, exited,
    consolidating, or not_poor when never designated."""
    from ..dynamic.regions import status_as_of

    day = parse_date(on) if on else dt.date.today()
    with open_store(db, read_only=True) as store:
        rows = status_as_of(store, day, prefix_of(region))
    table = keys(RichTable("region", "name", "level", "status", "since",
                           "consolidating until", "proposal",
                           title=f"Villages and counties on {day} ({len(rows):,})"), "region")
    for r in rows:
        table.add_row(r["region_code"], r["region_name"], r["level"], r["status"],
                      _text(r["since"]), _text(r["consolidating_until"]),
                      _text(r["proposal_id"]))
    console.print(table)


@regions_app.command("criteria")
def criteria_command(db: DbOption, level: Annotated[str, typer.Option(
                         help="village or county.")] = "county",
                     region: RegionOption = "", as_of: AsOfOption = None,
                     year: YearOption = None) -> None:
    """The exit criteria of each village or county: value, limit and whether it holds.
    The rates come from the region's latest assessment (`assess`) where there is one;
    elsewhere wrong-exit and missed rates are estimates from the registry's
    identification (marked est.)."""
    from ..dynamic.region_criteria import JUDGED, LABELS, criteria_for

    if level not in JUDGED:
        raise typer.BadParameter(f"--level is village or county, not {level!r}")
    with open_store(db, read_only=True) as store:
        year, day = _when(store, year, as_of)
        rows = criteria_for(store, day, year, level, prefix_of(region))
    names = [LABELS[c["criterion"]] for c in rows[0]["criteria"]] if rows else []
    table = keys(RichTable("region", "name", *names, "met",
                           title=f"Exit criteria of {level} as of {day} ({len(rows):,}); "
                                 f"est.: estimated from the identification of {year}, not "
                                 "an assessment"), "region")
    for r in rows:
        table.add_row(r["region_code"], r["region_name"],
                      *(_judged(c) for c in r["criteria"]), "yes" if r["met"] else "NO")
    console.print(table)


@regions_app.command("propose-exit")
def propose_exit_command(
    db: DbOption, code: Annotated[str, typer.Argument(help="The village or county.")],
    username: Annotated[str, typer.Option("--as", help="The officer proposing.")],
    on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD); default today.")
                  ] = None,
    as_of: AsOfOption = None, year: YearOption = None,
    wait: WaitOption = 0,
) -> None:
    """Propose the exit of a poor village or county that meets every exit criterion;
    the proposal then walks its procedure (village_exit or county_exit)."""
    from ..access.accounts import user_named
    from ..dynamic.regions import propose_exit

    day = parse_date(on) if on else dt.date.today()
    with open_store(db, wait=wait) as store:
        year, judged_on = _when(store, year, as_of)
        user = user_named(store, username)
        proposal = propose_exit(store, user, code, day, judged_on, year)
    console.print(f"Proposal {proposal}: exit of {code}, proposed on {day}")


def _when(store: Store, year: int | None, as_of: str | None) -> tuple[int, dt.date]:
    """(identification year, day judged) from the options and their defaults."""
    from ..identification.runs import latest_identified, latest_year

    if year is None:  # the latest identified, else the latest surveyed
        year = latest_identified(store) or latest_year(store)
    return year, parse_date(as_of) if as_of else dt.date(year, 12, 31)


def _judged(c: dict[str, Any]) -> str:
    if c["value"] is None:
        return f"{c['note']}" + ("" if c["passed"] is None else " FAIL")
    mark = "ok" if c["passed"] else "FAIL"
    low_high = f" ({c['interval'][0]:.2f}–{c['interval'][1]:.2f})" if c["interval"] else ""
    said = f"{c['value']:.2f}{low_high} {c['comparison']} {c['limit']:g} {mark}"
    return said + (" est." if c["estimate"] else "")


def _text(value: object) -> str:
    return "" if value is None else str(value)
