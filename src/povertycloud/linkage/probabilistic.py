"""Probabilistic linkage with Splink (Fellegi–Sunter), on DuckDB: comparisons chosen by
the kind of each column, trained without labels (a prior from near-certain rules, u by
random sampling, m by expectation maximisation), every candidate pair scored."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from .config import Column, LinkConfig

SEED = 1
U_PAIRS = 2_000_000
# Splink logs its training notes ("m values not fully trained"...) as warnings; a
# library's logs are for the application to show, so none reach the console unasked.
logging.getLogger("splink").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class Scored:
    pairs: pa.Table  # left_key, right_key, match_probability
    candidates: int  # pairs compared
    train_seconds: float
    predict_seconds: float


def comparison(column: Column) -> Any:
    """The Splink comparison for a column of the given kind."""
    name = column.name
    if column.kind == "name":
        return cl.NameComparison(name).configure(term_frequency_adjustments=True)
    if column.kind == "date":
        return cl.DateOfBirthComparison(
            name, input_is_string=column.date_format is not None,
            datetime_format=column.date_format, invalid_dates_as_null=True)
    if column.kind == "address":
        return cl.JaroWinklerAtThresholds(name, [0.9, 0.7]).configure(
            term_frequency_adjustments=True)
    if column.kind in ("identifier", "id_number"):
        return cl.DamerauLevenshteinAtThresholds(name, [1, 2])
    return cl.ExactMatch(name).configure(term_frequency_adjustments=True)


def settings(config: LinkConfig) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only", unique_id_column_name="unique_id",
        comparisons=[comparison(c) for c in config.columns],
        blocking_rules_to_generate_predictions=[block_on(*g) for g in config.blocking],
        retain_matching_columns=False, retain_intermediate_calculation_columns=False)


def score(left: pa.Table, right: pa.Table, config: LinkConfig) -> Scored:
    """Train on the two tables (columns already named as the configuration compares
    them, with ``unique_id``) and score every candidate pair."""
    api = DuckDBAPI()
    linker = Linker([api.register(left, dataset_display_name="records_left"),
                     api.register(right, dataset_display_name="records_right")],
                    settings(config), log_level=None)
    started = time.perf_counter()
    _train(linker, config)
    trained = time.perf_counter()
    predicted = linker.inference.predict()
    done = time.perf_counter()
    relation = predicted.as_duckdbpyrelation()
    left_first = "source_dataset_l = 'records_left'"
    table = relation.query("scored", f"""
SELECT CASE WHEN {left_first} THEN unique_id_l ELSE unique_id_r END AS left_key,
  CASE WHEN {left_first} THEN unique_id_r ELSE unique_id_l END AS right_key,
  match_probability FROM scored""").to_arrow_table()
    return Scored(table, table.num_rows, trained - started, done - trained)


def _training_groups(config: LinkConfig) -> list[tuple[str, ...]]:
    """Blocking groups to train with: not those on an ID number (the records left to
    this stage never share a valid one)."""
    ids = {c.name for c in config.of_kind("id_number")}
    return [g for g in config.blocking if not set(g) & ids] or list(config.blocking)


def _train(linker: Linker, config: LinkConfig) -> None:
    certain: list[str | BlockingRuleCreator] = [
        block_on(*g) for g in _training_groups(config)[:2]]
    linker.training.estimate_probability_two_random_records_match(certain, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=SEED)
    # each session cannot learn the columns it blocks on: two sessions cover them all
    for group in _em_blocks(config):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*group), estimate_without_term_frequencies=True)


def _em_blocks(config: LinkConfig) -> list[tuple[str, ...]]:
    """Two blocking groups with no column in common, when the configuration has them."""
    groups = _training_groups(config)
    first = groups[0]
    second = next((g for g in groups[1:] if not set(g) & set(first)), None)
    return [first, second] if second else [first]
