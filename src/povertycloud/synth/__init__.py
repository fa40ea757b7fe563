"""The synthetic province: a deterministic, calibrated stand-in for a real registry.

``generate(config, out_dir)`` writes the standard's tables as Parquet, county by county so
memory stays flat from a thousand to ten million people; ground truth goes to ``truth/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..progress import Counter
from .config import SynthConfig

if TYPE_CHECKING:
    import numpy.typing as npt

    from . import regions
    from .panel import Villages

__all__ = ["SynthConfig", "generate"]



def generate(config: SynthConfig, out_dir: Path,
             progress: Counter | None = None) -> dict[str, int]:
    """Write the province to ``out_dir`` (which must not exist); returns rows per table."""
    import numpy as np  # NumPy, Arrow and Shapely load when a province is generated
    import pyarrow.parquet as pq

    from ..standard.tables import TABLES, table_path
    from . import county, regions
    from .kin import Kin

    out_dir.mkdir(parents=True)
    (out_dir / "truth").mkdir()
    root = np.random.SeedSequence(config.seed)
    tree = regions.build(config, np.random.default_rng(root.spawn(1)[0]))
    pq.write_table(tree.table, table_path(out_dir, "regions"))
    v = tree.villages
    weights = np.random.default_rng([config.seed, 1]).lognormal(0, 0.35, len(v.code))
    targets = np.round(config.people * weights / weights.sum()).astype(np.int64)
    writers: dict[str, pq.ParquetWriter] = {}
    counts = {"regions": tree.table.num_rows}
    county_of = np.asarray(v.county)
    try:
        for i in range(len(tree.counties)):
            idx = np.flatnonzero(county_of == i)
            tables = county.generate(
                np.random.default_rng([config.seed, 2, i]), i, config.years,
                _villages(v, idx), [v.code[k] for k in idx],
                [v.township_name[k] + v.name[k] for k in idx], targets[idx],
                Kin(np.random.default_rng([config.seed, 6, i]), config.twin_births,
                    config.clan_villages))
            for name, table in tables.items():
                if name not in writers:
                    writers[name] = pq.ParquetWriter(table_path(out_dir, name),
                                                      TABLES[name].arrow_schema)
                writers[name].write_table(table)
                counts[name] = counts.get(name, 0) + table.num_rows
            if progress:
                progress(i + 1, len(tree.counties))
    finally:
        for w in writers.values():
            w.close()
    return counts


def _villages(v: regions.Villages, idx: npt.NDArray[Any]) -> Villages:
    import numpy as np

    from .panel import Villages

    def pick(values: list[Any]) -> npt.NDArray[Any]:
        picked: npt.NDArray[Any] = np.asarray(values)[idx]
        return picked
    return Villages(pick(v.terrain), pick(v.minority), pick(v.base), pick(v.distance_km),
                    pick(v.road), pick(v.water))
