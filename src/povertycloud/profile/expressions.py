"""A small, safe expression language for rules that officials write in configuration.

Expressions look like Python (``income_per_capita < 1.5 * poverty_line and not
road_access``) but are only parsed, type-checked against the fields they may use, and
compiled to SQL; they are never executed as Python. Allowed: field names, numbers,
strings, true/false, ``and or not``, comparisons (``< <= > >= == != in``, ``not in`` with a
list of constants), ``+ - * /``, ``x if cond else y``, and the functions ``min``, ``max``,
``abs`` and ``coalesce``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import PovertyCloudError
from ..sqltext import literal

NUMBER, BOOLEAN, STRING = "number", "boolean", "string"


class ExpressionError(PovertyCloudError):
    """An expression that cannot be parsed or does not type-check."""


@dataclass(frozen=True)
class FieldType:
    """What an expression may do with a field: its kind and, for codes, the values."""

    kind: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compiled:
    sql: str
    kind: str


COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=",
               ast.NotEq: "<>"}
ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
FUNCTIONS = {"min": "LEAST", "max": "GREATEST", "abs": "ABS", "coalesce": "COALESCE"}


def compile_expression(text: str, fields: Mapping[str, FieldType],
                       expect: str | None = None) -> Compiled:
    """Parse ``text``, check it against ``fields`` and return its SQL and kind."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error in {text!r}: {exc.msg}") from None
    result = _Compiler(fields).visit(tree.body)
    if expect is not None and result.kind != expect:
        raise ExpressionError(f"{text!r} gives a {result.kind}, a {expect} is needed")
    return result


class _Compiler:
    def __init__(self, fields: Mapping[str, FieldType]) -> None:
        self.fields = fields

    def visit(self, node: ast.AST) -> Compiled:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ExpressionError(f"{_show(node)} is not allowed in a rule")
        result: Compiled = method(node)
        return result

    def _Name(self, node: ast.Name) -> Compiled:
        if node.id in ("true", "false"):
            return Compiled(node.id.upper(), BOOLEAN)
        if node.id not in self.fields:
            raise ExpressionError(f"unknown field {node.id!r}")
        return Compiled(f'"{node.id}"', self.fields[node.id].kind)

    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool):
            return Compiled("TRUE" if value else "FALSE", BOOLEAN)
        if isinstance(value, int):  # 64-bit, so products of constants cannot overflow
            return Compiled(f"CAST({value} AS BIGINT)", NUMBER)
        if isinstance(value, float):  # a double, as in Python (a bare 0.25 is a DECIMAL)
            return Compiled(f"CAST({value!r} AS DOUBLE)", NUMBER)
        if isinstance(value, str):
            return Compiled(literal(value), STRING)
        raise ExpressionError(f"constant {value!r} is not allowed")

    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self._expect(v, BOOLEAN) for v in node.values]
        op = " AND " if isinstance(node.op, ast.And) else " OR "
        return Compiled("(" + op.join(p.sql for p in parts) + ")", BOOLEAN)

    def _UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        if isinstance(node.op, ast.Not):
            return Compiled(f"(NOT {self._expect(node.operand, BOOLEAN).sql})", BOOLEAN)
        if isinstance(node.op, ast.USub):
            return Compiled(f"(-{self._expect(node.operand, NUMBER).sql})", NUMBER)
        raise ExpressionError(f"{_show(node)} is not allowed in a rule")

    def _BinOp(self, node: ast.BinOp) -> Compiled:
        op = ARITHMETIC.get(type(node.op))
        if op is None:
            raise ExpressionError(f"operator in {_show(node)} is not allowed")
        left, right = self._expect(node.left, NUMBER), self._expect(node.right, NUMBER)
        if op == "/":  # always real division, and no error on zero
            return Compiled(f"(CAST({left.sql} AS DOUBLE) / NULLIF({right.sql}, 0))", NUMBER)
        return Compiled(f"({left.sql} {op} {right.sql})", NUMBER)

    def _Compare(self, node: ast.Compare) -> Compiled:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(self._compare(left, op, right))
            left = right
        return Compiled("(" + " AND ".join(parts) + ")", BOOLEAN)

    def _compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        a = self.visit(left)
        if isinstance(op, ast.In | ast.NotIn):
            options = self._options(right, a, left)
            word = "IN" if isinstance(op, ast.In) else "NOT IN"
            return f"{a.sql} {word} ({', '.join(options)})"
        if type(op) not in COMPARISONS:
            raise ExpressionError(f"'{type(op).__name__.lower()}' is not allowed; compare "
                                  "with == or !=")
        b = self.visit(right)
        if a.kind != b.kind:
            raise ExpressionError(f"cannot compare {a.kind} {_show(left)} with {b.kind} "
                                  f"{_show(right)}")
        if a.kind == STRING:
            for name, value in ((left, right), (right, left)):
                self._check_value(name, value)
        return f"{a.sql} {COMPARISONS[type(op)]} {b.sql}"

    def _options(self, node: ast.expr, subject: Compiled, subject_node: ast.expr) -> list[str]:
        if not isinstance(node, ast.List | ast.Tuple | ast.Set) or not node.elts:
            raise ExpressionError(f"'in' needs a list of values, not {_show(node)}")
        options = [self.visit(e) for e in node.elts]
        if any(not isinstance(e, ast.Constant) for e in node.elts):
            raise ExpressionError(f"'in' lists only constants: {_show(node)}")
        if any(o.kind != subject.kind for o in options):
            raise ExpressionError(f"{_show(node)} holds values of another kind than "
                                  f"{_show(subject_node)}")
        for e in node.elts:
            self._check_value(subject_node, e)
        return [o.sql for o in options]

    def _check_value(self, field: ast.expr, value: ast.expr) -> None:
        """A code compared with a constant must be one of the code's values."""
        if isinstance(field, ast.Name) and isinstance(value, ast.Constant) \
                and field.id in self.fields and self.fields[field.id].values \
                and value.value not in self.fields[field.id].values:
            allowed = ", ".join(self.fields[field.id].values)
            raise ExpressionError(f"{value.value!r} is not a value of {field.id} ({allowed})")

    def _IfExp(self, node: ast.IfExp) -> Compiled:
        cond = self._expect(node.test, BOOLEAN)
        yes, no = self.visit(node.body), self.visit(node.orelse)
        if yes.kind != no.kind:
            raise ExpressionError(f"both branches of {_show(node)} must be of one kind")
        return Compiled(f"(CASE WHEN {cond.sql} THEN {yes.sql} ELSE {no.sql} END)", yes.kind)

    def _Call(self, node: ast.Call) -> Compiled:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or node.keywords:
            raise ExpressionError(f"function {_show(node.func)} is not allowed; use one of "
                                  f"{', '.join(FUNCTIONS)}")
        args = [self.visit(a) for a in node.args]
        if not args or (name == "abs" and len(args) != 1) or (name != "abs" and len(args) < 2):
            raise ExpressionError(f"wrong number of arguments in {_show(node)}")
        kinds = {a.kind for a in args}
        if len(kinds) != 1 or (name != "coalesce" and kinds != {NUMBER}):
            raise ExpressionError(f"arguments of {_show(node)} are of the wrong kind")
        return Compiled(f"{FUNCTIONS[name]}({', '.join(a.sql for a in args)})", args[0].kind)

    def _expect(self, node: ast.expr, kind: str) -> Compiled:
        result = self.visit(node)
        if result.kind != kind:
            raise ExpressionError(f"{_show(node)} is a {result.kind}, a {kind} is needed")
        return result


def _show(node: ast.AST) -> str:
    return repr(ast.unparse(node)) if isinstance(node, ast.expr) else type(node).__name__
