"""The building blocks of the data-exchange standard: fields and tables.

A field's kind decides its Arrow type, its SQL type and the checks applied on import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class Kind(StrEnum):
    """What a field holds."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"
    ID_NUMBER = "id_number"
    REGION_CODE = "region_code"
    GEOJSON = "geojson"


@cache
def arrow_types() -> dict[Kind, pa.DataType]:
    """The Arrow type of each kind (Arrow loads when a type is first asked for)."""
    import pyarrow as pa

    return {
        Kind.STRING: pa.string(),
        Kind.INTEGER: pa.int64(),
        Kind.NUMBER: pa.float64(),
        Kind.BOOLEAN: pa.bool_(),
        Kind.DATE: pa.date32(),
        Kind.ENUM: pa.string(),
        Kind.ID_NUMBER: pa.string(),
        Kind.REGION_CODE: pa.string(),
        Kind.GEOJSON: pa.string(),
    }


SQL_TYPES: dict[Kind, str] = {
    Kind.STRING: "VARCHAR",
    Kind.INTEGER: "BIGINT",
    Kind.NUMBER: "DOUBLE",
    Kind.BOOLEAN: "BOOLEAN",
    Kind.DATE: "DATE",
    Kind.ENUM: "VARCHAR",
    Kind.ID_NUMBER: "VARCHAR",
    Kind.REGION_CODE: "VARCHAR",
    Kind.GEOJSON: "VARCHAR",
}


@dataclass(frozen=True)
class Field:
    """One column of a table in the standard."""

    name: str
    kind: Kind
    label_zh: str
    description: str
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    level: str | None = None  # for region codes: the level the code must have
    references: str | None = None  # "table.column" that must hold this value
    sensitive: bool = False  # protected at rest, masked on screen, never logged
    unit: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return arrow_types()[self.kind]

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One table of the standard, in the order its columns are exchanged."""

    name: str
    label_zh: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    ground_truth: bool = False  # synthetic ground truth, never part of an exchange
    notes: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([pa.field(f.name, f.arrow_type, nullable=not f.required)
                          for f in self.fields])
