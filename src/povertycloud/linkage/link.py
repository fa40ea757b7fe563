"""Link two tables: first on the validated ID number (columns of kind ``id_number``), then
probabilistically on the rest; one row per pair at or above the review threshold, with
its match probability, what it matched on and whether it is a match or for review.
Both stages run on DuckDB (the default) or on Spark."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .. import engines
from ..engines import DuckDBEngine, Engine
from ..errors import PovertyCloudError
from ..sqltext import literal
from .blocking import without_coarse_groups
from .config import LinkConfig
from .exact import id_pairs_sql, unmatched_sql
from .pinyin import pinyin_columns
from .probabilistic import Scored, score


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
    with DuckDBEngine() as reader:  # DuckDB's readers, in this process
        if path.suffix.lower() == ".parquet":
            return reader.query(f"SELECT * FROM read_parquet({literal(path)})")
        if path.suffix.lower() == ".csv":
            return reader.query(f"SELECT * FROM read_csv({literal(path)}, all_varchar = true)")
    raise LinkError(f"{path}: link reads .parquet or .csv files")


def _prepared(table: pa.Table, config: LinkConfig, side: str) -> pa.Table:
    """The compared columns under their common names, ``unique_id`` (the key) and the
    pinyin of each name, in both readings (``pinyin.readings``)."""
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
    for c in config.of_kind("name"):
        sound, swapped = pinyin_columns(out.column(c.name))
        out = out.append_column(c.pinyin, sound).append_column(c.pinyin_swapped, swapped)
    return out


def _typed_alike(a: pa.Table, b: pa.Table) -> tuple[pa.Table, pa.Table]:
    """A column with no values at all on one side (of Arrow's null type) takes the
    other side's type, so the engines can compare the two."""
    for name in a.column_names:
        left, right = a.schema.field(name).type, b.schema.field(name).type
        if left == pa.null():
            a = a.set_column(a.column_names.index(name), name, a[name].cast(right))
        elif right == pa.null():
            b = b.set_column(b.column_names.index(name), name, b[name].cast(left))
    return a, b


def link(left: pa.Table, right: pa.Table, config: LinkConfig,
         engine: str = engines.DEFAULT) -> Linked:
    """The pairs of records of ``left`` and ``right`` that are the same person, linked
    on the engine called ``engine`` (``povertycloud.engines``): both stages run there, so
    the records left for the probabilistic stage never leave it."""
    started = time.perf_counter()
    a, b = _typed_alike(_prepared(left, config, "left"), _prepared(right, config, "right"))
    config = without_coarse_groups(config, a, b)
    with engines.get_engine(engine) as runner:
        runner.register_arrow("link_left", a)
        runner.register_arrow("link_right", b)
        by_id = _link_on_id(runner, config)
        scored = _link_the_rest(runner, config)
    pairs = _decided(by_id, scored.pairs, config)
    return Linked(pairs, by_id.num_rows, scored.candidates, time.perf_counter() - started,
                  scored.train_seconds + scored.predict_seconds)


def _link_on_id(engine: Engine, config: LinkConfig) -> pa.Table:
    """The pairs sharing a valid ID number, kept as ``link_by_id``."""
    pieces = [id_pairs_sql("link_left", "link_right", "unique_id", "unique_id", c.name,
                           c.name) for c in config.of_kind("id_number")]
    exact = " UNION ".join(pieces) if pieces else (
        "SELECT l.unique_id AS left_key, r.unique_id AS right_key "
        "FROM link_left l, link_right r WHERE FALSE")
    engine.materialize("link_by_id", f"SELECT DISTINCT left_key, right_key FROM ({exact})")
    return engine.query("SELECT * FROM link_by_id")


def _link_the_rest(engine: Engine, config: LinkConfig) -> Scored:
    """Probabilistic linkage of the records no ID-number pair names."""
    engine.materialize("link_rest_left", unmatched_sql("link_left", "unique_id",
                                                       "link_by_id", "left"))
    engine.materialize("link_rest_right", unmatched_sql("link_right", "unique_id",
                                                        "link_by_id", "right"))
    rest = engine.query("SELECT (SELECT count(*) FROM link_rest_left) AS l, "
                        "(SELECT count(*) FROM link_rest_right) AS r").to_pylist()[0]
    if not (rest["l"] and rest["r"]):
        return Scored(pa.table({"left_key": [], "right_key": [],
                                "match_probability": pa.array([], pa.float64())}), 0, 0, 0)
    return score(engine, "link_rest_left", "link_rest_right", config)


def _decided(by_id: pa.Table, scored: pa.Table, config: LinkConfig) -> pa.Table:
    """Both stages' pairs, each a match or for review, ordered by left key."""
    with engines.get_engine() as engine:  # in this process: the pairs are here
        engine.register_arrow("by_id", by_id)
        engine.register_arrow("scored", scored)
        return engine.query(f"""
SELECT CAST(left_key AS VARCHAR) AS left_key, CAST(right_key AS VARCHAR) AS right_key,
  1.0 AS match_probability, 'id_number' AS matched_on, 'match' AS decision FROM by_id
UNION ALL
SELECT CAST(left_key AS VARCHAR), CAST(right_key AS VARCHAR),
  CAST(match_probability AS DOUBLE), 'probabilistic',
  CASE WHEN match_probability >= {config.match} THEN 'match' ELSE 'review' END
FROM scored
ORDER BY left_key, match_probability DESC""")

