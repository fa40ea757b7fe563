"""What every engine offers: register inputs, run SQL steps, hand back results, and run
Splink. Everything that differs between engines is a method or attribute of theirs, or of
their dialect, as Splink does with its database APIs and dialects: domain code never asks
which engine it runs on.

Steps are written once in DuckDB's SQL dialect (the canonical one); an engine of another
dialect translates them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

import pyarrow as pa

from ..errors import EngineError

if TYPE_CHECKING:
    import duckdb
    from splink.internals.database_api import DatabaseAPI
    from sqlglot import exp

CANONICAL_DIALECT = "duckdb"


class Dialect:
    """The SQL an engine speaks where it differs from the canonical dialect (DuckDB's,
    which this base class is): how steps are translated."""

    name: ClassVar[str] = CANONICAL_DIALECT  # sqlglot's name of it

    def translate(self, sql: str) -> str:
        """``sql`` (canonical) in this dialect."""
        return sql


@dataclass(frozen=True)
class BatchMap:
    """A function from one Arrow batch of rows to another (a model scoring a profile),
    with the schema of what it returns. Engines run it where the rows are (Spark ships
    it to its workers), so it must pickle: keep it a module-level class or function."""

    function: Callable[[pa.RecordBatch], pa.RecordBatch]
    schema: pa.Schema
    rows: int = 65_536  # rows per batch, where the engine chooses


class StoreConnection(Protocol):
    """A store, as an engine that runs inside it sees it: its database connection."""

    con: duckdb.DuckDBPyConnection


class Engine(ABC):
    """A SQL engine the batch pipeline and the linkage run on."""

    name: ClassVar[str]
    dialect: ClassVar[Dialect]
    # Whether, built ``for_store``, it runs inside the store's own database (its SQL reads
    # the stored tables, the store's SQL reads its results by ``relation``) rather than
    # apart, fed and read through Parquet.
    in_store: ClassVar[bool] = False

    @classmethod
    def for_store(cls, store: StoreConnection) -> Engine:
        """An engine to run plans over ``store``: inside it when ``in_store``, else one
        of its own."""
        return cls()

    def translate(self, sql: str) -> str:
        """``sql`` in this engine's dialect."""
        return self.dialect.translate(sql)

    def create_view(self, name: str, sql: str) -> None:
        """Name the result of a canonical-dialect query for later steps."""
        self._create_view(name, self.translate(sql))

    def materialize(self, name: str, sql: str) -> None:
        """Compute a canonical-dialect query once and keep it as ``name``."""
        self._materialize(name, self.translate(sql))

    def map_batches(self, name: str, sql: str, batches: BatchMap) -> None:
        """Name (and keep, computed once) the rows of a canonical-dialect query mapped
        batch by batch through ``batches.function``."""
        self._map_batches(name, self.translate(sql), batches)

    def query(self, sql: str) -> pa.Table:
        """Run a canonical-dialect query and bring its rows to this process."""
        return self._query(self.translate(sql))

    def relation(self, name: str) -> str:
        """How the store's SQL names this engine's view or table ``name`` (an engine
        ``in_store`` only)."""
        raise EngineError(f"the {self.name} engine runs apart from the store")

    @abstractmethod
    def register_parquet(self, name: str, path: Path) -> None:
        """Expose the Parquet file or folder at ``path`` as the table ``name``."""

    @abstractmethod
    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Expose an in-memory table (parameters, records to link) as ``name``."""

    @abstractmethod
    def write_parquet(self, name: str, path: Path) -> None:
        """Write the view or table ``name`` to Parquet at ``path``."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Forget the view or table ``name`` this engine made or registered (if any)."""

    @abstractmethod
    def splink_api(self) -> DatabaseAPI[Any]:
        """Splink's database API over this engine's tables."""

    @abstractmethod
    def _create_view(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def _materialize(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def _query(self, sql: str) -> pa.Table: ...

    @abstractmethod
    def _map_batches(self, name: str, sql: str, batches: BatchMap) -> None: ...

    def close(self) -> None:  # noqa: B027  (optional: most engines hold nothing)
        """Release what the engine holds and made."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def transpile(sql: str, dialect: str) -> str:
    """Canonical ``sql`` in ``dialect``, by sqlglot."""
    import sqlglot

    return ";\n".join(_portable(tree).sql(dialect)
                      for tree in sqlglot.parse(sql, read=CANONICAL_DIALECT) if tree)


def _portable(tree: exp.Expression) -> exp.Expression:
    """Undo sqlglot's reading of DuckDB's CONCAT_WS as treating NULL as '' (it skips NULL
    parts, as Spark's does), which would add empty parts elsewhere."""
    from sqlglot import exp

    for node in tree.find_all(exp.ConcatWs):
        node.set("coalesce", None)
    return tree
