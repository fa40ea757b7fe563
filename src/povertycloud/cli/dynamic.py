"""`povertycloud reevaluate`, `povertycloud workflow` and `povertycloud history`: the
dynamic adjustment, the procedure each proposal walks, and the registry's history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..dynamic.reasons import REASONS
from ..errors import PovertyCloudError
from .common import (
    DbOption,
    ExportAsOption,
    OverwriteOption,
    WaitOption,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
    say_masked,
)

workflow_app = typer.Typer(help="Proposals and the procedure they walk: inbox, steps, "
                           "notices, objections, deadlines.", no_args_is_help=True)
history_app = typer.Typer(help="The registry's history: a household's timeline, the "
                          "registry as of a date.", no_args_is_help=True)
AsOption = Annotated[str, typer.Option("--as", help="The user acting (username).")]
OnOption = Annotated[str | None, typer.Option(
    "--on", help="The day of the action (YYYY-MM-DD); default today.")]
RegionOption = Annotated[str, typer.Option(
    "--region", help="Only regions under this region code.")]


def reevaluate_command(
    db: DbOption,
    year: Annotated[int | None, typer.Option(help="Survey year (default: the latest).")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Status date (default: the year's 31 December).")] = None,
    events: Annotated[bool, typer.Option(
        "--events", help="Only households with data new since the last run (or --since).")
    ] = False,
    since: Annotated[str | None, typer.Option(
        help="With --events: data recorded after this date.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, propose nothing.")
                       ] = False,
                       wait: WaitOption = 0,
) -> None:
    """Re-evaluate households (the yearly dynamic adjustment, or after events) and
    propose enrolments, exits, monitoring, relapses, removals and ends of monitoring;
    each proposal then walks its procedure (`povertycloud workflow`)."""
    from ..dynamic.reevaluation import adjust

    def say(step: str) -> None:
        if step.startswith("identify"):
            console.print(f"Identifying the households of {step.split()[-1]} first ...")

    with open_store(db, wait=wait) as store:
        result = adjust(store, year, parse_date(as_of) if as_of else None, events=events,
                        since=parse_date(since) if since else None, dry_run=dry_run,
                        progress=say)
    table = RichTable("proposal", "households", title=(
        f"Re-evaluation of {result.year} as of {result.as_of}: {result.households:,} "
        f"households in {result.seconds:.1f} s"))
    for kind, count in sorted(result.proposals.items()):
        table.add_row(kind, f"{count:,}")
    console.print(table)
    console.print("dry run: nothing proposed" if dry_run else
                  f"run {result.reevaluation_id}: {sum(result.proposals.values()):,} proposals")


def _day(on: str | None) -> dt.date:
    return parse_date(on) if on else dt.date.today()


@workflow_app.command("list")
def list_command(
    db: DbOption, region: RegionOption = "",
    state: Annotated[str, typer.Option(help="open, approved, rejected or all.")] = "open",
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open ones past due.")
                       ] = False,
    on: OnOption = None,
) -> None:
    """Proposals under a region, soonest deadline first."""
    from ..dynamic import proposals as read

    with open_store(db, read_only=True) as store:
        rows = read.listing(store, prefix_of(region), state=None if state == "all" else state,
                            kind=kind, on=_day(on), overdue=overdue)
    _print_proposals(rows, f"Proposals ({len(rows):,}, at most 500 shown)")


@workflow_app.command("inbox")
def inbox_command(db: DbOption, as_user: AsOption, on: OnOption = None) -> None:
    """The proposals waiting for this user's step."""
    from ..access.accounts import user_named
    from ..dynamic.casefile import inbox

    with open_store(db, read_only=True) as store:
        rows = inbox(store, user_named(store, as_user), _day(on))
    _print_proposals(rows, f"Waiting for {as_user} ({len(rows):,})")


@workflow_app.command("show")
def show_command(db: DbOption, proposal: Annotated[int, typer.Argument()]) -> None:
    """One proposal: reasons, evidence, the steps taken, objections."""
    from ..dynamic import proposals as read

    with open_store(db, read_only=True) as store:
        p = read.get(store, proposal)
    if p is None:
        raise PovertyCloudError(f"no proposal {proposal}")
    console.print(f"[bold]Proposal {proposal}[/]: {read.KIND_TEXT[p['kind']]} of "
                  f"{p['household_id'] or p['region_code']} in {p['region_name']}; "
                  f"{p['state']}, next: {p['step']}; due {p['due_on']}")
    for text in p["reason_texts"]:
        console.print(f"  reason: {text}")
    console.print(f"  evidence: {p['evidence']}")
    for s in p["steps"]:
        console.print(f"  {s['acted_on']} {s['step']} {s['outcome']} by {s['actor']}"
                      + (f": {s['note']}" if s["note"] else ""))
    for o in p["objections"]:
        console.print(f"  objection {o['tracking_code']} on {o['received_on']}: {o['subject']}")


@workflow_app.command("step")
def step_command(
    db: DbOption, proposal: Annotated[int, typer.Argument()],
    step: Annotated[str, typer.Argument(help="The step taken, e.g. appraisal.")],
    as_user: AsOption, on: OnOption = None,
    note: Annotated[str | None, typer.Option(help="The record of the step (minutes).")
                    ] = None,
    reject: Annotated[str | None, typer.Option(help="Reject, with the reasons.")] = None,
    days: Annotated[int | None, typer.Option(help="Length of a notice in days.")] = None,
    wait: WaitOption = 0,
) -> None:
    """Take the next step of a proposal (refused, with the reason, when out of order,
    outside the user's role or jurisdiction, an approval of one's own proposal, or a
    notice shorter than configured)."""
    from ..access.accounts import user_named
    from ..dynamic import workflow

    with open_store(db, wait=wait) as store:
        taken = workflow.act(store, proposal, step, user_named(store, as_user),
                             on=_day(on), note=note, reject=reject, days=days)
    console.print(f"Proposal {proposal}: {step} done; now {taken.state}"
                  + (f", next {taken.step}" if taken.state == "open" else ""))


@workflow_app.command("propose")
def propose_command(
    db: DbOption, as_user: AsOption,
    kind: Annotated[str, typer.Option(help="enrol, exit, monitor, relapse, remove or "
                                           "end_monitoring.")],
    household: Annotated[int, typer.Option(help="The household.")],
    reason: Annotated[list[str], typer.Option(
        help="A reason code (repeat for several): "
             f"{', '.join(REASONS)}.")],
    note: Annotated[str | None, typer.Option(
        help="Free text for the officers (never on the public notice).")] = None,
    on: OnOption = None,
    wait: WaitOption = 0,
) -> None:
    """An officer's own proposal for a household (which that officer may then not
    approve)."""
    from ..access.accounts import user_named
    from ..dynamic import workflow

    with open_store(db, wait=wait) as store:
        pid = workflow.propose(store, user_named(store, as_user), kind, reasons=reason,
                               household_id=household, note=note, on=_day(on))
    console.print(f"Proposal {pid} made")


@workflow_app.command("notices")
def notices_command(
    db: DbOption, region: RegionOption = "", on: OnOption = None,
    out: Annotated[Path | None, typer.Option(help="Write the list to .csv/.xlsx/.parquet.")
                   ] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """The publicity list: proposals on public notice, in the whitelisted fields only
    (no ID number, phone, bank account or health detail)."""
    import pyarrow as pa

    from ..dynamic import proposals as read
    from ..intake.exports import check_table_output, write_table

    with open_store(db, read_only=True) as store:
        rows = read.notice_board(store, prefix_of(region), _day(on))
    for row in rows:
        row["reasons"] = "; ".join(row["reasons"])
    if out is not None:
        check_table_output(out, overwrite)
        write_table(pa.Table.from_pylist(rows), out)
        console.print(f"Wrote {len(rows):,} notices to {out}")
        return
    table = keys(RichTable("proposal", "village", "head", "members", "change", "reasons",
                           "until", title=f"On public notice ({len(rows):,})"), "proposal")
    for r in rows:
        table.add_row(str(r["proposal_id"]), str(r["region_name"]), str(r["head_name"] or ""),
                      str(r["members"] or ""), r["kind_text"], r["reasons"],
                      str(r["notice_until"]))
    console.print(table)


def _print_proposals(rows: list[dict[str, Any]], title: str) -> None:
    table = keys(RichTable("id", "kind", "subject", "village", "next step", "state", "due",
                           "notice until", title=title), "id", "subject")
    for r in rows[:500]:
        table.add_row(str(r["proposal_id"]), r["kind"], str(r["household_id"] or
                      r["region_code"]), str(r["region_name"]), r["step"], r["state"],
                      f"[red]{r['due_on']} overdue[/]" if r["overdue"] else str(r["due_on"]),
                      str(r["notice_until"] or ""))
    console.print(table)


@history_app.command("household")
def household_command(
    db: DbOption, household: Annotated[int, typer.Argument()],
) -> None:
    """A household's timeline, newest first (health events hidden)."""
    from ..dynamic.timeline import timeline

    with open_store(db, read_only=True) as store:
        entries = timeline(store, household)
    if not entries:
        raise PovertyCloudError(f"nothing is recorded of household {household}")
    for e in entries:
        console.print(f"{e['date']}  {e['kind']:<9} {e['text']}")


@history_app.command("as-of")
def as_of_command(
    db: DbOption, date: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    out: Annotated[Path, typer.Option(help="A .csv, .parquet or .xlsx file.")],
    table: Annotated[str, typer.Option(help="households or people.")] = "households",
    region: RegionOption = "", overwrite: OverwriteOption = False,
    exported_as: ExportAsOption = None,
) -> None:
    """Export the registry as it was on a date: each row's version of that day, with
    the status each household held then (personal data masked unless --as a user who
    may unmask; that export is audited)."""
    from ..access import audit
    from ..access.privacy import masked_table
    from ..history import AS_OF, registry_as_of
    from ..intake.exports import check_table_output, write_table
    from ..standard.tables import table as standard_table

    day = parse_date(date)
    if table not in AS_OF:
        raise PovertyCloudError("--table is households or people")
    check_table_output(out, overwrite)
    prefix = prefix_of(region)
    with open_store(db, read_only=exported_as is None) as store:
        reader = audit.exporter(store, exported_as, prefix) if exported_as else None
        rows = registry_as_of(store, table, day, prefix)
        if reader is None:
            rows = masked_table(standard_table(table), rows)
        else:
            audit.exported(store, reader, f"history as-of {day} --table {table}",
                           f"region {region}" if region else "the whole store", rows.num_rows)
    write_table(rows, out)
    console.print(f"Wrote {rows.num_rows:,} {table} as of {day} to {out}")
    say_masked(exported_as, table)
