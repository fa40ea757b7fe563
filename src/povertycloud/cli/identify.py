"""`povertycloud identify`, `whatif`, `explain` and `rules`: identification from the CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    EngineOption,
    OverwriteOption,
    WaitOption,
    console,
    open_store,
    progress_bar,
)

if TYPE_CHECKING:
    from ..identification.plan import Rules
    from ..store import Store

rules_app = typer.Typer(help="Check rule files; measure cause rules against ground truth.",
                        no_args_is_help=True)

YearOption = Annotated[int | None, typer.Option(
    help="Survey year to assess (default: the latest).")]
ScorecardOption = Annotated[Path | None, typer.Option(help="Scorecard file (YAML).")]
GuaranteesOption = Annotated[Path | None, typer.Option(help="Guarantee checks (YAML).")]
CausesOption = Annotated[Path | None, typer.Option(help="Cause rules (YAML).")]
MeasuresOption = Annotated[Path | None, typer.Option(help="Measures and priorities (YAML).")]
LinesOption = Annotated[Path | None, typer.Option(help="Poverty lines by year (YAML).")]


def _rules(scorecard: Path | None, guarantees: Path | None, causes: Path | None,
           measures: Path | None, lines: Path | None) -> Rules:
    from ..identification.plan import load_rules

    return load_rules(scorecard, guarantees, causes, measures, lines)


def identify(
    db: DbOption, year: YearOption = None, engine: EngineOption = "duckdb",
    scorecard: ScorecardOption = None, guarantees: GuaranteesOption = None,
    causes: CausesOption = None, measures: MeasuresOption = None, lines: LinesOption = None,
    wait: WaitOption = 0,
) -> None:
    """Identify every household of a survey year: income test, guarantees, scorecard,
    causes, recommended measures and priority, stored with the rule versions used.
    Rule files default to the shipped ones."""
    from ..engines import check_engine
    from ..identification.runs import identify as identify_run
    from ..identification.runs import latest_year

    rules = _rules(scorecard, guarantees, causes, measures, lines)  # errors before any work
    check_engine(engine)
    started = time.perf_counter()
    with open_store(db, wait=wait) as store:
        year = year if year is not None else latest_year(store)
        with progress_bar() as bar:
            task = bar.add_task(f"Identifying {year} on {engine}", total=None)
            counts = identify_run(store, rules, year, engine,
                                  lambda s: bar.update(task, description=f"Identifying: {s}"))
            bar.update(task, description=f"Identified {year}", total=1, completed=1)
        print_summary(store, year)
    console.print(f"{counts['identification']:,} households identified in "
                  f"{time.perf_counter() - started:.1f} s with:")
    for kind, version in rules.versions().items():
        console.print(f"  {kind:<10} {version}")


def print_summary(store: Store, year: int) -> None:
    from ..identification.runs import summary

    data = summary(store, year)
    proposals = RichTable("proposal", "households", "people", title=f"Identification {year}")
    for name, households, people in data["proposal"]:
        proposals.add_row(name, f"{households:,}", f"{people:,}")
    console.print(proposals)
    bands = RichTable("band", "households", "mean score", title="Scorecard")
    for name, households, mean in data["band"]:
        bands.add_row(name, f"{households:,}", f"{mean:.1f}")
    console.print(bands)
    causes = RichTable("primary cause", "households", title="Causes (poor and at risk)")
    for name, households in data["primary_cause"]:
        causes.add_row(name.replace("_", " "), f"{households:,}")
    console.print(causes)
    measures = RichTable("measure", "households", title="Recommended measures")
    for name, households in data["measures"]:
        measures.add_row(name.replace("_", " "), f"{households:,}")
    console.print(measures)


def whatif(
    db: DbOption, year: YearOption = None,
    level: Annotated[str, typer.Option(help="Level of the report.")] = "county",
    scorecard: ScorecardOption = None, guarantees: GuaranteesOption = None,
    causes: CausesOption = None, measures: MeasuresOption = None, lines: LinesOption = None,
    out: Annotated[Path | None, typer.Option(
        help="Also write the households that would change (.csv, .parquet, .xlsx).")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Replay changed rules (a scorecard, a line...) over the whole registry and report,
    per region, who would enter and who would leave. Official results are not touched."""
    from ..identification.runs import latest_year, whatif_households
    from ..identification.runs import whatif as whatif_run
    from ..intake.exports import check_table_output, write_table

    rules = _rules(scorecard, guarantees, causes, measures, lines)
    if out is not None:
        check_table_output(out, overwrite)
    with open_store(db, read_only=True) as store:
        year = year if year is not None else latest_year(store)
        report = whatif_run(store, rules, year, level)
        changed = whatif_households(store, rules, year) if out is not None else None
    band = rules.scorecard.bands[0].name
    view = RichTable(level, "households", "proposed poor: now → then (enter, leave)",
                     f"{band}: now → then (enter, leave)", title=f"What if, {year}")
    for r in report.to_pylist():
        view.add_row(f"{r['region_name'] or ''} {r['region_code']}", f"{r['households']:,}",
                     _change(r, "poor"), _change(r, "band1"))
    console.print(view)
    if out is not None and changed is not None:
        write_table(changed, out)
        console.print(f"Wrote {changed.num_rows:,} changed households to {out}")


def _change(row: dict[str, int], key: str) -> str:
    return (f"{row[f'{key}_official']:,} → {row[f'{key}_whatif']:,} "
            f"(+{row[f'{key}_entering']:,}, −{row[f'{key}_leaving']:,})")


def explain(
    db: DbOption,
    household: Annotated[int, typer.Option(help="Household number.")],
    year: YearOption = None, scorecard: ScorecardOption = None,
) -> None:
    """Why a household scored what it did: points per set and per indicator."""
    from ..identification.runs import explain as explain_household
    from ..identification.runs import latest_year

    rules = _rules(scorecard, None, None, None, None)
    with open_store(db, read_only=True) as store:
        year = year if year is not None else latest_year(store)
        why = explain_household(store, rules, household, year)
    ident = why["identification"]
    console.print(f"Household {household}, {year}: score [bold]{why['score']:g}[/] "
                  f"({why['band']}), proposal {ident['proposal']}, priority {ident['priority']}")
    view = RichTable("set / indicator", "points", "max", "levels (first that holds)")
    for s in why["sets"]:
        view.add_row(f"[bold]{s['label']} {s['set']}[/]", f"{s['points']:g}", f"{s['max']:g}", "")
        for i in s["indicators"]:
            levels = "; ".join(f"{p:g} if {w}" for w, p in i["levels"])
            view.add_row(f"  {i['label']} {i['indicator']}", f"{i['points']:g}",
                         f"{i['max']:g}", levels)
    console.print(view)
    for key in ("guarantees_detail", "primary_cause", "causes", "measures"):
        console.print(f"{key.replace('_', ' ')}: {ident[key] or '-'}")


@rules_app.command("check")
def check(
    scorecard: ScorecardOption = None, guarantees: GuaranteesOption = None,
    causes: CausesOption = None, measures: MeasuresOption = None, lines: LinesOption = None,
) -> None:
    """Load and check rule files (the shipped ones where not given); print their versions."""
    rules = _rules(scorecard, guarantees, causes, measures, lines)
    for kind, version in rules.versions().items():
        console.print(f"{kind:<10} {version}  [green]ok[/]")


@rules_app.command("evaluate-causes")
def evaluate_causes(
    db: DbOption, year: YearOption = None, causes: CausesOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
    wait: WaitOption = 0,
) -> None:
    """Measure cause rules against a synthetic province's ground truth: primary-cause
    accuracy and macro F1, over the households truly poor in the year."""
    import json

    from ..identification.causes import load_causes
    from ..identification.evaluation import evaluate_causes as evaluate
    from ..identification.runs import latest_year

    rules = load_causes(causes)
    with open_store(db, wait=wait) as store:
        year = year if year is not None else latest_year(store)
        scores = evaluate(store, rules, year)
    if json_out:
        console.print_json(json.dumps({
            "year": year, "rules": rules.label, "households": scores.households,
            "primary_accuracy": scores.primary_accuracy,
            "primary_macro_f1": scores.primary_macro_f1,
            "multilabel_macro_f1": scores.multilabel_macro_f1,
            "per_cause": {c: {"true_primaries": n, "f1": f}
                          for c, (n, f) in scores.per_cause.items()}}))
        return
    console.print(f"{rules.label} on {scores.households:,} truly poor households, {year}: "
                  f"primary-cause accuracy {scores.primary_accuracy:.3f}, primary macro F1 "
                  f"{scores.primary_macro_f1:.3f}, multi-label macro F1 "
                  f"{scores.multilabel_macro_f1:.3f}")
    view = RichTable("true primary cause", "households", "F1")
    for cause, (n, f1) in sorted(scores.per_cause.items(), key=lambda x: -x[1][0]):
        view.add_row(cause.replace("_", " "), f"{n:,}", f"{f1:.3f}")
    console.print(view)
