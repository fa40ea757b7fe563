"""`povertycloud demo`: build a demo province, run the pipeline and show what it found."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table as RichTable

from ..synth import SynthConfig
from .common import console, keys, open_store, progress_bar
from .identify import print_summary
from .synth import build_store
from .web import PortOption, demo_users, run_server

if TYPE_CHECKING:
    from ..identification.cause_model import CauseModel
    from ..store import Store

CAUSE_MODEL = "causes-model.json"


def demo(
    people: Annotated[int, typer.Option(help="Size of the demo province.")] = 100_000,
    folder: Annotated[Path, typer.Option("--dir", help="Where the demo lives.")] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = SynthConfig.seed,
    rebuild: Annotated[bool, typer.Option(help="Build the demo again from scratch.")] = False,
    serve: Annotated[bool, typer.Option(help="Serve the web platform once built.")] = True,
    port: PortOption = 8000,
) -> None:
    """Build a demo province into a local store, run the pipeline and the identification,
    print a summary and the demo users, and serve the platform at http://127.0.0.1:8000."""
    from ..identification.plan import load_rules
    from ..identification.runs import identified, identify
    from ..pipeline.on_store import has_outputs, run_on_store

    started = time.perf_counter()
    db = folder / "province.duckdb"
    if rebuild:
        db.unlink(missing_ok=True)
    if db.exists():
        console.print(f"Using the demo store at {db} (--rebuild to start again)")
    else:
        console.print(f"Building a demo province of {people:,} people at {db}")
        build_store(SynthConfig(people=people, seed=seed), db, feeds=True)
    with open_store(db) as store:
        if not has_outputs(store):
            with progress_bar() as bar:
                task = bar.add_task("Pipeline", total=None)
                run_on_store(store, "duckdb",
                             lambda s: bar.update(task, description=f"Pipeline: {s}"))
                bar.update(task, description="Pipeline: done", total=1, completed=1)
        year = store.latest_year("household_years") or 0
        _accounts(store, folder)
        if not identified(store, year):
            model = _cause_model(store, folder, year)
            with progress_bar() as bar:
                task = bar.add_task("Identification", total=None)
                identify(store, load_rules(), year, "duckdb",
                         lambda s: bar.update(task, description=f"Identification: {s}"),
                         model)
                bar.update(task, description="Identification: done", total=1, completed=1)
        _department_checks(store)
        _funds(store, folder)
        _assistance(store)
        as_of = _summary(store, folder)
        print_summary(store, year)
        _assessment(store, folder)
        _dynamic(store, year)
        _effects_and_plan(store, folder, year)
        _where(store, folder, as_of)
    console.print(f"Done in {time.perf_counter() - started:.1f} s")
    if serve:
        run_server(db, "127.0.0.1", port)


DEMO_U_PAIRS = 200_000  # a tenth of the linkage's sample: the demo is there sooner
DEMO_TWICE = 0.001  # people registered a second time, for the duplicates to show


def _cause_model(store: Store, folder: Path, year: int) -> CauseModel | None:
    """A tenth of the year's households verified in the field (more in a small province:
    the synthetic truth, as officers would record it the next March) and a cause model
    trained on them, for identify to use where it beats the rules; None (the rules
    alone) for a province too small to learn from."""
    from ..access.accounts import user_named
    from ..identification.cause_model import CauseModelError
    from ..identification.cause_training import train_causes
    from ..identification.plan import load_rules
    from ..intake.verifications import import_verifications
    from ..synth.verifications import share_to_learn, write_verifications

    verified = folder / f"verified-{year}.csv"
    write_verifications(store, year, share_to_learn(store, year), verified)
    import_verifications(store, verified, user_named(store, "province_officer"))
    with progress_bar() as bar:
        bar.add_task("Training the cause model on the verified households", total=None)
        try:
            done = train_causes(store, load_rules(), dt.date(year + 1, 3, 15),
                                folder / CAUSE_MODEL)
        except CauseModelError as exc:
            console.print(f"No cause model: {exc}")
            return None
    console.print(f"Cause model {done.model.label}, trained on {done.verified:,} verified "
                  f"poor households: primary cause right "
                  f"{done.validation['primary']['model_accuracy']:.0%} of the time out of "
                  f"sample, the rules {done.validation['primary']['rules_accuracy']:.0%}")
    return done.model


def _department_checks(store: Store) -> None:
    """Link the departments' feeds, raise the conflict flags, apply the signals, register
    a few people twice and find them, once (a store built before the demo had feeds has
    none)."""
    from ..feeds.checks import link_feeds, load_conflicts, raise_flags
    from ..feeds.signals import send_signals
    from ..feeds.sources import load_sources
    from ..registry.duplicates import find_duplicates
    from ..synth.duplicates import register_twice

    if "feed_public_security_deaths" not in store.tables() or store.count("feed_links"):
        return
    sources = load_sources()
    with progress_bar() as bar, store.transaction():  # whole, or the guard above re-runs it
        task = bar.add_task("Department data: linking the feeds", total=None)
        link_feeds(store, sources, u_pairs=DEMO_U_PAIRS)
        bar.update(task, description="Department data: conflict checks and signals")
        raised = raise_flags(store, load_conflicts(None, sources))
        send_signals(store, sources)
        bar.update(task, description="Department data: people registered twice")
        register_twice(store, share=DEMO_TWICE)
        find_duplicates(store)
        bar.update(task, description=f"Department data: {sum(raised.values()):,} flags",
                   total=1, completed=1)


def _funds(store: Store, folder: Path) -> None:
    """Once: a year of synthetic funds booked (the payment lists and the bank's returns
    written to ``folder``/funds) and the anomaly rules run over it."""
    from ..funds.anomalies import load_anomaly_rules, raise_fund_flags
    from ..funds.programmes import load_programmes
    from ..synth.funds import FundsConfig, synthesize_funds

    if store.count("fund_entries") or not store.has_table("identification"):
        return
    config = FundsConfig()
    with progress_bar() as bar, store.transaction():  # whole, or the guard above re-runs it
        task = bar.add_task("Funds", total=None)
        synthesize_funds(store, folder / "funds", config, progress=lambda s: bar.update(
            task, description=f"Funds: {s}"))
        bar.update(task, description="Funds: anomaly rules")
        raised = raise_fund_flags(store, load_anomaly_rules(), load_programmes(),
                                  dt.date(config.year, 12, 31))
        bar.update(task, description=f"Funds: {sum(raised.values()):,} anomaly flags",
                   total=1, completed=1)


def _assistance(store: Store) -> None:
    """Once: a year of synthetic assistance (help plans, cadres and their visits, projects
    with photos, sales, needs), with some visits and photos faked for the flags to show."""
    from ..synth.assistance import AssistanceConfig, synthesize_assistance

    if store.count("help_plans") or not store.has_table("identification"):
        return
    with progress_bar() as bar, store.transaction():  # whole, or the guard above re-runs it
        task = bar.add_task("Assistance", total=None)
        counts = synthesize_assistance(store, AssistanceConfig(), progress=lambda s: bar.update(
            task, description=f"Assistance: {s}"))
        bar.update(task, description=f"Assistance: {counts['plans']:,} plans, "
                   f"{counts['cadres']:,} cadres, {counts['visits']:,} visits",
                   total=1, completed=1)


def _assessment(store: Store, folder: Path) -> None:
    """Once: a third-party assessment of the first county, its returns synthetic (written
    to ``folder``/assessment) and imported by the demo's assessor, the rates estimated."""
    from ..access.accounts import user_named
    from ..assessment.design import make_design
    from ..assessment.draw import draw_sample
    from ..assessment.returns import import_returns
    from ..assessment.rules import load_assessment_rules
    from ..synth.assessment import AssessmentConfig, write_returns, write_truth

    if store.count("assessment_designs") or not store.has_table("identification"):
        return
    rules, config = load_assessment_rules(), AssessmentConfig()
    county = _first_county(store)
    as_of = dt.date(store.latest_year("household_years") or 0, 12, 31)  # the exit's day
    officer = user_named(store, "province_officer")
    with progress_bar() as bar, store.transaction():  # whole, or the guard above re-runs it
        task = bar.add_task("Assessment: design and draw", total=None)
        assessment = make_design(store, rules, county, as_of, 1, officer)
        drawn = draw_sample(store, assessment, ["评估员甲", "评估员乙"], officer)
        bar.update(task, description="Assessment: the assessors' returns")
        write_truth(store, county, as_of, config)
        returns = folder / "assessment" / f"returns-{assessment}.csv"
        write_returns(store, assessment, returns, config)
        import_returns(store, rules, assessment, returns, user_named(store, "assessor"))
        bar.update(task, description=f"Assessment of {county}: {drawn:,} households",
                   total=1, completed=1)


def _effects_and_plan(store: Store, folder: Path, year: int) -> None:
    """Once: the effects of the help measures measured from the panel (kept for the
    allocation), and the first county's plan for the last survey year (a tenth more than
    the year before did), imported by its officer, for the dashboard to show progress."""
    from ..access.accounts import user_named
    from ..assessment import effects
    from ..assessment.targets import import_plans
    from ..synth.plans import write_plans

    if store.count("region_plans"):
        return
    if not store.count("household_measures"):  # a demo built before data standard 1.2.0
        console.print("No help measures by household in this demo store: build it again "
                      "(--rebuild) for the effects of measures and the plan")
        return
    county = _first_county(store)
    plans = folder / "plans" / f"plan-{county}-{year}.csv"
    with store.transaction():  # whole, or the guard above re-runs it
        try:
            run, found = effects.estimate(store, user_named(store, "province_officer"))
            said = f"Effects of {len(found)} kinds of help measure kept (run {run})"
        except effects.EffectsError as exc:  # a province too small to measure them
            said = f"Effects of help measures not measured: {exc}"
        write_plans(store, county, year, plans)
        import_plans(store, plans, user_named(store, "county_officer"))
    console.print(f"{said}; the plan of {county} for {year} from {plans}")


DEMO_FIRST_YEAR = 2014  # poor villages and counties designated at its end
# the demo's proposals were made ten days ago; some of the first village's walk on
WALKS = {  # (procedure, how far): the steps taken, by whom, how many days ago
    ("monitoring", "approved"): [("consent", "field_officer", 10),
                                 ("appraisal", "village_officer", 10),
                                 ("notice", "village_officer", 9),
                                 ("township_review", "township_officer", 4),
                                 ("county_approval", "county_officer", 3)],
    ("household", "on notice"): [("consent", "field_officer", 8),
                                 ("appraisal", "village_officer", 6),
                                 ("notice", "village_officer", 2)],
    ("household", "at appraisal"): [("consent", "field_officer", 5)],
}


def _dynamic(store: Store, year: int) -> None:
    """Once: designate the poor regions, re-evaluate the households, score the relapse
    risk, and walk a few of the first village's proposals (one decided, one on public
    notice, one waiting for its appraisal) so each page has something to show."""
    from ..dynamic.reevaluation import reevaluate
    from ..dynamic.regions import designate
    from ..dynamic.warning import score

    if store.count("reevaluations"):
        return
    today = dt.date.today()
    with progress_bar() as bar, store.transaction():  # whole, or the guard above re-runs it
        task = bar.add_task("Dynamic management: regions", total=None)
        designate(store, DEMO_FIRST_YEAR, "demo")
        bar.update(task, description="Dynamic management: re-evaluation")
        result = reevaluate(store, year, on=today - dt.timedelta(days=10))
        bar.update(task, description="Dynamic management: relapse early warning")
        score(store)
        _walk_first_village(store, today)
        bar.update(task, description=f"Dynamic management: "
                   f"{sum(result.proposals.values()):,} proposals", total=1, completed=1)


def _walk_first_village(store: Store, today: dt.date) -> None:
    from ..access.accounts import user_named
    from ..dynamic.proposals import first_of
    from ..dynamic.workflow import act, clock_at

    users = {u: user_named(store, u) for u in
             ("field_officer", "village_officer", "township_officer", "county_officer")}
    village = users["village_officer"].region_code
    for (procedure, _), steps in WALKS.items():
        first = first_of(store, village, procedure)
        if first is None:
            continue
        for step, who, ago in steps:  # replayed on the days they were taken
            with clock_at(today - dt.timedelta(days=ago)):
                act(store, first, step, users[who],
                    note="demo: minutes of the meeting" if step == "appraisal" else None)


COUNTY_MAP = "counties.geojson"


def _accounts(store: Store, folder: Path) -> None:
    """Create the demo users once (their passwords in ``folder/accounts.txt``), and show
    them."""
    listing = folder / "accounts.txt"
    made = demo_users(store)
    if made:
        listing.write_text("".join(f"{u}\t{p}\t{r}\t{g}\n" for u, p, r, g in made),
                           encoding="utf-8")
    table = RichTable("username", "password", "role", "jurisdiction",
                      title=f"Demo users (also in {listing})")
    if listing.exists():
        for line in listing.read_text(encoding="utf-8").splitlines():
            table.add_row(*line.split("\t"))
    console.print(table)


def _level_to_show(store: Store, as_of: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """The highest level with at least five regions (villages at the least)."""
    from ..reports import rollup

    for level in ("prefecture", "county", "township", "village"):
        rows = rollup(store, as_of, level).to_pylist()
        if len(rows) >= 5 or level == "village":
            return level, rows
    raise AssertionError("unreachable")


def _summary(store: Store, folder: Path) -> dt.date:
    """Print the province's figures and write its county map; the day they are of."""
    from ..pipeline.indicators import FLAGS
    from ..reports import rollup, rollup_geojson
    from ..reports.rollups import surveyed_years

    years = surveyed_years(store)
    trend = RichTable("year end", "households", "people", "reg. poor", "exited", "monitored",
                      "inc. %", "below line", title="Province, year by year (people)")
    latest: dict[str, Any] = {}
    for year in years:
        row = rollup(store, dt.date(year, 12, 31), "province").to_pylist()[0]
        trend.add_row(str(row["as_of"].year), f"{row['households']:,}", f"{row['people']:,}",
                      f"{row['people_registered_poor']:,}", f"{row['people_exited']:,}",
                      f"{row['people_monitored']:,}", f"{row['registered_incidence']:.2f}",
                      f"{row['people_income_below_line']:,}")
        latest = row
    console.print(trend)
    as_of = dt.date(years[-1], 12, 31)
    flags = RichTable("indicator", "households", title=f"Households failing, {as_of}")
    for flag in FLAGS:
        flags.add_row(flag.replace("_", " "), f"{latest[f'households_{flag}']:,}")
    console.print(flags)
    level, regions = _level_to_show(store, as_of)
    worst = keys(RichTable(level, "code", "people", "registered poor", "incidence %",
                           title=f"{level.capitalize()}s by registered incidence, {as_of}"),
                 "code")
    for r in sorted(regions, key=lambda r: -r["registered_incidence"])[:10]:
        worst.add_row(r["region_name"], r["region_code"], f"{r['people']:,}",
                      f"{r['people_registered_poor']:,}", f"{r['registered_incidence']:.2f}")
    console.print(worst)
    (folder / COUNTY_MAP).write_text(
        json.dumps(rollup_geojson(store, as_of, "county"), ensure_ascii=False), encoding="utf-8")
    return as_of


def _first_county(store: Store) -> str:
    from ..assistance.allocation import counties

    return counties(store)[0]


def _where(store: Store, folder: Path, as_of: dt.date) -> None:
    """The closing panel: where the store and the map are, and what to run next."""
    geojson = folder / COUNTY_MAP
    console.print(Panel.fit(
        f"store        {store.label}\n"
        f"county map   {geojson} (GeoJSON with the {as_of} figures)\n"
        f"explore      povertycloud rollup --db {store.label} --as-of {as_of} --level county\n"
        f"identify     povertycloud identify --db {store.label} --year {as_of.year} "
        f"--cause-model {folder / CAUSE_MODEL}\n"
        f"what if      povertycloud whatif --db {store.label} --scorecard my-scorecard.yaml\n"
        f"export       povertycloud export people people.parquet --db {store.label}\n"
        f"funds        povertycloud funds flags list --db {store.label}\n"
        f"officers     povertycloud officers kpis --db {store.label} --on 2026-12-28 "
        "--behind\n"
        f"allocate     povertycloud allocate --db {store.label} --county "
        f"{_first_county(store)} --year 2026 --budget-yuan 20000000\n"
        f"assessment   povertycloud assess rates 1 --db {store.label}\n"
        f"inspect      povertycloud store info {store.label}\n"
        f"docs         docs/getting-started.md, docs/data-standard.md, docs/cli.md",
        title="Where everything is"))
