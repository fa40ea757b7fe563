"""Assessments on the web: the assessments of one's jurisdiction, and each county's
assessment report (the design, the rates with their intervals, the multi-party
evaluation, the ranking, the signs of faked figures) as a page, a print-ready PDF from
the same template, and an Excel workbook with one sheet per table."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from ...assessment import effects
from ...assessment.design import design_of, designs
from ...assessment.evaluation import load_weights
from ...assessment.ranking import load_ranking_rules
from ...assessment.report import county_report, report_workbook
from ...errors import NotFound, PovertyCloudError
from ...store import Store
from ..deps import DB, Id, Me, Viewer, allowed
from ..pdf import pdf_of
from ..render import render

api = APIRouter(prefix="/api", tags=["assessments"])
pages = APIRouter(include_in_schema=False)
READ = "dashboard"  # officers, auditors and assessors read assessments
weights, ranking = cache(load_weights), cache(load_ranking_rules)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def assessments_of(me: Viewer, store: Store) -> list[dict[str, Any]]:
    allowed(me, READ)
    return designs(store, me.user.prefix)


def report_of(me: Viewer, store: Store, assessment: int) -> dict[str, Any]:
    """The report of an assessment of a county in ``me``'s jurisdiction (404 otherwise;
    409 while it has no returns)."""
    allowed(me, READ)
    try:
        design_of(store, assessment, me.user)
        return county_report(store, assessment, weights(), ranking())
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None


@api.get("/assessments")
def api_assessments(me: Me, store: DB) -> list[dict[str, Any]]:
    """The assessments of the counties of one's jurisdiction, the latest first, with the
    households drawn and returned."""
    return assessments_of(me, store)


@api.get("/assessments/{assessment_id}/report")
def api_report(assessment_id: Id, me: Me, store: DB) -> dict[str, Any]:
    """A county's assessment report: design, rates with intervals, multi-party
    evaluation, ranking, signs of faked figures."""
    return report_of(me, store, assessment_id)


def effects_of(me: Viewer, store: Store) -> dict[str, Any]:
    allowed(me, READ)
    return {"effects": effects.as_rows(effects.latest(store)),
            "assumptions": list(effects.ASSUMPTIONS)}


@api.get("/effects")
def api_effects(me: Me, store: DB) -> dict[str, Any]:
    """The effect of each kind of help measure on the next year's income (percent, with
    its 95% interval and the placebo on the year before), from the latest estimate kept
    by `assess effects`, and the assumptions it rests on."""
    return effects_of(me, store)


@pages.get("/assessments")
def assessments_page(request: Request, me: Me, store: DB) -> Response:
    return render(request, "assessments.html", me, assessments=assessments_of(me, store),
                  effects=effects_of(me, store)["effects"])


@pages.get("/assessments/{assessment_id}")
def report_page(request: Request, assessment_id: Id, me: Me, store: DB) -> Response:
    return render(request, "assessment.html", me, report=report_of(me, store, assessment_id))


@pages.get("/assessments/{assessment_id}/report.pdf")
def report_pdf(request: Request, assessment_id: Id, me: Me, store: DB) -> Response:
    page = render(request, "assessment.html", me, report=report_of(me, store, assessment_id))
    return Response(pdf_of(bytes(page.body).decode()), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="assessment-{assessment_id}.pdf"'})


@pages.get("/assessments/{assessment_id}/report.xlsx")
def report_xlsx(assessment_id: Id, me: Me, store: DB) -> Response:
    return Response(report_workbook(report_of(me, store, assessment_id)), media_type=XLSX,
                    headers={"Content-Disposition":
                             f'attachment; filename="assessment-{assessment_id}.xlsx"'})
