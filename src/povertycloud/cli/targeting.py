"""`povertycloud targeting features`, `fit-predict`, `evaluate` and `compare`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

if TYPE_CHECKING:
    from ..targeting.protocol import Assessment

from .common import (
    DbOption,
    ExportAsOption,
    OverwriteOption,
    console,
    open_store,
    parse_date,
    progress_bar,
)

targeting_app = typer.Typer(help="Model-based targeting where income is not verified.",
                            no_args_is_help=True)

CoverageOption = Annotated[float, typer.Option(
    help="Share of households the programme can cover (0 to 1): the poorest this share "
         "count as poor when models are compared.")]


IdOption = Annotated[str, typer.Option("--id", help="The id column of the tables.")]


@targeting_app.command("features")
def features(
    db: DbOption,
    year: Annotated[int, typer.Option(help="The survey year.")],
    out: Annotated[Path, typer.Option(help="Output table (.parquet or .csv).")],
    verified_as_of: Annotated[str | None, typer.Option(
        help="Add verified_income_per_capita: the income the latest field verification up "
             "to this day (YYYY-MM-DD), in the year or later, measured: the labels to learn "
             "from.")] = None,
    exported_as: ExportAsOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """One row per household surveyed in the year: what the registry and the department
    feeds hold about it (the survey without incomes, members, the head, shocks, earlier
    surveys, the village, vehicles, businesses, homes bought, taxed income, public posts,
    medical claims, disaster losses), for fit-predict (with --verified-as-of, give the
    same file as --train and --predict and --welfare verified_income_per_capita). Health
    columns only with --as a user who may unmask (audited)."""
    from ..access import audit
    from ..intake.exports import check_output
    from ..targeting.io import write_table
    from ..targeting.registry import HEALTH, registry_features, with_verified_income

    check_output(out, overwrite)
    day = parse_date(verified_as_of) if verified_as_of else None
    with open_store(db, read_only=exported_as is None) as store:
        reader = audit.exporter(store, exported_as, "") if exported_as else None
        with console.status(f"Building the features of {year}..."):
            table = registry_features(store, year, health=reader is not None)
            if day is not None:
                table, fingerprint, labelled = with_verified_income(store, table, year, day)
                console.print(f"{labelled:,} households with an income verified up to "
                              f"{day} (verified set {fingerprint[:12]})")
        if reader is not None:
            audit.exported(store, reader, "targeting features", "the whole store",
                           table.num_rows)
    write_table(table, out, overwrite=overwrite)
    console.print(f"Wrote {table.num_rows:,} households × {table.num_columns - 1} features "
                  f"to {out}")
    if reader is None:
        console.print(f"Left out (health): {', '.join(HEALTH)}. To include them, add --as "
                      "USER (a user who may unmask; audited).", highlight=False,
                      soft_wrap=True)


@targeting_app.command("fit-predict")
def fit_predict(
    train: Annotated[Path, typer.Option(help="Labelled table T (.parquet or .csv).")],
    predict: Annotated[Path, typer.Option(help="Table P to predict (.parquet or .csv).")],
    welfare: Annotated[str, typer.Option(help="The welfare column of T.")],
    id: Annotated[str, typer.Option("--id", help="The id column of both tables.")],
    out: Annotated[Path, typer.Option(help="Output: id and predicted_welfare.")],
    coverage: CoverageOption = 0.2,
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    report: Annotated[Path | None, typer.Option(
        help="Also write the cross-validation report as JSON.")] = None,
    model: Annotated[list[str] | None, typer.Option(
        help="Only this candidate (repeat): ols, quantile, gbm. Default: all, the best "
             "chosen by cross-validation.")] = None,
    reasons: Annotated[bool, typer.Option(
        help="Add the columns `reasons` (the inputs that lower each household's predicted "
             "welfare most) and `pulls` (every input's pull, JSON) for compare.")] = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Learn welfare from every other column of T (OLS proxy-means test, quantile
    regression and gradient boosting, chosen by cross-validation) and write
    `predicted_welfare` for every row of P."""
    from ..intake.exports import check_output
    from ..targeting import fit_predict as run
    from ..targeting.io import read_table, write_table

    for path in (out, report):
        if path is not None:
            check_output(path, overwrite)
    with console.status("Cross-validating the candidate models..."):
        table, result = run(read_table(train), read_table(predict), welfare, id, coverage,
                            folds, seed, candidates=model, reasons=reasons)
    write_table(table, out, overwrite=overwrite)
    view = RichTable("model", "exclusion error", "precision", "AUC", "Spearman ρ",
                     title=f"Cross-validation on T ({result.train_rows:,} rows, "
                           f"{folds} folds, coverage {coverage:.0%})")
    for name, m in result.cv.items():
        mark = " (chosen)" if name == result.chosen else ""
        view.add_row(name + mark, f"{m.exclusion_error:.3f}", f"{m.precision:.3f}",
                     f"{m.auc:.3f}", f"{m.spearman:.3f}")
    console.print(view)
    if report is not None:
        report.write_text(json.dumps(result.as_dict(), indent=2), encoding="utf-8")
    console.print(f"Wrote {table.num_rows:,} predictions to {out} with {result.chosen}")


@targeting_app.command("evaluate")
def evaluate(
    truth: Annotated[Path, typer.Option(help="Table of true welfare (.parquet or .csv).")],
    pred: Annotated[Path, typer.Option(help="Table of predicted_welfare, as fit-predict "
                                             "writes it.")],
    coverage: CoverageOption,
    welfare: Annotated[str, typer.Option(help="The welfare column of the truth table.")]
    = "welfare",
    id: IdOption = "id",
    baseline: Annotated[Path | None, typer.Option(
        help="Predictions of a baseline (the OLS proxy-means test): the relative cut in "
             "exclusion error against it, with a paired interval.")] = None,
    group: Annotated[list[str] | None, typer.Option(
        help="A column to break errors down by (repeat: head_ethnicity, head_sex, "
             "terrain...).")] = None,
    groups_from: Annotated[Path | None, typer.Option(
        help="The table holding the --group columns (default: the truth table), e.g. "
             "the features.")] = None,
    bootstrap: Annotated[int, typer.Option(
        min=0, help="Bootstrap draws for the 95 % intervals (0: none).")] = 1000,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the metrics to this JSON file.")] = None,
) -> None:
    """The evaluation protocol: the poorest share `coverage` by the truth against the
    poorest share by the prediction; inclusion and exclusion error, precision, recall,
    accuracy, AUC and Spearman ρ with bootstrapped intervals, the cut against a baseline
    and the errors by group, as tables and as JSON."""
    from ..targeting.io import read_table
    from ..targeting.scoring import assess_tables

    with progress_bar() as bar:
        task = bar.add_task("Bootstrapping", total=bootstrap or None)
        result = assess_tables(
            read_table(truth), read_table(pred), welfare, id, coverage,
            baseline=read_table(baseline) if baseline else None, groups=group or (),
            groups_from=read_table(groups_from) if groups_from else None, draws=bootstrap,
            progress=lambda done: bar.update(task, completed=done))
    _render(result)
    text = json.dumps(result.as_dict(), indent=2, allow_nan=False)
    console.print_json(text)
    if json_out is not None:
        json_out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {json_out}")


def _render(result: Assessment) -> None:
    view = RichTable("metric", "value", "95 % interval",
                     title=f"Evaluation at coverage {result.metrics.coverage:.1%} "
                           f"({result.draws:,} bootstrap draws)")
    for key, value in result.metrics.as_dict().items():
        interval = result.intervals.get(key)
        view.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int)
                     else f"{value:.4f}",
                     f"{interval.low:.4f} – {interval.high:.4f}" if interval else "")
    if result.baseline is not None and result.exclusion_cut is not None:
        span = result.cut_interval
        view.add_row("baseline exclusion error", f"{result.baseline.exclusion_error:.4f}", "")
        view.add_row("cut in exclusion error", f"{result.exclusion_cut:+.1%}",
                     f"{span.low:+.1%} – {span.high:+.1%}" if span else "")
    console.print(view)
    if result.groups:
        groups = RichTable("group", "value", "households", "poor", "targeted",
                           "exclusion error", "95 % interval", "inclusion error",
                           title="Errors by group")
        for g in result.groups:
            span = g.exclusion_interval
            groups.add_row(g.column, g.value, f"{g.households:,}", f"{g.poor:,}",
                           f"{g.targeted:,}", f"{g.exclusion_error:.3f}",
                           f"{span.low:.3f} – {span.high:.3f}" if span else "",
                           f"{g.inclusion_error:.3f}")
        console.print(groups)


@targeting_app.command("compare")
def compare(
    a: Annotated[Path, typer.Option(help="Predictions of version A (fit-predict's output).")],
    b: Annotated[Path, typer.Option(help="Predictions of version B, of the same households.")],
    coverage: CoverageOption = 0.2,
    id: IdOption = "id",
    out: Annotated[Path | None, typer.Option(
        help="Also write each household that changed decision (.csv or .parquet).")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """How many households change decision (targeted or not) between two model versions
    on the same households, and each change explained: its rank under each version and,
    when both were written with fit-predict --reasons, the inputs whose pull moved."""
    from ..intake.exports import check_output
    from ..targeting.io import read_table, write_table
    from ..targeting.stability import decision_changes

    if out is not None:
        check_output(out, overwrite)
    result = decision_changes(read_table(a), read_table(b), id, coverage)
    summary = RichTable("decision", "households", title=f"A against B at coverage "
                                                        f"{coverage:.0%}")
    for key, value in result.summary().items():
        if key not in ("coverage", "changed_share"):
            summary.add_row(key.replace("_", " "), f"{value:,}")
    console.print(summary)
    console.print(f"{result.changed_share:.2%} of households changed decision")
    changes = RichTable(id, "decision", "rank A", "rank B", "why (pull A → B)",
                        title="Changes (the first 20; rank: share of households poorer)")
    for row in result.changes.slice(0, 20).to_pylist():
        changes.add_row(str(row[id]), row["decision"], f"{row['rank_a']:.3f}",
                        f"{row['rank_b']:.3f}", row.get("explanation") or "")
    console.print(changes)
    if out is not None:
        write_table(result.changes, out, overwrite=overwrite)
        console.print(f"Wrote {result.changes.num_rows:,} changes to {out}")
