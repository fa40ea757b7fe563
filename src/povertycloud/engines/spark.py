"""Apache Spark for deployments that outgrow one machine. Local mode by default; a cluster
through Spark's usual settings (``SPARK_MASTER`` or ``spark-submit``). PySpark is imported
only here, on first use, so the core runs without it."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import EngineError
from .base import BatchMap, Dialect, Engine, transpile

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPI

# Settings that suit one machine, applied only where Spark's own configuration
# (spark-submit, spark-defaults.conf) sets nothing.
LOCAL_SETTINGS = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.driver.memory": "4g",
}


class SparkDialect(Dialect):
    """Spark SQL: steps transpiled by sqlglot."""

    name = "spark"

    def translate(self, sql: str) -> str:
        return transpile(sql, self.name)


class SparkEngine(Engine):
    """Spark's session in this process; closing the engine drops the views it made (and
    Splink's Parquet of them), the session stays for the next user."""

    name = "spark"
    dialect = SparkDialect()

    def __init__(self, master: str | None = None) -> None:
        self.spark = _session(master)
        self._before = self._views()
        self._scratch: Path | None = None

    def register_parquet(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def write_parquet(self, name: str, path: Path) -> None:
        # One file, so outputs look the same whichever engine wrote them.
        self.spark.table(name).coalesce(1).write.mode("error").parquet(str(path) + ".spark")
        folder = Path(str(path) + ".spark")
        next(folder.glob("part-*.parquet")).replace(path)
        _remove_tree(folder)

    def _create_view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)

    def _materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        frame.count()
        frame.createOrReplaceTempView(name)

    def _map_batches(self, name: str, sql: str, batches: BatchMap) -> None:
        """Spark's ``mapInArrow``: each worker maps its partitions' Arrow batches; the
        result is cached, as the DuckDB engine keeps it as a table."""
        from pyspark.sql.pandas.types import from_arrow_schema

        function = batches.function
        self.spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batches.rows))
        frame = self.spark.sql(sql).mapInArrow(
            lambda parts: (function(b) for b in parts), from_arrow_schema(batches.schema))
        frame = frame.cache()
        frame.count()
        frame.createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)  # and its cache

    def _query(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(sql).toArrow()
        return table

    def splink_api(self) -> DatabaseAPI[Any]:
        """Splink's ``SparkAPI`` with the similarity functions of the jar in Splink's
        wheel; Splink writes each intermediate table to Parquet under the checkpoint
        folder and reads it back (short query plans, two to three times faster than
        "persist")."""
        from splink import SparkAPI

        _add_similarity_jar(self.spark)
        self._scratch = _checkpoint_folder(self.spark)
        api: DatabaseAPI[Any] = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark, break_lineage_method="parquet")
        return api

    def close(self) -> None:
        for view in self._views() - self._before:
            self.drop(view)
            for written in self._scratch.glob(f"*/{view}") if self._scratch else ():
                shutil.rmtree(written, ignore_errors=True)

    def _views(self) -> set[str]:
        return {t.name for t in self.spark.catalog.listTables() if t.isTemporary}


def _session(master: str | None) -> Any:
    """Spark's session: local mode unless ``master``, ``SPARK_MASTER`` or spark-submit
    says otherwise, with the settings that suit one machine where Spark's own
    configuration sets nothing."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the Spark engine needs PySpark: pip install "
                          "'povertycloud[spark]'") from None
    configured = SparkConf()  # what spark-submit or spark-defaults.conf already set
    builder = SparkSession.builder.appName("povertycloud")
    if master or not configured.contains("spark.master"):
        master = master or os.environ.get("SPARK_MASTER", "local[*]")
        builder = builder.master(master)
    settings = dict(LOCAL_SETTINGS)
    if (master or configured.get("spark.master", "")).startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # stay on loopback
        # Python workers (a model scoring batches) run this interpreter, which has us
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        settings.update({"spark.driver.host": "127.0.0.1",
                         "spark.driver.bindAddress": "127.0.0.1"})
    for key, value in settings.items():
        if not configured.contains(key):
            builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Java missing, a cluster out of reach
        raise EngineError(f"Spark could not start: {exc}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()
