"""Reviews: linked pairs between a department's record and a registry person that an
officer accepts or rejects, and pairs of the registry that may be one person registered
twice, merged or kept apart (both audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ...errors import PovertyCloudError
from ...feeds.checks import decide, village_of_person
from ...feeds.reviews import review_pairs
from ...registry.same_person import check_pair, open_duplicates
from ...registry.same_person import decide as decide_duplicate
from ...store import Store
from ..deps import DB, CsrfHeader, FormToken, Me, Viewer, allowed, check_csrf
from ..render import render

api = APIRouter(prefix="/api", tags=["department data"])
pages = APIRouter(include_in_schema=False)
SourceId = Annotated[str, Path(pattern="^[a-z_]{1,64}$")]
RecordId = Annotated[int, Path(ge=0, le=2**63 - 1)]


class Decision(BaseModel):
    accept: bool


class SamePerson(BaseModel):
    merge: bool  # true: merge the duplicate into the person kept; false: two people


def decide_review(me: Viewer, store: Store, source: str, record_id: int, person_id: int,
           accept: bool) -> str:
    allowed(me, "review")
    village = village_of_person(store, person_id)
    if village is None or not me.user.covers(village):
        raise HTTPException(404, f"no person {person_id} in your jurisdiction")
    try:
        return decide(store, source, record_id, person_id, accept, me.user.username,
                      me.user.role)
    except PovertyCloudError as exc:
        status = 404 if str(exc).startswith("no pair") else 409
        raise HTTPException(status, str(exc)) from None


def decide_pair(me: Viewer, store: Store, keep: int, duplicate: int, merge: bool) -> str:
    allowed(me, "review")
    check_pair(store, me.user, keep, duplicate)
    try:
        return decide_duplicate(store, me.user, keep, duplicate, merge)
    except PovertyCloudError as exc:
        raise HTTPException(409, str(exc)) from None


@api.get("/reviews")
def reviews(me: Me, store: DB) -> list[dict[str, Any]]:
    """Feed records whose linked pairs wait for a decision, of people of one's
    jurisdiction: each record beside its candidates, each with why it is under review,
    its evidence (Splink's waterfall) and its household and village."""
    allowed(me, "review")
    return review_pairs(store, me.user.prefix)


@api.post("/reviews/{source}/{record_id}/{person_id}")
def review(source: SourceId, record_id: RecordId, person_id: RecordId, body: Decision,
               me: Me, store: DB, csrf: CsrfHeader = None) -> dict[str, Any]:
    """Accept (a match) or reject a pair under review, of one's jurisdiction (audited);
    accepting one rejects the record's other pairs under review."""
    check_csrf(me, csrf)
    decision = decide_review(me, store, source, record_id, person_id, body.accept)
    return {"source": source, "record_id": record_id, "person_id": person_id,
            "decision": decision}


@api.get("/duplicates")
def duplicates(me: Me, store: DB) -> list[dict[str, Any]]:
    """Pairs of the registry that may be one person registered twice, both living in
    one's jurisdiction (`povertycloud registry duplicates` finds them)."""
    allowed(me, "review")
    return open_duplicates(store, me.user.prefix)


@api.post("/duplicates/{keep}/{duplicate}")
def same_person(keep: RecordId, duplicate: RecordId, body: SamePerson, me: Me, store: DB,
                    csrf: CsrfHeader = None) -> dict[str, Any]:
    """Merge a proposed pair (history kept) or keep them apart, when both live in one's
    jurisdiction (audited)."""
    check_csrf(me, csrf)
    return {"person_id": keep, "duplicate_id": duplicate,
            "decision": decide_pair(me, store, keep, duplicate, body.merge)}


@pages.get("/reviews")
def reviews_page(request: Request, me: Me, store: DB) -> Response:
    allowed(me, "review")
    return render(request, "reviews.html", me, records=review_pairs(store, me.user.prefix),
                  duplicates=open_duplicates(store, me.user.prefix))


@pages.post("/duplicates/{keep}/{duplicate}")
def same_person_form(keep: RecordId, duplicate: RecordId, me: Me, store: DB,
                     merge: Annotated[bool, Form()], csrf_token: FormToken = "") -> Response:
    check_csrf(me, csrf_token)
    decide_pair(me, store, keep, duplicate, merge)
    return RedirectResponse("/reviews", 303)


@pages.post("/reviews/{source}/{record_id}/{person_id}")
def review_form(source: SourceId, record_id: RecordId, person_id: RecordId, me: Me,
                store: DB, accept: Annotated[bool, Form()], csrf_token: FormToken = ""
                ) -> Response:
    check_csrf(me, csrf_token)
    decide_review(me, store, source, record_id, person_id, accept)
    return RedirectResponse("/reviews", 303)
