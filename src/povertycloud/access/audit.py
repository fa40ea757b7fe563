"""The audit log: every read of sensitive fields by a person and every change, searchable
by auditors within their jurisdiction. Values of sensitive fields are never written
here, only which fields were read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..store import Store
from .accounts import User


def record(store: Store, user: User | None, action: str, object_kind: str | None = None,
           object_id: str | None = None, region_code: str | None = None,
           detail: str | None = None, client: str | None = None) -> None:
    store.audit(action, username=user.username if user else None,
                role=user.role if user else None, user_id=user.user_id if user else None,
                object_kind=object_kind, object_id=object_id, region_code=region_code,
                detail=detail, client=client)


def search(store: Store, within: User, username: str | None = None,
           action: str | None = None, object_id: str | None = None,
           since: dt.date | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Entries about ``within``'s jurisdiction (or by its users), newest first."""
    where = ["(starts_with(coalesce(a.region_code, ''), ?) OR starts_with(u.region_code, ?))"]
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
        "a.object_id, a.region_code, a.detail FROM audit_log a LEFT JOIN users u USING (user_id) "
        f"WHERE {' AND '.join(where)} ORDER BY a.audit_id DESC LIMIT {int(limit)}", params)
