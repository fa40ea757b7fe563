"""`povertycloud assess`: a county's third-party assessment — the sample design, the draw,
the assessors' kit (XLSForm), the import of their returns, and the rates (三率一度) with
their intervals, which the exit criteria of villages and counties then use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from .common import (
    DbOption,
    OverwriteOption,
    WaitOption,
    acting_user,
    console,
    keys,
    open_store,
    parse_date,
    prefix_of,
)

assess_app = typer.Typer(help="Third-party assessment (第三方评估): sample design, draw, the "
                              "assessors' XLSForm, returns, the rates with intervals. See "
                              "docs/assessment.md.", no_args_is_help=True)
AsOption = Annotated[str, typer.Option("--as", help="The user who acts.")]
AssessmentArgument = Annotated[int, typer.Argument(help="The assessment's id.")]
RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="An assessment rule file (default: the shipped rules/assessment.yaml).")]
PERCENT = "{:.2f}"


@assess_app.command("design")
def design_command(
    db: DbOption, as_: AsOption,
    county: Annotated[str, typer.Option(help="The county assessed.")],
    as_of: Annotated[str, typer.Option("--as-of", help="The frame's day, YYYY-MM-DD: the "
                                                       "registry and statuses of then.")],
    seed: Annotated[int, typer.Option(help="The draw's random seed.")] = 1,
    rules: RulesOption = None, wait: WaitOption = 0,
) -> None:
    """Design a county's sample: villages per stratum, households per group, from the
    margins the rules want; prints the design and its id."""
    from ..assessment.design import design_of, make_design
    from ..assessment.rules import load_assessment_rules

    loaded = load_assessment_rules(rules)
    with open_store(db, wait=wait) as store:
        user = acting_user(store, as_, "assess", "design assessments (officers do)")
        assessment = make_design(store, loaded, county, parse_date(as_of), seed, user)
        design = design_of(store, assessment)
    sizes = design["sizes"]
    console.print(f"Assessment {assessment}: {county}, frame of {as_of} "
                  f"({design['frame_households']:,} households, survey {design['survey_year']},"
                  f" version {design['frame_version'][:12]}), seed {seed}")
    table = RichTable("group", "households needed", "from each village drawn")
    for group, n in sizes.needed.items():
        table.add_row(group, f"{n:,}", str(sizes.per_village[group]))
    console.print(table)
    strata = RichTable("stratum", "villages drawn")
    for stratum, n in sizes.villages.items():
        strata.add_row(stratum, str(n))
    console.print(strata)
    console.print(f"Next: povertycloud assess draw {assessment} --assessor NAME ...")


@assess_app.command("draw")
def draw_command(
    db: DbOption, as_: AsOption, assessment: AssessmentArgument,
    assessor: Annotated[list[str], typer.Option(help="An assessor (again for each): the "
                                                     "villages are shared among them.")],
    wait: WaitOption = 0,
) -> None:
    """Draw the designed sample (reproducible from the design's seed; refused when the
    frame changed since the design)."""
    from ..assessment.draw import draw_sample, sample_villages

    with open_store(db, wait=wait) as store:
        user = acting_user(store, as_, "assess", "draw assessments (officers do)")
        drawn = draw_sample(store, assessment, assessor, user)
        villages = sample_villages(store, assessment)
    console.print(f"Assessment {assessment}: {drawn:,} households drawn in {len(villages)} "
                  f"villages. Next: povertycloud assess xlsform {assessment} --out kit/")


@assess_app.command("xlsform")
def xlsform_command(
    db: DbOption, assessment: AssessmentArgument,
    out: Annotated[Path, typer.Option(help="The folder the kit is written to.")],
    rules: RulesOption = None, overwrite: OverwriteOption = False,
) -> None:
    """Write the assessors' kit: the questionnaire as an XLSForm (ODK Collect,
    KoboToolbox), its media file of the drawn households, and the assignments."""
    from ..assessment.rules import load_assessment_rules
    from ..assessment.xlsform import write_kit

    with open_store(db, read_only=True) as store:
        paths = write_kit(store, load_assessment_rules(rules), assessment, out, overwrite)
    for path in paths:
        console.print(f"Wrote {path}")
    console.print("Load the form and households.csv (its media file) into ODK Central or "
                  "KoboToolbox; give each assessor their part of assignments.csv.")


@assess_app.command("import")
def import_command(
    db: DbOption, as_: AsOption,
    file: Annotated[Path, typer.Argument(help="The returns: the form's export (CSV, Excel, "
                                              "JSON or Parquet).")],
    assessment: Annotated[int, typer.Option(help="The assessment they are of.")],
    rules: RulesOption = None, wait: WaitOption = 0,
) -> None:
    """Import the assessors' returns, whole or not at all, and estimate the rates again."""
    from ..assessment.returns import import_returns
    from ..assessment.rules import load_assessment_rules

    loaded = load_assessment_rules(rules)
    with open_store(db, wait=wait) as store:
        user = acting_user(store, as_, "assess_returns",
                           "enter assessment returns (the third party's assessors do)")
        done = import_returns(store, loaded, assessment, file, user)
    if not done.new:
        console.print(f"{file} was imported before ({done.returns:,} returns): nothing "
                      "changed")
        return
    console.print(f"Imported {done.returns:,} returns into assessment {assessment}. "
                  f"Next: povertycloud assess rates {assessment}")


@assess_app.command("rates")
def rates_command(
    db: DbOption, assessment: AssessmentArgument,
    level: Annotated[str, typer.Option(help="county, township or village.")] = "county",
    region: Annotated[str, typer.Option(help="Only regions under this code.")] = "",
    export: Annotated[Path | None, typer.Option(help="Also write them to this .csv or "
                                                     ".xlsx file.")] = None,
) -> None:
    """The rates of an assessment with their intervals, by region, as estimated from the
    returns so far."""
    from ..assessment.report import rates_table, write_rates

    with open_store(db, read_only=True) as store:
        rows = rates_table(store, assessment, level, prefix_of(region))
    table = keys(RichTable("region", "name", "rate", "estimate %", "interval %", "sampled",
                           "limit", title=f"Assessment {assessment}, by {level}"), "region")
    for r in rows:
        value = "—" if r["estimate"] is None else PERCENT.format(100 * r["estimate"])
        interval = "" if r["ci_low"] is None else \
            f"{100 * r['ci_low']:.2f}–{100 * r['ci_high']:.2f}"
        table.add_row(r["region_code"], r["region_name"] or "", r["rate"], value, interval,
                      f"{r['sampled']:,}", r["limit"] or "")
    console.print(table)
    if export is not None:
        write_rates(rows, export)
        console.print(f"Wrote {export}")


@assess_app.command("list")
def list_command(
    db: DbOption,
    region: Annotated[str, typer.Option(help="Only counties under this code.")] = "",
) -> None:
    """The assessments, the latest first, with their progress."""
    from ..assessment.design import designs

    with open_store(db, read_only=True) as store:
        rows = designs(store, prefix_of(region))
    table = keys(RichTable("id", "county", "frame of", "status", "sampled", "returned",
                           "by"), "id", "county")
    for r in rows:
        table.add_row(str(r["assessment_id"]), f"{r['county_code']} {r['county_name'] or ''}",
                      str(r["as_of"]), r["status"], f"{r['sampled']:,}", f"{r['returned']:,}",
                      r["made_by"])
    console.print(table)


@assess_app.command("synth")
def synth_command(
    db: DbOption, assessment: AssessmentArgument,
    returns: Annotated[Path, typer.Option(help="The synthetic returns file to write (CSV).")],
    assessor_error: Annotated[float, typer.Option(
        min=0, max=1, help="The share of verdicts the assessors get wrong.")] = 0.02,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
) -> None:
    """For a synthetic province: the truth of the assessed county (truth_assessment) and
    the assessors' returns for the drawn sample, to import with `assess import`."""
    from ..assessment.design import design_of
    from ..synth.assessment import AssessmentConfig, true_rates, write_returns, write_truth

    config = AssessmentConfig(seed=seed, assessor_error=assessor_error)
    with open_store(db) as store:
        design = design_of(store, assessment)
        write_truth(store, design["county_code"], design["as_of"], config)
        count = write_returns(store, assessment, returns, config)
        truth = true_rates(store, design["county_code"])
    console.print(f"Wrote {count:,} synthetic returns to {returns}; the county's true rates: "
                  + ", ".join(f"{k} {100 * v:.2f} %" for k, v in truth.items()))


@assess_app.command("evaluate")
def evaluate_command(
    db: DbOption,
    region: Annotated[str, typer.Argument(help="The village or county whose exit is judged.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The day judged (YYYY-MM-DD); default 31 December of the latest "
                        "identified year.")] = None,
    year: Annotated[int | None, typer.Option(
        help="The identification whose criteria are judged; default the latest.")] = None,
    weights: Annotated[list[Path] | None, typer.Option(
        help="Replay with these weights too (a file like rules/exit_evaluation.yaml; again "
             "for each).")] = None,
) -> None:
    """The multi-party evaluation of a village's or county's exit: each party's score
    (households, villagers, project supervisors, the third party, departments) and the
    combined result under the weights in force, replayed under any other --weights."""
    import datetime as dt

    from ..assessment.evaluation import evaluate, load_weights
    from ..identification.runs import latest_identified

    sets = [load_weights(), *(load_weights(w) for w in weights or [])]
    with open_store(db, read_only=True) as store:
        year = year if year is not None else latest_identified(store)
        if year is None:
            raise typer.BadParameter("no identification yet: run `povertycloud identify`")
        day = parse_date(as_of) if as_of else dt.date(year, 12, 31)
        found = evaluate(store, region, day, year, sets)
    first = found["results"][0]
    table = RichTable("party", "score", "source", "basis", "note",
                      *(f"weight {r['weights']}" for r in found["results"]),
                      title=f"Exit evaluation of {region} as of {day}")
    for k, part in enumerate(first["parts"]):
        score = "—" if part["score"] is None else f"{part['score']:.1f}"
        table.add_row(part["party"], score, part["source"], f"{part['basis']:,}", part["note"],
                      *(f"{r['parts'][k]['weight_used']:.2f}" for r in found["results"]))
    table.add_row("combined", "", "", "", "", *(
        "—" if r["score"] is None else f"{r['score']:.1f} "
        f"{ {True: 'pass', False: 'FAIL', None: 'incomplete'}[r['passed']]} (≥ {r['pass']:g})"
        for r in found["results"]))
    console.print(table)
    for r in found["results"]:
        if r["note"]:
            console.print(f"{r['weights']}: {r['note']}", highlight=False)


LevelOption = Annotated[str, typer.Option(help="county or township.")]
YearOption = Annotated[int, typer.Option(help="The year, as of its 31 December.")]
RegionOption = Annotated[str, typer.Option(help="Only regions under this code.")]


@assess_app.command("indicators")
def indicators_command(
    db: DbOption, year: YearOption, level: LevelOption = "county", region: RegionOption = "",
    export: Annotated[Path | None, typer.Option(help="Also write them to this .csv or "
                                                     ".xlsx file.")] = None,
) -> None:
    """Performance indicators of each county or township for a year, from the data:
    identification accuracy, conflict-free households, days to update the list, income
    growth, funds spent and on time, measures delivered, complaints answered in time,
    cadres on schedule (— where a region has no data)."""
    from ..assessment.indicators import INDICATORS, indicators
    from ..assessment.report import write_rates

    with open_store(db, read_only=True) as store:
        rows = indicators(store, level, year, prefix_of(region))
    table = keys(RichTable("region", "name", *(i.name for i in INDICATORS),
                           title=f"Indicators of each {level}, {year} (% but update_days)"),
                 "region")
    for r in rows:
        table.add_row(r["region_code"], r["region_name"] or "",
                      *("—" if r[i.name] is None else f"{r[i.name]:.1f}" for i in INDICATORS))
    console.print(table)
    if export is not None:
        write_rates(rows, export)
        console.print(f"Wrote {export}")


@assess_app.command("rank")
def rank_command(
    db: DbOption, year: YearOption, level: LevelOption = "county", region: RegionOption = "",
    weights: Annotated[Path | None, typer.Option(
        help="A ranking file (default: the shipped rules/ranking.yaml).")] = None,
    export: Annotated[Path | None, typer.Option(help="Also write the ranking to this .csv "
                                                     "or .xlsx file.")] = None,
) -> None:
    """Counties or townships ranked on the composite of their indicators (weights as
    data), with the year before's rank and, for counties, the distance to each exit
    criterion."""
    from ..assessment.ranking import load_ranking_rules, rank
    from ..assessment.report import write_rates

    rules = load_ranking_rules(weights)
    with open_store(db, read_only=True) as store:
        rows = rank(store, level, year, rules, prefix_of(region))
    table = keys(RichTable("rank", "region", "name", "score", f"{year - 1}", "distance to "
                           "the exit criteria (points)",
                           title=f"{level.capitalize()}s ranked, {year} ({rules.label})"),
                 "region")
    for r in rows:
        before = "—" if r["rank_before"] is None else \
            f"#{r['rank_before']} ({r['score_before']:.1f})"
        table.add_row("—" if r["rank"] is None else str(r["rank"]), r["region_code"],
                      r["region_name"] or "", "—" if r["score"] is None else
                      f"{r['score']:.1f}", before,
                      ", ".join(f"{k} {v:+.2f}" for k, v in r["distance"].items()))
    console.print(table)
    if export is not None:
        write_rates([{k: v for k, v in r.items() if k not in ("scaled", "distance")}
                     | {f"distance_{k}": v for k, v in r["distance"].items()}
                     for r in rows], export)
        console.print(f"Wrote {export}")


@assess_app.command("effects")
def effects_command(
    db: DbOption, as_: AsOption, region: RegionOption = "",
    export: Annotated[Path | None, typer.Option(help="Also write them to this .csv or "
                                                     ".xlsx file.")] = None,
    keep: Annotated[bool, typer.Option(help="Keep them as the effects the allocation and "
                                            "the plans use.")] = True,
    wait: WaitOption = 0,
) -> None:
    """The effect of each kind of help measure on the next year's income, measured from
    the panel (difference in differences with covariates, intervals clustered by
    village), with the placebo on the year before and the assumptions it rests on."""
    from ..assessment import effects
    from ..assessment.report import write_rates

    with open_store(db, wait=wait) as store:
        if keep:
            run, found = effects.estimate(store, acting_user(
                store, as_, "assess", "measure the effects of help measures"), prefix_of(region))
            title = f"Effects of help measures on income (run {run}, kept)"
        else:
            found, title = effects.measure(store, prefix_of(region)), "Effects (not kept)"
    rows = effects.as_rows(found)
    years = rows[0]["years"] if rows else ""
    table = RichTable("kind", "gain % (95% interval)", "received / compared",
                      "placebo % (interval)", title=f"{title}, income of {years}")
    for r in rows:
        mark = "" if r["placebo_holds"] else " ✗"
        table.add_row(r["kind"], f"{r['gain_pct']:+.1f} ({r['low_pct']:+.1f}, "
                                 f"{r['high_pct']:+.1f})",
                      f"{r['treated']:,} / {r['observations']:,}",
                      f"{r['placebo_pct']:+.1f} ({r['placebo_low_pct']:+.1f}, "
                      f"{r['placebo_high_pct']:+.1f}){mark}")
    console.print(table)
    console.print("Assumptions:\n" + "\n".join(f"- {a}" for a in effects.ASSUMPTIONS))
    if export is not None:
        write_rates(rows, export)
        console.print(f"Wrote {export}")


@assess_app.command("suspicions")
def suspicions_command(
    db: DbOption, year: YearOption, region: RegionOption = "",
    weights: Annotated[Path | None, typer.Option(
        help="A ranking file with the thresholds (default: rules/ranking.yaml).")] = None,
) -> None:
    """Villages whose figures of a year look made: exits with incomes just above the line
    after a year below it, and households with the very same survey answers."""
    from ..assessment.ranking import load_ranking_rules, suspicions

    with open_store(db, read_only=True) as store:
        rows = suspicions(store, year, load_ranking_rules(weights), prefix_of(region))
    table = keys(RichTable("village", "name", "sign", "households", "what was seen",
                           title=f"Signs of faked figures, {year} ({len(rows)})"), "village")
    for r in rows:
        table.add_row(r["village_code"], r["village_name"] or "", r["sign"],
                      str(r["households"]), r["detail"])
    console.print(table)


@assess_app.command("report")
def report_command(
    db: DbOption,
    out: Annotated[Path, typer.Option(help="The report to write: .pdf (print-ready, the "
                                           "page's template) or .xlsx (a sheet per table).")],
    assessment: Annotated[int | None, typer.Argument(
        help="The assessment's id; or give --county.")] = None,
    county: Annotated[str | None, typer.Option(
        help="The county, whose latest assessment with returns is reported.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    overwrite: OverwriteOption = False,
) -> None:
    """The county's assessment report: the sample design, the rates with their
    intervals, the multi-party evaluation, the ranking and the signs of faked figures."""
    from ..assessment.design import latest_returned
    from ..assessment.evaluation import load_weights
    from ..assessment.ranking import load_ranking_rules
    from ..assessment.report import county_report, report_workbook
    from ..errors import OutputExistsError, PovertyCloudError

    if (assessment is None) == (county is None):
        raise typer.BadParameter("give an assessment's id or --county, one of them")
    kind = out.suffix.lower()
    if kind not in (".pdf", ".xlsx"):
        raise PovertyCloudError(f"{out}: write .pdf or .xlsx")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists; choose another path or add --overwrite")
    with open_store(db, read_only=True) as store:
        if assessment is None:
            assessment = latest_returned(store, str(county))
        report = county_report(store, assessment, load_weights(), load_ranking_rules())
    if kind == ".xlsx":
        data = report_workbook(report)
    else:
        from ..web.pdf import pdf_of
        from ..web.render import page_text

        data = pdf_of(page_text("assessment.html", lang, f"/assessments/{assessment}",
                                report=report))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    console.print(f"Wrote {out}")


plan_app = typer.Typer(help="Each region's plan for a year (年度减贫计划): households and "
                            "villages to lift, budget, lines by kind of measure; progress "
                            "against it. See docs/assessment.md.", no_args_is_help=True)
assess_app.add_typer(plan_app, name="plan")


@plan_app.command("import")
def plan_import_command(
    db: DbOption, as_: AsOption,
    file: Annotated[Path, typer.Argument(help="The plans (.csv or .xlsx): region_code, year, "
                                              "kind (empty for the region's plan), "
                                              "households, villages, budget_yuan.")],
    wait: WaitOption = 0,
) -> None:
    """Set regions' plans from a file, whole or not at all: each replaces the plan of its
    region and year."""
    from ..assessment.targets import import_plans

    with open_store(db, wait=wait) as store:
        kept = import_plans(store, file, acting_user(store, as_, "plans", "set regions' plans"))
    console.print(f"Kept {kept.plans} plans with {kept.lines} lines by kind of measure")


@plan_app.command("propose")
def plan_propose_command(
    db: DbOption, as_: AsOption,
    allocation: Annotated[int, typer.Argument(help="A kept allocation (`allocate --as`).")],
    villages: Annotated[int, typer.Option(help="Poor villages to exit that year.")] = 0,
    measures: Annotated[Path | None, typer.Option(
        help="Help measures (YAML) the allocation used; the shipped ones by default.")] = None,
    wait: WaitOption = 0,
) -> None:
    """Make the county's plan for the allocation's year from what the solver chose (with
    the measured effects, when the allocation used them): households lifted, money spent,
    a line per kind of measure."""
    from ..assessment.targets import propose
    from ..assistance.catalogue import load_catalogue

    with open_store(db, wait=wait) as store:
        kept = propose(store, load_catalogue(measures), allocation, villages,
                       acting_user(store, as_, "plans", "set regions' plans"))
    console.print(f"Kept the plan with {kept.lines} lines by kind of measure")


@plan_app.command("show")
def plan_show_command(
    db: DbOption,
    region: Annotated[str, typer.Argument(help="The region's code.")],
    year: YearOption,
    today: Annotated[str | None, typer.Option(help="Progress as of this day (YYYY-MM-DD); "
                                                   "today by default.")] = None,
) -> None:
    """A region's plan for a year beside what was done: households lifted, villages
    exited, money spent, and each kind of measure's households reached."""
    from ..assessment.targets import PlanTargetError, progress
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        found = progress(store, region, year, parse_date(today) if today else None)
    if found is None:
        raise PlanTargetError(f"region {region} has no plan for {year}: set one with "
                              "`assess plan import` or `assess plan propose`")
    table = RichTable("", "planned", f"done by {found['until']}", "%",
                      title=f"Plan of {region} for {year} ({found['year_gone']:.0%} of the "
                            f"year gone; from {found['source']})")

    def add(name: str, planned: int, done: int, money: bool = False) -> None:
        share = f"{100 * done / planned:.0f}" if planned else "—"
        show = yuan if money else (lambda v: f"{v:,}")
        table.add_row(name, show(planned), show(done), share)
    add("households lifted", found["households"], found["households_lifted"] or 0)
    add("villages exited", found["villages"], found["villages_exited"] or 0)
    add("budget spent (yuan)", found["budget_fen"], found["spent_fen"], money=True)
    for line in found["lines"]:
        add(f"{line['kind']}: households reached", line["households"],
            line["households_reached"])
    console.print(table)
