"""`povertycloud plans`: help plans per household (措施到户): the help measures, proposing
plans, showing and changing them, and the flags (no plan, overdue)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

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

plans_app = typer.Typer(help="Help plans per household: the help measures, proposals, "
                             "changes and flags. See docs/assistance.md.",
                        no_args_is_help=True)
MeasuresOption = Annotated[Path | None, typer.Option(
    "--measures", help="Help measures (YAML); the shipped ones by default.")]
YearOption = Annotated[int, typer.Option(help="The plan's year.")]
AsOption = Annotated[str, typer.Option(
    "--as", help="The officer who acts: their jurisdiction bounds what they may change.")]
RegionOption = Annotated[str, typer.Option(
    help="Only within this region (code or leading digits); all by default.")]
DOING = "change help plans (officers, field officers and admins do)"


@plans_app.command("measures")
def measures_command(measures: MeasuresOption = None) -> None:
    """List the help measures (checked): what each delivers, who delivers it, the
    programme that pays, its cost and expected effect, and who may get it."""
    from ..assistance.catalogue import load_catalogue
    from ..funds.money import yuan

    found = load_catalogue(measures)
    table = keys(RichTable("measure", "label", "kind", "delivers", "office", "programme",
                           "cost", "effect", "fixes", "due", "group",
                           title=f"Help measures ({found.label}, effective "
                                 f"{found.effective})"), "measure")
    for m in found.measures:
        table.add_row(m.id, m.label, m.kind, m.recommends or "(village project)", m.office,
                      m.programme, yuan(m.cost_fen) + (f" × {m.per}" if m.per else ""),
                      yuan(m.effect_fen) + (f" × {m.effect_per}" if m.effect_per else ""),
                      ", ".join(m.fixes), f"{m.due_days} d", m.exclusive or "")
    console.print(table)


@plans_app.command("propose")
def propose_command(
    db: DbOption, year: YearOption,
    starts: Annotated[str | None, typer.Option(
        help="The plans' first day (YYYY-MM-DD): due dates count from it; 1 January of "
             "the year by default.")] = None,
    region: RegionOption = "", measures: MeasuresOption = None, wait: WaitOption = 0,
) -> None:
    """Propose a plan of the year for every helped household (registered poor or
    monitored) that has none: the help measures that answer its recommended measures
    (from its latest identification), one of each exclusive group. Plans that exist are
    kept as officers left them."""
    from ..assistance.catalogue import load_catalogue
    from ..assistance.plans import propose

    catalogue = load_catalogue(measures)
    first = parse_date(starts) if starts else dt.date(year, 1, 1)
    with open_store(db, wait=wait) as store:
        done = propose(store, catalogue, year, first, prefix_of(region))
    console.print(f"Proposed {done.plans:,} plans of {year} with {done.items:,} measures, "
                  f"from the identification of {done.year} ({catalogue.label})")


@plans_app.command("show")
def show_command(
    household: Annotated[int, typer.Argument(help="The household's id.")],
    db: DbOption, year: YearOption,
    history: Annotated[bool, typer.Option(help="Every version of each item too.")] = False,
) -> None:
    """A household's plan of the year: each measure, its deliverer, programme, cost, due
    date, officer and state."""
    from ..assistance.plans import history as item_history
    from ..assistance.plans import plan_of
    from ..errors import NotFound
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        plan = plan_of(store, household, year)
        if plan is None:
            raise NotFound(f"household {household} has no plan of {year}")
        versions = {i["item_id"]: item_history(store, i["item_id"]) for i in plan["items"]
                    } if history else {}
    table = keys(RichTable("item", "measure", "kind", "deliverer", "programme", "cost",
                           "due", "officer", "state", "version", "note",
                           title=f"Plan of household {household}, {year} (village "
                                 f"{plan['village_code']}, from {plan['starts']}, "
                                 f"{plan['catalogue']})"), "item")
    for i in plan["items"]:
        table.add_row(str(i["item_id"]), i["measure"], i["kind"], i["deliverer"],
                      i["programme"], yuan(int(i["cost_fen"])), str(i["due_date"]),
                      i["officer"] or "", i["state"], str(i["version"]), i["note"] or "")
        for v in versions.get(i["item_id"], []):
            table.add_row("", f"  v{v['version']}", "", "", "", yuan(int(v["cost_fen"])),
                          str(v["due_date"]), v["officer"] or "", v["state"],
                          f"{v['changed_by']} {v['changed_at']:%Y-%m-%d %H:%M}",
                          v["note"] or "")
    console.print(table)


@plans_app.command("set")
def set_command(
    item: Annotated[int, typer.Argument(help="The plan item's id (`plans show`).")],
    db: DbOption, as_: AsOption,
    state: Annotated[str | None, typer.Option(
        help="under_way, delivered, verified or cancelled (forward only).")] = None,
    due: Annotated[str | None, typer.Option(help="The new due date (YYYY-MM-DD).")] = None,
    officer: Annotated[str | None, typer.Option(help="The officer responsible.")] = None,
    cost_yuan: Annotated[str | None, typer.Option(help="The new cost in yuan.")] = None,
    deliverer: Annotated[str | None, typer.Option(help="The office or project.")] = None,
    note: Annotated[str | None, typer.Option(help="Why (needed to cancel).")] = None,
    version: Annotated[int | None, typer.Option(
        help="The version you read: refused if it changed since.")] = None,
    wait: WaitOption = 0,
) -> None:
    """Change a plan item as an officer of its village's jurisdiction; kept as a new
    version and in the audit log."""
    from ..assistance.plans import change
    from ..funds.money import fen

    with open_store(db, wait=wait) as store:
        done = change(store, item, acting_user(store, as_, "plans", DOING), version,
                      state=state, due_date=parse_date(due) if due else None,
                      officer=officer, cost_fen=fen(cost_yuan) if cost_yuan else None,
                      deliverer=deliverer, note=note)
    console.print(f"Plan item {item}: {done['measure']} {done['state']}, due "
                  f"{done['due_date']}, version {done['version']}")


@plans_app.command("add")
def add_command(
    household: Annotated[int, typer.Argument(help="The household's id.")],
    measure: Annotated[str, typer.Argument(help="A help measure (`plans measures`).")],
    db: DbOption, year: YearOption, as_: AsOption,
    officer: Annotated[str | None, typer.Option(help="The officer responsible.")] = None,
    note: Annotated[str | None, typer.Option(help="Why it is added.")] = None,
    measures: MeasuresOption = None, wait: WaitOption = 0,
) -> None:
    """Add a help measure to a household's plan: refused unless it is recommended to the
    household and it is eligible, and unless it has no other measure of its group."""
    from ..assistance.catalogue import load_catalogue
    from ..assistance.plans import add

    catalogue = load_catalogue(measures)
    with open_store(db, wait=wait) as store:
        item = add(store, catalogue, household, year, measure,
                   acting_user(store, as_, "plans", DOING), officer, note)
    console.print(f"Added {measure} to the plan of household {household}: item {item}")


@plans_app.command("flags")
def flags_command(
    db: DbOption, year: YearOption, region: RegionOption = "",
    as_of: Annotated[str | None, typer.Option(
        help="Overdue on this day (YYYY-MM-DD); today by default.")] = None,
    export: Annotated[Path | None, typer.Option(
        help="Also write the flags to .xlsx, .csv or .parquet.")] = None,
) -> None:
    """Helped households without a plan of the year (or with no measure left in it),
    and open measures past their due date, per village."""
    import pyarrow as pa

    from ..assistance.plans import flags
    from ..intake.exports import check_table_output, write_table

    if export is not None:
        check_table_output(export, overwrite=False)
    day = parse_date(as_of) if as_of else dt.date.today()
    with open_store(db, read_only=True) as store:
        found = flags(store, prefix_of(region), year, day)
    table = keys(RichTable("flag", "village", "household", "item", "measure", "officer",
                           "why", title=f"Help plan flags of {year} on {day} "
                                        f"({len(found):,})"), "household")
    for f in found[:200]:
        table.add_row(f["flag"], f["village_code"], str(f["household_id"]),
                      str(f["item_id"] or ""), f["measure"] or "", f["officer"] or "",
                      f["reason"])
    console.print(table)
    if len(found) > 200:
        console.print(f"… {len(found) - 200:,} more" + ("" if export else
                                                          ": --export writes them all"))
    if export is not None and found:
        write_table(pa.Table.from_pylist(found), export)
        console.print(f"Wrote {len(found):,} flags to {export}")
