"""Linkage on the validated ID number: records with the same ID number whose check
character is right are the same person. Records whose ID number is missing or fails
the check are left for probabilistic linkage.

The SQL is DuckDB's and transpiles to Spark's (``povertycloud.engines``)."""

from __future__ import annotations

from ..standard.ids import sql_valid


def id_pairs_sql(left: str, right: str, left_key: str, right_key: str,
                 left_id: str = "id_number", right_id: str = "id_number") -> str:
    """One row per pair (``left_key``, ``right_key``) of records of the tables ``left``
    and ``right`` sharing a valid ID number (upper-case X accepted as x)."""
    return f"""
SELECT l.{left_key} AS left_key, r.{right_key} AS right_key, 'id_number' AS matched_on,
  1.0 AS match_probability
FROM (SELECT {left_key}, upper({left_id}) AS id FROM {left}) l
JOIN (SELECT {right_key}, upper({right_id}) AS id FROM {right}) r ON l.id = r.id
WHERE {sql_valid("l.id")}"""


def unmatched_sql(table: str, key: str, pairs: str, side: str) -> str:
    """The records of ``table`` that no pair of ``pairs`` names on ``side`` (left or
    right): what probabilistic linkage has to place."""
    return (f"SELECT t.* FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {pairs} p "
            f"WHERE p.{side}_key = t.{key})")
