"""Drawing a designed sample (svy): in each stratum, villages by systematic PPS on their
households; in each drawn village, households of each group by simple random sampling,
as many as the design asks or all there are. Reproducible from the design's seed, and
only on the frame the design was made on. The villages are shared among the assessors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..access.accounts import User
from ..access.audit import record
from ..store import Store
from .design import DesignError, Sizes, design_of, merged
from .frame import Frame, frame_of
from .queries import QUERIES, stamp

if TYPE_CHECKING:
    import polars as pl


def draw_sample(store: Store, assessment: int, assessors: list[str], by: User) -> int:
    """Draw the sample of ``assessment``, its villages shared round-robin among
    ``assessors``; returns the households drawn."""
    design = design_of(store, assessment, by)
    if not by.may("assess"):
        raise DesignError(f"{by.username} ({by.role}) may not draw assessments")
    if design["status"] != "designed":
        raise DesignError(f"assessment {assessment} is {design['status']}: a sample is "
                          "drawn once")
    frame = frame_of(store, design["county_code"], design["as_of"])
    if frame.version != design["frame_version"]:
        raise DesignError(
            f"the frame of {design['county_code']} on {design['as_of']} changed since "
            f"assessment {assessment} was designed ({design['frame_households']:,} "
            f"households then, {frame.households.num_rows:,} now): make a new design")
    if not assessors:
        raise DesignError("name at least one assessor")
    villages, households = sample(frame, design["sizes"], int(design["seed"]), assessors)
    with store.transaction(), store.registered("_drawn_villages", villages), \
            store.registered("_drawn_households", households):
        store.execute(QUERIES["insert_villages"], [assessment])
        store.execute(QUERIES["insert_households"], [assessment])
        store.execute(QUERIES["mark_drawn"], [stamp(), assessment])
        record(store, by, "draw_assessment", "assessment", str(assessment),
               design["county_code"], f"{villages.num_rows} villages, "
               f"{households.num_rows:,} households, assessors {', '.join(assessors)}")
    return int(households.num_rows)


def sample(frame: Frame, sizes: Sizes, seed: int, assessors: list[str]
           ) -> tuple[pa.Table, pa.Table]:
    """(villages, households) drawn from ``frame``: villages with their stratum, size,
    probability and assessor; households with their group, members and probability."""
    import polars as pl  # svy's frames, loaded with the first draw

    rows = frame.villages.to_pylist()
    merged(rows, sizes.least)
    villages = pl.DataFrame(rows)
    drawn = _pps(villages, sizes.villages, seed).sort("village_code")
    drawn = drawn.with_columns(pl.Series(
        "assessor", [assessors[i % len(assessors)] for i in range(drawn.height)]))
    everyone = pl.from_arrow(frame.households)
    assert isinstance(everyone, pl.DataFrame)
    homes = everyone.join(drawn.select("village_code", "probability"), on="village_code")
    chosen = _within(homes, sizes.per_village, seed)
    return (drawn.select("village_code", "stratum", "households", "probability",
                         "assessor").to_arrow(),
            chosen.select("household_id", "village_code", "grp", "members",
                          "probability").sort("household_id").to_arrow())


def _pps(villages: pl.DataFrame, counts: Mapping[Any, int], seed: int) -> pl.DataFrame:
    """Villages drawn by systematic PPS on households, ``counts`` per stratum."""
    import svy
    design = svy.Design(stratum="stratum", mos="households")
    drawn = svy.Sample(villages, design).sampling.pps_sys(
        counts, certainty_threshold=1.0, rstate=seed, prob_name="probability",
        wgt_name="_w")
    return _data(drawn).select("village_code", "stratum", "households", "probability")


def _within(homes: pl.DataFrame, per_village: dict[str, int], seed: int) -> pl.DataFrame:
    """Households of each drawn village and group: ``per_village`` of the group by simple
    random sampling (all, where there are no more), probability times the village's."""
    import polars as pl
    import svy
    cells = homes.with_columns(
        (pl.col("village_code") + "|" + pl.col("grp")).alias("_cell"))
    sizes = cells.group_by("_cell", "grp").len()
    wanted: dict[Any, int] = {c: min(n, per_village[g]) for c, g, n in sizes.iter_rows()
                              if per_village[g] > 0}
    cells = cells.filter(pl.col("_cell").is_in(list(wanted)))
    drawn = svy.Sample(cells, svy.Design(stratum="_cell")).sampling.srs(
        wanted, rstate=seed + 1, prob_name="_p", wgt_name="_w")
    return _data(drawn).with_columns(pl.col("probability") * pl.col("_p"))


def _data(sample: Any) -> pl.DataFrame:
    import polars as pl

    data = sample.data
    return data.collect() if isinstance(data, pl.LazyFrame) else data


def sample_villages(store: Store, assessment: int) -> list[dict[str, Any]]:
    """The villages drawn for ``assessment``: stratum, size, probability, assessor, name
    and households drawn."""
    return store.records(QUERIES["sample_villages"], [assessment])
