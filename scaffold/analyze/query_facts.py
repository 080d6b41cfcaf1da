"""Facts about a whole statement: its kind, how many rows it returns, its filters and reads."""

from __future__ import annotations

import sqlglot.expressions as exp

from scaffold.analyze.context import COLUMN, Context, unwrap_placeholder
from scaffold.analyze.model import Cardinality, Filter, StatementKind
from scaffold.analyze.nullability import conjuncts

_COMMAND_CARDINALITY: dict[str, Cardinality] = {
    "one": "one",
    "batchone": "one",
    "many": "many",
    "batchmany": "many",
}


def kind_of(tree: exp.Expr) -> StatementKind:
    if isinstance(tree, exp.Insert):
        return "insert"
    if isinstance(tree, exp.Update):
        return "update"
    if isinstance(tree, exp.Delete):
        return "delete"
    return "select"


def command_of(command: str | None, cardinality: Cardinality) -> str:
    return command or cardinality


def cardinality_of(
    tree: exp.Expr, kind: StatementKind, command: str | None, ctx: Context
) -> Cardinality:
    """From the sqlc command when given; otherwise inferred from the statement."""
    if command is not None:
        return _COMMAND_CARDINALITY.get(command, "exec")
    if kind != "select":
        return _dml_cardinality(tree, ctx)
    if _limit_one(tree) or aggregates_without_group(tree) or _pins_unique_row(tree, ctx):
        return "one"
    return "many"


def _dml_cardinality(tree: exp.Expr, ctx: Context) -> Cardinality:
    if not isinstance(tree.args.get("returning"), exp.Returning):
        return "exec"
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if isinstance(values, exp.Values) and len(values.expressions) == 1:
        return "one"
    if not isinstance(tree, exp.Insert) and _pins_unique_row(tree, ctx):
        return "one"
    return "many"


def _limit_one(tree: exp.Expr) -> bool:
    limit = tree.args.get("limit")
    value = limit.expression if isinstance(limit, exp.Limit) else None
    return isinstance(value, exp.Literal) and value.name == "1"


def aggregates_without_group(tree: exp.Expr) -> bool:
    """`SELECT count(*) FROM t`: an aggregate without GROUP BY answers exactly one row."""
    if not isinstance(tree, exp.Select) or tree.args.get("group") is not None:
        return False
    return any(_has_plain_aggregate(e) for e in tree.expressions)


def _has_plain_aggregate(node: exp.Expr) -> bool:
    if isinstance(node, (exp.Window, exp.Subquery, exp.Select)):
        return False
    if isinstance(node, exp.AggFunc):
        return True
    return any(_has_plain_aggregate(c) for c in node.iter_expressions())


def _pins_unique_row(tree: exp.Expr, ctx: Context) -> bool:
    """WHERE fixes a unique key of the main table with `col = param-or-literal`, and every
    join is to at most one row (its ON fixes a unique key of the joined table)."""
    items = _from_items(tree)
    where = tree.args.get("where")
    if not items or not isinstance(where, exp.Where):
        return False
    pinned = _pinned_columns(where.this, fixed_only=True)
    if not _unique_pinned(ctx, items[0][0], pinned):
        return False
    for table, join in items[1:]:
        side = (join.side or "").upper() if join else ""
        if join is None or side in ("RIGHT", "FULL") or join.args.get("on") is None:
            return False
        on_pinned = _pinned_columns(join.args["on"], fixed_only=False)
        if not _unique_pinned(ctx, table, on_pinned + pinned):
            return False
    return True


def _from_items(tree: exp.Expr) -> list[tuple[exp.Table, exp.Join | None]]:
    """The statement's tables: the FROM (or UPDATE/DELETE target) then its joins."""
    if isinstance(tree, exp.Select):
        from_ = tree.args.get("from_") or tree.args.get("from")
        first = from_.this if isinstance(from_, exp.From) else None
        joins = tree.args.get("joins") or []
    elif isinstance(tree, (exp.Update, exp.Delete)):
        if tree.args.get("from_") or tree.args.get("using"):
            return []
        first, joins = tree.this, []
    else:
        return []
    items: list[tuple[exp.Table, exp.Join | None]] = []
    for item, join in [(first, None), *((j.this, j) for j in joins)]:
        if not isinstance(item, exp.Table) or not isinstance(item.this, exp.Identifier):
            return []
        items.append((item, join))
    return items


def _unique_pinned(ctx: Context, table: exp.Table, pinned: list[tuple[str, str]]) -> bool:
    catalog_table = ctx.catalog.table(table.name)
    if catalog_table is None:
        return False
    alias = table.alias_or_name.lower()
    names = {name for qualifier, name in pinned if qualifier in ("", alias)}
    keys = [*catalog_table.unique, catalog_table.primary_key]
    keys += [(c.name,) for c in catalog_table.columns if c.unique]
    return any(key and {k.lower() for k in key} <= names for key in keys)


def _pinned_columns(condition: exp.Expr, fixed_only: bool) -> list[tuple[str, str]]:
    """(qualifier, column) set equal to a parameter or literal (or, in ON, to anything)."""
    out: list[tuple[str, str]] = []
    for term in conjuncts(condition):
        if not isinstance(term, exp.EQ):
            continue
        for col, other in ((term.this, term.expression), (term.expression, term.this)):
            fixed = unwrap_placeholder(other) is not None or isinstance(other, exp.Literal)
            if isinstance(col, exp.Column) and (fixed or not fixed_only):
                out.append((col.table.lower(), col.name.lower()))
    return out


def filters_of(tree: exp.Expr, ctx: Context, names: dict[str, str]) -> tuple[Filter, ...]:
    """WHERE conjuncts `table.col = :param` of the statement itself (not of subqueries)."""
    where = tree.args.get("where")
    if not isinstance(where, exp.Where):
        return ()
    out: list[Filter] = []
    for term in conjuncts(where.this):
        if not isinstance(term, exp.EQ):
            continue
        for col, other in ((term.this, term.expression), (term.expression, term.this)):
            placeholder = unwrap_placeholder(other)
            if isinstance(col, exp.Column) and placeholder is not None:
                column = _compared_column(ctx, placeholder.name, col.name)
                if column and placeholder.name in names:
                    out.append(Filter(column, names[placeholder.name]))
    return tuple(dict.fromkeys(out))


def _compared_column(ctx: Context, token: str, name: str) -> str | None:
    for hint in ctx.hints:
        column = hint.column or ""
        same = column.split(".")[-1].lower() == name.lower()
        if hint.token == token and hint.priority == COLUMN and column and same:
            return column
    return None


def reads_of(ctx: Context) -> tuple[str, ...]:
    """Tables read: every FROM/JOIN table, and a written table whose columns are read."""
    touched = {c.rsplit(".", 1)[0] for c in ctx.columns_read}
    return tuple(sorted(ctx.reads | (ctx.writes & touched)))
