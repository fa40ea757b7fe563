"""Probabilistic linkage with Splink (Fellegi–Sunter), on DuckDB or Spark: comparisons
chosen by the kind of each column, trained without labels (a prior from near-certain
rules, u by random sampling, m by expectation maximisation), every candidate pair
scored."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.exceptions import EMTrainingException
from splink.internals.misc import prob_to_match_weight
from splink.internals.settings import Settings

from ..engines import Engine
from .blocking import check_candidates, rules
from .config import Column, LinkConfig
from .dates import one_day, same_month, swapped
from .pinyin import same_sound

SEED = 1
DEFAULT_PRIOR = 0.0001
LinkType = Literal["link_only", "dedupe_only"]
# Pinyin this alike (Jaro–Winkler) is one wrong letter or syllable: "zhangwei" and
# "zhangwen" 0.95. No lower level: unrelated Chinese names share pinyin letters anyway
# ("yuanjingrong" and "wangliangjun" 0.74), and a level there lets a record with
# another name but the same birth date and address match (0.97; 0.65 without).
PINYIN_ALIKE = 0.92
# Of the records of one person, the share whose birth date differs in none of the known
# ways (2^-10: a Bayes factor near 1/1,000 against a match with another birth date).
ANOTHER_DATE_M = 0.001
# Likewise of ID numbers more than two edits apart.
ANOTHER_ID_M = 0.001
# Of the records of one person, the share giving another house of the person's own
# village group (a house number mistyped or out of date; 2^-6.6).
ANOTHER_HOUSE_M = 0.01
# Splink logs its training notes ("m values not fully trained"...) as warnings; a
# library's logs are for the application to show, so none reach the console unasked.
logging.getLogger("splink").addHandler(logging.NullHandler())


SCORED = "link_scored"


@dataclass(frozen=True)
class Step:
    """A comparison of Splink's waterfall: the columns of the scored pairs that hold
    its level (``gamma``), its match weights and the two values compared (``column``
    and its left and right values, named as the comparison's output)."""
    column: str
    gamma: str
    weights: tuple[str, ...]
    levels: dict[int, str]  # Splink's label of each level

    @property
    def parts(self) -> tuple[str, ...]:
        return (self.gamma, *self.weights, f"{self.column}_l", f"{self.column}_r")


@dataclass(frozen=True)
class Waterfall:
    """How to read a scored pair's evidence: the prior's match weight and each
    comparison's step."""
    prior: float
    steps: tuple[Step, ...]

    @classmethod
    def of(cls, model: Settings) -> Waterfall:
        return cls(prob_to_match_weight(model._probability_two_random_records_match),
                   tuple(Step(c.output_column_name, c._gamma_column_name,
                              tuple(c._match_weight_columns_to_sum),
                              {lv.comparison_vector_value: lv.label_for_charts
                               for lv in c.comparison_levels})
                         for c in model.comparisons))

    @property
    def parts(self) -> list[str]:
        return [part for step in self.steps for part in step.parts]

    def of_pair(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The waterfall of one pair (a row holding :attr:`parts`): the prior, then each
        comparison with its level, its match weight (log2 of its Bayes factor, the
        term-frequency adjustment included) and the left and right values; the weights
        add up to the pair's match weight."""
        return [{"column": "prior", "level": "Prior", "weight": round(self.prior, 3)}] + [
            {"column": s.column, "level": s.levels[row[s.gamma]],
             "weight": round(sum(row[w] or 0.0 for w in s.weights), 3),
             "left": _text(row[f"{s.column}_l"]), "right": _text(row[f"{s.column}_r"])}
            for s in self.steps]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def with_evidence(pairs: pa.Table, waterfall: Waterfall | None) -> pa.Table:
    """``pairs`` with ``evidence``, each pair's waterfall as JSON (NULL without a
    model), in place of the columns it is read from."""
    if waterfall is None:
        return pairs.append_column("evidence", pa.nulls(pairs.num_rows, pa.string()))
    evidence = [json.dumps(waterfall.of_pair(row), ensure_ascii=False)
                for row in pairs.select(waterfall.parts).to_pylist()]
    return pairs.drop_columns(waterfall.parts).append_column(
        "evidence", pa.array(evidence, pa.string()))


@dataclass(frozen=True)
class Scored:
    pairs: str  # the engine's view of every pair: left_key, right_key, match_probability
    # (and the waterfall's parts)
    candidates: int  # pairs compared
    train_seconds: float
    predict_seconds: float
    waterfall: Waterfall | None = field(default=None)  # how to read each pair's evidence

    @property
    def columns(self) -> list[str]:
        """The columns of the view :attr:`pairs`."""
        return ["left_key", "right_key", "match_probability",
                *(self.waterfall.parts if self.waterfall else ())]


def comparison(column: Column, link_type: LinkType = "link_only") -> Any:
    """The Splink comparison for a column of the given kind (dates come as dates:
    ``link`` reads them)."""
    name = column.name
    if column.kind == "name":
        return name_comparison(column)
    if column.kind == "date":
        return date_comparison(column)
    if column.kind == "address":
        return address_comparison(column, against=link_type == "link_only")
    if column.kind == "id_number":
        return id_number_comparison(column)
    if column.kind == "identifier":
        return cl.DamerauLevenshteinAtThresholds(name, [1, 2])
    return cl.ExactMatch(name).configure(term_frequency_adjustments=True)


def id_number_comparison(column: Column) -> Any:
    """ID numbers equal, one or two edits apart (a digit wrong, two transposed), or
    another: strong evidence against, fixed as for dates (a namesake outside the
    registry with an ID number of their own is not the registry's person). So is the ID
    number of another person born the same day in the same county: the same first 14
    characters, the last four (sequence and check) more than one edit apart. Its u is
    fixed at 1 as well, as if the county and the birth date were left out of the ID
    number (unrelated people born that day differ in the sequence): learnt, it is the
    tiny share of pairs born on one day in one county, and the level would count for a
    match (the birth date, compared on its own, counted twice)."""
    name = column.name
    one, other = f"{name}_l", f"{name}_r"
    born_alike = (f"substr({one}, 1, 14) = substr({other}, 1, 14) AND "
                  f"damerau_levenshtein(substr({one}, 15), substr({other}, 15)) >= 2")
    return cl.CustomComparison(
        [cll.NullLevel(name), cll.ExactMatchLevel(name),
         cll.CustomLevel(born_alike, "Another person born that day").configure(
             m_probability=ANOTHER_ID_M, fix_m_probability=True,
             u_probability=1.0, fix_u_probability=True),
         cll.DamerauLevenshteinLevel(name, 1), cll.DamerauLevenshteinLevel(name, 2),
         cll.ElseLevel().configure(m_probability=ANOTHER_ID_M, fix_m_probability=True,
                                   label_for_charts="Another ID number")],
        output_column_name=name)


def address_comparison(column: Column, against: bool) -> Any:
    """Addresses equal (term-frequency adjusted), another house of one village group
    (the same address but for the house number, "…村8组131号" and "…村8组82号"),
    Jaro–Winkler at 0.9 and 0.7, or nothing alike. Linking records to people
    (``against``), another house of the group is evidence against, fixed as the ID
    number of another person born that day is: a record about a neighbour of the same
    name outside the registry is no random pair, and learnt, the level counted for a
    match as a shared village does (0.97 for a name and another house of the group
    alone, where the feed has no birth date). Deduplicating, it is learnt: one person
    registered twice is often registered in a neighbour's household."""
    name, group = column.name, column.without_house  # null without a house number
    house: Any = cll.CustomLevel(f'"{group}_l" = "{group}_r"', "Another house of the group",
                                 base_dialect_str="duckdb")  # after the exact level
    if against:
        house = house.configure(m_probability=ANOTHER_HOUSE_M, fix_m_probability=True,
                                u_probability=1.0, fix_u_probability=True)
    return cl.CustomComparison(
        [cll.NullLevel(name), cll.ExactMatchLevel(name, term_frequency_adjustments=True),
         house, cll.JaroWinklerLevel(name, 0.9), cll.JaroWinklerLevel(name, 0.7),
         cll.ElseLevel()],
        output_column_name=name)


def date_comparison(column: Column) -> Any:
    """Dates (of birth) agree, or differ as clerks' faults do (day and month swapped,
    one day apart, the same year and month), or are another date: strong evidence
    against, fixed rather than learnt, so that a namesake in the same village born on
    another day stays below the match threshold."""
    name = column.name
    one, other = f"{name}_l", f"{name}_r"
    return cl.CustomComparison(
        [cll.NullLevel(name),
         cll.ExactMatchLevel(name),
         cll.CustomLevel(swapped(one, other), "Day and month swapped",
                         base_dialect_str="duckdb"),
         cll.CustomLevel(one_day(one, other), "One day apart", base_dialect_str="duckdb"),
         cll.CustomLevel(same_month(one, other), "Same year and month",
                         base_dialect_str="duckdb"),
         cll.ElseLevel().configure(m_probability=ANOTHER_DATE_M, fix_m_probability=True,
                                   label_for_charts="Another date")],
        output_column_name=name)


def name_comparison(column: Column) -> Any:
    """Same characters (term-frequency adjusted), else the same pinyin (homophones,
    names written in Latin letters, in either order where a Latin name's order is not
    known: ``pinyin.readings``), else pinyin alike, else nothing alike."""
    sound = column.pinyin
    return cl.CustomComparison(
        [cll.NullLevel(sound),
         cll.ExactMatchLevel(column.name, term_frequency_adjustments=True),
         cll.CustomLevel(same_sound(column, '"{}_l"', '"{}_r"'), "Same pinyin",
                         base_dialect_str="duckdb"),
         cll.JaroWinklerLevel(sound, PINYIN_ALIKE),
         cll.ElseLevel()],
        output_column_name=column.name)


def settings(config: LinkConfig,
             link_type: LinkType = "link_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type, unique_id_column_name="unique_id",
        comparisons=[comparison(c, link_type) for c in config.columns],
        blocking_rules_to_generate_predictions=[rule for _, rule in rules(config)],
        retain_matching_columns=False, retain_intermediate_calculation_columns=False)


def score(engine: Engine, left: str, right: str, config: LinkConfig) -> Scored:
    """Train on the tables ``left`` and ``right`` of ``engine`` (columns named as the
    configuration compares them, with ``unique_id``) and score every candidate pair,
    kept in the engine as the view ``scored`` (left_key, right_key, match_probability
    and the parts of its evidence), where the decisions are taken (``resolve``)."""
    api = engine.splink_api()
    frames = [api.register(left, dataset_display_name="records_left"),
              api.register(right, dataset_display_name="records_right")]
    sizes = engine.query(f"SELECT (SELECT count(*) FROM {left}) AS l, "
                         f"(SELECT count(*) FROM {right}) AS r").to_pylist()[0]
    check_candidates(frames, [sizes["l"], sizes["r"]], config, "link_only")
    # the values compared and each comparison's weight kept beside the probability
    explained = replace(settings(config), retain_matching_columns=True,
                        retain_intermediate_calculation_columns=True)
    linker = Linker(frames, explained, log_level=None)
    started = time.perf_counter()
    train(linker, config, config.u_pairs)
    trained = time.perf_counter()
    predicted = linker.inference.predict().physical_name
    done = time.perf_counter()
    counted = engine.query(f"SELECT count(*) AS n FROM {predicted}").column("n")[0]
    waterfall = Waterfall.of(linker._settings_obj)
    engine.create_view(SCORED, f"""
SELECT {_left_first("unique_id_l", "unique_id_r")} AS left_key,
  {_left_first("unique_id_r", "unique_id_l")} AS right_key, match_probability,
  {", ".join(_parts(waterfall))} FROM {predicted}""")
    return Scored(SCORED, int(counted.as_py()), trained - started, done - trained,
                  waterfall)


def _left_first(one: str, other: str) -> str:
    """``one`` of the pair of Splink's prediction when its left record is of the left
    table, else ``other`` (Splink orders a pair its own way)."""
    return f"CASE WHEN source_dataset_l = 'records_left' THEN {one} ELSE {other} END"


def _parts(waterfall: Waterfall) -> list[str]:
    """The waterfall's columns of Splink's prediction, the values compared as the left
    and right table have them."""
    out = []
    for step in waterfall.steps:
        left, right = f"{step.column}_l", f"{step.column}_r"
        out += [step.gamma, *step.weights, f"{_left_first(left, right)} AS {left}",
                f"{_left_first(right, left)} AS {right}"]
    return out


def _training_groups(config: LinkConfig) -> list[tuple[str, ...]]:
    """Blocking groups to train with: not those on an ID number (the records left to
    this stage never share a valid one)."""
    ids = {c.name for c in config.of_kind("id_number")}
    return [g for g in config.blocking if not set(g) & ids] or list(config.blocking)


def train(linker: Linker, config: LinkConfig, u_pairs: int) -> None:
    """A prior from near-certain rules, u by random sampling of ``u_pairs`` pairs, m by
    expectation maximisation (a session whose block holds no pair, as in a small feed,
    leaves Splink's default m values for the columns it would have learnt)."""
    certain: list[str | BlockingRuleCreator] = [
        block_on(*g) for g in _training_groups(config)[:2]]
    linker.training.estimate_probability_two_random_records_match(certain, recall=0.8)
    # no pair met the rules (a small feed): Splink's default prior, not log(0) (Splink
    # 5.0 has no public setter for it)
    model = linker._settings_obj
    if model._probability_two_random_records_match == 0:
        model._probability_two_random_records_match = DEFAULT_PRIOR
    # all the sampled pairs in one go: the same u on both engines (Splink's early stop
    # after some chunks depends on the engine's hash), and a few jobs for Spark, not 80
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=SEED,
                                                     num_chunks=1)
    # each session cannot learn the columns it blocks on: two sessions cover them all
    for group in _em_blocks(config):
        before = [(level, level._m_probability) for c in model.comparisons
                  for level in c.comparison_levels if not level.is_null_level]
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*group), estimate_without_term_frequencies=True)
        except EMTrainingException:
            continue
        except ValueError:  # a level's m underflowed to 0: Splink stops half-way through
            for level, m in before:  # writing the session's values; the session is lost
                level._m_probability = m


def _em_blocks(config: LinkConfig) -> list[tuple[str, ...]]:
    """Two blocking groups with no column in common, when the configuration has them."""
    groups = _training_groups(config)
    first = groups[0]
    second = next((g for g in groups[1:] if not set(g) & set(first)), None)
    return [first, second] if second else [first]
