"""Deduplication of one table with Splink: the pairs within it that may be one record,
compared and trained as a linkage of two tables is (``probabilistic``)."""

from __future__ import annotations

import pyarrow as pa
from splink import Linker

from ..engines import get_engine
from .blocking import check_candidates
from .config import LinkConfig
from .probabilistic import settings, train


def dedupe(table: pa.Table, config: LinkConfig) -> pa.Table:
    """Pairs of ``table`` (``unique_id`` and the compared columns, a name's pinyin
    included) from the review threshold up: left_key, right_key, match_probability."""
    with get_engine() as engine:
        engine.register_arrow("dedupe_records", table)
        records = engine.splink_api().register("dedupe_records",
                                               dataset_display_name="records")
        check_candidates([records], [table.num_rows], config, "dedupe_only")
        linker = Linker(records, settings(config, link_type="dedupe_only"),
                        log_level=None)
        # u needs pairs in proportion to the records, up to the linkage's sample
        train(linker, config, min(config.u_pairs, max(100_000, 10 * table.num_rows)))
        predicted = linker.inference.predict(threshold_match_probability=config.review)
        return engine.query(f"SELECT unique_id_l AS left_key, unique_id_r AS right_key, "
                            f"match_probability FROM {predicted.physical_name}")
