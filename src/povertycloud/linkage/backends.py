"""Where a linkage runs: an engine of ``povertycloud.engines`` for the SQL of the
ID-number stage, and Splink's database API over the same DuckDB connection or Spark
session, so the records left for the probabilistic stage never leave the engine.

PySpark and Splink's Spark backend load only when a Spark linkage starts."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
from splink import DuckDBAPI
from splink.internals.database_api import DatabaseAPI

from ..engines import check_engine
from ..engines.duckdb import DuckDBEngine
from ..engines.spark import SparkEngine  # imports PySpark only when it starts


class Backend(ABC):
    """One engine for one linkage; close it when done."""

    dialect: ClassVar[str]  # the dialect of the SQL Splink runs here

    @abstractmethod
    def load(self, name: str, table: pa.Table) -> None:
        """Expose ``table`` as ``name``."""

    @abstractmethod
    def materialize(self, name: str, sql: str) -> None:
        """Compute a DuckDB-dialect query once and keep it as ``name``."""

    @abstractmethod
    def arrow(self, sql: str) -> pa.Table:
        """The rows of a DuckDB-dialect query, brought to this process."""

    @abstractmethod
    def splink_api(self) -> DatabaseAPI[Any]:
        """Splink's database API over this engine's tables."""

    def close(self) -> None:  # noqa: B027  (optional)
        """Release what the linkage made."""


class DuckDBBackend(Backend):
    dialect = "duckdb"

    def __init__(self) -> None:
        self.engine = DuckDBEngine()

    def load(self, name: str, table: pa.Table) -> None:
        self.engine.con.register(name, table)  # no copy

    def materialize(self, name: str, sql: str) -> None:
        self.engine.materialize(name, sql)

    def arrow(self, sql: str) -> pa.Table:
        return self.engine.query(sql)

    def splink_api(self) -> DatabaseAPI[Any]:
        return DuckDBAPI(connection=self.engine.con)

    def close(self) -> None:
        self.engine.close()


class SparkBackend(Backend):
    """Spark as ``povertycloud.engines.spark`` starts it (local mode unless configured
    otherwise), with the similarity functions of the jar inside the Splink wheel."""

    dialect = "spark"

    def __init__(self) -> None:
        self.engine = SparkEngine()
        self.spark = self.engine.spark
        self._before = self._views()
        _add_similarity_jar(self.spark)
        self._scratch = _checkpoint_folder(self.spark)

    def load(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def materialize(self, name: str, sql: str) -> None:
        self.engine.materialize(name, sql)

    def arrow(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(self.engine.translate(sql)).toArrow()
        return table

    def splink_api(self) -> DatabaseAPI[Any]:
        from splink import SparkAPI

        # Splink writes each intermediate table to Parquet under the checkpoint folder
        # and reads it back: short query plans, two to three times faster than "persist"
        api: DatabaseAPI[Any] = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark, break_lineage_method="parquet")
        return api

    def close(self) -> None:
        """Drop the views this linkage made, and their Parquet in a checkpoint folder
        of ours; the session stays for the next user."""
        for view in self._views() - self._before:
            self.spark.catalog.dropTempView(view)
            for written in self._scratch.glob(f"*/{view}") if self._scratch else ():
                shutil.rmtree(written, ignore_errors=True)

    def _views(self) -> set[str]:
        return {t.name for t in self.spark.catalog.listTables() if t.isTemporary}


_OURS: list[Path] = []  # checkpoint folders this process made (removed at exit)


def _checkpoint_folder(spark: Any) -> Path | None:
    """The session's checkpoint folder when this process made it (a temporary one, when
    the session had none); None for a folder configured elsewhere (on a cluster it
    must be on shared storage), whose files are left to its owner."""
    if not spark.sparkContext.getCheckpointDir():
        folder = Path(tempfile.mkdtemp(prefix="povertycloud-link-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        spark.sparkContext.setCheckpointDir(str(folder))
        _OURS.append(folder)
    current = str(spark.sparkContext.getCheckpointDir())
    return next((f for f in _OURS if str(f) in current), None)


def _add_similarity_jar(spark: Any) -> None:
    """Jaro-Winkler and Damerau-Levenshtein for Spark SQL, from the jar Splink ships
    (it leans on Apache Commons Text, which Spark itself ships)."""
    from splink.backends.spark import similarity_jar_location

    jar = similarity_jar_location()
    added = [str(row[0]) for row in spark.sql("LIST JAR").collect()]
    if not any(a.endswith(jar.rsplit("/", 1)[-1]) for a in added):
        spark.sql(f"ADD JAR '{jar}'")


BACKENDS: dict[str, type[Backend]] = {"duckdb": DuckDBBackend, "spark": SparkBackend}


def open_backend(engine: str) -> Backend:
    """A backend on ``engine`` (duckdb or spark); an unknown name is a clear error."""
    check_engine(engine)
    return BACKENDS[engine]()
