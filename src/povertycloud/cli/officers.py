"""`povertycloud officers` and `povertycloud visits`: resident work teams, cadres paired
with households, field visits, the officers' indicators, who is behind schedule, and
calls-in and recalls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    WaitOption,
    acting_user,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
)

if TYPE_CHECKING:
    from ..access.accounts import User
    from ..store import Store

officers_app = typer.Typer(help="Officers: work teams in villages, cadres paired with "
                                "households, indicators, calls-in and recalls. See "
                                "docs/assistance.md.", no_args_is_help=True)
visits_app = typer.Typer(help="Field visits to households: log one, take in a phone's "
                              "file, list them with their flags.", no_args_is_help=True)
AsOption = Annotated[str, typer.Option("--as", help="The officer who acts.")]
RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="Officers' rules (YAML); the shipped ones by default.")]
OnOption = Annotated[str | None, typer.Option(
    "--on", help="The day (YYYY-MM-DD); today by default.")]
RegionOption = Annotated[str, typer.Option(
    help="Only within this region (code or leading digits); all by default.")]
DOING = "manage officers (officers and admins do)"


def _day(on: str | None) -> dt.date:
    return parse_date(on) if on else dt.date.today()


def _manager(store: Store, username: str) -> User:
    return acting_user(store, username, "plans", DOING)


@officers_app.command("team")
def team_command(
    village: Annotated[str, typer.Argument(help="The village's code.")],
    db: DbOption, as_: AsOption,
    name: Annotated[str, typer.Option(help="The team's name.")],
    sent_by: Annotated[str, typer.Option(help="The unit that sends it.")],
    secretary: Annotated[str, typer.Option(help="The first secretary's username.")],
    member: Annotated[list[str] | None, typer.Option(help="A member (again for each).")]
    = None,
    on: OnOption = None, wait: WaitOption = 0,
) -> None:
    """Station a resident work team in a village (因村派人): its first secretary and its
    members, officers or field officers of the village's jurisdiction."""
    from ..assistance.officers import form_team

    with open_store(db, wait=wait) as store:
        team = form_team(store, village, name, sent_by, secretary, member or [], _day(on),
                         _manager(store, as_))
    console.print(f"Work team {team} stationed in village {village}")


@officers_app.command("pair")
def pair_command(
    cadre: Annotated[str, typer.Argument(help="The cadre's username.")],
    households: Annotated[list[int], typer.Argument(help="The households' ids.")],
    db: DbOption, as_: AsOption, on: OnOption = None, rules: RulesOption = None,
    wait: WaitOption = 0,
) -> None:
    """Pair a cadre with helped households (结对帮扶), at most the rules' number at once;
    all or none."""
    from ..assistance.officer_rules import load_officer_rules
    from ..assistance.officers import pair

    found = load_officer_rules(rules)
    with open_store(db, wait=wait) as store:
        done = pair(store, found, cadre, households, _day(on), _manager(store, as_))
    console.print(f"{cadre} now helps {done} more households")


@officers_app.command("unpair")
def unpair_command(
    cadre: Annotated[str, typer.Argument(help="The cadre's username.")],
    household: Annotated[int, typer.Argument(help="The household's id.")],
    db: DbOption, as_: AsOption, on: OnOption = None, wait: WaitOption = 0,
) -> None:
    """End a cadre's pair with a household."""
    from ..assistance.officers import unpair

    with open_store(db, wait=wait) as store:
        unpair(store, cadre, household, _day(on), _manager(store, as_))
    console.print(f"{cadre} no longer helps household {household}")


@officers_app.command("households")
def households_command(
    cadre: Annotated[str, typer.Argument(help="The cadre's username.")],
    db: DbOption, on: OnOption = None,
) -> None:
    """A cadre's work list: their households, the last visit and the open plan items."""
    from ..assistance.officers import households_of

    day = _day(on)
    with open_store(db, read_only=True) as store:
        found = households_of(store, cadre, day)
    table = keys(RichTable("household", "village", "paired on", "last visit", "open items",
                           "overdue", title=f"Households of {cadre} on {day}"), "household")
    for h in found:
        table.add_row(str(h["household_id"]), h["village_code"], str(h["paired_on"]),
                      f"{h['last_visit']:%Y-%m-%d %H:%M}" if h["last_visit"] else "never",
                      str(h["open_items"]), str(h["overdue_items"]))
    console.print(table)


@officers_app.command("kpis")
def kpis_command(
    db: DbOption, region: RegionOption = "", on: OnOption = None, rules: RulesOption = None,
    teams: Annotated[bool, typer.Option(help="Per work team instead of per cadre.")]
    = False,
    behind: Annotated[bool, typer.Option(help="Only those behind schedule.")] = False,
    export: Annotated[Path | None, typer.Option(
        help="Also write the rows to .xlsx, .csv or .parquet.")] = None,
) -> None:
    """The officers' indicators as of a day: households visited on schedule, plan items
    delivered on time, complaints answered in time, visits flagged; those short of a
    target are behind schedule, with the reason."""
    from ..assistance.kpis import officer_kpis, team_kpis
    from ..assistance.officer_rules import load_officer_rules
    from ..intake.exports import check_table_output

    if export is not None:
        check_table_output(export, overwrite=False)
    found, day = load_officer_rules(rules), _day(on)
    with open_store(db, read_only=True) as store:
        rows = officer_kpis(store, found, prefix_of(region), day)
        if teams:
            rows = team_kpis(store, found, prefix_of(region), day, rows)
    if behind:
        rows = [r for r in rows if r["behind"]]
    _kpi_table(rows, "team" if teams else "officer", day)
    if export is not None:
        _export(rows, export)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _kpi_table(rows: list[dict[str, Any]], what: str, day: dt.date) -> None:
    table = keys(RichTable(what, "village", "households", "visited on schedule",
                           "plans on time", "complaints in time", "visits flagged",
                           "delivered", "behind schedule because",
                           title=f"Officers' indicators on {day} ({len(rows):,} "
                                 f"{what}s)"), what)
    for r in rows[:300]:
        table.add_row(str(r.get("username") or r.get("name")), r["village_code"],
                      f"{r['households']:,}", _share(r["visits_on_schedule"]),
                      _share(r["plans_on_time"]), _share(r["complaints_in_time"]),
                      _share(r["visits_flagged"]), f"{r['items_delivered']:,}",
                      "; ".join(r["behind"]))
    console.print(table)
    if len(rows) > 300:
        console.print(f"… {len(rows) - 300:,} more: --export writes them all")


def _export(rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa

    from ..intake.exports import write_table

    flat = [{**r, "behind": "; ".join(r["behind"])} for r in rows]
    write_table(pa.Table.from_pylist(flat), path)
    console.print(f"Wrote {len(flat):,} rows to {path}")


@officers_app.command("act")
def act_command(
    officer: Annotated[str, typer.Argument(help="The officer's username.")],
    db: DbOption, as_: AsOption,
    kind: Annotated[str, typer.Option(help="call_in, warning, recall or commendation.")],
    reason: Annotated[str, typer.Option(help="Why.")],
    on: OnOption = None, wait: WaitOption = 0,
) -> None:
    """Record a call-in, warning, commendation or recall of an officer; a recall ends
    their pairs and their team membership."""
    from ..assistance.officers import act

    with open_store(db, wait=wait) as store:
        action = act(store, officer, kind, reason, _manager(store, as_), _day(on))
    console.print(f"Action {action}: {kind} of {officer}")


@officers_app.command("actions")
def actions_command(db: DbOption, region: RegionOption = "") -> None:
    """The calls-in, warnings, commendations and recalls of officers, the latest first."""
    from ..assistance.officers import actions

    with open_store(db, read_only=True) as store:
        found = actions(store, prefix_of(region))
    table = keys(RichTable("action", "officer", "region", "kind", "reason", "by", "when",
                           title="Actions on officers"), "action")
    for a in found:
        table.add_row(str(a["action_id"]), a["username"], a["region_code"], a["kind"],
                      a["reason"], a["decided_by"], f"{a['decided_at']:%Y-%m-%d %H:%M}")
    console.print(table)


@visits_app.command("log")
def log_command(
    household: Annotated[int, typer.Argument(help="The household's id.")],
    db: DbOption, as_: AsOption,
    at: Annotated[str, typer.Option(help="When (YYYY-MM-DDTHH:MM).")],
    lat: Annotated[float, typer.Option(help="Latitude in degrees.")],
    lon: Annotated[float, typer.Option(help="Longitude in degrees.")],
    done: Annotated[str, typer.Option(help="What was done.")],
    next_step: Annotated[str | None, typer.Option(help="The next step.")] = None,
    rules: RulesOption = None, wait: WaitOption = 0,
) -> None:
    """Log a visit to a household: refused in the future, to a household the field
    officer does not help, without a position; flagged when far from the household's
    village or too fast after the officer's visit before."""
    from ..assistance.officer_rules import load_officer_rules
    from ..assistance.visits import log_visit

    when = _moment(at)
    found = load_officer_rules(rules)
    with open_store(db, wait=wait) as store:
        done_ = log_visit(store, found, _visitor(store, as_), household, when, lat, lon, done,
                          next_step, "command line")
    _say_logged(done_)


def _moment(text: str) -> dt.datetime:
    from ..errors import PovertyCloudError

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise PovertyCloudError(f"--at {text!r} is not a time (YYYY-MM-DDTHH:MM)") from None


def _visitor(store: Store, username: str) -> User:
    return acting_user(store, username, "plans", "log visits (officers and field officers "
                                                 "do)")


def _say_logged(done: Any) -> None:
    flagged = [f"{n} {what}" for n, what in ((done.far_away, "far from the village"),
                                              (done.too_fast, "too fast")) if n]
    console.print(f"Logged {done.visits:,} visits"
                  + (f" (ids from {done.first_id})" if done.visits else "")
                  + (f"; flagged: {', '.join(flagged)}" if flagged else "")
                  + (f"; {done.repeated:,} kept before, not again" if done.repeated else ""))


@visits_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="Visits: CSV, Excel, JSON or Parquet with "
                                              "household_id, visited_at, lat, lon, done, "
                                              "next_step.")],
    db: DbOption, as_: AsOption, rules: RulesOption = None, wait: WaitOption = 0,
) -> None:
    """Take in the visits a phone kept offline, all or none: every refused row named
    with its file row, field and reason."""
    from ..assistance.officer_rules import load_officer_rules
    from ..assistance.visits import import_visits

    found = load_officer_rules(rules)
    with open_store(db, wait=wait) as store:
        done = import_visits(store, found, _visitor(store, as_), file)
    _say_logged(done)


@visits_app.command("list")
def list_command(
    db: DbOption, region: RegionOption = "",
    officer: Annotated[str | None, typer.Option(help="Only this officer's.")] = None,
    flagged: Annotated[bool, typer.Option(help="Only flagged visits.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, the latest first.")] = 100,
) -> None:
    """Visits, the latest first, with their flags."""
    from ..assistance.visits import visits_in

    with open_store(db, read_only=True) as store:
        found = visits_in(store, prefix_of(region), officer, flagged, limit)
    table = keys(RichTable("visit", "officer", "household", "when", "done", "next step",
                           "flag", title=f"Visits ({len(found):,} shown)"), "visit")
    for v in found:
        table.add_row(str(v["visit_id"]), v["username"], str(v["household_id"]),
                      f"{v['visited_at']:%Y-%m-%d %H:%M}", v["done"], v["next_step"] or "",
                      f"{v['flag']}: {v['flag_reason']}" if v["flag"] else "")
    console.print(table)
