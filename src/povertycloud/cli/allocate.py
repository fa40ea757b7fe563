"""`povertycloud allocate`: a county's budget allocated to help measures and village
projects by a mixed-integer programme (HiGHS), beside the officers' greedy rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from .common import DbOption, WaitOption, acting_user, console, open_store, parse_date, progress_bar

if TYPE_CHECKING:
    from ..assistance.allocation import Allocation

LABELS = {"milp": "mixed-integer programme (HiGHS)", "cheapest_first": "cheapest first",
          "poorest_first": "poorest first (fewest points)"}


def _limits(given: list[str]) -> dict[str, int]:
    from ..errors import PovertyCloudError
    from ..funds.money import MoneyError, fen

    limits = {}
    for text in given:
        programme, _, amount = text.partition("=")
        if not programme.strip() or not amount.strip():
            raise PovertyCloudError(f"--limit {text!r}: write programme=yuan")
        try:
            limits[programme.strip()] = fen(amount.strip())
        except MoneyError as exc:
            raise PovertyCloudError(f"--limit {text!r}: {exc}") from None
    return limits


def allocate(
    db: DbOption,
    county: Annotated[str, typer.Option(help="The county's 12-digit code.")],
    year: Annotated[int, typer.Option(help="The year of the budget: the households as "
                                           "identified that year or before.")],
    budget_yuan: Annotated[str | None, typer.Option(
        help="The budget in yuan (or --from-ledger).")] = None,
    limit: Annotated[list[str] | None, typer.Option(
        help="A programme's limit, programme=yuan (again for each).")] = None,
    from_ledger: Annotated[bool, typer.Option(
        "--from-ledger", help="The budget and each programme's limit: what the county "
                              "holds in the funds ledger on --as-of.")] = False,
    as_of: Annotated[str | None, typer.Option(
        help="With --from-ledger: the day (YYYY-MM-DD); today by default.")] = None,
    objective: Annotated[str, typer.Option(
        help="lifted: the most people out of poverty; gap: the smallest poverty gap.")]
    = "lifted",
    time_limit: Annotated[float, typer.Option(help="Seconds HiGHS may search.")] = 60.0,
    as_: Annotated[str | None, typer.Option(
        "--as", help="Keep the allocation as this officer (of the county or above).")]
    = None,
    export: Annotated[Path | None, typer.Option(
        help="Write what the programme chose (households and projects) to .xlsx, .csv or "
             ".parquet.")] = None,
    measures: Annotated[Path | None, typer.Option(
        help="Help measures (YAML); the shipped ones by default.")] = None,
    measured: Annotated[bool, typer.Option(
        help="Expect each measure to raise income by the effect measured for its kind "
             "(`assess effects`, the latest kept) where there is one; --no-measured: by "
             "the catalogue's assumption.")] = True,
    wait: WaitOption = 0,
) -> None:
    """Allocate a county's budget to the help measures of its households still poor and
    to village projects, so as to lift the most people out of poverty (income at the line
    and every guarantee met) or close the most of the poverty gap: a mixed-integer
    programme solved by HiGHS, with the LP bound, beside the greedy rules officers use,
    each kept within the budget, the programmes' limits, the exclusive groups and the
    entitlements. See docs/assistance.md for the assumptions."""
    from ..assessment import effects
    from ..assistance.allocation import allocate as run
    from ..assistance.allocation import allocation_problem, ledger_budget, save
    from ..assistance.catalogue import load_catalogue
    from ..errors import PovertyCloudError
    from ..funds.money import fen
    from ..intake.exports import check_table_output

    if (budget_yuan is None) == (not from_ledger):
        raise PovertyCloudError("give the budget as --budget-yuan or --from-ledger (one)")
    if export is not None:
        check_table_output(export, overwrite=False)
    catalogue = load_catalogue(measures)
    with open_store(db, read_only=as_ is None, wait=wait) as store:
        if from_ledger:
            budget, limits = ledger_budget(store, county, parse_date(as_of) if as_of
                                           else dt.date.today())
            limits.update(_limits(limit or []))
        else:
            budget, limits = fen(budget_yuan), _limits(limit or [])
        gains = effects.gains(store) if measured else {}
        problem = allocation_problem(store, catalogue, county, year, budget, limits, gains)
        if gains:
            console.print("Measured effects used for: " + ", ".join(
                f"{k} {100 * v:+.1f}%" for k, v in sorted(gains.items())))
        with progress_bar() as bar:
            bar.add_task(f"Solving: {len(problem.items):,} household measures, "
                         f"{len(problem.projects):,} projects, "
                         f"{len(problem.households):,} households", total=None)
            done = run(problem, objective, time_limit)
        kept = save(store, done, acting_user(store, as_, "plans", "allocate a budget "
                                             "(officers do)")) if as_ else None
    _show(done)
    if kept is not None:
        console.print(f"Kept as allocation {kept}")
    if export is not None:
        _export(done, export)


def _show(done: Allocation) -> None:
    from ..funds.money import yuan

    p, s = done.problem, done.solved
    table = RichTable("method", "spent (yuan)", "households out", "people out",
                      "people per million yuan", "poverty gap left", "seconds",
                      title=f"Allocation of {yuan(p.budget_fen)} yuan in county {p.county} "
                            f"({len(p.households):,} households still poor, "
                            f"{done.methods[0].outcome.people_poor:,} people; objective "
                            f"{done.objective})")
    for m in done.methods:
        o = m.outcome
        table.add_row(LABELS[m.name], yuan(o.cost_fen), f"{o.households_lifted:,}",
                      f"{o.people_lifted:,}", f"{o.people_per_million:,.1f}",
                      f"{o.gap_after:,.1f} of {o.gap_before:,.1f}", f"{m.seconds:.2f}")
    console.print(table)
    console.print(f"HiGHS: {s.status}; objective {s.objective:,.2f}, LP bound "
                  f"{s.lp_bound:,.2f} (gap to it {s.gap_to_lp:.2%}), proven bound "
                  f"{s.bound:,.2f}")
    spent = done.method("milp").outcome.by_programme
    if spent:
        console.print("By programme: " + "; ".join(
            f"{k} {yuan(v)}" + (f" of {yuan(p.limits[k])}" if k in p.limits else "")
            for k, v in sorted(spent.items())))


def _export(done: Allocation, path: Path) -> None:
    from ..assistance.allocation import chosen_table
    from ..intake.exports import write_table

    table = chosen_table(done, "milp")
    write_table(table, path)
    console.print(f"Wrote {table.num_rows:,} chosen measures and projects to {path}")
