"""Linkage on the validated ID number."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from povertycloud.linkage.exact import id_pairs_sql, unmatched_sql
from povertycloud.standard.ids import check_digit, is_valid, sql_valid


def valid(first17: str) -> str:
    return first17 + check_digit(first17)


A = valid("52012119800101001")
B = valid("52012119900202002")
X = next(valid(f"5201211975030300{i}") for i in range(10)
         if check_digit(f"5201211975030300{i}") == "X")


def test_pairs_on_valid_ids_only() -> None:
    con = duckdb.connect()
    wrong_check = B[:17] + ("0" if B[17] != "0" else "1")
    con.register("registry", pa.table({"person_id": [1, 2, 3, 4],
                                       "id_number": [A, B, X, None]}))
    con.register("feed", pa.table({"record_id": [10, 11, 12, 13, 14, 15],
                                   "id_number": [A, wrong_check, X.lower(), None, "abc", A]}))
    pairs = con.sql(id_pairs_sql("registry", "feed", "person_id", "record_id")
                    + " ORDER BY right_key").fetchall()
    assert pairs == [(1, 10, "id_number", 1.0), (3, 12, "id_number", 1.0),
                     (1, 15, "id_number", 1.0)]
    con.execute("CREATE TABLE pairs AS " + id_pairs_sql("registry", "feed", "person_id",
                                                         "record_id"))
    left = con.sql(unmatched_sql("feed", "record_id", "pairs", "right")
                   + " ORDER BY record_id").fetchall()
    assert [r[0] for r in left] == [11, 13, 14]
    assert [r[0] for r in con.sql(unmatched_sql("registry", "person_id", "pairs", "left")
                                  + " ORDER BY 1").fetchall()] == [2, 4]


def test_the_check_agrees_with_standard_ids() -> None:
    """``sql_valid`` (DuckDB and Spark SQL) accepts what ``standard.ids`` accepts, but
    for the birth date, which neither SQL check reads."""
    texts = [A, B, X, X[:17] + "x", A + "\n", A[:17], A + "1", "１" + A[1:], "abc", ""]
    con = duckdb.connect()
    con.register("ids", pa.table({"id": texts}))
    got = [r[0] for r in con.sql(f"SELECT {sql_valid('id')} FROM ids").fetchall()]
    assert got == [is_valid(t) for t in texts]
