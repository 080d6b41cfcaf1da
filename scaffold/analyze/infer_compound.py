"""Type and nullability of compound expressions: CASE, subqueries, windows, function calls.

The rules of infer.py's table that need more than a line or two; they evaluate their parts
through the context (`ctx.value`), so this module does not import the dispatcher.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from scaffold.analyze import nullability
from scaffold.analyze.context import OTHER, Context, ParamHint
from scaffold.analyze.model import PyType
from scaffold.analyze.ops import bool_value, function_value, widen
from scaffold.analyze.query_facts import aggregates_without_group
from scaffold.analyze.scope import UNKNOWN, Scope, Value

# A parameter used as a condition is bound as a Python bool in every dialect.
CONDITION = Value("BOOLEAN", "bool", False)


def case_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    subject = ctx.value(scope, node.this) if node.this is not None else None
    # CASE x WHEN :p: p is compared with x; CASE WHEN :p: p is a condition.
    expected = subject.with_nullable(False) if subject else CONDITION
    arms = [(when.this, when.args["true"]) for when in node.args.get("ifs") or []]
    return _branches(ctx, scope, arms, node.args.get("default"), expected, subject is None)


def if_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    arms = [(node.this, node.args["true"])]
    return _branches(ctx, scope, arms, node.args.get("false"), CONDITION, True)


def _branches(
    ctx: Context,
    scope: Scope,
    arms: list[tuple[exp.Expr, exp.Expr]],
    default: exp.Expr | None,
    expected: Value,
    searched: bool,
) -> Value:
    """CASE / IIF: NULL when a branch can be NULL or no ELSE catches the rest. In a searched
    CASE a branch knows its condition held and every earlier one failed: after
    `WHEN x IS NULL THEN ...`, x is not NULL (`CASE WHEN x IS NULL THEN '' ELSE x END`)."""
    values: list[Value] = []
    after: list[exp.Column] = []
    for condition, result in arms:
        with nullability.assuming(scope, after):
            ctx.value(scope, condition)
            ctx.hint(condition, ParamHint("", OTHER, value=expected))
            held = nullability.non_null_columns(condition) if searched else []
            with nullability.assuming(scope, held):
                values.append(ctx.value(scope, result))
        after = after + (nullability.null_tested_columns(condition) if searched else [])
    if default is not None:
        with nullability.assuming(scope, after):
            values.append(ctx.value(scope, default))
    results = [r for _, r in arms] + ([default] if default is not None else [])
    combined = widen(values)
    for r in results:
        ctx.hint(r, ParamHint("", OTHER, value=combined.with_nullable(False)))
    nullable = default is None or any(v.nullable for v in values)
    return combined.with_nullable(nullable)


def subquery_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """A scalar subquery: its first column, NULL when it finds no row (an aggregate without
    GROUP BY always finds exactly one)."""
    query = node.unnest() if isinstance(node, exp.Subquery) else node
    relation = ctx.relation_of(ctx, query, scope)
    if not relation.columns:
        return UNKNOWN
    first = relation.columns[0].value
    nullable = first.nullable or not aggregates_without_group(query)
    return Value(first.sql_type, first.py_type, nullable, None, first.element_py_type)


def exists_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    query = node.this
    ctx.relation_of(ctx, query.unnest() if isinstance(query, exp.Subquery) else query, scope)
    return bool_value(ctx.dialect, nullable=False)


def window_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    ctx.has_window = True
    for part in node.args.get("partition_by") or []:
        ctx.value(scope, part)
    order = node.args.get("order")
    if order is not None:
        for item in order.expressions:
            ctx.value(scope, item.this)
    saved, grouped = ctx.has_aggregate, scope.grouped
    scope.grouped = True  # the frame holds the current row: nothing is aggregated over no rows
    try:
        value = ctx.value(scope, node.this)
    finally:
        scope.grouped = grouped
    ctx.has_aggregate = saved  # an aggregate used as a window function does not group
    assert isinstance(node, exp.Window)
    return nullability.window_value(node, value)


def filter_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """agg(...) FILTER (WHERE ...): the filter can leave a group empty."""
    ctx.value(scope, node.expression.this)
    value = ctx.value(scope, node.this)
    return (
        value
        if value.py_type == "int" and not value.nullable and _is_count(node.this)
        else value.with_nullable(True)
    )


def _is_count(node: exp.Expr) -> bool:
    return isinstance(node, exp.Count)


def interval_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    generic_value(ctx, scope, node)
    return Value("INTERVAL", "timedelta", False)


def json_extract_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    ctx.value(scope, node.this)
    scalar = isinstance(node, (exp.JSONExtractScalar, exp.JSONBExtractScalar))
    if scalar or ctx.dialect == "sqlite":
        return Value("TEXT", "str", True)
    return Value("JSONB" if isinstance(node, exp.JSONBExtract) else "JSON", "dict", True)


def array_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    values = [ctx.value(scope, e) for e in node.expressions]
    element = widen(values)
    elem_sql = element.sql_type or "TEXT"
    return Value(f"{elem_sql}[]", "list", False, None, element.py_type or "str")


def bracket_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    array = ctx.value(scope, node.this)
    for index in node.expressions:
        ctx.value(scope, index)
        ctx.hint(index, ParamHint("", OTHER, value=Value("INTEGER", "int", False)))
    py: PyType = array.element_py_type or "str"
    return Value(array.sql_type.removesuffix("[]"), py, True)


def call_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    args = [a for a in _arguments(node)]
    values = [ctx.value(scope, a) for a in args]
    value, arg_hint = function_value(node, values, ctx, scope.grouped)
    for arg in args:
        if arg_hint is not None:
            ctx.hint(arg, ParamHint("", OTHER, value=arg_hint))
    return value


def _arguments(node: exp.Expr) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    for key, arg in node.args.items():
        if key in ("separator",) and isinstance(arg, exp.Literal):
            continue
        for item in arg if isinstance(arg, list) else [arg]:
            if isinstance(item, exp.Expr) and not isinstance(item, exp.DataType):
                out.append(item)
    return out


def generic_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """Something without a rule: evaluate the parts (to resolve names) and guess conservatively."""
    values = [
        ctx.value(scope, child)
        for child in _arguments(node)
        if not isinstance(child, (exp.Identifier, exp.Var))
    ]
    first = next((v for v in values if v.py_type is not None), None)
    if first is None:
        return Value("TEXT", "str", True)
    return Value(first.sql_type, first.py_type, True, None, first.element_py_type)


def distinct_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    values = [ctx.value(scope, e) for e in node.expressions]
    return values[0] if values else UNKNOWN


def ordered_value(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    return ctx.value(scope, node.this)
