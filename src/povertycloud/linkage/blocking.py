"""Which pairs of records are compared at all: those agreeing on one of the
configuration's blocking groups. Counted before anything is compared (Splink's blocking
analysis), and refused above the configuration's ``max_candidate_pairs``; by default no
group rests on an exact column of few values alone (sex, a county code)."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from splink import block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from ..errors import PovertyCloudError
from .config import LinkConfig

# A default group on one exact column needs this many distinct values on each side.
MIN_DISTINCT = 1_000
# Pairs of the sampled records Splink builds to estimate the counts (all of them, an
# exact count, while the tables make fewer pairs than this).
SAMPLED_PAIRS = 10_000_000


class TooManyPairs(PovertyCloudError):
    """Blocking that would compare more pairs than the configuration allows."""


def without_coarse_groups(config: LinkConfig, *tables: pa.Table) -> LinkConfig:
    """``config`` without the default groups on one exact column with fewer than
    MIN_DISTINCT values in one of ``tables`` (all its groups if none is left)."""
    if config.blocking_given:
        return config
    coarse = {c.name for c in config.of_kind("exact")
              if min(pc.count_distinct(t.column(c.name)).as_py() for t in tables)
              < MIN_DISTINCT}
    kept = tuple(g for g in config.blocking if not (len(g) == 1 and g[0] in coarse))
    return replace(config, blocking=kept or config.blocking)


def rules(config: LinkConfig) -> list[tuple[tuple[str, ...], BlockingRuleCreator]]:
    """Splink's rules for each blocking group, with the group: its columns agree; and
    where it holds a name's pinyin, also with the name read in the other order on one
    side (a name in Western order: "Jinghua Lin" and 林静华)."""
    swapped = {c.pinyin: c.pinyin_swapped for c in config.of_kind("name")}
    made: list[tuple[tuple[str, ...], BlockingRuleCreator]] = []
    for group in config.blocking:
        made.append((group, block_on(*group)))
        for sound in (g for g in group if g in swapped):
            rest = [f'l."{g}" = r."{g}"' for g in group if g != sound]
            for left, right in ((sound, swapped[sound]), (swapped[sound], sound)):
                condition = " AND ".join([f'l."{left}" = r."{right}"', *rest])
                made.append((group, CustomRule(condition, sql_dialect="duckdb")))
    return made


def check_candidates(frames: Sequence[Any], sizes: Sequence[int], config: LinkConfig,
                     link_type: Literal["link_only", "dedupe_only"]) -> int:
    """The candidate pairs of the blocking groups over Splink's ``frames`` of ``sizes``
    records (estimated from a sample on large tables); refuses above
    ``config.max_candidate_pairs``, naming the group that adds most."""
    everything = (sizes[0] * (sizes[0] - 1) // 2 if link_type == "dedupe_only"
                  else math.prod(sizes))
    if not config.blocking:  # every pair is a candidate
        if everything > config.max_candidate_pairs:
            raise TooManyPairs(
                f"{config.path}: without blocking groups all {everything:,} pairs are "
                f"candidates, above max_candidate_pairs {config.max_candidate_pairs:,}: "
                f"give 'blocking' groups")
        return everything
    share = min(1.0, math.sqrt(SAMPLED_PAIRS / max(everything, 1)))
    ruled = rules(config)
    with warnings.catch_warnings():  # "estimate may be unstable": a sample is enough here
        warnings.simplefilter("ignore", UserWarning)
        counted = count_comparisons_from_blocking_rules(
            list(frames), blocking_rules=[rule for _, rule in ruled],
            link_type=link_type, record_sample_proportion=share)
    total = int(counted[-1]["cumulative_comparison_count"])
    if total <= config.max_candidate_pairs:
        return total
    added: Counter[tuple[str, ...]] = Counter()
    for (of, _), count in zip(ruled, counted, strict=True):
        added[of] += count["marginal_comparison_count"]
    worst, pairs = added.most_common(1)[0]
    group = " and ".join(worst)
    said = "the default blocking" if not config.blocking_given else "blocking"
    raise TooManyPairs(
        f"{config.path}: {said} on {group} makes about "
        f"{pairs:,} candidate pairs ({total:,} in all), "
        f"above max_candidate_pairs {config.max_candidate_pairs:,}: give 'blocking' groups "
        f"that add a column to {group}, or raise max_candidate_pairs")
