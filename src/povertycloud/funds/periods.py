"""The period a payment list pays, written by the programme's kind of period, and the day
it starts (from which a payment is late after the programme's pay_within_days)."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import PovertyCloudError

# kind of period: (how it is written, an example, the start of its spring/autumn or month)
_FORMS = {
    "once": (re.compile(r"([0-9]{4})"), "2026"),
    "year": (re.compile(r"([0-9]{4})"), "2026"),
    "semester": (re.compile(r"([0-9]{4})-(spring|autumn)"), "2026-spring or 2026-autumn"),
    "month": (re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])"), "2026-03"),
}
SEMESTERS = {"spring": 3, "autumn": 9}  # the month a school term starts


def period_start(period: str, kind: str, programme: str) -> dt.date:
    """The first day of ``period``, a period of the ``kind`` of ``programme``'s."""
    pattern, example = _FORMS[kind]
    found = pattern.fullmatch(period.strip())
    if found is None:
        raise PovertyCloudError(f"{period!r} is not a {kind} period of {programme}: write "
                                f"{example}")
    year = int(found[1])
    if kind == "semester":
        return dt.date(year, SEMESTERS[found[2]], 1)
    if kind == "month":
        return dt.date(year, int(found[2]), 1)
    return dt.date(year, 1, 1)


def periods_in(kind: str, year: int) -> list[str]:
    """The periods of a ``kind`` in ``year``, as a payment list names them."""
    if kind == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if kind == "semester":
        return [f"{year}-{term}" for term in SEMESTERS]
    return [str(year)]
