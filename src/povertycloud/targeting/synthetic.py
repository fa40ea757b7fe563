"""A household feature table and its truth from a synthetic province, for tests and the
benchmark: the registry's features (``registry.features_sql``) over the province's files,
and, when its department feeds were generated (``synth --feeds``), theirs too, each record
linked to the person it truly is (as if linkage made no mistake).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..engines import DuckDBEngine
from ..standard.tables import table_path
from .registry import FEEDS, TABLES, features_sql


def truth_sql(year: int) -> str:
    """True welfare and poverty per household in ``year`` over the view ``truth``."""
    return f"""
SELECT household_id, true_income_per_capita, true_welfare, true_poor
FROM truth WHERE year = {int(year)} ORDER BY household_id
"""


def household_features(province_dir: Path, year: int, feeds: bool = True
                       ) -> tuple[pa.Table, pa.Table]:
    """The features and the truth (``household_id``, ``true_income_per_capita``,
    ``true_welfare``, ``true_poor``) of every household of a generated province in
    ``year``, both in ``household_id`` order; with the feeds found in ``province_dir /
    "feeds"`` unless not ``feeds``."""
    with DuckDBEngine(threads=1) as engine:  # parallel sums of doubles vary in their last bits
        for name in TABLES:
            engine.register_parquet(name, table_path(province_dir, name))
        engine.register_parquet("truth", table_path(province_dir, "truth_household_years"))
        present = _register_feeds(engine, province_dir / "feeds") if feeds else []
        return engine.query(features_sql(year, present)), engine.query(truth_sql(year))


def _register_feeds(engine: DuckDBEngine, folder: Path) -> list[str]:
    """Register each feed of ``folder`` that has its truth as ``feed_<source>``, and their
    true links as ``feed_links``; the sources found."""
    present = [f.source for f in FEEDS if (folder / f"{f.source}.parquet").is_file()
               and (folder / "truth" / f"{f.source}_links.parquet").is_file()]
    links = []
    for source in present:
        engine.register_parquet(f"feed_{source}", folder / f"{source}.parquet")
        engine.register_parquet(f"links_{source}", folder / "truth" / f"{source}_links.parquet")
        links.append(f"SELECT '{source}' AS source, record_id, person_id, 'match' AS decision "
                     f"FROM links_{source} WHERE person_id IS NOT NULL")
    if present:
        engine.create_view("feed_links", " UNION ALL ".join(links))
    return present


@dataclass(frozen=True)
class Split:
    """A province's households in one year, a random share of them labelled."""

    features: pa.Table
    truth: pa.Table
    labelled: pa.Table  # T: features plus ``welfare``, the true income per capita
    unlabelled: pa.Table  # P: features only
    unlabelled_truth: pa.Table  # the truth of P, in P's order, for evaluation only
    poverty_rate: float  # the true share of poor households in the year


def split(province_dir: Path, year: int, share: float, seed: int = 0) -> Split:
    """Label a random ``share`` of the households of ``year`` (T), leave the rest (P)."""
    features, truth = household_features(province_dir, year)
    labelled = np.random.default_rng(seed).random(features.num_rows) < share
    t, p = pa.array(labelled), pa.array(~labelled)
    welfare = truth.column("true_income_per_capita").filter(t)
    rate = float(np.mean(truth.column("true_poor").to_numpy(zero_copy_only=False)))
    return Split(features, truth, features.filter(t).append_column("welfare", welfare),
                 features.filter(p), truth.filter(p), rate)
