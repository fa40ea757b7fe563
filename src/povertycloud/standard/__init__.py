"""The data-exchange standard: tables, fields, code lists and identifier rules."""

from .fields import Field, Kind, Table
from .tables import TABLES, VERSION, table

__all__ = ["TABLES", "VERSION", "Field", "Kind", "Table", "table"]
