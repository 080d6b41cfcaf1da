"""Result types of literals, casts, operators and function calls, per dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from scaffold.analyze import nullability
from scaffold.analyze.functions import FunctionInfo, avg_type, function_info, sum_type
from scaffold.analyze.model import PyType
from scaffold.analyze.scope import UNKNOWN, Value
from scaffold.analyze.types import element_py_type, py_type_of, sql_type_text

if TYPE_CHECKING:
    from scaffold.analyze.context import Context

_NUMERIC_RANK: dict[PyType, int] = {"bool": 0, "int": 1, "Decimal": 2, "float": 3}
# sqlglot's class names that differ from how people write the function.
_FUNCTION_NAMES = {
    "TIMESTAMP_TRUNC": "DATE_TRUNC",
    "TIME_TO_STR": "STRFTIME",
    "TS_OR_DS_TO_DATE": "DATE",
    "STR_POSITION": "STRPOS",
    "ARRAY_AGG": "ARRAY_AGG",
    "GROUP_CONCAT": "GROUP_CONCAT",
    "RAND": "RANDOM",
    "ARRAY_SIZE": "ARRAY_LENGTH",
    "JSON_ARRAY_AGG": "JSON_AGG",
}


def literal_value(node: exp.Literal, dialect: str) -> Value:
    if node.is_string:
        return Value("TEXT", "str", False)
    if node.is_int:
        return Value("INTEGER", "int", False)
    if dialect == "sqlite":
        return Value("REAL", "float", False)
    return Value("NUMERIC" if dialect == "postgres" else "DECIMAL", "Decimal", False)


def bool_value(dialect: str, nullable: bool) -> Value:
    """A truth value: postgres has booleans; SQLite and MySQL answer 1 or 0."""
    if dialect == "postgres":
        return Value("BOOLEAN", "bool", nullable)
    return Value("INTEGER", "int", nullable)


def type_value(dtype: exp.DataType, ctx: Context) -> Value:
    """The value of a CAST target type."""
    enums = [name for name, _ in ctx.catalog.enums]
    return Value(
        sql_type_text(dtype, ctx.dialect),
        py_type_of(dtype, ctx.dialect, enums),
        False,
        None,
        element_py_type(dtype, ctx.dialect, enums),
    )


def widen(values: Sequence[Value]) -> Value:
    """The common type of UNION branches or CASE results: int < Decimal < float, else the first."""
    typed = [v for v in values if v.py_type is not None]
    if not typed:
        return UNKNOWN
    best = typed[0]
    for value in typed[1:]:
        if _rank(value) > _rank(best) >= 0:
            best = value
    nullable = any(v.nullable for v in values)
    return Value(best.sql_type, best.py_type, nullable, None, best.element_py_type)


def _rank(value: Value) -> int:
    return _NUMERIC_RANK.get(value.py_type, -1) if value.py_type else -1


def arithmetic(node: exp.Expr, left: Value, right: Value, dialect: str) -> Value:
    """+ - * / % on numbers, dates and intervals; NULL when either operand is."""
    by_zero = isinstance(node, (exp.Div, exp.Mod)) and not _non_zero(node.expression)
    nullable = left.nullable or right.nullable or by_zero
    pair = {left.py_type, right.py_type}
    temporal = _temporal(node, left, right, dialect)
    if temporal is not None:
        return temporal.with_nullable(nullable)
    if isinstance(node, exp.Div) and dialect == "mysql" and pair <= {"int", "Decimal", None}:
        return Value("DECIMAL", "Decimal", nullable)  # MySQL: 7 / 2 = 3.5000
    result = widen([v for v in (left, right) if v.py_type is not None] or [left])
    if result.py_type in (None, "bool"):
        return Value("INTEGER", "int", nullable) if result.py_type == "bool" else UNKNOWN
    # Division by zero gives NULL in SQLite and MySQL; an error in postgres.
    if dialect == "postgres" and isinstance(node, (exp.Div, exp.Mod)):
        nullable = left.nullable or right.nullable
    return Value(result.sql_type, result.py_type, nullable)


def _non_zero(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.name) != 0


def _temporal(node: exp.Expr, left: Value, right: Value, dialect: str) -> Value | None:
    moments = ("date", "datetime")
    if dialect == "sqlite":
        return None
    if isinstance(node, exp.Sub) and left.py_type in moments and right.py_type in moments:
        if left.py_type == "date" == right.py_type:
            return Value("INTEGER", "int", False)  # date - date is a number of days
        return Value("INTERVAL", "timedelta", False)
    if isinstance(node, (exp.Add, exp.Sub)):
        for a, b in ((left, right), (right, left)):
            if a.py_type in moments and b.py_type in ("timedelta", "int", None):
                if a.py_type == "date" and b.py_type == "timedelta":
                    return Value("TIMESTAMP", "datetime", False)
                return a
    return None


def function_name(node: exp.Expr) -> str:
    """The function's name as people write it (upper case)."""
    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    name = node.sql_name() if isinstance(node, exp.Func) else node.key.upper()
    name = name.replace("J_S_O_N", "JSON")  # sqlglot spells JSONArrayAgg J_S_O_N_ARRAY_AGG
    return _FUNCTION_NAMES.get(name, name)


def function_value(
    node: exp.Expr, args: Sequence[Value], ctx: Context, grouped: bool
) -> tuple[Value, Value | None]:
    """A call's value and the type an untyped parameter argument should take."""
    info = function_info(function_name(node), ctx.dialect)
    if info is None:
        return _unknown_function(args), None
    if info.nulls == "aggregate" or isinstance(node, exp.AggFunc):
        ctx.has_aggregate = True
    value = _typed(node, info, args, ctx.dialect)
    nullable = _call_nullable(node, info, args, grouped)
    arg_hint = Value(info.sql_type, info.arg_py_type, False) if info.arg_py_type else None
    if info.type_rule == "arg" and arg_hint is None:
        arg_hint = value.with_nullable(False) if value.py_type else None
    return value.with_nullable(nullable), arg_hint


def _typed(node: exp.Expr, info: FunctionInfo, args: Sequence[Value], dialect: str) -> Value:
    first = next((a for a in args if a.py_type is not None), None)
    if info.type_rule == "fixed":
        return Value(info.sql_type, info.py_type, False)
    if first is None:
        return UNKNOWN
    if info.type_rule == "sum":
        return Value(*sum_type(first.sql_type, first.py_type, dialect), False)
    if info.type_rule == "avg":
        return Value(*avg_type(first.py_type, dialect), False)
    if isinstance(node, exp.ArrayAgg):
        return Value(f"{first.sql_type}[]", "list", False, None, first.py_type)
    if isinstance(node, (exp.Coalesce, exp.Greatest, exp.Least)):
        return widen(args)
    return Value(first.sql_type, first.py_type, False, None, first.element_py_type)


def _call_nullable(
    node: exp.Expr, info: FunctionInfo, args: Sequence[Value], grouped: bool
) -> bool:
    if info.nulls == "never":
        return False
    if info.nulls == "always":
        return True
    if info.nulls == "any":
        return all(a.nullable for a in args) if args else True
    if info.nulls == "aggregate":
        return nullability.aggregate_nullable(node, args, grouped)
    return any(a.nullable for a in args)


def _unknown_function(args: Sequence[Value]) -> Value:
    """An unknown function: typed like its first typed argument, else TEXT; maybe NULL."""
    first = next((a for a in args if a.py_type is not None), None)
    if first is None:
        return Value("TEXT", "str", True)
    return Value(first.sql_type, first.py_type, True, None, first.element_py_type)
