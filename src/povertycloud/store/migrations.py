"""Schema migrations of the store, applied in order; the store records how many ran.

A migration is never edited once released: a change to the standard adds a migration.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from ..standard.tables import TABLES

Migration = Callable[[duckdb.DuckDBPyConnection], None]

BOOKKEEPING = "batch_id BIGINT NOT NULL, recorded_at TIMESTAMP NOT NULL"


def _standard_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1: the tables of data standard 1.0.0, with batches and quarantine."""
    for table in TABLES.values():
        columns = ", ".join(f"{f.name} {f.sql_type}" + (" NOT NULL" if f.required else "")
                            for f in table.fields)
        key = ", ".join(table.primary_key)
        con.execute(f"CREATE TABLE {table.name} ({columns}, {BOOKKEEPING}, PRIMARY KEY ({key}))")
    con.execute("""
        CREATE TABLE batches (
            batch_id BIGINT PRIMARY KEY, table_name VARCHAR NOT NULL, source VARCHAR NOT NULL,
            checksum VARCHAR, rows_in BIGINT NOT NULL, rows_accepted BIGINT NOT NULL,
            rows_quarantined BIGINT NOT NULL, received_at TIMESTAMP NOT NULL)""")
    con.execute("""
        CREATE TABLE quarantine (
            batch_id BIGINT NOT NULL, table_name VARCHAR NOT NULL, source VARCHAR NOT NULL,
            row_number BIGINT NOT NULL, problems VARCHAR NOT NULL, record VARCHAR NOT NULL,
            quarantined_at TIMESTAMP NOT NULL)""")


MIGRATIONS: tuple[Migration, ...] = (_standard_tables,)
SCHEMA_VERSION = len(MIGRATIONS)
