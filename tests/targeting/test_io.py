"""Reading and writing targeting tables, and a whole run through files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from povertycloud.errors import OutputExistsError
from povertycloud.targeting import TargetingError, fit_predict
from povertycloud.targeting.io import read_table, write_table
from povertycloud.targeting.synthetic import Split


@pytest.mark.parametrize("name", ["features.parquet", "features.pq"])
def test_parquet_round_trip_is_exact(households: Split, tmp_path: Path, name: str) -> None:
    write_table(households.labelled, tmp_path / name)
    assert read_table(tmp_path / name).equals(households.labelled)


def test_csv_round_trip_keeps_the_values(households: Split, tmp_path: Path) -> None:
    path = tmp_path / "features.csv"
    write_table(households.labelled, path)
    back = read_table(path)
    assert back.column_names == households.labelled.column_names
    # CSV carries no types: codes such as the county come back as numbers, and a column
    # with no value at all (earlier surveys, in a first year) as nulls of no type.
    empty = [c for c in back.column_names if back.column(c).null_count == back.num_rows]
    assert empty and all(households.labelled.column(c).null_count == back.num_rows
                         for c in empty)
    kept = back.drop_columns(empty)
    assert kept.equals(households.labelled.drop_columns(empty).cast(kept.schema))


def test_a_run_through_csv_files(households: Split, tmp_path: Path) -> None:
    write_table(households.labelled.slice(0, 800), tmp_path / "t.csv")
    write_table(households.unlabelled.slice(0, 100), tmp_path / "p.csv")
    out, _ = fit_predict(read_table(tmp_path / "t.csv"), read_table(tmp_path / "p.csv"),
                         "welfare", "household_id", 0.2, folds=2, candidates=["ols"])
    write_table(out, tmp_path / "predicted.csv")
    back = read_table(tmp_path / "predicted.csv")
    assert back.column("household_id").equals(households.unlabelled.column("household_id")
                                              .slice(0, 100))


def test_an_existing_output_is_kept_unless_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    write_table(pa.table({"a": [1]}), path)
    with pytest.raises(OutputExistsError, match="exists"):
        write_table(pa.table({"a": [2]}), path)
    write_table(pa.table({"a": [2]}), path, overwrite=True)
    assert read_table(path).column("a").to_pylist() == [2]


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TargetingError, match=r"unknown file type '\.xlsx'"):
        write_table(pa.table({"a": [1]}), tmp_path / "out.xlsx")
    with pytest.raises(TargetingError, match="does not exist"):
        read_table(tmp_path / "missing.csv")


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_text("not parquet")
    with pytest.raises(TargetingError, match="cannot read"):
        read_table(path)
