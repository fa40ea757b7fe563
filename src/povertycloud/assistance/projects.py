"""Projects of counties and villages (项目安排): the project library and each year's plan,
the households that benefit (linked to the registry), milestones, progress reports with
photo evidence, acceptance, and the money the ledger booked to each (account
``project:<region>/<id>``). A photo whose EXIF has no time or place, was taken away from
the site, or outside the project's dates is kept and flagged with the reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..access.accounts import User
from ..access.audit import record
from ..errors import NotFound, PovertyCloudError
from ..funds.programmes import Programmes
from ..standard.regions import level_of, parent
from ..store import Store
from .geo import km_between
from .photos import Photo, keep_photo
from .plans import QUERIES, stamp, villages_of

KINDS = ("road", "water", "housing", "industry_base", "cooperative", "training",
         "relocation_site", "other")
STATUSES = ("library", "planned", "under_way", "completed", "accepted", "cancelled")
GRACE = dt.timedelta(days=30)  # a photo this long after the planned end is still in time
ACCEPTORS = ("county", "prefecture", "province")  # the levels that accept projects


class ProjectError(PovertyCloudError):
    """A project or a report refused, with the reason."""


@dataclass(frozen=True)
class Draft:
    """A project as an office enters it."""

    county: str
    name: str
    kind: str
    budget_fen: int
    programmes: tuple[str, ...]
    lat: float
    lon: float
    starts: dt.date
    ends: dt.date
    village: str | None = None
    contractor: str | None = None
    radius_km: float = 2.0
    year: int | None = None  # None: into the library
    milestones: tuple[tuple[str, dt.date], ...] = field(default_factory=tuple)



def add_project(store: Store, draft: Draft, programmes: Programmes, by: User) -> int:
    """Enter a project into the library (or straight into a year's plan); returns its id."""
    _check_draft(draft, programmes, by)
    region = draft.village or draft.county
    with store.transaction():
        project = store.draw("project_ids", 1) + 1
        store.execute(QUERIES["insert_project"], [
            project, draft.county, draft.village, draft.name, draft.kind, draft.year,
            draft.budget_fen, ";".join(draft.programmes), draft.contractor, draft.lat,
            draft.lon, draft.radius_km, draft.starts, draft.ends,
            "library" if draft.year is None else "planned", by.username, stamp()])
        for k, (name, due) in enumerate(draft.milestones, start=1):
            store.execute(QUERIES["insert_milestone"], [project, k, name, due])
        record(store, by, "add_project", "project", str(project), region, draft.name)
    return project


def _check_draft(d: Draft, programmes: Programmes, by: User) -> None:
    if level_of(d.county) != "county":
        raise ProjectError(f"{d.county} is not a county's code")
    if d.village is not None and (level_of(d.village) != "village"
                                  or parent(parent(d.village) or "") != d.county):
        raise ProjectError(f"{d.village} is not a village of county {d.county}")
    if not by.may("plans") or not by.covers(d.village or d.county):
        raise ProjectError(f"{by.username} ({by.role}, {by.region_code}) may not enter "
                           f"projects of {d.village or d.county}")
    if d.kind not in KINDS:
        raise ProjectError(f"the kind must be one of {', '.join(KINDS)}, not {d.kind!r}")
    known = {p.id for p in programmes.programmes}
    unknown = [p for p in d.programmes if p not in known]
    if not d.programmes or unknown:
        raise ProjectError(f"a project is paid by fund programmes ({', '.join(sorted(known))})"
                           + (f"; {', '.join(unknown)} is none" if unknown else ""))
    if d.budget_fen <= 0:
        raise ProjectError("the budget must be above zero")
    if not (-90 <= d.lat <= 90 and -180 <= d.lon <= 180) or d.radius_km <= 0:
        raise ProjectError("the site is latitude and longitude in degrees, its radius above "
                           "zero km")
    if d.ends < d.starts:
        raise ProjectError(f"the project ends ({d.ends}) before it starts ({d.starts})")
    for name, due in d.milestones:
        if not d.starts <= due <= d.ends:
            raise ProjectError(f"milestone {name!r} is due {due}, outside the project's "
                               f"{d.starts} to {d.ends}")


def _project_for(store: Store, project_id: int, by: User) -> dict[str, Any]:
    found = store.record(QUERIES["project"], [project_id])
    if found is None or not by.covers(found["village_code"] or found["county_code"]):
        raise NotFound(f"no project {project_id} in the jurisdiction of {by.username}")
    if not by.may("plans"):
        raise ProjectError(f"{by.username} ({by.role}) may not change projects")
    return found


def schedule(store: Store, project_id: int, year: int, by: User) -> None:
    """Take a project from the library into the plan of ``year``."""
    found = _project_for(store, project_id, by)
    if found["status"] != "library":
        raise ProjectError(f"project {project_id} is {found['status']}, not in the library")
    with store.transaction():
        store.execute(QUERIES["schedule_project"], [year, project_id])
        record(store, by, "schedule_project", "project", str(project_id),
               found["village_code"] or found["county_code"], f"plan of {year}")


def add_beneficiaries(store: Store, project_id: int, households: list[int], by: User) -> int:
    """Link registry households to a project (those of its village, or its county);
    returns how many were new."""
    found = _project_for(store, project_id, by)
    region = found["village_code"] or found["county_code"]
    homes = villages_of(store, households)
    for household in households:
        if household not in homes:
            raise NotFound(f"no household {household} in the registry")
        if not str(homes[household]).startswith(_prefix(region)):
            raise ProjectError(f"household {household} lives in {homes[household]}, outside "
                               f"the project's {region}")
    with store.transaction():
        before = store.scalar(QUERIES["beneficiaries_count"], [project_id])
        store.execute(QUERIES["insert_beneficiaries"], [project_id, households])
        added = store.scalar(QUERIES["beneficiaries_count"], [project_id]) - before
        if added:
            record(store, by, "project_beneficiaries", "project", str(project_id), region,
                   f"{added} households")
    return added


def _prefix(region: str) -> str:
    from ..standard.regions import prefix

    return prefix(region)


@dataclass(frozen=True)
class Report:
    progress: int  # per cent
    note: str | None = None
    milestone: int | None = None
    done: bool = False  # the milestone is done


def report(store: Store, project_id: int, by: User, what: Report,
           photo: tuple[bytes, Photo] | None = None, now: dt.datetime | None = None
           ) -> dict[str, Any]:
    """A progress report, with its photo checked against the project's site and dates;
    marks the milestone done when said, and the project under way or completed."""
    found = _project_for(store, project_id, by)
    if found["status"] in ("library", "accepted", "cancelled"):
        raise ProjectError(f"project {project_id} is {found['status']}: no progress to report")
    if not 0 <= what.progress <= 100:
        raise ProjectError("progress is a per cent, 0 to 100")
    milestones = {int(m["milestone"]): m for m in store.records(QUERIES["milestones"],
                                                                 [project_id])}
    if what.milestone is not None and what.milestone not in milestones:
        raise ProjectError(f"project {project_id} has no milestone {what.milestone}; it has "
                           f"{', '.join(map(str, milestones)) or 'none'}")
    now = now or stamp()
    flag, reason, km = photo_flag(found, photo[1] if photo else None, now)
    with store.transaction():
        if photo is not None:
            keep_photo(store, *photo)
        report_id = store.draw("project_report_ids", 1) + 1
        facts = photo[1] if photo else None
        store.execute(QUERIES["insert_report"], [
            report_id, project_id, what.milestone, what.progress, what.note, by.username, now,
            facts.sha256 if facts else None, facts.taken_at if facts else None,
            facts.lat if facts else None, facts.lon if facts else None, km, flag, reason])
        if what.done and what.milestone is not None:
            day = facts.taken_at.date() if facts and facts.taken_at and not flag else now.date()
            store.execute(QUERIES["milestone_done"], [day, project_id, what.milestone])
        store.execute(QUERIES["project_progressed"], [project_id, project_id])
        record(store, by, "report_project", "project", str(project_id),
               found["village_code"] or found["county_code"],
               f"{what.progress}%" + (f"; photo flagged {flag}" if flag else ""))
    return {"report_id": report_id, "flag": flag, "flag_reason": reason, "km_from_site": km}


def photo_flag(project: dict[str, Any], photo: Photo | None, now: dt.datetime
               ) -> tuple[str | None, str | None, float | None]:
    """(flag, reason, km from the site) of a report's photo; a report without a photo is
    not flagged (nothing claims to show the site)."""
    if photo is None:
        return None, None, None
    km = (km_between(photo.lat, photo.lon, project["lat"], project["lon"])
          if photo.lat is not None and photo.lon is not None else None)
    if not photo.has_exif or photo.taken_at is None:
        return "no_exif", "the photo has no EXIF time: when it was taken is unknown", km
    if km is None:
        return "no_gps", "the photo has no GPS position: where it was taken is unknown", None
    if km > project["radius_km"]:
        return ("far_from_site", f"taken {km:.1f} km from the site (within "
                f"{project['radius_km']:g} km is on site)", km)
    late = dt.datetime.combine(project["ends"], dt.time.max) + GRACE
    if photo.taken_at < dt.datetime.combine(project["starts"], dt.time.min) \
            or photo.taken_at > min(late, now + dt.timedelta(minutes=5)):
        return ("out_of_time", f"taken {photo.taken_at:%Y-%m-%d %H:%M}, outside the "
                f"project's {project['starts']} to {project['ends']}", km)
    return None, None, km


def accept(store: Store, project_id: int, by: User, note: str) -> None:
    """Accept a completed project (every milestone done) as an officer of the county or
    above, with the acceptance's note."""
    found = _project_for(store, project_id, by)
    if by.level not in ACCEPTORS:
        raise ProjectError(f"{by.username} is an officer of a {by.level}: projects are "
                           "accepted by the county or above")
    open_ = [m["name"] for m in store.records(QUERIES["milestones"], [project_id])
             if m["done_on"] is None]
    if open_ or found["status"] != "completed":
        raise ProjectError(f"project {project_id} is {found['status']}"
                           + (f": milestone {open_[0]!r} is not done" if open_ else ""))
    if not note.strip():
        raise ProjectError("an acceptance needs its note (what was checked)")
    with store.transaction():
        store.execute(QUERIES["accept_project"], [by.username, stamp(), note, project_id])
        record(store, by, "accept_project", "project", str(project_id),
               found["village_code"] or found["county_code"], note)


def project_file(store: Store, project_id: int) -> dict[str, Any] | None:
    """A project with its milestones, reports, beneficiaries and the money booked to it."""
    found = store.record(QUERIES["project"], [project_id])
    if found is None:
        return None
    found["milestones"] = store.records(QUERIES["milestones"], [project_id])
    found["reports"] = store.records(QUERIES["reports"], [project_id])
    found["households"] = store.column(QUERIES["beneficiaries"], [project_id])
    found["spent_fen"] = int(store.value(QUERIES["project_spent"], [
        f"project:{found['village_code'] or found['county_code']}/{project_id}"]) or 0)
    return found


def project_of(store: Store, project_id: int) -> dict[str, Any] | None:
    """A project's own row (its place, for who may see it), or None."""
    return store.record(QUERIES["project"], [project_id])


def report_photo(store: Store, project_id: int, report_id: int) -> str | None:
    """The SHA-256 of the photo of a project's report, or None."""
    found = store.value(QUERIES["report_photo"], [project_id, report_id])
    return str(found) if found is not None else None


def projects_in(store: Store, prefix: str, year: int | None = None,
                status: str | None = None) -> list[dict[str, Any]]:
    """The projects under ``prefix`` (of a year's plan; in a status), each with its
    progress, flags, beneficiaries and the money booked to it."""
    return store.records(QUERIES["projects_in"], [prefix, year, status])


def project_flags(store: Store, prefix: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Under ``prefix``: photos flagged, milestones overdue on ``as_of``, projects whose
    booked money exceeds their budget."""
    return store.records(QUERIES["project_flags"], [prefix, as_of])
