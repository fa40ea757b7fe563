"""`povertycloud targeting fit-predict` and `evaluate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from .common import OverwriteOption, console

targeting_app = typer.Typer(help="Model-based targeting where income is not verified.",
                            no_args_is_help=True)

CoverageOption = Annotated[float, typer.Option(
    help="Share of households the programme can cover (0 to 1): the poorest this share "
         "count as poor when models are compared.")]


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
                            folds, seed)
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
    id: Annotated[str, typer.Option("--id", help="The id column of both tables.")] = "id",
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the metrics to this JSON file.")] = None,
) -> None:
    """The evaluation protocol: the poorest share `coverage` by the truth against the
    poorest share by the prediction; inclusion and exclusion error, precision, recall,
    accuracy, AUC and Spearman ρ, as a table and as JSON."""
    import pyarrow as pa

    from ..targeting import TargetingError
    from ..targeting import evaluate as score
    from ..targeting.io import read_table

    truth_table, pred_table = read_table(truth), read_table(pred)
    for label, table, column in (("truth", truth_table, welfare),
                                 ("prediction", pred_table, "predicted_welfare")):
        for name in (id, column):
            if name not in table.column_names:
                raise TargetingError(f"the {label} table has no column {name!r}")
    joined = truth_table.select([id, welfare]).join(
        pred_table.select([id, "predicted_welfare"]), id, join_type="inner")
    if joined.num_rows < truth_table.num_rows:
        raise TargetingError(f"{truth_table.num_rows - joined.num_rows:,} id(s) of the truth "
                             "have no prediction")
    metrics = score(joined.column(welfare).to_numpy(),
                    pa.compute.cast(joined.column("predicted_welfare"), pa.float64()).to_numpy(),
                    coverage)
    view = RichTable("metric", "value", title=f"Evaluation at coverage {coverage:.1%}")
    for key, value in metrics.as_dict().items():
        view.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int)
                     else f"{value:.4f}")
    console.print(view)
    text = json.dumps(metrics.as_dict(), indent=2)
    console.print_json(text)
    if json_out is not None:
        json_out.write_text(text, encoding="utf-8")
