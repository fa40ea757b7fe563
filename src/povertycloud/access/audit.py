"""The audit log: every read of sensitive fields by a person and every change, searchable
by auditors within their jurisdiction. Values of sensitive fields are never written
here, only which fields were read.

Security events are in it too, with the client's address: failed logins
(``login_failed``), logins refused while their backoff lasts (``login_throttled``) and
requests refused to a signed-in user (``refused``: role, jurisdiction or CSRF token). An
event about an account is in the account's region, so the auditors over it see it; an
attempt on a name of no account has no region and is seen by the auditors of the whole
province."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..standard.text import without_bidi
from ..store import Store
from .accounts import AccountError, User, region_of, user_named

TOP = "province"  # the level whose auditors see the events of no region
COMMAND_LINE = "command line"  # the client address of what is done there


def record(store: Store, user: User | None, action: str, object_kind: str | None = None,
           object_id: str | None = None, region_code: str | None = None,
           detail: str | None = None, client: str | None = None) -> None:
    store.audit(action, username=user.username if user else None,
                role=user.role if user else None, user_id=user.user_id if user else None,
                object_kind=object_kind, object_id=_plain(object_id),
                region_code=region_code, detail=_plain(detail), client=client)


def login_event(store: Store, action: str, username: str, client: str) -> None:
    """A failed or refused login as ``username``, in the region of its account."""
    record(store, None, action, "user", username, region_of(store, username), client=client)


def exporter(store: Store, username: str, prefix: str) -> User:
    """The user named to export sensitive fields in clear (``--as``): an active user who
    may unmask, whose jurisdiction holds the whole scope (the regions under ``prefix``;
    the whole store, a province's jurisdiction, when empty)."""
    user = user_named(store, username)
    if not user.may("unmask"):
        raise AccountError(f"{user.username} ({user.role}) may not unmask personal data; "
                           "without --as the export is masked")
    if not (user.covers(prefix) if prefix else user.level == TOP):
        scope = f"region {prefix}" if prefix else "the whole store"
        raise AccountError(f"{scope} is not within {user.username}'s jurisdiction "
                           f"({user.region_code})")
    return user


def exported(store: Store, user: User, command: str, scope: str, rows: int) -> None:
    """An export of sensitive fields in clear from the command line, before it is
    written: who, the command, its scope and the rows (never a value)."""
    record(store, user, "export_unmasked", "command", command, user.region_code,
           f"{scope}: {rows:,} rows", COMMAND_LINE)


def _plain(text: str | None) -> str | None:
    return without_bidi(text) if text else text


def search(store: Store, within: User, username: str | None = None,
           action: str | None = None, object_id: str | None = None,
           since: dt.date | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Entries about ``within``'s jurisdiction (or by its users), newest first."""
    anywhere = " OR (a.region_code IS NULL AND a.user_id IS NULL)" \
        if within.level == TOP else ""
    where = ["(starts_with(coalesce(a.region_code, ''), ?) OR starts_with(u.region_code, ?)"
             f"{anywhere})"]
    params: list[Any] = [within.prefix, within.prefix]
    for column, value in (("a.username", username), ("a.action", action),
                          ("a.object_id", object_id)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("a.logged_at >= ?")
        params.append(since)
    return store.records(
        "SELECT a.audit_id, a.logged_at, a.username, a.role, a.action, a.object_kind, "
        "a.object_id, a.region_code, a.detail, a.client FROM audit_log a "
        f"LEFT JOIN users u USING (user_id) WHERE {' AND '.join(where)} "
        f"ORDER BY a.audit_id DESC LIMIT {int(limit)}", params)
