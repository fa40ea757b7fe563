"""The households of a region as a list to work through: filtered by registration
status, score band, cause, the monitoring list and open flags, sorted by one column and
read a page at a time, with the total.

The list is read as the household file is (registry/households.py): for a reader who may
not unmask, what access/privacy.py hides of the identification (what tells of health:
the score, the causes...) shows masked, alike for every household, and may be neither
filtered nor sorted on (a filter on causes would find who is ill); such a request is
refused the same way whatever its value. The monitoring list and the conflict flags
show only to the roles that may see those lists."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ..access.accounts import User
from ..access.privacy import HEALTH_IDENTIFICATION, HIDDEN
from ..errors import PovertyCloudError
from ..identification.runs import keeps_cause_sources
from ..paging import Page
from ..standard.codes import REGISTRATION
from ..standard.regions import prefix
from ..store import Store

EXPORT_LIMIT = 100_000  # households in one export
# the list's columns, in order, each a sort key
COLUMNS = ("household_id", "head_name", "village_name", "members", "registration_status",
           "band", "score", "primary_cause", "cause_source", "monitored", "open_flags")
# columns shown only to who may see their list: the monitoring list, the flags
NEEDS = {"monitored": "monitoring", "open_flags": "verify"}


class ListingError(PovertyCloudError):
    """A filter or sort the list does not know, or an export larger than EXPORT_LIMIT."""


class Hidden(PovertyCloudError):
    """A filter or sort on what the reader may not see."""


@dataclass(frozen=True)
class Query:
    """Which households, in which order: each filter None for any."""

    status: str | None = None
    band: str | None = None
    cause: str | None = None  # among the household's causes
    monitored: bool | None = None  # on the monitoring list (the latest year scored)
    flagged: bool | None = None  # with an open conflict flag
    sort: str = "household_id"
    descending: bool = False

    def filters(self) -> dict[str, Any]:
        """The filters set, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("sort", "descending") and getattr(self, f.name) is not None}


# each filter: the column it reads (what masks it) and its condition
_FILTERS = {"status": ("registration_status", "registration_status = ?"),
            "band": ("band", "band = ?"),
            "cause": ("causes", "list_contains(string_split(causes, ';'), ?)"),
            "monitored": ("monitored", "monitored = ?"),
            "flagged": ("open_flags", "(open_flags > 0) = ?")}


def masked_columns(reader: User) -> frozenset[str]:
    """The columns ``reader`` sees masked: what privacy.py hides of the identification
    from who may not unmask."""
    if reader.may("unmask"):
        return frozenset()
    return frozenset(HEALTH_IDENTIFICATION)


def columns_for(reader: User) -> list[str]:
    """The list's columns ``reader`` sees (masked or not), in order."""
    return [c for c in COLUMNS if c not in NEEDS or reader.may(NEEDS[c])]


def check(query: Query, reader: User) -> None:
    """Refuse a filter or sort the list does not know, or on what ``reader`` may not see
    (the same refusal whatever the value asked for)."""
    shown, masked = columns_for(reader), masked_columns(reader)
    if query.sort not in COLUMNS:
        raise ListingError(f"cannot sort by {query.sort!r}; by one of {', '.join(COLUMNS)}")
    if query.status is not None and query.status not in REGISTRATION:
        raise ListingError(f"no status {query.status!r}; one of {', '.join(REGISTRATION)}")
    asked = [(f"sort by {query.sort}", query.sort)] + [
        (f"filter by {name}", _FILTERS[name][0]) for name in query.filters()]
    for what, column in asked:
        if column in masked or (column == "causes" and "primary_cause" in masked):
            raise Hidden(f"cannot {what}: your role sees it masked (it may tell of health)")
        if column in NEEDS and column not in shown:
            raise Hidden(f"cannot {what}: your role may not see the {NEEDS[column]} list")


def households_of(store: Store, region: str, reader: User, query: Query,
                  page: Page | None) -> dict[str, Any]:
    """The households of ``region`` matching ``query`` as ``reader`` may see them: one
    ``page`` (None: all, refused above EXPORT_LIMIT) with the total and the columns shown."""
    check(query, reader)
    wheres = ["starts_with(village_code, ?)"]
    params: list[Any] = [prefix(region)]
    for name, value in query.filters().items():
        wheres.append(_FILTERS[name][1])
        params.append(value)
    where = " AND ".join(wheres)
    base = _base(store)
    total = store.scalar(f"WITH listed AS ({base}) SELECT count(*) FROM listed WHERE {where}",
                         params)
    if page is None and total > EXPORT_LIMIT:
        raise ListingError(f"{total} households: more than {EXPORT_LIMIT} in one export; "
                           "narrow the filters")
    shown = columns_for(reader)
    order = ("DESC" if query.descending else "ASC") + " NULLS LAST"
    limit, offset = (page.size, page.offset) if page else (EXPORT_LIMIT, 0)
    rows = store.records(
        f"WITH listed AS ({base}) SELECT {', '.join(shown)} FROM listed WHERE {where} "
        f"ORDER BY {query.sort} {order}, household_id LIMIT ? OFFSET ?",
        [*params, limit, offset])
    masked = masked_columns(reader)
    hidden = masked.intersection(shown)
    for row in rows:  # alike for every household, empty or not
        row.update(dict.fromkeys(hidden, HIDDEN))
    listed = page.of(rows, total) if page else {"rows": rows, "total": total}
    return listed | {"columns": shown, "masked": sorted(hidden)}


def options(store: Store, region: str, reader: User) -> dict[str, list[str]]:
    """The values each filter offers ``reader`` in ``region``: none of what is masked."""
    found: dict[str, list[str]] = {"status": list(REGISTRATION), "band": [], "cause": []}
    if not store.has_table("identification"):
        return found
    masked, code = masked_columns(reader), prefix(region)
    if "band" not in masked:
        found["band"] = store.column(
            "SELECT DISTINCT band FROM identification WHERE starts_with(village_code, ?) "
            "AND band IS NOT NULL ORDER BY band", [code])
    if masked.isdisjoint({"causes", "primary_cause"}):
        found["cause"] = store.column(
            "SELECT DISTINCT unnest(string_split(causes, ';')) AS c FROM identification "
            "WHERE starts_with(village_code, ?) AND causes <> '' ORDER BY c", [code])
    return found


def _base(store: Store) -> str:
    """Every household with its columns: the latest identification, whether it is on the
    latest monitoring list, its open flags."""
    from ..dynamic.warning import TABLE as RISK  # the model's libraries: on first use

    learned = keeps_cause_sources(store)  # else identified before causes were learned
    identification = (
        "SELECT household_id, band, score, primary_cause, causes, "
        f"{'cause_source' if learned else 'NULL::VARCHAR AS cause_source'} "
        "FROM identification "
        "QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY year DESC) = 1"
        if store.has_table("identification") else
        "SELECT NULL::BIGINT AS household_id, NULL::VARCHAR AS band, NULL::INTEGER AS score, "
        "NULL::VARCHAR AS primary_cause, NULL::VARCHAR AS causes, "
        "NULL::VARCHAR AS cause_source WHERE FALSE")
    monitored = (f"SELECT household_id FROM {RISK} WHERE on_list AND year = "
                 f"(SELECT max(year) FROM {RISK})" if store.has_table(RISK) else
                 "SELECT NULL::BIGINT AS household_id WHERE FALSE")
    return f"""
SELECT h.household_id, h.village_code, g.name AS village_name, p.head_name, p.members,
  h.registration_status, i.band, i.score, i.primary_cause, i.causes, i.cause_source,
  m.household_id IS NOT NULL AS monitored, coalesce(f.open_flags, 0) AS open_flags
FROM households h JOIN regions g ON g.code = h.village_code
LEFT JOIN (SELECT household_id, count(*) AS members,
             any_value(name) FILTER (WHERE relation = 'head') AS head_name
           FROM people GROUP BY household_id) p USING (household_id)
LEFT JOIN ({identification}) i USING (household_id)
LEFT JOIN ({monitored}) m USING (household_id)
LEFT JOIN (SELECT household_id, count(*) AS open_flags FROM conflict_flags
           WHERE outcome IS NULL GROUP BY household_id) f USING (household_id)"""
