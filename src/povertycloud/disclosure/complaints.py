"""Complaints and reports from the public: filed on the portal (anonymous allowed) with a
tracking code, routed to the region they concern, answered by its officers within a
deadline; overdue ones are visible to every office above."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from ..access.accounts import User
from ..access.privacy import mask_phone
from ..errors import NotFound
from ..paging import Page
from ..reports.figures import region
from ..standard.text import without_bidi
from ..store import Store

CATEGORIES = ("identification", "assistance", "funds", "conduct", "other")
DEADLINE_DAYS = 15
LIMITS = {"subject": 200, "body": 4000, "contact": 100}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class ComplaintError(ValueError):
    """A complaint that cannot be filed or answered as given."""


def _tracking_code() -> str:
    return "TS-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def file(store: Store, region_code: str, category: str, subject: str,
         body: str, contact: str | None, now: dt.datetime | None = None) -> str:
    """Record a complaint about ``region_code``; returns its tracking code."""
    region(store, region_code)
    if category not in CATEGORIES:
        raise ComplaintError(f"category must be one of {', '.join(CATEGORIES)}")
    fields = {"subject": _plain(subject), "body": _plain(body), "contact": _plain(contact)}
    for name, value in fields.items():
        if len(value) > LIMITS[name]:
            raise ComplaintError(f"{name} is longer than {LIMITS[name]} characters")
    if not fields["subject"] or not fields["body"]:
        raise ComplaintError("subject and body are required")
    now = now or dt.datetime.now()
    code = _tracking_code()
    store.execute(
        "INSERT INTO complaints (tracking_code, filed_at, region_code, category, subject, body, "
        "contact, status, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
        [code, now, region_code, category, fields["subject"], fields["body"],
         fields["contact"] or None, now + dt.timedelta(days=DEADLINE_DAYS)])
    return code


def _plain(text: str | None) -> str:
    """Text as kept: trimmed, without bidirectional controls (they would make "moc.live"
    read "evil.com" to the officer)."""
    return without_bidi(text or "").strip()


def track(store: Store, tracking_code: str) -> dict[str, Any]:
    """What the public sees of a complaint: its status, dates and answer."""
    found = store.record(
        "SELECT c.tracking_code, c.filed_at, c.category, c.subject, c.status, c.due_at, "
        "c.answered_at, c.answer, g.name AS region_name FROM complaints c "
        "JOIN regions g ON g.code = c.region_code WHERE tracking_code = ?",
        [tracking_code.strip().upper()])
    if found is None:
        raise NotFound(f"no complaint {tracking_code!r}")
    return found


def inbox(store: Store, user: User, page: Page, now: dt.datetime | None = None
          ) -> dict[str, Any]:
    """A ``page`` of the complaints within ``user``'s jurisdiction, open and overdue
    first, with whether each is overdue and whether it belongs to the user's own office,
    and how many there are in all."""
    now = now or dt.datetime.now()
    found = store.records(
        "SELECT c.complaint_id, c.tracking_code, c.filed_at, c.region_code, g.name AS "
        "region_name, c.category, c.subject, c.status, c.due_at, c.answered_at, "
        "c.status = 'open' AND c.due_at < ? AS overdue FROM complaints c "
        "JOIN regions g ON g.code = c.region_code WHERE starts_with(c.region_code, ?) "
        "ORDER BY c.status <> 'open', c.due_at, c.complaint_id LIMIT ? OFFSET ?",
        [now, user.prefix, page.size, page.offset])
    for r in found:
        r["own"] = r["region_code"] == user.region_code
    total = store.scalar("SELECT count(*) FROM complaints WHERE starts_with(region_code, ?)",
                         [user.prefix])
    return page.of(found, total)


def get(store: Store, user: User, complaint_id: int) -> dict[str, Any]:
    complaint = store.record("SELECT * FROM complaints WHERE complaint_id = ?", [complaint_id])
    if complaint is None or not user.covers(complaint["region_code"]):
        raise NotFound(f"no complaint {complaint_id} in your jurisdiction")
    complaint["contact"] = mask_phone(complaint["contact"])
    return complaint


def region_of(store: Store, complaint_id: int) -> str:
    """The region a complaint concerns (whose officers handle it)."""
    found = store.value("SELECT region_code FROM complaints WHERE complaint_id = ?",
                        [complaint_id])
    if found is None:
        raise NotFound(f"no complaint {complaint_id}")
    return str(found)


def contact(store: Store, complaint_id: int) -> str | None:
    """The complainant's contact in full, for the officer who answers (the caller checks
    who may and audits the reading)."""
    found = store.value("SELECT contact FROM complaints WHERE complaint_id = ?",
                        [complaint_id])
    return str(found) if found is not None else None


def answer(store: Store, user: User, complaint_id: int, text: str,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """Answer an open complaint of the user's jurisdiction."""
    complaint = get(store, user, complaint_id)
    text = _plain(text)
    if not text:
        raise ComplaintError("the answer is empty")
    if len(text) > LIMITS["body"]:
        raise ComplaintError(f"the answer is longer than {LIMITS['body']} characters")
    if complaint["status"] != "open":
        raise ComplaintError(f"complaint {complaint_id} is already {complaint['status']}")
    store.execute("UPDATE complaints SET status = 'answered', answered_at = ?, answer = ?, "
                  "answered_by = ? WHERE complaint_id = ? AND status = 'open'",
                  [now or dt.datetime.now(), text, user.user_id, complaint_id])
    return get(store, user, complaint_id)
