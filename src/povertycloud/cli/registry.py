"""`povertycloud registry`: one person registered twice, found and merged."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from .common import DbOption, WaitOption, console, keys, open_store

registry_app = typer.Typer(help="Duplicates within the registry: find, merge, keep apart.",
                           no_args_is_help=True)
KeepOption = Annotated[int, typer.Option(help="The person kept.")]
DuplicateOption = Annotated[int, typer.Option(help="The person registered a second time.")]
ByOption = Annotated[str, typer.Option(help="Who decides (for the audit log).")]


@registry_app.command("duplicates")
def duplicates(
    db: DbOption,
    find: Annotated[bool, typer.Option(
        "--find/--list", help="--find (the default): look for new pairs, then list the "
        "pairs waiting for a decision; --list: only list them (the store is only read).")
    ] = True,
    within: Annotated[str, typer.Option(
        help="Only pairs with a person living under this region-code prefix.")] = "",
        wait: WaitOption = 0,
) -> None:
    """Propose pairs of living people that may be one person (the same valid ID
    number, or alike by name and pinyin, birth date, sex, ID number and address), and
    list those waiting for a decision."""
    from ..registry.duplicates import find_duplicates, open_pairs

    with open_store(db, read_only=not find, wait=wait) as store:
        if find:
            found = find_duplicates(store)
            console.print(f"{found.by_id:,} pairs share an ID number, {found.probable:,} "
                          f"more are alike; {found.new:,} new; {found.contradicted:,} in "
                          f"a cluster with a contradiction ({found.seconds:.1f} s)")
        pairs = open_pairs(store, within)
    table = keys(RichTable("keep", "duplicate", "probability", "on", "names", "born",
                           "households", "contradiction",
                           title=f"Pairs to decide ({len(pairs):,})"),
                 "keep", "duplicate")
    for keep, dup, p, on, name_a, name_b, born_a, born_b, hh_a, hh_b, odd in pairs[:200]:
        table.add_row(str(keep), str(dup), f"{p}", str(on), f"{name_a} / {name_b}",
                      f"{born_a} / {born_b}", f"{hh_a} / {hh_b}", str(odd or ""))
    console.print(table)


@registry_app.command("merge")
def merge_command(db: DbOption, keep: KeepOption, duplicate: DuplicateOption,
                  by: ByOption, wait: WaitOption = 0) -> None:
    """Merge a person registered twice: the duplicate's events, feed links and flags
    move to the person kept, its row is kept in registry_changes (audited)."""
    from ..registry.merge import merge

    with open_store(db, wait=wait) as store:
        merge(store, keep, duplicate, by)
    console.print(f"Person {duplicate} merged into {keep}")


@registry_app.command("distinct")
def distinct_command(db: DbOption, keep: KeepOption, duplicate: DuplicateOption,
                     by: ByOption, wait: WaitOption = 0) -> None:
    """Record that a proposed pair is two people (audited; not proposed again)."""
    from ..registry.merge import mark_distinct

    with open_store(db, wait=wait) as store:
        mark_distinct(store, keep, duplicate, by)
    console.print(f"Persons {keep} and {duplicate} kept apart")
