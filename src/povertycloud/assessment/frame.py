"""The sampling frame of a county on a day: its villages, each in a stratum (poor or
other village, by terrain) with its size in households, and its households, each in its
group (registered poor, exited, not registered) with its members. The frame has a
version, the SHA-256 of its content: a sample is drawn only from the frame its design
was made on."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pyarrow as pa

from ..dynamic.region_criteria import household_groups_sql, load_exit_rules
from ..dynamic.regions import region_status_sql
from ..identification.runs import require_identification
from ..reports.rollups import survey_year
from ..sqltext import literals
from ..standard.regions import PREFIX_LENGTH
from ..store import Store
from .rules import GROUPS

POOR = ("poor", "exit_proposed")  # a village of these statuses is in a poor stratum


@dataclass(frozen=True)
class Frame:
    county: str
    as_of: dt.date
    survey_year: int
    villages: pa.Table  # village_code, stratum, households
    households: pa.Table  # household_id, village_code, grp, members

    @property
    def version(self) -> str:
        digest = hashlib.sha256()
        for table in (self.villages, self.households):
            for column in table.columns:
                digest.update(repr(column.to_pylist()).encode())
        return digest.hexdigest()

    def counts(self) -> dict[str, int]:
        """Households of each group."""
        groups = self.households.column("grp").to_pylist()
        return {g: groups.count(g) for g in GROUPS}


def frame_of(store: Store, county: str, as_of: dt.date) -> Frame:
    """The frame of ``county`` on ``as_of``, its households from the identification of the
    latest survey year by then."""
    year = survey_year(store, as_of)
    require_identification(store, year)
    prefix = county[:PREFIX_LENGTH["county"]]
    households = store.arrow(
        f"SELECT household_id, village_code, grp, members FROM "
        f"({household_groups_sql(as_of, year, prefix)}) ORDER BY household_id")
    statuses = region_status_sql(as_of, load_exit_rules().consolidation_years)
    villages = _villages(store, households, statuses, prefix)
    return Frame(county, as_of, year, villages, households)


def _villages(store: Store, households: pa.Table, statuses: str, prefix: str) -> pa.Table:
    """The villages with households in the frame, each with its stratum and size."""
    with store.registered("_frame_households", households):
        return store.arrow(f"""
SELECT g.code AS village_code,
  CASE WHEN s.status IN {literals(POOR)} THEN 'poor' ELSE 'other' END
    || '/' || coalesce(g.terrain, 'unknown') AS stratum,
  count(*) AS households
FROM _frame_households h JOIN regions g ON g.code = h.village_code
LEFT JOIN ({statuses}) s ON s.region_code = g.code
WHERE starts_with(g.code, ?)
GROUP BY g.code, s.status, g.terrain ORDER BY g.code""", [prefix])
