"""What sealed tables look like to DuckDB (``sealing``): the registry's columns, the
views that open the values, the rewrite of a write so that it seals them, and
PostgreSQL's statements that lay a table out sealed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

SCHEMA = "sealed"  # PostgreSQL's schema of the tables with sealed columns
REGISTRY = "pc_sealed"
MAC = "_mac"  # the suffix of a looked-up column's keyed hash


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # its type in the store's schema, which the view gives back
    lookup: bool  # kept with its keyed hash


@dataclass
class Sealing:
    """The sealed tables of one store and how statements on them are rewritten."""

    catalog: str
    tables: dict[str, dict[str, Column]] = field(default_factory=dict)
    made: set[str] = field(default_factory=set)  # made since the views were: none yet
    then: list[str] = field(default_factory=list)  # to run once those are laid out

    def physical(self, table: str) -> str:
        return f"{self.catalog}.{SCHEMA}.{table}"

    def view_sql(self, table: str, temporary: bool = False) -> str:
        """The view that shows ``table`` with its values opened: in the in-memory
        catalogue, for every cursor; or ``temporary``, for one connection (which a
        transaction that wrote to PostgreSQL may still make)."""
        columns = self.tables[table].values()
        opened = ", ".join(f'CAST(pc_open("{c.name}") AS {c.type}) AS "{c.name}"'
                           for c in columns)
        macs = [f'"{c.name}{MAC}"' for c in columns if c.lookup]
        exclude = f" EXCLUDE ({', '.join(macs)})" if macs else ""
        view = f"TEMPORARY VIEW {table}" if temporary else f"VIEW memory.main.{table}"
        return (f"CREATE OR REPLACE {view} AS SELECT *{exclude} "
                f"REPLACE ({opened}) FROM {self.physical(table)}")

    def rewrite(self, sql: str, columns_of: Callable[[str], list[str]]) -> str:
        """``sql`` with its write to a sealed table made to the table itself, values
        sealed; any other statement as it is. ``columns_of`` gives a table's columns."""
        head = _HEAD.match(sql)
        if head is None:
            return sql
        table = head["table"].strip('"').rsplit(".", 1)[-1].strip('"')
        if table not in self.tables or head["table"].startswith(f"{self.catalog}."):
            return sql
        verb = " ".join(head["verb"].upper().split())
        if verb.startswith("INSERT"):
            return self._insert(table, sql[head.end():], columns_of)
        if verb.startswith("CREATE") and "TABLE" in verb and _AS.match(sql[head.end():]):
            return self._create_as(table, verb, sql[head.end():])
        if verb.startswith(("UPDATE", "DELETE")):
            return self._changed(table, sql)
        if verb.startswith("CREATE") and "TABLE" in verb:
            self.made.add(table)
        qualified = sql[:head.start("table")] + self.physical(table) + sql[head.end("table"):]
        if "INDEX" in verb and "EXISTS" not in verb:  # kept when the table was made anew
            qualified = re.sub(r"\bINDEX\b", "INDEX IF NOT EXISTS", qualified, count=1,
                               flags=re.IGNORECASE)
        return qualified

    def _insert(self, table: str, rest: str, columns_of: Callable[[str], list[str]]) -> str:
        by_name = _BY_NAME.match(rest)
        names: list[str] | None = None
        if by_name:
            rest = rest[by_name.end():]
        elif listed := _LISTED.match(rest):
            names = [n.strip().strip('"') for n in listed["names"].split(",")]
            rest = rest[listed.end():]
        else:
            names = list(columns_of(table))
        query, tail = _split_conflict(rest)
        sealed = self.tables[table]
        if names is None:
            select = self._sealed_columns(table)
            alias = ""
        else:
            select = ", ".join(self._sealed_value(sealed.get(n), f'"{n}"') for n in names)
            select += "".join(f', pc_mac(CAST("{n}" AS VARCHAR)) AS "{n}{MAC}"'
                              for n in names if n in sealed and sealed[n].lookup)
            alias = "(" + ", ".join(f'"{n}"' for n in names) + ")"
        return (f"INSERT INTO {self.physical(table)} BY NAME SELECT {select} FROM "
                f"({query.strip()}) AS pc_rows{alias} {tail}")

    def _sealed_columns(self, table: str) -> str:
        """Every column of a query's rows, those of ``table`` sealed (it must hold one at
        least; any it lacks is not written) sealed, with the keyed hashes of those looked
        up."""
        sealed = self.tables[table]
        names = "[" + ", ".join(f"'{n}'" for n in sealed) + "]"
        select = (f"COLUMNS(c -> NOT list_contains({names}, c)), "
                  f"pc_seal(CAST(COLUMNS(c -> list_contains({names}, c)) AS VARCHAR))")
        looked_up = [n for n, c in sealed.items() if c.lookup]
        if looked_up:
            macs = "[" + ", ".join(f"'{n}'" for n in looked_up) + "]"
            select += (f", pc_mac(CAST(COLUMNS(c -> list_contains({macs}, c)) AS VARCHAR))"
                       f" AS '\\0{MAC}'")
        return select

    @staticmethod
    def _sealed_value(column: Column | None, value: str) -> str:
        if column is None:
            return value
        return f'pc_seal(CAST({value} AS VARCHAR)) AS "{column.name}"'

    def _create_as(self, table: str, verb: str, rest: str) -> str:
        """Made empty (its columns in the query's order), laid out, then filled."""
        query = _AS.match(rest)
        assert query is not None
        rows = rest[query.end():].strip().rstrip(";")
        self.made.add(table)
        self.then.append(f"INSERT INTO {self.physical(table)} BY NAME SELECT "
                         f"{self._sealed_columns(table)} FROM ({rows}) AS pc_rows")
        return f"{verb} {self.physical(table)} AS SELECT * FROM ({rows}) AS pc_rows LIMIT 0"

    def _changed(self, table: str, sql: str) -> str:
        """An UPDATE or DELETE of ``table``: made to the table itself, its sealed values
        opened where the statement reads them and sealed where it sets them."""
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(sql, read="duckdb")
        # numbered, so a value used twice (a sealed value and its hash) is one parameter
        for number, placeholder in enumerate(tree.find_all(exp.Placeholder, bfs=False), 1):
            if not placeholder.this:
                placeholder.set("this", str(number))
        target = tree.this
        names = {target.alias_or_name, table}
        sealed = self.tables[table]
        for column in list(tree.find_all(exp.Column)):
            found = sealed.get(column.name)
            if found and (column.table in names or not column.table) \
                    and not _is_set_target(column):
                column.replace(exp.cast(exp.func("pc_open", column.copy()),
                                        exp.DataType.build(found.type, dialect="duckdb")))
        for assignment in tree.args.get("expressions") or []:
            found = sealed.get(assignment.this.name)
            if found is None:
                continue
            value = assignment.expression
            assignment.set("expression", exp.func("pc_seal", exp.cast(value.copy(), "VARCHAR")))
            if found.lookup:
                tree.append("expressions", exp.EQ(
                    this=exp.column(found.name + MAC),
                    expression=exp.func("pc_mac", exp.cast(value.copy(), "VARCHAR"))))
        physical = exp.to_table(self.physical(table))
        if target.alias:
            physical.set("alias", target.args["alias"])
        target.replace(physical)
        return tree.sql(dialect="duckdb")


def _is_set_target(column: exp.Column) -> bool:
    from sqlglot import exp

    parent = column.parent
    return isinstance(parent, exp.EQ) and parent.this is column \
        and isinstance(parent.parent, exp.Update)


def _split_conflict(rest: str) -> tuple[str, str]:
    """An INSERT's rows and its ON CONFLICT clause."""
    found = list(_CONFLICT.finditer(rest))
    if not found:
        return rest.rstrip().rstrip(";"), ""
    return rest[:found[-1].start()], rest[found[-1].start():]


_HEAD = re.compile(
    r"\A\s*(?:--[^\n]*\n\s*)*(?P<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM|"
    r"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?|"
    r"DROP\s+TABLE(?:\s+IF\s+EXISTS)?|ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+ON)\s+(?P<table>(?:\"?\w+\"?\.){0,2}\"?\w+\"?)",
    re.IGNORECASE)
_BY_NAME = re.compile(r"\s*BY\s+NAME\b", re.IGNORECASE)
_LISTED = re.compile(r"\s*\((?P<names>\s*\"?\w+\"?\s*(?:,\s*\"?\w+\"?\s*)*)\)", re.IGNORECASE)
_CONFLICT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)
_AS = re.compile(r"\s*AS\s+", re.IGNORECASE)


def registered(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, Column]]:
    """The registry's rows (table, column, type, lookup) by table."""
    tables: dict[str, dict[str, Column]] = {}
    for table, name, type_, lookup in rows:
        tables.setdefault(table, {})[name] = Column(name, type_, bool(lookup))
    return tables


def layout_sql(table: str, columns: dict[str, Column], found: dict[str, str],
               in_public: bool) -> list[str]:
    """PostgreSQL's statements that make ``table`` sealed: moved into ``sealed``, each
    sealed column text (``found``: its type there now), a keyed hash beside a looked-up
    one. The values are sealed afterwards (``seal_values_sql``)."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
                  f"ALTER TABLE public.{table} SET SCHEMA {SCHEMA}"] if in_public else []
    for column in columns.values():
        if found.get(column.name) not in (None, "text", "character varying"):
            statements.append(f'ALTER TABLE {SCHEMA}.{table} ALTER COLUMN "{column.name}" '
                              f'TYPE TEXT USING "{column.name}"::text')
        mac = column.name + MAC
        if column.lookup and mac not in found:
            statements += [f'ALTER TABLE {SCHEMA}.{table} ADD COLUMN "{mac}" TEXT',
                           f'CREATE INDEX "{table}_{mac}" ON {SCHEMA}.{table} ("{mac}")']
    return statements


def reseal_sql(sealing: Sealing, table: str, opened: str,
               columns: list[str] | None = None, suffix: str = "") -> str:
    """DuckDB's UPDATE that seals the values of ``columns`` (default: every sealed one)
    of ``table`` again with ``pc_seal``/``pc_mac`` (of the key registered with
    ``suffix``) from ``opened`` (a function of the old key, or ``CAST`` for values in
    clear)."""
    sets = []
    for column in sealing.tables[table].values():
        if columns is not None and column.name not in columns:
            continue
        value = f'{opened}("{column.name}")' if opened != "CAST" \
            else f'CAST("{column.name}" AS VARCHAR)'
        sets.append(f'"{column.name}" = pc_seal{suffix}({value})')
        if column.lookup:
            sets.append(f'"{column.name}{MAC}" = pc_mac{suffix}({value})')
    return f"UPDATE {sealing.physical(table)} SET {', '.join(sets)}"
