"""`povertycloud link`: link the records of two tables that describe the same people."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import OutputExistsError
from .common import OverwriteOption, console


def link_command(
    left: Annotated[Path, typer.Argument(help="The first table (.parquet or .csv).")],
    right: Annotated[Path, typer.Argument(help="The second table (.parquet or .csv).")],
    config: Annotated[Path, typer.Option(help="YAML file: keys, compared columns and their "
                                              "kinds, thresholds (see docs/linkage.md).")],
    out: Annotated[Path, typer.Option(help="Pairs to write (.parquet or .csv).")],
    engine: Annotated[str, typer.Option(help="Where linkage runs: duckdb (default) or "
                                             "spark (local mode unless SPARK_MASTER "
                                             "or spark-submit says otherwise).")
                      ] = "duckdb",
    overwrite: OverwriteOption = False,
) -> None:
    """Link LEFT and RIGHT: first on the validated ID number (columns of kind id_number),
    then probabilistically (Splink) on names (characters and pinyin), dates, addresses
    and identifiers; with one_to_one and registry, a record with only a name and an
    address is then its house's member whose name is one character off (household).
    Writes one row per pair at or above the review threshold: left_key, right_key,
    match_probability, matched_on (id_number, probabilistic, exact or household),
    decision (match or review) and reason (why a pair is for review: below_threshold,
    rival, twin or namesake)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from ..engines import check_engine
    from ..linkage.config import load_link_config
    from ..linkage.link import LinkError, link, read_table

    check_engine(engine)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise LinkError(f"{out}: write .parquet or .csv")
    if out.exists() and not overwrite:
        raise OutputExistsError(f"{out} exists; choose another path or add --overwrite")
    settings = load_link_config(config)
    linked = link(read_table(left), read_table(right), settings, engine,
                  sources=(str(left), str(right)))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        pq.write_table(linked.pairs, out)
    else:
        pacsv.write_csv(linked.pairs, out)
    decisions = linked.pairs.column("decision").to_pylist()
    console.print(
        f"{decisions.count('match'):,} matches ({linked.by_id:,} on the ID number, "
        f"{linked.by_household:,} in the house at the record's address) and "
        f"{decisions.count('review'):,} pairs for review, written to {out}; "
        f"{linked.candidates:,} candidate pairs compared in {linked.seconds:.1f} s")
