"""SELECT, UNION and VALUES as relations: their output columns, typed and named.

CTEs (recursive ones too) and subqueries in FROM become derived tables with their own columns.
"""

from __future__ import annotations

import sqlglot.expressions as exp

from scaffold.analyze import nullability
from scaffold.analyze.context import OTHER, Context, ParamHint
from scaffold.analyze.infer import evaluate
from scaffold.analyze.infer_compound import CONDITION
from scaffold.analyze.model import Table
from scaffold.analyze.ops import function_name, widen
from scaffold.analyze.scope import Relation, RelColumn, Scope, Source, Value
from scaffold.errors import AnalysisError, did_you_mean

_INT = Value("INTEGER", "int", False)
_QUERIES = (exp.Select, exp.SetOperation, exp.Values)


def relation_of(ctx: Context, node: exp.Expr, parent: Scope) -> Relation:
    """The relation a query expression produces, analyzed in a child of `parent`."""
    while isinstance(node, exp.Subquery) and not node.alias:
        node = node.this
    scope = parent.child()
    _add_ctes(ctx, node, scope)
    if isinstance(node, exp.SetOperation):
        relation = _set_operation(ctx, node, scope)
    elif isinstance(node, exp.Select):
        relation = _select(ctx, node, scope)
    elif isinstance(node, exp.Values):
        relation = _values(ctx, node, scope)
    elif isinstance(node, exp.Subquery):
        relation = relation_of(ctx, node.this, scope)
    elif isinstance(node, (exp.Insert, exp.Update, exp.Delete)):
        from scaffold.analyze.dml import dml_relation  # DML in a CTE: dml uses this module

        relation = dml_relation(ctx, node, scope)
    else:
        raise AnalysisError(
            f"expected a query, found {node.key.upper()}", location=ctx.locate(node)
        )
    _limit(ctx, node, scope)
    return relation


def table_relation(table: Table) -> Relation:
    columns = tuple(
        RelColumn(
            c.name,
            Value(c.sql_type, c.py_type, c.nullable, f"{table.name}.{c.name}", c.element_py_type),
        )
        for c in table.columns
    )
    unique = tuple(table.unique) + ((table.primary_key,) if table.primary_key else ())
    unique += tuple((c.name,) for c in table.columns if c.unique)
    return Relation(columns, table.name, unique)


def _add_ctes(ctx: Context, node: exp.Expr, scope: Scope) -> None:
    with_ = node.args.get("with_") or node.args.get("with")
    if not isinstance(with_, exp.With):
        return
    for cte in with_.expressions:
        name = cte.alias_or_name.lower()
        body = cte.this
        if with_.args.get("recursive") and isinstance(body, exp.SetOperation):
            anchor = relation_of(ctx, body.this, scope)
            scope.ctes[name] = _renamed(anchor, cte.args.get("alias"))
            for _ in range(2):  # twice: NULL-ability that the recursion adds settles
                scope.ctes[name] = _renamed(relation_of(ctx, body, scope), cte.args.get("alias"))
        else:
            scope.ctes[name] = _renamed(relation_of(ctx, body, scope), cte.args.get("alias"))


def _renamed(relation: Relation, alias: exp.Expr | None) -> Relation:
    """Apply `name(a, b)` column aliases of a CTE or derived table."""
    names = [c.name for c in alias.args.get("columns") or []] if alias is not None else []
    if not names:
        return relation
    columns = tuple(
        RelColumn(names[i] if i < len(names) else c.name, c.value)
        for i, c in enumerate(relation.columns)
    )
    return Relation(columns, None, ())


def _set_operation(ctx: Context, node: exp.SetOperation, scope: Scope) -> Relation:
    left = relation_of(ctx, node.this, scope)
    right = relation_of(ctx, node.expression, scope)
    if len(left.columns) != len(right.columns):
        raise AnalysisError(
            f"each {node.key.upper()} query must have the same number of columns "
            f"({len(left.columns)} and {len(right.columns)})",
            location=ctx.locate(node),
        )
    columns = []
    for a, b in zip(left.columns, right.columns, strict=True):
        value = widen([a.value, b.value])
        if isinstance(node, exp.Intersect):
            value = value.with_nullable(a.value.nullable and b.value.nullable)
        elif isinstance(node, exp.Except):
            value = value.with_nullable(a.value.nullable)
        columns.append(RelColumn(a.name, value))
    _order_by(ctx, node, scope, {c.name.lower(): c.value for c in columns})
    return Relation(tuple(columns))


def _values(ctx: Context, node: exp.Values, scope: Scope) -> Relation:
    rows = [
        [
            evaluate(ctx, scope, e)
            for e in (row.expressions if isinstance(row, exp.Tuple) else [row])
        ]
        for row in node.expressions
    ]
    width = max((len(r) for r in rows), default=0)
    columns = tuple(
        RelColumn(f"column{i + 1}", widen([r[i] for r in rows if i < len(r)])) for i in range(width)
    )
    return _renamed(Relation(columns), node.args.get("alias"))


def _select(ctx: Context, node: exp.Select, scope: Scope) -> Relation:
    from_ = node.args.get("from_") or node.args.get("from")
    if isinstance(from_, exp.From):
        add_from(ctx, scope, from_.this)
    for join in node.args.get("joins") or []:
        add_join(ctx, scope, join)
    where = node.args.get("where")
    if where is not None:
        nullability.add_facts(scope, nullability.non_null_columns(where.this))
        evaluate(ctx, scope, where.this)
        ctx.hint(where.this, ParamHint("", OTHER, value=CONDITION))
    scope.grouped = node.args.get("group") is not None
    columns = select_list(ctx, node, scope)
    scope.aliases = {c.name.lower(): c.value for c in columns}
    scope.aliases_visible = True
    _grouping(ctx, node, scope)
    _order_by(ctx, node, scope, scope.aliases)
    return Relation(tuple(columns))


def _grouping(ctx: Context, node: exp.Select, scope: Scope) -> None:
    group = node.args.get("group")
    if group is not None:
        for item in group.expressions:
            evaluate(ctx, scope, item)
    having = node.args.get("having")
    if having is not None:
        evaluate(ctx, scope, having.this)
    for window in node.args.get("windows") or []:
        for part in window.args.get("partition_by") or []:
            evaluate(ctx, scope, part)
        order = window.args.get("order")
        for item in order.expressions if order is not None else []:
            evaluate(ctx, scope, item.this)
    distinct = node.args.get("distinct")
    on = distinct.args.get("on") if isinstance(distinct, exp.Distinct) else None
    if isinstance(on, exp.Expr):
        for item in on.expressions if isinstance(on, exp.Tuple) else [on]:
            evaluate(ctx, scope, item)


def _order_by(ctx: Context, node: exp.Expr, scope: Scope, aliases: dict[str, Value]) -> None:
    order = node.args.get("order")
    if order is None:
        return
    scope.aliases, scope.aliases_visible = aliases, True
    for item in order.expressions:
        evaluate(ctx, scope, item.this)


def _limit(ctx: Context, node: exp.Expr, scope: Scope) -> None:
    for key in ("limit", "offset"):
        clause = node.args.get(key)
        if isinstance(clause, (exp.Limit, exp.Offset)):
            value = clause.expression
            ctx.hint(value, ParamHint("", 1, value=_INT, name=key))
            if value is not None:
                evaluate(ctx, scope, value)


def select_list(ctx: Context, node: exp.Expr, scope: Scope) -> list[RelColumn]:
    """The named, typed output of a select list (or RETURNING list); stars expanded."""
    columns: list[RelColumn] = []
    for position, item in enumerate(node.expressions, start=1):
        if isinstance(item, exp.Star):
            columns.extend(_expand(ctx, scope, None, item))
        elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            columns.extend(_expand(ctx, scope, item.table, item))
        else:
            columns.append(
                RelColumn(output_name(item, position, ctx.dialect), evaluate(ctx, scope, item))
            )
    return columns


def _expand(ctx: Context, scope: Scope, table: str | None, node: exp.Expr) -> list[RelColumn]:
    sources = [s for s in scope.sources if table is None or s.alias.lower() == table.lower()]
    if table is not None and not sources:
        aliases = [s.alias for s in scope.sources]
        raise AnalysisError(
            f'table "{table}" is not in the query',
            location=ctx.locate(node),
            hint=did_you_mean(table, aliases),
        )
    out: list[RelColumn] = []
    merged: set[str] = set()  # JOIN ... USING (c): a bare * shows c once
    for src in sources:
        for col in src.relation.columns:
            key = col.name.lower()
            if table is None and key in src.using and key in merged:
                continue
            if key in src.using:
                merged.add(key)
            ref = exp.column(col.name, src.alias, quoted=True)
            out.append(RelColumn(col.name, evaluate(ctx, scope, ref)))
    return out


def output_name(item: exp.Expr, position: int, dialect: str = "") -> str:
    """The column name sqlc would give: the alias, the column, the function, else column_N.

    PostgreSQL folds unquoted names to lower case; SQLite and MySQL answer them as written.
    """
    if isinstance(item, exp.Alias):
        return _folded(item.args.get("alias"), item.alias, dialect)
    node = item
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    if isinstance(node, exp.Column):
        return _folded(node.this, node.name, dialect)
    if isinstance(node, exp.Exists):
        return "exists"
    if isinstance(node, exp.Window):
        node = node.this
    if isinstance(node, (exp.Least, exp.Greatest)) and dialect == "sqlite":
        return "min" if isinstance(node, exp.Least) else "max"  # SQLite's min(a, b)
    if isinstance(node, exp.Func) and not isinstance(node, (exp.Case, exp.If)):
        return function_name(node).lower()
    return f"column_{position}"


def _folded(ident: object, name: str, dialect: str) -> str:
    quoted = isinstance(ident, exp.Identifier) and bool(ident.args.get("quoted"))
    return name.lower() if dialect == "postgres" and not quoted else name


def add_source(ctx: Context, scope: Scope, item: exp.Expr) -> Source:
    """Bring one FROM item into scope under its alias."""
    alias = item.alias_or_name
    if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
        relation = _named_relation(ctx, scope, item)
    elif isinstance(item, exp.Table) and isinstance(item.this, exp.Expr):
        relation = _function_relation(ctx, scope, item.this, item)
        alias = item.alias or function_name(item.this).lower()
    elif isinstance(item, (exp.Subquery, exp.Values)):
        inner = item.this if isinstance(item, exp.Subquery) else item
        lateral = scope if isinstance(item, exp.Subquery) and item.args.get("lateral") else None
        relation = _renamed(
            relation_of(ctx, inner, lateral or _outer(scope)), item.args.get("alias")
        )
    elif isinstance(item, exp.Lateral):
        relation = _renamed(relation_of(ctx, item.this, scope), item.args.get("alias"))
    else:
        relation = _function_relation(ctx, scope, item, item)
    source = Source(alias, relation)
    scope.sources.append(source)
    return source


def _outer(scope: Scope) -> Scope:
    """A derived table sees the enclosing query's names, not its FROM siblings."""
    outer = Scope(parent=scope.parent, ctes=scope.ctes)
    return outer


def _named_relation(ctx: Context, scope: Scope, item: exp.Table) -> Relation:
    name = item.name
    if not item.db and scope.cte(name) is not None:
        relation = scope.cte(name)
        assert relation is not None
        return relation
    table = ctx.catalog.table(f"{item.db}.{name}" if item.db else name)
    if table is None:
        candidates = [t.name for t in ctx.catalog.tables] + list(scope.ctes)
        raise AnalysisError(
            f'table "{name}" does not exist',
            location=ctx.locate(item.this),
            hint=did_you_mean(name, candidates),
        )
    ctx.reads.add(table.name)
    return table_relation(table)


def _function_relation(ctx: Context, scope: Scope, call: exp.Expr, item: exp.Expr) -> Relation:
    """A function in FROM (unnest, generate_series, a set-returning function): one column."""
    value = evaluate(ctx, scope, call)
    if value.py_type == "list" and isinstance(call, exp.Unnest | exp.Explode):
        value = Value(value.sql_type.removesuffix("[]"), value.element_py_type or "str", True)
    if isinstance(call, exp.Unnest):
        for arg in call.expressions:
            ctx.hint(arg, ParamHint("", OTHER, value=Value("TEXT[]", "list", False, None, "str")))
    alias = item.args.get("alias")
    names = [c.name for c in alias.args.get("columns") or []] if alias is not None else []
    name = names[0] if names else (item.alias or function_name(call).lower())
    return Relation((RelColumn(name, value.with_nullable(value.nullable)),))


def add_from(ctx: Context, scope: Scope, item: exp.Expr) -> list[Source]:
    """Add a FROM item; `(a JOIN b ON ...) JOIN c` nests joins inside parentheses, which
    sqlglot keeps as the `joins` of a Subquery or Table node. Returns the sources added."""
    count = len(scope.sources)
    if isinstance(item, exp.Subquery) and not isinstance(item.this, _QUERIES) and not item.alias:
        add_from(ctx, scope, item.this)
    else:
        add_source(ctx, scope, item)
    for join in item.args.get("joins") or []:
        add_join(ctx, scope, join)
    return scope.sources[count:]


def add_join(ctx: Context, scope: Scope, join: exp.Join) -> None:
    """Add a joined source; outer joins make a side optional, inner ON conditions prove facts."""
    before = list(scope.sources)
    side = (join.side or "").upper()
    added = add_from(ctx, scope, join.this)
    for source in added if side in ("LEFT", "FULL") else []:
        source.optional = True
    for src in before if side in ("RIGHT", "FULL") else []:
        src.optional = True
    if side:
        ctx.has_outer_join = True
    _merge_using(before, added, join)
    on = join.args.get("on")
    if on is None:
        return
    facts = nullability.non_null_columns(on)
    if not side:
        nullability.add_facts(scope, facts)
    elif side == "LEFT":
        nullability.add_facts(scope, facts, only=added, demote=False)
    evaluate(ctx, scope, on)


def _merge_using(before: list[Source], added: list[Source], join: exp.Join) -> None:
    names = {i.name.lower() for i in join.args.get("using") or []}
    if (join.args.get("method") or "").upper() == "NATURAL":
        mine = {c.name.lower() for s in added for c in s.relation.columns}
        names = {c.name.lower() for s in before for c in s.relation.columns} & mine
    if not names:
        return
    for src in [*before, *added]:
        src.using = src.using | names
