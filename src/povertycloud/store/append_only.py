"""Tables whose rows, once written, stay as they are: the funds ledger (migration 15
lists them in ``pc_append_only``). The store refuses any statement that would change,
delete or drop their rows, whoever sends it; on PostgreSQL a trigger refuses the same
for a client that bypasses the store (``trigger_sql``)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from ..errors import PovertyCloudError
from .native import run_there

if TYPE_CHECKING:
    from sqlglot import exp

REGISTRY = "pc_append_only"
# statements that may change rows; anything else (SELECT, INSERT, COPY TO) passes unparsed
_CHANGING = re.compile(r"\b(update|delete|truncate|drop|alter|replace|merge)\b", re.I)


class AppendOnly(PovertyCloudError):
    """A statement that would change or delete a row of an append-only table."""


def refusal(sql: str, tables: Collection[str]) -> str | None:
    """Why ``sql`` may not run (it changes a row of one of ``tables``), or None."""
    lowered = sql.lower()
    named = [t for t in tables if t in lowered]
    if not named or not _CHANGING.search(lowered):
        return None
    import sqlglot  # loads only for a statement that may change a guarded table

    for statement in sqlglot.parse(sql, read="duckdb"):
        if statement is None:
            continue
        target = _changed(statement)
        if target in tables:
            return (f"{target} is append-only: a booked entry is never changed or deleted "
                    "(book a reversing entry instead)")
    return None


def _changed(statement: exp.Expression) -> str | None:
    """The table a statement changes rows of (an INSERT that replaces or updates on a
    conflict counts), or None."""
    from sqlglot import exp

    if isinstance(statement, exp.Insert):
        conflict = statement.args.get("conflict")
        changing = bool(statement.args.get("alternative")) or (
            conflict is not None and not conflict.args.get("nothing"))
    else:
        changing = isinstance(statement, (exp.Update, exp.Delete, exp.TruncateTable,
                                          exp.Drop, exp.Alter, exp.Merge)) or (
            isinstance(statement, exp.Create) and bool(statement.args.get("replace")))
    if not changing:
        return None
    target = statement.this if isinstance(statement.this, exp.Table) else \
        statement.find(exp.Table)
    return target.name if target is not None else None


def trigger_sql(tables: Collection[str]) -> list[str]:
    """PostgreSQL's statements (run from DuckDB) that make ``tables`` refuse an UPDATE,
    DELETE or TRUNCATE from any client."""
    function = (
        "CREATE OR REPLACE FUNCTION pc_refuse_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION '% of %: refused, the table is append-only (book a "
        "reversing entry instead)', TG_OP, TG_TABLE_NAME; END $$")
    out = [run_there(function)]
    for table in sorted(tables):
        out.append(run_there(f"DROP TRIGGER IF EXISTS pc_append_only ON {table}"))
        out.append(run_there(f"CREATE TRIGGER pc_append_only BEFORE UPDATE OR DELETE ON "
                             f"{table} FOR EACH ROW EXECUTE FUNCTION pc_refuse_change()"))
        out.append(run_there(f"DROP TRIGGER IF EXISTS pc_append_only_truncate ON {table}"))
        out.append(run_there(f"CREATE TRIGGER pc_append_only_truncate BEFORE TRUNCATE ON "
                             f"{table} FOR EACH STATEMENT EXECUTE FUNCTION "
                             "pc_refuse_change()"))
    return out
