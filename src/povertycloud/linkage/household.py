"""The household stage of one record, one person: a record that carries nothing but a
name and an address (no ID number, no date) is often a village clerk's, with the name
mistyped and the house right. Its pinyin differs, so no candidate reaches it, and a
model weighs a name one character off as little better than chance, since unrelated
people share surnames and given-name characters.

Within the house, the name is far more telling. Such a record, when the first two stages
(the ID number, then the model) give it no pair from the review threshold up, is the
member of the house at its address (all its households: a family that split its
registration often keeps one address) whose full name, in characters, is one character
from the record's, but only when all of these hold:
- exactly one member is one character off: twins and siblings who share a generation
  character are then two, and the record is left unmatched;
- no one of that member's village bears the record's name, for then it may be theirs
  with the number of another house (someone of that name elsewhere is less likely the
  record's person than the member: a clerk mistypes a character more often than they
  write the address of a house in another village; without a village, no one in the
  registry may bear it);
- the record has no ID number, identifier or date, which would have counted against
  the member, and its exact columns (sex) agree with the member's where it has them;
- the name is in characters: one Latin letter off ("Zhang Wen", "Zhang Wei") is
  another name.

A person outside the registry who lives in the house, with a name one character from a
member's, would be taken for that member; so the stage runs only where the right table
is a registry of households (``one_to_one`` and ``registry.household``). The SQL is
DuckDB's and runs on the engine that scored the pairs (transpiled for Spark)."""

from __future__ import annotations

from .config import LinkConfig
from .resolve import VILLAGE, full_name, one_apart

STAGE = "household"


def applies(config: LinkConfig) -> bool:
    """Whether ``config`` links records to a registry of households by name and
    address, where the stage can run."""
    return bool(config.one_to_one and config.household and config.of_kind("name")
                and config.of_kind("address"))


def household_sql(config: LinkConfig, left: str, right: str, decided: str) -> str:
    """The household stage's matches (left_key, right_key, match_probability 1.0,
    decision, reason) for the records of ``left`` that no pair of ``decided`` names,
    against the people of ``right``."""
    silent = " AND ".join(f"l.{c.name} IS NULL" for c in
                          config.of_kind("id_number", "identifier", "date")) or "TRUE"
    same_house = " AND ".join(f"r.{c.name} = l.{c.name}" for c in config.of_kind("address"))
    agree = "".join(f" AND (l.{c.name} IS NULL OR l.{c.name} = r.{c.name})"
                    for c in config.of_kind("exact"))
    name, member = full_name(config, "l"), full_name(config, "r")
    village, kept = ((f"(r.{VILLAGE} IS NULL OR x.{VILLAGE} = r.{VILLAGE}) AND ",
                      f" r.{VILLAGE},") if config.village else ("", ""))
    return f"""
WITH open AS (
  SELECT l.* FROM {left} l
  WHERE {silent} AND lower({name}) = upper({name})
    AND NOT EXISTS (SELECT 1 FROM {decided} d WHERE d.left_key = l.unique_id)),
near AS (
  SELECT l.unique_id AS left_key, r.unique_id AS right_key, {name} AS written,{kept}
    count(*) OVER (PARTITION BY l.unique_id) AS members
  FROM open l JOIN {right} r ON {same_house} AND {one_apart(name, member)}{agree})
SELECT left_key, right_key, 1.0 AS match_probability, 'match' AS decision,
  CAST(NULL AS VARCHAR) AS reason
FROM near r WHERE members = 1
  AND NOT EXISTS (SELECT 1 FROM {right} x
                  WHERE {village}{full_name(config, "x")} = r.written)"""
