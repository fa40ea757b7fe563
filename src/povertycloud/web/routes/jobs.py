"""Jobs: an import or intake of an uploaded file, an identification or a re-evaluation,
run by the server itself (the embedded store has one writer: the server), with their
progress; for administrators of the province, each start audited."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ... import jobs
from ...access import audit
from ...errors import PovertyCloudError
from ...feeds.sources import load_sources
from ...jobs.kinds import Parameters
from ...standard.tables import TABLES
from ...store import Store
from ..deps import DB, CsrfHeader, FormToken, Id, Me, Viewer, allowed, check_csrf, platform
from ..render import render

api = APIRouter(prefix="/api", tags=["jobs"])
pages = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=64)]
Check = Annotated[bool, Form()]


def runs_jobs(me: Viewer) -> None:
    """A job changes the whole store: it is for the province's administrators."""
    allowed(me, "jobs")
    if me.user.level != "province":
        raise HTTPException(403, "jobs are for the province's administrators")


def start(request: Request, me: Viewer, store: Store, kind: str, given: Parameters,
          file: UploadFile | None) -> int:
    """Queue a job as ``me`` asked (its parameters checked first) and audit it."""
    upload = file if file is not None and file.filename else None
    job_id = platform(request).jobs.submit(
        store, me.user, kind, given, upload.file if upload else None,
        upload.filename if upload else None)
    audit.record(store, me.user, "start_job", "job", str(job_id), me.user.region_code,
                 kind + (f" {upload.filename}" if upload else ""))
    return job_id


@api.get("/jobs")
def job_list(me: Me, store: DB) -> list[dict[str, Any]]:
    """The latest jobs, newest first: state, progress (done of total steps, the step
    under way), the summary of a job done or why it failed."""
    runs_jobs(me)
    return jobs.recent(store)


@api.get("/jobs/{job_id}")
def job(job_id: Id, me: Me, store: DB) -> dict[str, Any]:
    runs_jobs(me)
    return jobs.job(store, job_id)


@api.post("/jobs", status_code=202)
def start_job(request: Request, me: Me, store: DB,
              kind: Annotated[str, Form(description=", ".join(jobs.KINDS))],
              parameters: Annotated[str, Form(
                  max_length=2000, description="A JSON object: import {table, keep_good, "
                  "update, valid_from}; intake {source, schema_version, keep_good}; "
                  "identify {year, engine}; reevaluate {year, as_of, events, since, "
                  "dry_run}")] = "{}",
              file: Annotated[UploadFile | None, File(
                  description="The file of an import or an intake")] = None,
              csrf: CsrfHeader = None) -> dict[str, Any]:
    """Start a job (queued while another runs); answers it at once: follow it with
    `GET /api/jobs/{job_id}`."""
    check_csrf(me, csrf)
    runs_jobs(me)
    try:
        given = json.loads(parameters)
    except json.JSONDecodeError as exc:
        raise HTTPException(422, f"parameters: not JSON ({exc.msg})") from None
    if not isinstance(given, dict):
        raise HTTPException(422, "parameters: a JSON object")
    return jobs.job(store, start(request, me, store, kind, given, file))


def _page(request: Request, me: Viewer, store: DB, status: int = 200,
          error: str | None = None) -> Response:
    return render(request, "jobs.html", me, status, jobs=jobs.recent(store), error=error,
                  sources=list(load_sources()),
                  tables=[t for t in TABLES.values() if not t.ground_truth])


@pages.get("/admin/jobs")
def jobs_page(request: Request, me: Me, store: DB) -> Response:
    runs_jobs(me)
    return _page(request, me, store)


@pages.post("/admin/jobs")
def start_job_form(request: Request, me: Me, store: DB, kind: Text,
                   csrf_token: FormToken = "",
                   file: Annotated[UploadFile | None, File()] = None,
                   table: Text = "", source: Text = "", schema_version: Text = "",
                   year: Text = "", as_of: Text = "", since: Text = "",
                   valid_from: Text = "", keep_good: Check = False, update: Check = False,
                   events: Check = False, dry_run: Check = False) -> Response:
    check_csrf(me, csrf_token)
    runs_jobs(me)
    given = {"table": table, "source": source, "schema_version": schema_version,
             "year": year, "as_of": as_of, "since": since, "valid_from": valid_from,
             "keep_good": keep_good, "update": update, "events": events,
             "dry_run": dry_run}
    try:
        job_id = start(request, me, store, kind, given, file)
    except PovertyCloudError as exc:
        return _page(request, me, store, 400, str(exc))
    return RedirectResponse(f"/admin/jobs/{job_id}", 303)


@pages.get("/admin/jobs/{job_id}")
def job_page(request: Request, job_id: Id, me: Me, store: DB) -> Response:
    runs_jobs(me)
    return render(request, "job.html", me, job=jobs.job(store, job_id))
