"""Link two tables: first on the validated ID number (columns of kind ``id_number``), then
probabilistically on the rest; one row per pair at or above the review threshold, with
its match probability, what it matched on and whether it is a match or for review."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import PovertyCloudError
from ..sqltext import literal
from .config import LinkConfig
from .exact import id_pairs_sql, unmatched_sql
from .probabilistic import score


class LinkError(PovertyCloudError):
    """Tables that cannot be linked as configured."""


@dataclass(frozen=True)
class Linked:
    pairs: pa.Table  # left_key, right_key, match_probability, matched_on, decision
    by_id: int
    candidates: int  # pairs the probabilistic stage compared
    seconds: float
    probabilistic_seconds: float


def read_table(path: Path) -> pa.Table:
    """A Parquet or CSV file (CSV read as text, keeping leading zeros)."""
    path = Path(path)
    if not path.exists():
        raise LinkError(f"{path} does not exist")
    con = duckdb.connect()
    try:
        if path.suffix.lower() == ".parquet":
            return con.sql(f"SELECT * FROM read_parquet({literal(path)})").to_arrow_table()
        if path.suffix.lower() == ".csv":
            return con.sql(f"SELECT * FROM read_csv({literal(path)}, all_varchar = true)"
                           ).to_arrow_table()
    finally:
        con.close()
    raise LinkError(f"{path}: link reads .parquet or .csv files")


def _prepared(table: pa.Table, config: LinkConfig, side: str) -> pa.Table:
    """The compared columns under their common names, and ``unique_id`` (the key)."""
    key = config.left_key if side == "left" else config.right_key
    wanted = {key: "unique_id"}
    for c in config.columns:
        wanted[c.left if side == "left" else c.right] = c.name
    missing = [name for name in wanted if name not in table.column_names]
    if missing:
        raise LinkError(f"the {side} table has no column {', '.join(missing)}")
    out = table.select(list(wanted)).rename_columns(list(wanted.values()))
    keys = out.column("unique_id")
    if len(keys.unique()) != out.num_rows or keys.null_count:
        raise LinkError(f"the {side} key {key} is not unique (or has empty values)")
    return out


def link(left: pa.Table, right: pa.Table, config: LinkConfig) -> Linked:
    started = time.perf_counter()
    a, b = _prepared(left, config, "left"), _prepared(right, config, "right")
    con = duckdb.connect()
    con.register("a", a)
    con.register("b", b)
    pieces = []
    for column in config.of_kind("id_number"):
        pieces.append(id_pairs_sql("a", "b", "unique_id", "unique_id", column.name,
                                   column.name))
    exact = " UNION ".join(pieces) if pieces else (
        "SELECT a.unique_id AS left_key, b.unique_id AS right_key FROM a, b WHERE FALSE")
    con.execute(f"CREATE TABLE by_id AS SELECT DISTINCT left_key, right_key FROM ({exact})")
    by_id = con.sql("SELECT count(*) FROM by_id").fetchone()
    rest_a = con.sql(unmatched_sql("a", "unique_id", "by_id", "left")).to_arrow_table()
    rest_b = con.sql(unmatched_sql("b", "unique_id", "by_id", "right")).to_arrow_table()
    candidates, probabilistic = 0, 0.0
    con.execute("CREATE TABLE scored (left_key VARCHAR, right_key VARCHAR, "
                "match_probability DOUBLE)")
    if rest_a.num_rows and rest_b.num_rows:
        scored = score(rest_a, rest_b, config)
        con.register("scored_pairs", scored.pairs)
        con.execute("INSERT INTO scored SELECT * FROM scored_pairs "
                    f"WHERE match_probability >= {config.review}")
        candidates, probabilistic = scored.candidates, \
            scored.train_seconds + scored.predict_seconds
    pairs = con.sql(f"""
SELECT CAST(left_key AS VARCHAR) AS left_key, CAST(right_key AS VARCHAR) AS right_key,
  1.0 AS match_probability, 'id_number' AS matched_on, 'match' AS decision FROM by_id
UNION ALL
SELECT CAST(left_key AS VARCHAR), CAST(right_key AS VARCHAR), match_probability,
  'probabilistic', CASE WHEN match_probability >= {config.match} THEN 'match'
                        ELSE 'review' END FROM scored
ORDER BY left_key, match_probability DESC""").to_arrow_table()
    con.close()
    return Linked(pairs, int(by_id[0]) if by_id else 0, candidates,
                  time.perf_counter() - started, probabilistic)
