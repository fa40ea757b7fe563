"""`povertycloud checks`: conflict checks of department feeds against the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..feeds.outcomes import OUTCOMES
from .common import DbOption, WaitOption, console, keys, open_store

FLAGS_SHOWN = 200  # flags to verify listed by `checks report`
checks_app = typer.Typer(help="Conflict checks (exclusion rules) on department feeds.",
                         no_args_is_help=True)
RulesOption = Annotated[Path | None, typer.Option(
    help="Conflict rules (YAML); the shipped ones by default.")]


@checks_app.command("run")
def run(db: DbOption, rules: RulesOption = None, wait: WaitOption = 0) -> None:
    """Link every feed in the store to the registry's people (ID number first, then
    probabilistically) and raise a flag, with its evidence, wherever a rule holds."""
    from ..feeds.checks import load_conflicts, run_checks
    from ..feeds.sources import load_sources

    sources = load_sources()
    conflict_rules = load_conflicts(rules, sources)
    with open_store(db, wait=wait) as store:
        linked, raised = run_checks(store, sources, conflict_rules)
    for source, matches in linked.items():
        console.print(f"feed {source}: {matches:,} records matched to registry people")
    table = RichTable("rule", "new flags", title=f"Flags ({conflict_rules.label})")
    for rule, count in raised.items():
        table.add_row(rule, f"{count:,}")
    console.print(table)


@checks_app.command("signals")
def signals(db: DbOption, wait: WaitOption = 0) -> None:
    """Turn matched death, birth, serious-illness and disaster records into dated events
    on the households; deaths and births also update the registry (run after `checks
    run`, which links the feeds)."""
    from ..feeds.signals import send_signals
    from ..feeds.sources import load_sources

    with open_store(db, wait=wait) as store:
        added = send_signals(store, load_sources())
    for source, count in added.items():
        console.print(f"{source}: {count:,} events added")


@checks_app.command("verify")
def verify_command(
    db: DbOption,
    flag: Annotated[int, typer.Option(help="The flag's id.")],
    outcome: Annotated[str, typer.Option(help=f"One of: {', '.join(OUTCOMES)}.")],
    by: Annotated[str, typer.Option(help="Who verified it in the field.")],
    wait: WaitOption = 0,
) -> None:
    """Record the field verification of a flag."""
    from ..feeds.checks import verify

    with open_store(db, wait=wait) as store:
        verify(store, flag, outcome, by)
    console.print(f"Flag {flag}: {outcome}")


@checks_app.command("report")
def report_command(db: DbOption) -> None:
    """Flags per rule and each rule's precision from the verified outcomes, then the
    flags waiting for verification with their ids (for `checks verify --flag`)."""
    from ..feeds.checks import open_flags, report

    with open_store(db, read_only=True) as store:
        rows = report(store)
        waiting = [f for f in open_flags(store, "") if f["outcome"] is None]
    table = RichTable("rule", "flags", "verified", "confirmed", "precision",
                      title="Conflict checks")
    for rule, flags, verified, confirmed, precision in rows:
        table.add_row(rule, f"{flags:,}", f"{verified:,}", f"{confirmed:,}",
                      f"{precision:.2f}" if precision is not None else "—")
    console.print(table)
    to_verify = keys(RichTable("flag", "rule", "source", "record", "household", "village",
                               "raised", title=f"Flags to verify ({len(waiting):,})"),
                     "flag", "record", "household", "village")
    for f in waiting[:FLAGS_SHOWN]:
        to_verify.add_row(str(f["flag_id"]), f["rule"], f["source"], str(f["record_id"]),
                          str(f["household_id"]), f["village_code"],
                          f"{f['raised_at']:%Y-%m-%d}")
    console.print(to_verify)
    if len(waiting) > FLAGS_SHOWN:
        console.print(f"... {len(waiting) - FLAGS_SHOWN:,} more; each is verified with "
                      f"`povertycloud checks verify --flag ID`")


@checks_app.command("review")
def review(
    db: DbOption,
    source: Annotated[str | None, typer.Option(help="Only this source's pairs.")] = None,
    record: Annotated[int | None, typer.Option(help="Decide on this record's pair...")]
    = None,
    person: Annotated[int | None, typer.Option(help="...with this person.")] = None,
    accept: Annotated[bool | None, typer.Option(
        "--accept/--reject", help="The decision (with --source, --record, --person).")]
    = None,
    by: Annotated[str | None, typer.Option(help="Who decides (for the audit log).")] = None,
    wait: WaitOption = 0,
) -> None:
    """List the pairs under review by feed record, with why each is under review and
    how many candidates the record has (its rivals), or accept or reject one (audited;
    accepting one rejects the record's other candidates)."""
    from ..feeds.checks import decide, review_queue

    if accept is None:
        with open_store(db, read_only=True, wait=wait) as store:
            queue = review_queue(store, source)
        table = keys(RichTable("source", "record", "person", "probability", "registry name",
                               "born", "why", "candidates",
                               title=f"Pairs to review ({len(queue):,}), by record"),
                     "record", "person")
        for q in queue:  # a record's candidates (its rivals) one after the other
            table.add_row(*("" if v is None else str(v) for v in q.values()))
        console.print(table)
        return
    if source is None or record is None or person is None or not by:
        raise typer.BadParameter("a decision needs --source, --record, --person and --by")
    with open_store(db, wait=wait) as store:
        decide(store, source, record, person, accept, by)
    console.print(f"{source} record {record} and person {person}: "
                  f"{'accepted as a match' if accept else 'rejected'}")
