"""PostgreSQL's own statements, run from the store's DuckDB: the name the attached
database has there, and the statements that run a native statement or query in it."""

from __future__ import annotations

CATALOG = "pc"  # the name of an attached PostgreSQL database inside DuckDB


def run_there(native: str) -> str:
    """DuckDB's statement that runs PostgreSQL's statement ``native`` in the database."""
    return f"CALL postgres_execute('{CATALOG}', '{quoted(native)}')"


def asked_there(native: str) -> str:
    """The rows of PostgreSQL's query ``native``, as a relation of DuckDB's."""
    return f"postgres_query('{CATALOG}', '{quoted(native)}')"


def quoted(text: str) -> str:
    return text.replace("'", "''")
