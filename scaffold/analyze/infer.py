"""Type and nullability of expressions, resolved against a scope.

Walking an expression also records what the analysis needs besides its value: the columns it
reads, and what its surroundings say about every parameter in it.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot.expressions as exp

from scaffold.analyze import nullability
from scaffold.analyze.context import CAST, COLUMN, OTHER, Context, ParamHint, unwrap_placeholder
from scaffold.analyze.infer_compound import (
    CONDITION,
    array_value,
    bracket_value,
    call_value,
    case_value,
    distinct_value,
    exists_value,
    filter_value,
    generic_value,
    if_value,
    interval_value,
    json_extract_value,
    ordered_value,
    subquery_value,
    window_value,
)
from scaffold.analyze.ops import (
    arithmetic,
    bool_value,
    literal_value,
    type_value,
)
from scaffold.analyze.scope import UNKNOWN, Scope, Value, resolve
from scaffold.errors import AnalysisError

_COMPARISONS = (
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Like,
    exp.ILike,
    exp.Glob,
    exp.RegexpLike,
    exp.SimilarTo,
    exp.NullSafeNEQ,
)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Pow)
_BITWISE = (
    exp.BitwiseAnd,
    exp.BitwiseOr,
    exp.BitwiseXor,
    exp.BitwiseLeftShift,
    exp.BitwiseRightShift,
)
_TEXT_OPS = (exp.Like, exp.ILike, exp.Glob, exp.RegexpLike, exp.SimilarTo)


def evaluate(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """The value of `node` in `scope`."""
    for kinds, rule in _RULES:
        if isinstance(node, kinds):
            return rule(ctx, scope, node)
    if isinstance(node, exp.Func):
        return call_value(ctx, scope, node)
    return generic_value(ctx, scope, node)


def _column(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    assert isinstance(node, exp.Column)
    if isinstance(node.this, exp.Star):
        return _star_in_expression(ctx, scope, node)
    try:
        binding = resolve(scope, node, exact_quotes=ctx.dialect == "postgres")
    except AnalysisError as error:
        error.location = ctx.locate(node)
        raise
    value = binding.column.value
    src = binding.source
    if src is None:
        return value  # a select-list alias used in ORDER BY / GROUP BY / HAVING
    table = src.relation.table
    if table is not None:
        ctx.columns_read.add(f"{table}.{binding.column.name}")
    nullable = nullability.column_nullable(binding.scope, src, binding.column)
    source = f"{table}.{binding.column.name}" if table else value.source
    return Value(value.sql_type, value.py_type, nullable, source, value.element_py_type)


def _star_in_expression(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """`t.*` outside a select list (count(t.*), row constructors): read every column."""
    assert isinstance(node, exp.Column)
    for src in scope.sources:
        if src.relation.table and (not node.table or src.alias.lower() == node.table.lower()):
            ctx.columns_read.update(f"{src.relation.table}.{c.name}" for c in src.relation.columns)
    return Value("RECORD", "str", False)


def _literal(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    assert isinstance(node, exp.Literal)
    return literal_value(node, ctx.dialect)


def _null(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    return UNKNOWN


def _boolean(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    return bool_value(ctx.dialect, nullable=False)


def _keyword(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    """A keyword argument (`YEAR` in EXTRACT, a date part): never NULL."""
    return Value("TEXT", "str", False)


def _placeholder(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    return Value("", None, False)


def _paren(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    return evaluate(ctx, scope, node.this)  # also an alias: `a.name AS author` stays direct


def _cast(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    assert isinstance(node, exp.Cast)
    target = type_value(node.to, ctx)
    ctx.hint(node.this, ParamHint("", CAST, value=target))
    inner = evaluate(ctx, scope, node.this)
    nullable = inner.nullable or isinstance(node, exp.TryCast)
    source = inner.source if inner.py_type == target.py_type else None
    return Value(target.sql_type, target.py_type, nullable, source, target.element_py_type)


def _comparison(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    left = evaluate(ctx, scope, node.this)
    right = evaluate(ctx, scope, node.expression)
    if isinstance(node.expression, (exp.Any, exp.All)):
        _hint_array(ctx, node.expression, left, node.this)
    text = isinstance(node, _TEXT_OPS)
    _hint_pair(ctx, node.this, right, node.expression, text)
    _hint_pair(ctx, node.expression, left, node.this, text)
    return bool_value(ctx.dialect, left.nullable or right.nullable)


def _null_safe(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    _comparison(ctx, scope, node)
    return bool_value(ctx.dialect, nullable=False)


def _hint_pair(
    ctx: Context, target: exp.Expr, other: Value, other_node: exp.Expr, text: bool
) -> None:
    """A placeholder compared with something typed takes its type (and column name)."""
    if text:
        other = Value("TEXT", "str", False)
    name = _column_name(other_node)
    ctx.hint(target, ParamHint("", COLUMN, value=other, name=name, column=other.source))
    _hint_operands(ctx, target, other.with_nullable(False))


def _hint_operands(ctx: Context, node: exp.Expr | None, value: Value) -> None:
    """`price > :p * 2`: a placeholder inside arithmetic takes the type it is compared with."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, _ARITHMETIC) and value.py_type in ("int", "float", "Decimal"):
        for operand in (node.this, node.expression):
            ctx.hint(operand, ParamHint("", OTHER, value=value))
            _hint_operands(ctx, operand, value)


def _hint_array(ctx: Context, node: exp.Expr, element: Value, elem_node: exp.Expr) -> None:
    name = _column_name(elem_node)
    ctx.hint(
        node.this,
        ParamHint("", COLUMN, value=element, name=name, column=element.source, array=True),
    )


def _column_name(node: exp.Expr | None) -> str | None:
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node.name if isinstance(node, exp.Column) and node.name else None


def _is(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    ctx.hint(node.this, ParamHint("", OTHER + 1, nullable=True))
    evaluate(ctx, scope, node.this)
    evaluate(ctx, scope, node.expression)
    return bool_value(ctx.dialect, nullable=False)


def _logic(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    values = [evaluate(ctx, scope, c) for c in (node.this, node.expression) if c is not None]
    for child in (node.this, node.expression):
        ctx.hint(child, ParamHint("", OTHER, value=CONDITION))
    return bool_value(ctx.dialect, any(v.nullable for v in values))


def _not(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    inner = evaluate(ctx, scope, node.this)
    return bool_value(ctx.dialect, inner.nullable)


def _in(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    left = evaluate(ctx, scope, node.this)
    nullable = left.nullable
    query = node.args.get("query")
    items = node.expressions
    if query is not None:
        relation = ctx.relation_of(
            ctx, query.unnest() if isinstance(query, exp.Subquery) else query, scope
        )
        nullable = nullable or any(c.value.nullable for c in relation.columns[:1])
        if relation.columns:
            first = relation.columns[0].value.with_nullable(False)
            ctx.hint(node.this, ParamHint("", COLUMN, value=first, column=first.source))
    name = _column_name(node.this)
    single = len(items) == 1 and unwrap_placeholder(items[0]) is not None
    for item in items:
        value = evaluate(ctx, scope, item)
        nullable = nullable or value.nullable
        ctx.hint(
            item, ParamHint("", COLUMN, value=left, name=name, column=left.source, is_list=single)
        )
        ctx.hint(node.this, ParamHint("", COLUMN, value=value))
    if isinstance(node.args.get("unnest"), exp.Expr):
        evaluate(ctx, scope, node.args["unnest"])
    return bool_value(ctx.dialect, nullable)


def _between(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    this = evaluate(ctx, scope, node.this)
    name = _column_name(node.this)
    nullable = this.nullable
    for key in ("low", "high"):
        bound = node.args[key]
        nullable = evaluate(ctx, scope, bound).nullable or nullable
        ctx.hint(bound, ParamHint("", COLUMN, value=this, name=name, column=this.source))
    return bool_value(ctx.dialect, nullable)


def _arithmetic(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    left = evaluate(ctx, scope, node.this)
    right = evaluate(ctx, scope, node.expression)
    # A literal operand says less about the parameter than what the result is compared with.
    for child, other, other_node in (
        (node.this, right, node.expression),
        (node.expression, left, node.this),
    ):
        weak = OTHER + 1 if isinstance(other_node, exp.Literal) else OTHER
        ctx.hint(child, ParamHint("", weak, value=other.with_nullable(False)))
    return arithmetic(node, left, right, ctx.dialect)


def _dpipe(ctx: Context, scope: Scope, node: exp.Expr) -> Value:
    left = evaluate(ctx, scope, node.this)
    right = evaluate(ctx, scope, node.expression)
    nullable = left.nullable or right.nullable  # || propagates NULL (unlike concat())
    if "list" in (left.py_type, right.py_type):
        array = left if left.py_type == "list" else right
        for child in (node.this, node.expression):
            ctx.hint(child, ParamHint("", OTHER, value=array))
        return array.with_nullable(nullable)
    for child in (node.this, node.expression):
        ctx.hint(child, ParamHint("", OTHER, value=Value("TEXT", "str", False)))
    return Value("TEXT", "str", nullable)


Rule = Callable[[Context, Scope, exp.Expr], Value]
_RULES: tuple[tuple[type[exp.Expr] | tuple[type[exp.Expr], ...], Rule], ...] = (
    (exp.Column, _column),
    (exp.Literal, _literal),
    (exp.Null, _null),
    (exp.Boolean, _boolean),
    (exp.Placeholder, _placeholder),
    ((exp.Var, exp.Identifier), _keyword),
    ((exp.Paren, exp.Alias), _paren),
    (exp.Cast, _cast),
    (exp.NullSafeEQ, _null_safe),
    (_COMPARISONS, _comparison),
    (exp.Is, _is),
    ((exp.And, exp.Or, exp.Xor), _logic),
    (exp.Not, _not),
    (exp.In, _in),
    (exp.Between, _between),
    (_ARITHMETIC + _BITWISE, _arithmetic),
    (exp.DPipe, _dpipe),
    (exp.Case, case_value),
    (exp.If, if_value),
    ((exp.Subquery, exp.Select, exp.SetOperation), subquery_value),
    (exp.Exists, exists_value),
    (exp.Window, window_value),
    (exp.Filter, filter_value),
    (exp.Interval, interval_value),
    (
        (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar),
        json_extract_value,
    ),
    (exp.Array, array_value),
    (exp.Bracket, bracket_value),
    (exp.Distinct, distinct_value),
    (exp.Ordered, ordered_value),
)
