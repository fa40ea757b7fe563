"""What every engine offers the pipeline: register inputs, run SQL steps, hand back results.

Steps are written once in DuckDB's SQL dialect; an engine of another dialect transpiles
them with sqlglot. Domain code never asks which engine it runs on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pyarrow as pa

if TYPE_CHECKING:
    from sqlglot import exp

CANONICAL_DIALECT = "duckdb"


def _portable(tree: exp.Expression) -> exp.Expression:
    """Undo sqlglot's reading of DuckDB's CONCAT_WS as treating NULL as '' (it skips NULL
    parts, as Spark's does), which would add empty parts elsewhere."""
    from sqlglot import exp

    for node in tree.find_all(exp.ConcatWs):
        node.set("coalesce", None)
    return tree


class Engine(ABC):
    """A SQL engine the batch pipeline can run on."""

    name: ClassVar[str]
    dialect: ClassVar[str]

    def translate(self, sql: str) -> str:
        """``sql`` in this engine's dialect."""
        if self.dialect == CANONICAL_DIALECT:
            return sql
        import sqlglot  # only engines of another dialect need it

        return ";\n".join(_portable(tree).sql(self.dialect)
                           for tree in sqlglot.parse(sql, read=CANONICAL_DIALECT) if tree)

    def create_view(self, name: str, sql: str) -> None:
        """Name the result of a canonical-dialect query for later steps."""
        self._create_view(name, self.translate(sql))

    def materialize(self, name: str, sql: str) -> None:
        """Compute a canonical-dialect query once and keep it as ``name``."""
        self._materialize(name, self.translate(sql))

    def query(self, sql: str) -> pa.Table:
        """Run a canonical-dialect query and return its rows."""
        return self._query(self.translate(sql))

    @abstractmethod
    def register_parquet(self, name: str, path: Path) -> None:
        """Expose the Parquet file or folder at ``path`` as the table ``name``."""

    @abstractmethod
    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Expose a small in-memory table (configuration, parameters) as ``name``."""

    @abstractmethod
    def write_parquet(self, name: str, path: Path) -> None:
        """Write the view or table ``name`` to Parquet at ``path``."""

    @abstractmethod
    def _create_view(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def _materialize(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def _query(self, sql: str) -> pa.Table: ...

    def close(self) -> None:  # noqa: B027  (optional: most engines hold nothing)
        """Release what the engine holds."""
