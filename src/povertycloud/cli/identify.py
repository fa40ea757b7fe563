"""`povertycloud identify`, `whatif`, `explain` and `rules`: identification from the CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    EngineOption,
    OverwriteOption,
    WaitOption,
    console,
    open_store,
    parse_date,
    prefix_of,
    progress_bar,
)

if TYPE_CHECKING:
    from ..identification.cause_model import CauseModel
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
CauseModelOption = Annotated[Path | None, typer.Option(
    "--cause-model", help="A cause model (`rules train-causes`): it decides the causes "
                          "where it beat the rules out of sample.")]


def _rules(scorecard: Path | None, guarantees: Path | None, causes: Path | None,
           measures: Path | None, lines: Path | None) -> Rules:
    from ..identification.plan import load_rules

    return load_rules(scorecard, guarantees, causes, measures, lines)


def identify(
    db: DbOption, year: YearOption = None, engine: EngineOption = "duckdb",
    scorecard: ScorecardOption = None, guarantees: GuaranteesOption = None,
    causes: CausesOption = None, measures: MeasuresOption = None, lines: LinesOption = None,
    cause_model: CauseModelOption = None, wait: WaitOption = 0,
) -> None:
    """Identify every household of a survey year: income test, guarantees, scorecard,
    causes, recommended measures and priority, stored with the rule versions used.
    Rule files default to the shipped ones."""
    from ..engines import check_engine
    from ..identification.cause_model import load_cause_model
    from ..identification.runs import identify as identify_run
    from ..identification.runs import latest_year

    rules = _rules(scorecard, guarantees, causes, measures, lines)  # errors before any work
    model = load_cause_model(cause_model) if cause_model is not None else None
    check_engine(engine)
    started = time.perf_counter()
    with open_store(db, wait=wait) as store:
        year = year if year is not None else latest_year(store)
        with progress_bar() as bar:
            task = bar.add_task(f"Identifying {year} on {engine}", total=None)
            counts = identify_run(store, rules, year, engine,
                                  lambda s: bar.update(task, description=f"Identifying: {s}"),
                                  model)
            bar.update(task, description=f"Identified {year}", total=1, completed=1)
        print_summary(store, year)
    console.print(f"{counts['identification']:,} households identified in "
                  f"{time.perf_counter() - started:.1f} s with:")
    for kind, version in rules.versions().items():
        console.print(f"  {kind:<10} {version}")
    if model is not None:
        console.print(f"  {'cause model':<10} {model.label}: {_decides(model)}")


def _decides(model: CauseModel) -> str:
    flags = ", ".join(model.flags) or "none"
    return (f"decides the primary cause{'' if model.decides_primary else ' (no: the rules)'}"
            f" and the presence of: {flags}; the rules the rest")


def print_summary(store: Store, year: int) -> None:
    from ..identification.runs import summary

    data = summary(store, year)
    sources = ", ".join(f"{n:,} from the {s}" for s, n in data["cause_source"])
    proposals = RichTable("proposal", "households", "people", title=f"Identification {year}")
    for name, households, people in data["proposal"]:
        proposals.add_row(name, f"{households:,}", f"{people:,}")
    console.print(proposals)
    bands = RichTable("band", "households", "mean score", title="Scorecard")
    for name, households, mean in data["band"]:
        bands.add_row(name, f"{households:,}", f"{mean:.1f}")
    console.print(bands)
    causes = RichTable("primary cause", "households",
                       title=f"Causes (poor and at risk; {sources or 'none'})")
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
    if ident.get("cause_source") == "model":
        console.print(f"primary cause from: the model (confidence "
                      f"{ident['cause_confidence']:.0%}; its main reasons: "
                      f"{(ident['cause_reasons'] or '-').replace(';', ', ')})")
    elif ident.get("cause_source"):
        console.print("primary cause from: the rules")


@rules_app.command("check")
def check(
    scorecard: ScorecardOption = None, guarantees: GuaranteesOption = None,
    causes: CausesOption = None, measures: MeasuresOption = None, lines: LinesOption = None,
    cause_model: CauseModelOption = None,
) -> None:
    """Load and check rule files (the shipped ones where not given) and a cause model;
    print their versions."""
    from ..identification.cause_model import load_cause_model

    rules = _rules(scorecard, guarantees, causes, measures, lines)
    for kind, version in rules.versions().items():
        console.print(f"{kind:<10} {version}  [green]ok[/]")
    if cause_model is not None:
        model = load_cause_model(cause_model)
        model.check_rules(rules.versions()["causes"])
        console.print(f"{'cause model':<10} {model.label}  [green]ok[/]: {_decides(model)}")


@rules_app.command("train-causes")
def train_causes(
    db: DbOption,
    as_of: Annotated[str, typer.Option("--as-of", help="The day (YYYY-MM-DD): the model "
                                                       "learns from each household's latest "
                                                       "verification by then.")],
    out: Annotated[Path, typer.Option(help="The model file to write (JSON).")],
    year: Annotated[int | None, typer.Option(
        help="The survey year the verifications check (default: the latest before the "
             "day's year).")] = None,
    region: Annotated[str, typer.Option(help="Only households under this code.")] = "",
    causes: CausesOption = None, overwrite: OverwriteOption = False, wait: WaitOption = 0,
) -> None:
    """Train a model of the causes of poverty on the field-verified households, chosen
    and checked by cross-validation against the cause rules: it will decide the primary
    cause and each cause's presence only where it beat them. Use it with `identify
    --cause-model`."""
    from ..identification.cause_training import train_causes as train

    if out.exists() and not overwrite:
        raise typer.BadParameter(f"{out} exists; pass --overwrite to replace it")
    rules = _rules(None, None, causes, None, None)
    with open_store(db, read_only=True, wait=wait) as store, progress_bar() as bar:
        bar.add_task("Training the cause model (cross-validated)", total=None)
        done = train(store, rules, parse_date(as_of), out, year, prefix_of(region))
    v = done.validation
    console.print(f"Trained on {done.verified:,} verified poor households of {done.year} "
                  f"({done.skipped:,} other verifications not used); {v['folds']}-fold "
                  f"cross-validation, LightGBM {v['params']}")
    view = RichTable("out of sample", "model", "rules", title="Primary cause")
    for key in ("accuracy", "macro_f1"):
        view.add_row(key.replace("_", " "), f"{v['primary'][f'model_{key}']:.3f}",
                     f"{v['primary'][f'rules_{key}']:.3f}")
    console.print(view)
    flags = RichTable("cause", "verified", "F1 model", "F1 rules", "decided by",
                      title="Each cause's presence")
    for cause, f in v["flags"].items():
        flags.add_row(cause.replace("_", " "), f"{f['verified']:,}", f"{f['model_f1']:.3f}",
                      f"{f['rules_f1']:.3f}", "model" if cause in done.model.flags else "rules")
    console.print(flags)
    groups = RichTable("group", "verified", "accuracy model", "accuracy rules",
                       title="Primary cause by group (out of fold)")
    for name, values in v["groups"].items():
        for value, g in values.items():
            groups.add_row(f"{name.replace('_', ' ')}: {value}", f"{g['households']:,}",
                           f"{g['model_accuracy']:.3f}", f"{g['rules_accuracy']:.3f}")
    console.print(groups)
    if done.model.unlearned:
        console.print(f"Too rare to learn (left to the rules): {', '.join(done.model.unlearned)}")
    console.print(f"Wrote {out}: {done.model.label}; {_decides(done.model)}")


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


@rules_app.command("compare-causes")
def compare_causes(
    db: DbOption,
    first: Annotated[Path, typer.Argument(help="The cause model in use (JSON).")],
    second: Annotated[Path, typer.Argument(help="The new cause model (JSON).")],
    year: YearOption = None, causes: CausesOption = None,
    out: Annotated[Path | None, typer.Option(
        help="Also write every change (.csv, .parquet, .xlsx).")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """How many households would change primary cause between two cause models on the
    same registry and rules, each change with what each model said and why. Nothing is
    kept."""
    from ..identification.cause_model import load_cause_model
    from ..identification.runs import latest_year
    from ..identification.stability import changes
    from ..intake.exports import check_table_output, write_table

    rules = _rules(None, None, causes, None, None)
    models = load_cause_model(first), load_cause_model(second)
    if out is not None:
        check_table_output(out, overwrite)
    with open_store(db, read_only=True) as store:
        year = year if year is not None else latest_year(store)
        found = changes(store, rules, year, *models)
    view = RichTable("household", "first: cause (source, confidence)",
                     "second: cause (source, confidence)", "second's reasons",
                     title=f"Primary causes that change, {year} (the first 50)")
    for r in found.table.to_pylist()[:50]:
        view.add_row(str(r["household_id"]), _said(r, "first"), _said(r, "second"),
                     (r["cause_reasons_second"] or "-").replace(";", ", "))
    console.print(view)
    share = found.table.num_rows / found.helped if found.helped else 0.0
    console.print(f"{found.table.num_rows:,} of {found.helped:,} households poor or at "
                  f"risk change primary cause ({share:.1%}) from {models[0].label} to "
                  f"{models[1].label}")
    if out is not None:
        write_table(found.table, out)
        console.print(f"Wrote {out}")


def _said(row: dict[str, Any], which: str) -> str:
    confidence = row[f"cause_confidence_{which}"]
    return (f"{row[f'primary_cause_{which}'] or '-'} ({row[f'cause_source_{which}']}"
            + (f", {confidence:.0%})" if confidence is not None else ")"))
