"""INSERT, UPDATE and DELETE: the table written, the columns set, and RETURNING's columns.

Assigned values type their parameters from the target column (`SET title = ?` -> title).
"""

from __future__ import annotations

import sqlglot.expressions as exp

from scaffold.analyze import nullability
from scaffold.analyze.context import COLUMN, Context, ParamHint, unwrap_placeholder
from scaffold.analyze.infer import evaluate
from scaffold.analyze.model import Table
from scaffold.analyze.scope import Relation, RelColumn, Scope, Source
from scaffold.analyze.select import add_from, add_join, relation_of, select_list, table_relation
from scaffold.errors import AnalysisError, did_you_mean


def dml_relation(ctx: Context, node: exp.Expr, parent: Scope) -> Relation:
    """Analyze a data-modifying statement; its relation is what RETURNING gives (maybe none)."""
    scope = parent.child()
    target = node.this.this if isinstance(node.this, exp.Schema) else node.this
    if not isinstance(target, exp.Table):
        raise AnalysisError("expected a table to write", location=ctx.locate(node))
    table = _target_table(ctx, target)
    ctx.writes.add(table.name)
    source = Source(target.alias_or_name, table_relation(table))
    if isinstance(node, exp.Insert):
        _insert(ctx, node, scope, table, source)
    elif isinstance(node, exp.Update):
        _update(ctx, node, scope, table, source)
    elif isinstance(node, exp.Delete):
        _delete(ctx, node, scope, source)
    return _returning(ctx, node, scope)


def _target_table(ctx: Context, target: exp.Table) -> Table:
    table = ctx.catalog.table(f"{target.db}.{target.name}" if target.db else target.name)
    if table is None:
        raise AnalysisError(
            f'table "{target.name}" does not exist',
            location=ctx.locate(target.this),
            hint=did_you_mean(target.name, [t.name for t in ctx.catalog.tables]),
        )
    return table


def _insert(ctx: Context, node: exp.Insert, scope: Scope, table: Table, source: Source) -> None:
    named = node.this.expressions if isinstance(node.this, exp.Schema) else []
    columns = [_target_column(ctx, table, ident) for ident in named] or [
        c.name for c in table.columns
    ]
    ctx.columns_written.update(f"{table.name}.{c}" for c in columns)
    values = node.expression
    if isinstance(values, exp.Values):
        _insert_values(ctx, values, scope, table, columns)
    elif isinstance(values, exp.Expr):
        relation = relation_of(ctx, values, scope)
        _hint_selected(ctx, values, table, columns, relation)
    scope.sources.append(source)
    conflict = node.args.get("conflict")
    if isinstance(conflict, exp.OnConflict):
        _on_conflict(ctx, conflict, scope, table, source)


def _target_column(ctx: Context, table: Table, ident: exp.Expr) -> str:
    column = table.column(ident.name)
    if column is None:
        raise AnalysisError(
            f'column "{ident.name}" of table "{table.name}" does not exist',
            location=ctx.locate(ident),
            hint=did_you_mean(ident.name, [c.name for c in table.columns]),
        )
    return column.name


def _insert_values(
    ctx: Context, values: exp.Values, scope: Scope, table: Table, columns: list[str]
) -> None:
    for row in values.expressions:
        items = row.expressions if isinstance(row, exp.Tuple) else [row]
        if len(items) != len(columns):
            raise AnalysisError(
                f"INSERT has {len(columns)} target columns but {len(items)} values",
                location=ctx.locate(row),
            )
        for name, item in zip(columns, items, strict=True):
            _hint_assigned(ctx, item, table, name)
            evaluate(ctx, scope, item)


def _hint_assigned(ctx: Context, item: exp.Expr, table: Table, name: str) -> None:
    column = table.column(name)
    assert column is not None
    value = table_relation(table).column(name)
    assert value is not None
    # A value stored into a NULL-able column may itself be None.
    hint = ParamHint(
        "",
        COLUMN,
        value=value.value,
        name=column.name,
        column=f"{table.name}.{column.name}",
        nullable=column.nullable,
    )
    ctx.hint(item, hint)


def _hint_selected(
    ctx: Context, query: exp.Expr, table: Table, columns: list[str], relation: Relation
) -> None:
    """INSERT ... SELECT :a, b: a placeholder in the select list takes its column's type."""
    if not isinstance(query, exp.Select):
        return
    for name, item in zip(columns, query.expressions, strict=False):
        inner = item.this if isinstance(item, exp.Alias) else item
        if unwrap_placeholder(inner) is not None:
            _hint_assigned(ctx, inner, table, name)


def _on_conflict(
    ctx: Context, conflict: exp.OnConflict, scope: Scope, table: Table, source: Source
) -> None:
    scope.sources.append(Source("excluded", source.relation, qualified_only=True))
    for key in conflict.args.get("conflict_keys") or []:
        evaluate(ctx, scope, key.this if isinstance(key, exp.Ordered) else key)
    _assignments(ctx, conflict.expressions, scope, table)
    where = conflict.args.get("where")
    if isinstance(where, exp.Where):
        evaluate(ctx, scope, where.this)
    scope.sources.pop()


def _assignments(ctx: Context, assignments: list[exp.Expr], scope: Scope, table: Table) -> None:
    """SET col = value: col is written, value typed by col."""
    for item in assignments:
        if not isinstance(item, exp.EQ):
            evaluate(ctx, scope, item)
            continue
        name = _target_column(ctx, table, item.this)
        ctx.columns_written.add(f"{table.name}.{name}")
        _hint_assigned(ctx, item.expression, table, name)
        evaluate(ctx, scope, item.expression)


def _update(ctx: Context, node: exp.Update, scope: Scope, table: Table, source: Source) -> None:
    scope.sources.append(source)
    for join in node.this.args.get("joins") or []:
        add_join(ctx, scope, join)
    from_ = node.args.get("from_") or node.args.get("from")
    if isinstance(from_, exp.From):
        add_from(ctx, scope, from_.this)
    for join in from_.args.get("joins") or [] if isinstance(from_, exp.From) else []:
        add_join(ctx, scope, join)
    _where(ctx, node, scope)
    _assignments(ctx, node.expressions, scope, table)


def _delete(ctx: Context, node: exp.Delete, scope: Scope, source: Source) -> None:
    scope.sources.append(source)
    for item in node.args.get("using") or []:
        add_from(ctx, scope, item)
    _where(ctx, node, scope)


def _where(ctx: Context, node: exp.Expr, scope: Scope) -> None:
    where = node.args.get("where")
    if isinstance(where, exp.Where):
        nullability.add_facts(scope, nullability.non_null_columns(where.this))
        evaluate(ctx, scope, where.this)


def _returning(ctx: Context, node: exp.Expr, scope: Scope) -> Relation:
    returning = node.args.get("returning")
    if not isinstance(returning, exp.Returning):
        return Relation(())
    columns: list[RelColumn] = select_list(ctx, returning, scope)
    return Relation(tuple(columns))
