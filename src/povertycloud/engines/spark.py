"""Apache Spark for deployments that outgrow one machine. Local mode by default; a cluster
through Spark's usual settings (``SPARK_MASTER`` or ``spark-submit``). PySpark is imported
only here, on first use, so the core runs without it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import EngineError
from .base import Engine

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


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"

    def __init__(self, master: str | None = None) -> None:
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
            settings.update({"spark.driver.host": "127.0.0.1",
                             "spark.driver.bindAddress": "127.0.0.1"})
        for key, value in settings.items():
            if not configured.contains(key):
                builder = builder.config(key, value)
        try:
            self.spark: Any = builder.getOrCreate()
        except Exception as exc:  # Java missing, a cluster out of reach
            raise EngineError(f"Spark could not start: {exc}") from None
        self.spark.sparkContext.setLogLevel("ERROR")

    def register_parquet(self, name: str, path: Path) -> None:
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)

    def register_arrow(self, name: str, table: pa.Table) -> None:
        from pyspark.sql.types import (
            BooleanType,
            DateType,
            DoubleType,
            LongType,
            StringType,
            StructField,
            StructType,
        )

        types = {pa.int64(): LongType(), pa.float64(): DoubleType(), pa.string(): StringType(),
                 pa.bool_(): BooleanType(), pa.date32(): DateType()}
        schema = StructType([StructField(f.name, types[f.type], f.nullable) for f in table.schema])
        rows = [tuple(r.values()) for r in table.to_pylist()]
        self.spark.createDataFrame(rows, schema).createOrReplaceTempView(name)

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

    def _query(self, sql: str) -> pa.Table:
        frame = self.spark.sql(sql)
        return pa.Table.from_pylist([r.asDict() for r in frame.collect()])

    def close(self) -> None:
        """Spark sessions are shared within a process; leave it for the next user."""


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()
