"""`povertycloud projects`: the project library and the annual plan of counties and
villages, beneficiaries, progress reports with photo evidence, acceptance, the map."""

from __future__ import annotations

import datetime as dt
import json
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

projects_app = typer.Typer(help="Projects (项目安排): library, annual plan, beneficiaries, "
                                "progress with photo evidence, acceptance. See "
                                "docs/assistance.md.", no_args_is_help=True)
AsOption = Annotated[str, typer.Option("--as", help="The officer who acts.")]
ProjectArgument = Annotated[int, typer.Argument(help="The project's id.")]
DOING = "change projects (officers and admins do)"


def _milestone(text: str) -> tuple[str, dt.date]:
    name, _, due = text.rpartition("=")
    if not name:
        from ..errors import PovertyCloudError

        raise PovertyCloudError(f"--milestone {text!r}: write name=YYYY-MM-DD")
    return name.strip(), parse_date(due.strip())


@projects_app.command("add")
def add_command(
    db: DbOption, as_: AsOption,
    county: Annotated[str, typer.Option(help="The county's code.")],
    name: Annotated[str, typer.Option(help="The project's name.")],
    kind: Annotated[str, typer.Option(help="road, water, housing, industry_base, "
                                           "cooperative, training, relocation_site, other.")],
    budget_yuan: Annotated[str, typer.Option(help="The budget in yuan.")],
    programme: Annotated[list[str], typer.Option(help="A fund programme that pays (again "
                                                      "for each).")],
    lat: Annotated[float, typer.Option(help="The site's latitude.")],
    lon: Annotated[float, typer.Option(help="The site's longitude.")],
    starts: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    ends: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    village: Annotated[str | None, typer.Option(help="The village (none: the county's)."
                                                )] = None,
    contractor: Annotated[str | None, typer.Option(help="Who builds or delivers it.")] = None,
    radius_km: Annotated[float, typer.Option(help="Photos this near the site are on site."
                                             )] = 2.0,
    year: Annotated[int | None, typer.Option(help="Straight into this year's plan (else "
                                                  "the library).")] = None,
    milestone: Annotated[list[str] | None, typer.Option(
        help="A milestone, name=YYYY-MM-DD (again for each, in order).")] = None,
    wait: WaitOption = 0,
) -> None:
    """Enter a project into the library, or into a year's plan."""
    from ..assistance.projects import Draft, add_project
    from ..funds.money import fen
    from ..funds.programmes import load_programmes

    draft = Draft(county=county, village=village, name=name, kind=kind,
                  budget_fen=fen(budget_yuan), programmes=tuple(programme), lat=lat, lon=lon,
                  starts=parse_date(starts), ends=parse_date(ends), contractor=contractor,
                  radius_km=radius_km, year=year,
                  milestones=tuple(_milestone(m) for m in milestone or []))
    with open_store(db, wait=wait) as store:
        project = add_project(store, draft, load_programmes(),
                              acting_user(store, as_, "plans", DOING))
    console.print(f"Project {project}: {name} ({'plan of ' + str(year) if year else 'library'})")


@projects_app.command("schedule")
def schedule_command(project: ProjectArgument, db: DbOption, as_: AsOption,
                     year: Annotated[int, typer.Option(help="The plan's year.")],
                     wait: WaitOption = 0) -> None:
    """Take a project from the library into a year's plan."""
    from ..assistance.projects import schedule

    with open_store(db, wait=wait) as store:
        schedule(store, project, year, acting_user(store, as_, "plans", DOING))
    console.print(f"Project {project} is in the plan of {year}")


@projects_app.command("households")
def households_command(project: ProjectArgument,
                       households: Annotated[list[int], typer.Argument(help="Their ids.")],
                       db: DbOption, as_: AsOption, wait: WaitOption = 0) -> None:
    """Link the households that benefit (of the project's village or county)."""
    from ..assistance.projects import add_beneficiaries

    with open_store(db, wait=wait) as store:
        added = add_beneficiaries(store, project, households,
                                  acting_user(store, as_, "plans", DOING))
    console.print(f"Project {project}: {added} households added")


@projects_app.command("report")
def report_command(
    project: ProjectArgument, db: DbOption, as_: AsOption,
    progress: Annotated[int, typer.Option(help="Per cent done.")],
    milestone: Annotated[int | None, typer.Option(help="The milestone it is about.")] = None,
    done: Annotated[bool, typer.Option("--done", help="The milestone is done.")] = False,
    photo: Annotated[Path | None, typer.Option(help="The photo (JPEG with EXIF).")] = None,
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    wait: WaitOption = 0,
) -> None:
    """Report progress with a photo: its EXIF time and GPS are checked against the site
    and the project's dates, and a doubtful photo is kept and flagged with the reason."""
    from ..assistance.photos import read_photo
    from ..assistance.projects import Report, report

    evidence = None
    if photo is not None:
        content = photo.read_bytes()
        evidence = (content, read_photo(content, str(photo)))
    with open_store(db, wait=wait) as store:
        found = report(store, project, acting_user(store, as_, "plans", DOING),
                       Report(progress, note, milestone, done), evidence)
    console.print(f"Report {found['report_id']} on project {project}"
                  + (f"; photo flagged {found['flag']}: {found['flag_reason']}"
                     if found["flag"] else ""))


@projects_app.command("accept")
def accept_command(project: ProjectArgument, db: DbOption, as_: AsOption,
                   note: Annotated[str, typer.Option(help="What the acceptance checked.")],
                   wait: WaitOption = 0) -> None:
    """Accept a completed project (every milestone done), as the county or above."""
    from ..assistance.projects import accept

    with open_store(db, wait=wait) as store:
        accept(store, project, acting_user(store, as_, "plans", DOING), note)
    console.print(f"Project {project} accepted")


@projects_app.command("show")
def show_command(project: ProjectArgument, db: DbOption) -> None:
    """A project: its milestones, reports (with their photos' flags), beneficiaries and
    the money the ledger booked to it."""
    from ..assistance.projects import project_file
    from ..errors import NotFound
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        found = project_file(store, project)
    if found is None:
        raise NotFound(f"no project {project}")
    console.print(f"Project {project}: {found['name']} ({found['kind']}, {found['status']}), "
                  f"{found['village_code'] or found['county_code']}; budget "
                  f"{yuan(found['budget_fen'])}, booked {yuan(found['spent_fen'])}; "
                  f"{found['starts']} to {found['ends']}; {len(found['households'])} "
                  "households")
    table = RichTable("milestone", "name", "due", "done", title="Milestones")
    for m in found["milestones"]:
        table.add_row(str(m["milestone"]), m["name"], str(m["due_date"]),
                      str(m["done_on"] or ""))
    console.print(table)
    reports = RichTable("report", "when", "by", "milestone", "progress", "photo taken",
                        "flag", title="Reports")
    for r in found["reports"]:
        reports.add_row(str(r["report_id"]), f"{r['reported_at']:%Y-%m-%d}", r["reported_by"],
                        str(r["milestone"] or ""), f"{r['progress']}%",
                        f"{r['taken_at']:%Y-%m-%d %H:%M}" if r["taken_at"] else "",
                        f"{r['flag']}: {r['flag_reason']}" if r["flag"] else "")
    console.print(reports)


@projects_app.command("list")
def list_command(
    db: DbOption,
    region: Annotated[str, typer.Option(help="Within this region (code or leading digits)."
                                        )] = "",
    year: Annotated[int | None, typer.Option(help="The plan of this year.")] = None,
    status: Annotated[str | None, typer.Option(help="Only in this status (library, "
                                                    "planned, under_way...).")] = None,
    geojson: Annotated[Path | None, typer.Option(
        help="Also write the projects as GeoJSON points with their status (for a map)."
    )] = None,
) -> None:
    """The project library or a year's plan, with progress, flags and money booked."""
    from ..assistance.projects import projects_in
    from ..funds.money import yuan

    with open_store(db, read_only=True) as store:
        found = projects_in(store, prefix_of(region), year, status)
    table = keys(RichTable("project", "region", "name", "kind", "year", "status", "budget",
                           "booked", "progress", "milestones", "households", "flags",
                           title=f"Projects ({len(found):,})"), "project")
    for p in found:
        table.add_row(str(p["project_id"]), p["village_code"] or p["county_code"], p["name"],
                      p["kind"], str(p["year"] or ""), p["status"], yuan(p["budget_fen"]),
                      yuan(p["spent_fen"]), "" if p["progress"] is None
                      else f"{p['progress']}%", f"{p['milestones_done']}/{p['milestones']}",
                      str(p["households"]), str(p["flagged_photos"] or ""))
    console.print(table)
    if geojson is not None:
        features = [{"type": "Feature", "geometry": {"type": "Point",
                                                     "coordinates": [p["lon"], p["lat"]]},
                     "properties": {k: (str(v) if isinstance(v, dt.date) else v)
                                    for k, v in p.items() if k not in ("lat", "lon")}}
                    for p in found]
        geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                      ensure_ascii=False), encoding="utf-8")
        console.print(f"Wrote {len(features):,} projects to {geojson}")


@projects_app.command("flags")
def flags_command(
    db: DbOption,
    region: Annotated[str, typer.Option(help="Within this region.")] = "",
    on: Annotated[str | None, typer.Option("--on", help="Overdue on this day; today.")]
    = None,
) -> None:
    """Photos flagged, milestones overdue, money booked beyond a project's budget."""
    from ..assistance.projects import project_flags

    day = parse_date(on) if on else dt.date.today()
    with open_store(db, read_only=True) as store:
        found = project_flags(store, prefix_of(region), day)
    table = keys(RichTable("flag", "project", "name", "about", "why",
                           title=f"Project flags on {day} ({len(found):,})"), "project")
    for f in found:
        table.add_row(f["flag"], str(f["project_id"]), f["name"], str(f["about"] or ""),
                      f["reason"])
    console.print(table)
