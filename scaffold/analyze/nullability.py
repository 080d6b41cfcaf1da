"""When a value can be NULL: outer joins, filters that rule NULL out, aggregates and windows.

The rules, all conservative (NULL is assumed whenever it can happen):
- A column is NULL-able when its table says so or its source is the optional side of an outer
  join (LEFT: the right side; RIGHT: everything before it; FULL: both sides).
- A WHERE conjunct (top-level AND) that compares a column (`=`, `<`, LIKE, IN, BETWEEN, ...) or
  says `col IS NOT NULL` proves the column non-NULL, since a NULL there filters the row out. It
  also proves that an outer-joined source matched, so that source's NOT NULL columns are
  non-NULL again. An inner join's ON does the same; a LEFT join's ON only speaks of its right
  side, and then only for the rows that matched (which is all the optional side can have).
- COUNT is never NULL. SUM/MIN/MAX/AVG (and the like) are NULL-able without GROUP BY, because
  over no rows they still answer one row with NULL; with GROUP BY every group has a row, so they
  are NULL only when their argument can be NULL (or a FILTER clause can leave the group empty).
  array_agg/json_agg keep NULL inputs: with GROUP BY they are never NULL.
- A CASE branch knows its own condition held and every earlier one failed: in
  `CASE WHEN x IS NULL THEN '' ELSE x END`, the ELSE's x is not NULL.
- COALESCE is NULL only when every argument can be; `||` propagates NULL; concat() ignores it
  (postgres, SQLite) or propagates it (MySQL); CAST keeps its operand's NULL-ability.
- Window functions: ROW_NUMBER/RANK/DENSE_RANK/NTILE/COUNT never NULL; LAG/LEAD/NTH_VALUE can be;
  aggregates and FIRST_VALUE/LAST_VALUE over the default frame see the current row, so they
  follow their argument; with an explicit frame (ROWS/RANGE ...) they can be NULL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlglot.expressions as exp

from scaffold.analyze.scope import RelColumn, Scope, Source, Value

_COMPARISON = (
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Like,
    exp.ILike,
    exp.Glob,
    exp.In,
    exp.Between,
    exp.RegexpLike,
    exp.SimilarTo,
)


def column_nullable(scope: Scope, source: Source, column: RelColumn) -> bool:
    """A bound column's NULL-ability in the scope that owns its source."""
    if (source.alias.lower(), column.name.lower()) in scope.assumed:
        return False
    if (source.alias.lower(), column.name.lower()) in scope.not_null:
        return source.optional
    return column.value.nullable or source.optional


_KEEPS_NULLS = frozenset({"JSONB_AGG", "JSON_AGG", "JSONB_OBJECT_AGG", "JSON_OBJECT_AGG"})


def conjuncts(condition: exp.Expr | None) -> Iterator[exp.Expr]:
    """The top-level AND terms of a condition."""
    if condition is None:
        return
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        yield from conjuncts(condition.this)
        yield from conjuncts(condition.expression)
    else:
        yield condition


def non_null_columns(condition: exp.Expr | None) -> list[exp.Column]:
    """The columns a condition proves non-NULL when it holds."""
    found: list[exp.Column] = []
    for term in conjuncts(condition):
        if _is_not_null(term):
            found.extend(_direct(term.this.this if isinstance(term, exp.Not) else term.this))
        elif isinstance(term, _COMPARISON):
            found.extend(_direct(term.this))
            if not isinstance(term, (exp.In, exp.Between)):
                found.extend(_direct(term.expression))
    return found


def _is_not_null(term: exp.Expr) -> bool:
    """`x IS NOT NULL` (sqlglot: Is with negate) or `NOT x IS NULL`."""
    if isinstance(term, exp.Is):
        return bool(term.args.get("negate")) and isinstance(term.expression, exp.Null)
    if isinstance(term, exp.Not) and isinstance(term.this, exp.Is):
        inner = term.this
        return not inner.args.get("negate") and isinstance(inner.expression, exp.Null)
    return False


def null_tested_columns(condition: exp.Expr) -> list[exp.Column]:
    """Columns that are not NULL when `condition` is false: `x IS NULL [OR y IS NULL ...]`."""
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.Or):
        return null_tested_columns(condition.this) + null_tested_columns(condition.expression)
    is_null = isinstance(condition, exp.Is) and not condition.args.get("negate")
    if is_null and isinstance(condition.expression, exp.Null):
        return _direct(condition.this)
    return []


@contextmanager
def assuming(scope: Scope, columns: Sequence[exp.Column]) -> Iterator[None]:
    """Within the block, these columns are known to be non-NULL (a CASE branch's knowledge)."""
    added = set()
    for col in columns:
        src = _owner(scope, col)
        key = (src.alias.lower(), col.name.lower()) if src else None
        if key is not None and key not in scope.assumed:
            added.add(key)
    scope.assumed |= added
    try:
        yield
    finally:
        scope.assumed -= added


def _direct(node: exp.Expr | None) -> list[exp.Column]:
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
        return [node]
    return []


def add_facts(
    scope: Scope,
    columns: Sequence[exp.Column],
    only: Sequence[Source] | None = None,
    demote: bool = True,
) -> None:
    """Record non-NULL columns (of the `only` sources, if given); with `demote`, an optional
    source they name has matched."""
    for col in columns:
        src = _owner(scope, col)
        if src is None or (only is not None and not any(src is o for o in only)):
            continue
        scope.not_null.add((src.alias.lower(), col.name.lower()))
        if demote:
            src.optional = False


def _owner(scope: Scope, col: exp.Column) -> Source | None:
    if col.table:
        return scope.source(col.table)
    owners = [s for s in scope.sources if s.relation.column(col.name) is not None]
    return owners[0] if len(owners) == 1 else None


def aggregate_nullable(node: exp.Expr, args: Sequence[Value], grouped: bool) -> bool:
    """SUM/MIN/MAX/AVG: NULL over no rows (no GROUP BY) or when the argument can be NULL;
    array_agg/json_agg keep NULL inputs, so a group (never empty) gives a value."""
    if not grouped:
        return True
    if isinstance(node, (exp.ArrayAgg, exp.JSONArrayAgg, exp.JSONObjectAgg)) or (
        isinstance(node, exp.Anonymous) and node.name.upper() in _KEEPS_NULLS
    ):
        return False
    return any(a.nullable for a in args) or not args


def window_value(node: exp.Window, inner: Value) -> Value:
    """A window function's value (`inner` evaluated as if grouped); see the module docstring."""
    func = node.this
    if isinstance(func, (exp.Lag, exp.Lead)):
        default = func.args.get("default")
        return inner.with_nullable(default is None or inner.nullable)
    framed = node.args.get("spec") is not None
    if isinstance(func, exp.Count) or not isinstance(
        func, (exp.AggFunc, exp.FirstValue, exp.LastValue)
    ):
        return inner
    return inner.with_nullable(framed or inner.nullable)
