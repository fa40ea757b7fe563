"""Link two tables: first on the validated ID number (columns of kind ``id_number``), then
probabilistically on the rest (or, without a model, on exact agreement); one row per
pair at or above the review threshold, with its match probability, what it matched on,
whether it is a match or for review and why (``resolve``). Every stage runs on DuckDB
(the default) or on Spark."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .. import engines
from ..engines import DuckDBEngine, Engine
from ..errors import PovertyCloudError
from ..sqltext import literal
from ..standard.ids import sql_valid
from .blocking import without_coarse_groups
from .config import Column, LinkConfig
from .derived import with_derived
from .exact import id_pairs_sql, unmatched_sql
from .household import STAGE as HOUSEHOLD_STAGE
from .household import applies as by_household
from .household import household_sql
from .probabilistic import SCORED, Scored, score, with_evidence
from .resolve import HOUSEHOLD, VILLAGE, decisions_sql

# Pairs of records a model is trained on at least: fewer cannot tell how often
# unrelated records agree (Splink's u) nor what matches look like.
MIN_PAIRS = 1_000
ISO_DATE = "%Y-%m-%d"


class LinkError(PovertyCloudError):
    """Tables that cannot be linked as configured."""


@dataclass(frozen=True)
class Linked:
    # left_key, right_key, match_probability, matched_on, decision, reason, evidence (a
    # probabilistic pair's waterfall as JSON: probabilistic.Waterfall)
    pairs: pa.Table
    by_id: int
    by_household: int  # matches of the household stage (``household``)
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


def _prepared(table: pa.Table, config: LinkConfig, side: str, source: str) -> pa.Table:
    """The compared columns under their common names, ``unique_id`` (the key), the
    derived columns (``linkage.derived``: each name's pinyin in both readings, each
    address without its house number), dates as dates and, on the right, the
    registry's household and village."""
    key = config.left_key if side == "left" else config.right_key
    wanted = {key: "unique_id"}
    for c in config.columns:
        wanted[c.left if side == "left" else c.right] = c.name
    if side == "right":
        wanted |= {k: v for k, v in ((config.household, HOUSEHOLD),
                                     (config.village, VILLAGE)) if k}
    missing = [name for name in wanted if name not in table.column_names]
    if missing:
        raise LinkError(f"{source}: the {side} table has no column {', '.join(missing)}")
    out = table.select(list(wanted)).rename_columns(list(wanted.values()))
    keys = out.column("unique_id")
    if len(keys.unique()) != out.num_rows or keys.null_count:
        raise LinkError(f"{source}: the {side} key {key} is not unique (or has empty values)")
    for c in config.of_kind("date"):
        given = c.left if side == "left" else c.right
        out = out.set_column(out.column_names.index(c.name), c.name,
                             _dates(out.column(c.name), c, f"{source}, column {given}",
                                    config))
    return with_derived(out, config)


def _dates(values: pa.ChunkedArray, column: Column, where: str,
           config: LinkConfig) -> pa.ChunkedArray:
    """A date column as dates: text read with the column's ``format`` (a value that does
    not read is no date, as in a dirty feed), or without one as YYYY-MM-DD (a value
    that does not read is refused: the format is likely another)."""
    kind = values.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind) or kind == pa.null():
        return values.cast(pa.date32())
    if not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
        raise LinkError(f"{where}: {kind} values, not dates or text: store dates, or "
                        f"text with a 'format' in {config.path}")
    read = pc.strptime(values, format=column.date_format or ISO_DATE, unit="s",
                       error_is_null=True).cast(pa.date32())
    if column.date_format is None:
        failed = pc.and_(pc.is_null(read), pc.is_valid(values))
        if pc.any(failed).as_py():
            row = pc.index(failed, True).as_py()
            raise LinkError(f"{where}, row {row + 1}: {values[row].as_py()!r} is not a "
                            f"date as YYYY-MM-DD: give the column's format in "
                            f"{config.path} (for example format: \"%Y%m%d\")")
    return read


def _people_once(table: pa.Table, config: LinkConfig, source: str) -> None:
    """One record, one person needs each person once on the right: refuse two right
    records with one valid ID number (the left may hold a person twice: two cars)."""
    ids = [c.name for c in config.of_kind("id_number")]
    if not ids:
        return
    with engines.get_engine() as engine:  # in this process: the table is here
        engine.register_arrow("right_people", table)
        twice = engine.query(" UNION ALL ".join(f"""
SELECT min(unique_id) AS a, max(unique_id) AS b FROM right_people
WHERE {sql_valid(f"upper({c})")} GROUP BY upper({c}) HAVING count(*) > 1""" for c in ids)
                             + " LIMIT 1").to_pylist()
    if twice:
        raise LinkError(f"{source}: right records {twice[0]['a']} and {twice[0]['b']} share "
                        f"one valid ID number, but one_to_one in {config.path} links each "
                        f"left record to one person held once on the right: deduplicate "
                        f"the right table, or leave one_to_one out")


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
         engine: str = engines.DEFAULT, sources: tuple[str, str] = ("left", "right")
         ) -> Linked:
    """The pairs of records of ``left`` and ``right`` that are the same person, linked
    on the engine called ``engine`` (``povertycloud.engines``): every stage runs there,
    so the records left for the probabilistic stage never leave it. ``sources`` name the
    tables in errors (their files)."""
    started = time.perf_counter()
    a, b = _typed_alike(_prepared(left, config, "left", sources[0]),
                        _prepared(right, config, "right", sources[1]))
    if config.one_to_one:
        _people_once(b, config, sources[1])
    config = without_coarse_groups(config, a, b)
    with engines.get_engine(engine) as runner:
        runner.register_arrow("link_left", a)
        runner.register_arrow("link_right", b)
        by_id = _link_on_id(runner, config)
        rest = _link_the_rest(runner, config, a.column_names)
        runner.materialize("link_decided", decisions_sql(
            config, rest.pairs, "link_left", "link_right", rest.columns))
        stages = [(with_evidence(runner.query("SELECT * FROM link_decided"),
                                 rest.waterfall),
                   "probabilistic" if config.probabilistic else "exact")]
        if by_household(config):
            stages.append((runner.query(household_sql(config, "link_left", "link_right",
                                                      "link_decided")), HOUSEHOLD_STAGE))
    pairs = _decided(by_id, stages)
    housed = pc.sum(pc.equal(pairs["matched_on"], HOUSEHOLD_STAGE)).as_py() or 0
    return Linked(pairs, by_id.num_rows, housed, rest.candidates,
                  time.perf_counter() - started, rest.train_seconds + rest.predict_seconds)


def _link_on_id(engine: Engine, config: LinkConfig) -> pa.Table:
    """The pairs sharing a valid ID number, kept as ``link_by_id``."""
    pieces = [id_pairs_sql("link_left", "link_right", "unique_id", "unique_id", c.name,
                           c.name) for c in config.of_kind("id_number")]
    exact = " UNION ".join(pieces) if pieces else (
        "SELECT l.unique_id AS left_key, r.unique_id AS right_key "
        "FROM link_left l, link_right r WHERE FALSE")
    engine.materialize("link_by_id", f"SELECT DISTINCT left_key, right_key FROM ({exact})")
    return engine.query("SELECT * FROM link_by_id")


def _link_the_rest(engine: Engine, config: LinkConfig, compared: list[str]) -> Scored:
    """The left records no ID-number pair names, against every right record (a person
    may have several records on the left: two cars), by the model or exactly."""
    engine.materialize("link_rest_left", unmatched_sql("link_left", "unique_id",
                                                       "link_by_id", "left"))
    engine.materialize("link_rest_right", f"SELECT {', '.join(compared)} FROM link_right")
    rest = engine.query("SELECT (SELECT count(*) FROM link_rest_left) AS l, "
                        "(SELECT count(*) FROM link_rest_right) AS r").to_pylist()[0]
    if not (rest["l"] and rest["r"]):
        engine.create_view(SCORED, "SELECT unique_id AS left_key, unique_id AS right_key, "
                                   "1.0 AS match_probability FROM link_left WHERE FALSE")
        return Scored(SCORED, 0, 0, 0)
    if not config.probabilistic:
        return _link_exactly(engine, config)
    if rest["l"] * rest["r"] < MIN_PAIRS:
        raise LinkError(
            f"{config.path}: a model needs at least {MIN_PAIRS:,} pairs of records to learn "
            f"from; the records left after the ID number make {rest['l']:,} x "
            f"{rest['r']:,} = {rest['l'] * rest['r']:,}: link more records at once, or set "
            f"'probabilistic: false' to link on exact agreement of every column")
    return score(engine, "link_rest_left", "link_rest_right", config)


def _link_exactly(engine: Engine, config: LinkConfig) -> Scored:
    """Without a model: the pairs that agree on every compared column."""
    agree = " AND ".join(f"l.{c.name} = r.{c.name}" for c in config.columns)
    engine.materialize(SCORED, f"""
SELECT l.unique_id AS left_key, r.unique_id AS right_key, 1.0 AS match_probability
FROM link_rest_left l JOIN link_rest_right r ON {agree}""")
    found = engine.query(f"SELECT count(*) AS n FROM {SCORED}").column("n")[0].as_py()
    return Scored(SCORED, int(found), 0, 0)


def _decided(by_id: pa.Table, stages: list[tuple[pa.Table, str]]) -> pa.Table:
    """Every stage's pairs, ordered by left key: ID-number pairs are matches, the
    others matched on the stage each table names."""
    with engines.get_engine() as engine:  # in this process: the pairs are here
        engine.register_arrow("by_id", by_id)
        later = []
        for k, (pairs, stage) in enumerate(stages):
            engine.register_arrow(f"stage_{k}", pairs)
            later.append(f"""
SELECT * REPLACE (CAST(left_key AS VARCHAR) AS left_key,
    CAST(right_key AS VARCHAR) AS right_key,
    CAST(match_probability AS DOUBLE) AS match_probability),
  {literal(stage)} AS matched_on
FROM stage_{k}""")
        return engine.query(f"""
SELECT CAST(left_key AS VARCHAR) AS left_key, CAST(right_key AS VARCHAR) AS right_key,
  1.0 AS match_probability, 'id_number' AS matched_on, 'match' AS decision,
  CAST(NULL AS VARCHAR) AS reason FROM by_id
UNION ALL BY NAME {" UNION ALL BY NAME ".join(later)}
ORDER BY left_key, match_probability DESC, right_key""")  # ties (two namesakes alike) in one order
