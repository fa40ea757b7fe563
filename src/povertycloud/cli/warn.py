"""`povertycloud warn`: relapse early warning, evaluated, scored and listed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from .common import DbOption, WaitOption, console, keys, open_store, prefix_of

warn_app = typer.Typer(help="Relapse early warning: who may fall below the line next year.",
                       no_args_is_help=True)
RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="A warning rule file (default: the shipped rules/warning.yaml).")]


@warn_app.command("evaluate")
def evaluate_command(
    db: DbOption,
    test_year: Annotated[list[int] | None, typer.Option(
        "--test-year", help="An origin year to test on (repeat for more; default: the "
                            "rules' last test years). The model learns from the years "
                            "before the first.")] = None,
    rules: RulesOption = None,
) -> None:
    """Train on early years and compare the model with the rules' baseline on later
    ones: AUC, and recall at the monitoring capacity, per test year."""
    from ..dynamic.warning import evaluate, load_warning

    loaded = load_warning(rules)
    with open_store(db, read_only=True) as store, console.status("Training and testing..."):
        result = evaluate(store, loaded, test_years=test_year)
    scope = f"{loaded.capacity_share:.0%} of each {loaded.capacity_scope}"
    table = RichTable("origin → next", "households", "falls", "listed", "AUC model",
                      "AUC baseline", "recall model", "recall baseline", "flagged by rules",
                      title=f"{result.model}: trained on {_span(result.train_years)} "
                            f"({result.train_households:,} households × years); "
                            f"capacity {scope}")
    for y in result.years:
        table.add_row(f"{y.year} → {y.year + 1}", f"{y.households:,}", f"{y.falls:,}",
                      f"{y.capacity:,}", _fig(y.model_auc), _fig(y.baseline_auc),
                      _fig(y.model_recall), _fig(y.baseline_recall),
                      f"{y.baseline_flagged:,} (recall {_fig(y.baseline_flagged_recall)})")
    console.print(table)
    console.print(f"Training {result.fit_seconds:.1f} s, scoring the test years "
                  f"{result.score_seconds:.1f} s")


@warn_app.command("score")
def score_command(
    db: DbOption,
    year: Annotated[int | None, typer.Option(
        help="The origin year to score (default: the latest survey year); the model "
             "learns from every labelled year before it.")] = None,
    rules: RulesOption = None,
    wait: WaitOption = 0,
) -> None:
    """Score the households at or above the line in a year by their risk of falling
    below it the next year, with reasons, and write relapse_risk with each village's
    monitoring list."""
    from ..dynamic.warning import load_warning, score

    loaded = load_warning(rules)
    with open_store(db, wait=wait) as store, console.status("Training and scoring..."):
        done = score(store, loaded, year=year)
    console.print(f"Scored {done.households:,} households of {done.year} (risk of falling "
                  f"below the line in {done.year + 1}) with {done.model}, trained on "
                  f"{_span(done.train_years)}; {done.listed:,} on the monitoring lists of "
                  f"{done.villages:,} villages ({done.seconds:.1f} s)")


@warn_app.command("list")
def list_command(
    db: DbOption,
    region: Annotated[str, typer.Option(
        help="Villages whose code starts with this (default: all).")] = "",
    year: Annotated[int | None, typer.Option(
        help="The origin year scored (default: the latest).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many households.")] = 500,
    health_as: Annotated[str | None, typer.Option(
        "--health-as", help="Show the health reasons, as this user (who may unmask; the "
                            "read is audited). Hidden otherwise.")] = None,
                            wait: WaitOption = 0,
) -> None:
    """The monitoring list: the households each village should watch, riskiest first."""
    from ..access.accounts import user_named
    from ..dynamic.monitoring import monitoring_for
    from ..dynamic.warning import WarningError, scored_years

    with open_store(db, read_only=health_as is None, wait=wait) as store:
        if not scored_years(store):
            raise WarningError(f"no scores yet: run `povertycloud warn score --db {db}` first")
        reader = user_named(store, health_as) if health_as else None
        if reader is not None and not reader.may("unmask"):
            raise WarningError(f"{reader.username} ({reader.role}) may not see health details")
        rows = monitoring_for(store, region or "all", prefix_of(region), reader, year, limit,
                              via=" (command line)")
    table = keys(RichTable("village", "name", "rank", "household", "risk", "status",
                           "reasons", title=f"Monitoring list ({len(rows):,} households)"),
                 "village", "household")
    for r in rows:
        table.add_row(r["village_code"], r["village_name"] or "",
                      str(r["rank_in_village"]), str(r["household_id"]), f"{r['risk']:.3f}",
                      r["registration_status"], ", ".join(r["reasons"]))
    console.print(table)


LevelOption = Annotated[str, typer.Option(
    help="Sum per village, township, county, prefecture or province.")]


@warn_app.command("forecast")
def forecast_command(
    db: DbOption, level: LevelOption = "county",
    region: Annotated[str, typer.Option(help="Only regions under this code.")] = "",
    year: Annotated[int | None, typer.Option(
        help="The origin year scored (default: the latest).")] = None,
    check_year: Annotated[int | None, typer.Option(
        "--check", help="Instead, check the forecast out of sample: train before this "
                        "past year and compare each region's sum with the falls that "
                        "followed.")] = None,
    rules: RulesOption = None,
) -> None:
    """Where poverty will be next year: per region, the expected number of households
    falling below the line (the sum of the warning scores) with its 95% interval, beside
    the households below it now."""
    from ..dynamic import forecast

    with open_store(db, read_only=True) as store:
        if check_year is not None:
            from ..dynamic.warning import load_warning

            done = forecast.check(store, check_year, level, load_warning(rules))
            _print_check(done)
            return
        table = forecast.forecast(store, level, prefix_of(region), year)
    view = keys(RichTable(level, "name", "households scored", "below the line now",
                          "expected to fall next year (95%)",
                          title=f"Where poverty will be next year ({level})"), level)
    for r in table.to_pylist():
        view.add_row(r["region_code"], r["region_name"] or "", f"{r['households']:,}",
                     f"{r['below_now']:,}",
                     f"{r['expected_falls']:,.1f} ({r['low']:,.1f}–{r['high']:,.1f})")
    console.print(view)


def _print_check(done: Any) -> None:
    view = RichTable(done.level, "households", "expected (95%)", "fell",
                     title=f"Forecast of {done.year} → {done.year + 1}, out of sample")
    for r in done.table.to_pylist()[:50]:
        view.add_row(r["region_code"], f"{r['households']:,}",
                     f"{r['expected']:,.1f} ({r['low']:,.1f}–{r['high']:,.1f})",
                     f"{r['fell']:,}")
    console.print(view)
    console.print(f"{done.regions:,} regions: {done.expected:,.0f} expected, {done.fell:,} "
                  f"fell; the fall inside the 95% interval in {done.covered:.0%} of them; "
                  f"mean absolute error {done.mean_abs_error:,.1f} households a region")


def _fig(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _span(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
