"""Active verification: which households an officer should verify next to teach the cause
model most — those whose learned cause it is least sure of (uncertainty sampling, by the
calibrated confidence `identify --cause-model` kept), up to the field team's capacity in
each village, households verified since the model was trained left out."""

from __future__ import annotations

import pyarrow as pa

from ..errors import PovertyCloudError
from ..store import Store
from .runs import keeps_cause_sources, require_identification


def latest_learned(store: Store) -> int | None:
    """The latest year some of whose causes came from a model, or None."""
    if not keeps_cause_sources(store):
        return None
    year = store.value("SELECT max(year) FROM identification WHERE cause_source = 'model'")
    return int(year) if year is not None else None


def next_to_verify(store: Store, year: int, capacity: int, prefix: str = "") -> pa.Table:
    """Per village under ``prefix``, the ``capacity`` households of ``year`` poor or at
    risk whose learned primary cause has the least confidence and that no visit has
    verified since that year's survey: village, rank, household, the cause the model
    gives and its confidence."""
    if capacity < 1:
        raise PovertyCloudError(f"a village's capacity is one household at least, not "
                                f"{capacity}")
    require_identification(store, year)
    if not store.scalar("SELECT count(*) FROM identification WHERE year = ? AND "
                        "cause_source = 'model' AND starts_with(village_code, ?)",
                        [year, prefix]):
        raise PovertyCloudError(f"no cause of {year} came from a model: run `povertycloud "
                                f"identify --year {year} --cause-model FILE` first")
    return store.arrow("""
SELECT village_code, g.name AS village_name, rank, household_id, primary_cause,
  round(cause_confidence, 3) AS confidence
FROM (SELECT i.*, row_number() OVER (PARTITION BY i.village_code
        ORDER BY i.cause_confidence, i.household_id) AS rank
      FROM identification i
      WHERE i.year = ? AND i.cause_source = 'model' AND starts_with(i.village_code, ?)
        AND NOT EXISTS (SELECT 1 FROM field_verifications v WHERE v.household_id =
          i.household_id AND year(v.verified_on) > i.year))
LEFT JOIN regions g ON g.code = village_code
WHERE rank <= ? ORDER BY village_code, rank""", [year, prefix, capacity])
