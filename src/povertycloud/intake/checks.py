"""Validation rules of the standard as SQL over a staging table of text columns.

Each field yields one CASE expression giving the first problem with its value, or NULL;
table rules (keys, references, agreement between fields) are queries of their own.
"""

from __future__ import annotations

import datetime as dt

from ..sqltext import date_literal, literal
from ..standard import ids
from ..standard.fields import Field, Kind, Table
from ..standard.regions import PREFIX_LENGTH, sql_ancestor, sql_level

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
# Province-level codes of GB/T 2260, the first two digits of every ID and region code.
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
             "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
             "61", "62", "63", "64", "65", "71", "81", "82")
# C0 controls (NUL, tab, line breaks...), DEL and the C1 controls: a text value is one line
CONTROL = r"[\x00-\x1F\x7F-\x9F]"
BIRTH, DEATH = "birth_date", "death_date"  # a life's dates, where a table has them


quote = literal


def value(f: Field, alias: str = "") -> str:
    """The field's text without the spaces around it, NULL when empty (an ID number's
    check letter x in upper case); ``alias`` qualifies the column."""
    column = f'{alias}."{f.name}"' if alias else f'"{f.name}"'
    text = f"NULLIF(TRIM({column}), '')"
    return f"upper({text})" if f.kind is Kind.ID_NUMBER else text


def _in(expr: str, options: tuple[str, ...]) -> str:
    return f"{expr} IN ({', '.join(quote(o) for o in options)})"


def _type_rules(f: Field, v: str) -> list[tuple[str, str]]:
    kind = f.kind
    if kind is Kind.INTEGER:
        return [(f"NOT regexp_full_match({v}, '-?[0-9]{{1,18}}')", "is not a whole number")]
    if kind is Kind.NUMBER:
        return [(f"TRY_CAST({v} AS DOUBLE) IS NULL", "is not a number")]
    if kind is Kind.BOOLEAN:
        return [(f"NOT {_in(f'lower({v})', TRUE_WORDS + FALSE_WORDS)}",
                 "is not true or false")]
    if kind is Kind.DATE:
        return [(f"NOT regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                 f"OR TRY_CAST({v} AS DATE) IS NULL", "is not a date (YYYY-MM-DD)")]
    if kind is Kind.ENUM:
        shown = ", ".join(f.values) if len(f.values) <= 12 else \
            f"{f.values[0]} to {f.values[-1]}"
        return [(f"NOT {_in(v, f.values)}", f"must be one of: {shown}")]
    if kind is Kind.ID_NUMBER:
        return [
            (f"length({v}) <> 18", "must have 18 characters"),
            (f"NOT regexp_full_match({v}, '[0-9]{{17}}[0-9X]')",
             "must be 17 digits and a digit or X"),
            (f"NOT {_in(f'substring({v}, 1, 2)', PROVINCES)}",
             "address code does not start with a province code"),
            (f"TRY_STRPTIME(substring({v}, 7, 8), '%Y%m%d') IS NULL",
             "birth date in the ID number is not a valid date"),
            (f"substring({v}, 18, 1) <> {ids.sql_check_digit(v)}",
             "check digit does not match (GB 11643)"),
        ]
    if kind is Kind.REGION_CODE:
        rules = [(f"NOT regexp_full_match({v}, '[0-9]{{12}}')", "must be 12 digits"),
                 (f"NOT {_in(f'substring({v}, 1, 2)', PROVINCES)}",
                  "does not start with a province code")]
        rules.append((_zero_above_sql(v), "has zero digits above its own level"))
        if f.level:
            rules.append((f"{sql_level(v)} <> {quote(f.level)}", f"must be a {f.level} code"))
        return rules
    if kind is Kind.GEOJSON:
        return [(f"TRY(json_extract_string({v}, '$.type')) IS NULL "
                 f"OR json_extract_string({v}, '$.type') NOT IN ('Polygon', 'MultiPolygon')",
                 "must be a GeoJSON Polygon or MultiPolygon")]
    return [(f"regexp_matches({v}, {quote(CONTROL)})",  # text
             "contains a control character (a line break, tab, NUL...)")]


def _zero_above_sql(v: str) -> str:
    """True when a level above the code's own has all-zero digits (e.g. a village
    code whose county digits are 00)."""
    levels = list(PREFIX_LENGTH)
    terms = []
    for i, upper in enumerate(levels[1:-1], start=1):
        start = PREFIX_LENGTH[levels[i - 1]] + 1
        width = PREFIX_LENGTH[upper] - PREFIX_LENGTH[levels[i - 1]]
        below = ", ".join(quote(lv) for lv in levels[i + 1:])
        terms.append(f"({sql_level(v)} IN ({below}) AND substring({v}, {start}, {width}) = "
                     f"'{'0' * width}')")
    return " OR ".join(terms)


def field_problem(f: Field, alias: str = "", today: dt.date | None = None) -> str:
    """A SQL expression: the first problem with this field's value, or NULL; with
    ``today`` (the day of the import), a date after it is one."""
    v = value(f, alias)
    whens: list[tuple[str, str]] = []
    if f.required:
        whens.append((f"{v} IS NULL", "is required"))
    typed = [(f"{v} IS NOT NULL AND ({cond})", reason) for cond, reason in _type_rules(f, v)]
    whens.extend(typed)
    if today is not None and f.kind is Kind.DATE:
        whens.append((f"TRY_CAST({v} AS DATE) > {date_literal(today)}",
                      f"is in the future (after {today})"))
    if f.minimum is not None:
        whens.append((f"TRY_CAST({v} AS DOUBLE) < {f.minimum}",
                      f"is below the minimum {f.minimum:g}"))
    if f.maximum is not None:
        whens.append((f"TRY_CAST({v} AS DOUBLE) > {f.maximum}",
                      f"is above the maximum {f.maximum:g}"))
    body = " ".join(f"WHEN {cond} THEN {quote(reason)}" for cond, reason in whens)
    return f"CASE {body} END" if body else "NULL"


def typed(f: Field, alias: str = "", *, lenient: bool = False) -> str:
    """A SQL expression converting the field's text to its type (NULL where it cannot
    when ``lenient``)."""
    v = value(f, alias)
    if f.kind is Kind.BOOLEAN:
        return f"({_in(f'lower({v})', TRUE_WORDS)})" if f.required else \
            f"CASE WHEN {v} IS NULL THEN NULL ELSE {_in(f'lower({v})', TRUE_WORDS)} END"
    if f.kind is Kind.INTEGER:
        return f"{'TRY_CAST' if lenient else 'CAST'}({v} AS BIGINT)"
    return f"{'TRY_CAST' if lenient else 'CAST'}({v} AS {f.sql_type})"


def cross_field_rules(table: Table) -> list[tuple[str, str, str]]:
    """(field, condition on the staging row, reason) for rules across fields of one row."""
    return [*_life_rules(table), *_table_rules(table)]


def _life_rules(table: Table) -> list[tuple[str, str, str]]:
    """No death before the birth (the record's birth date, or else the one its ID number
    gives when the number is valid)."""
    births = []
    if BIRTH in table.names:
        births.append(f"TRY_CAST({value(table.field(BIRTH))} AS DATE)")
    if "id_number" in table.names:
        idn = value(table.field("id_number"))
        births.append(f"CASE WHEN {ids.sql_valid(idn)} THEN CAST(TRY_STRPTIME("
                      f"substring({idn}, 7, 8), '%Y%m%d') AS DATE) END")
    if DEATH not in table.names or not births:
        return []
    return [(DEATH, f"TRY_CAST({value(table.field(DEATH))} AS DATE) < "
             f"coalesce({', '.join(births)})", "is before the birth date")]


def _table_rules(table: Table) -> list[tuple[str, str, str]]:
    if table.name == "regions":
        code, parent = value(table.field("code")), value(table.field("parent_code"))
        parent_level = _parent_level_sql(code)
        return [
            ("level", f"{value(table.field('level'))} <> {sql_level(code)}",
             "does not agree with the code"),
            ("parent_code", f"{sql_level(code)} <> 'province' AND "
             f"{parent} IS DISTINCT FROM {parent_level}", "is not the code's parent"),
            ("parent_code", f"{sql_level(code)} = 'province' AND {parent} IS NOT NULL",
             "must be empty for a province"),
        ]
    if table.name == "people":
        idn = value(table.field("id_number"))
        return [
            ("sex", f"TRY_CAST(substring({idn}, 17, 1) AS INTEGER) % 2 = 1 "
             f"AND {value(table.field('sex'))} <> 'male' OR "
             f"TRY_CAST(substring({idn}, 17, 1) AS INTEGER) % 2 = 0 "
             f"AND {value(table.field('sex'))} <> 'female'", "does not agree with the ID number"),
            ("birth_date", f"strftime(TRY_CAST({value(table.field('birth_date'))} AS DATE), "
             f"'%Y%m%d') <> substring({idn}, 7, 8)", "does not agree with the ID number"),
        ]
    return []


def _parent_level_sql(code: str) -> str:
    """The expected parent code of a code, whatever its level."""
    whens = []
    levels = list(PREFIX_LENGTH)
    for child, parent in zip(levels[1:], levels[:-1], strict=True):
        whens.append(f"WHEN {sql_level(code)} = '{child}' THEN {sql_ancestor(code, parent)}")
    return f"(CASE {' '.join(whens)} END)"
