"""Linkage on the validated ID number: records with the same ID number whose check
character is right are the same person. Records whose ID number is missing or fails
the check are left for probabilistic linkage.

The SQL is DuckDB's and transpiles to Spark's (``povertycloud.engines``)."""

from __future__ import annotations

from ..standard.ids import sql_check_digit


def valid_sql(column: str) -> str:
    """SQL that holds when ``column`` has the shape of an ID number (17 ASCII digits and
    a digit or X) and a right check character, as ``standard.ids.sql_valid`` checks, in
    functions Spark has too (it has no ``regexp_full_match``)."""
    return (f"CASE WHEN length({column}) = 18 AND regexp_matches({column}, "
            f"'^[0-9]{{17}}[0-9X]$') THEN SUBSTRING({column}, 18, 1) = "
            f"{sql_check_digit(column)} ELSE FALSE END")


def id_pairs_sql(left: str, right: str, left_key: str, right_key: str,
                 left_id: str = "id_number", right_id: str = "id_number") -> str:
    """One row per pair (``left_key``, ``right_key``) of records of the tables ``left``
    and ``right`` sharing a valid ID number (upper-case X accepted as x)."""
    return f"""
SELECT l.{left_key} AS left_key, r.{right_key} AS right_key, 'id_number' AS matched_on,
  1.0 AS match_probability
FROM (SELECT {left_key}, upper({left_id}) AS id FROM {left}) l
JOIN (SELECT {right_key}, upper({right_id}) AS id FROM {right}) r ON l.id = r.id
WHERE {valid_sql("l.id")}"""


def unmatched_sql(table: str, key: str, pairs: str, side: str) -> str:
    """The records of ``table`` that no pair of ``pairs`` names on ``side`` (left or
    right): what probabilistic linkage has to place."""
    return (f"SELECT t.* FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {pairs} p "
            f"WHERE p.{side}_key = t.{key})")
