"""Facts about a query's SQL that client state needs: equal columns, WHERE and ORDER BY.

Kept apart from the analyzer proper: only the state planner reads them, from QueryInfo.sql.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from scaffold.analyze.model import Filter, QueryInfo

# NULLs sort first in ascending order on SQLite and MySQL, last on PostgreSQL.
_NULLS_FIRST_ASC = {"sqlite": True, "mysql": True, "postgres": False, "postgresql": False}


@dataclass(frozen=True)
class OrderKey:
    column: str  # "table.column" when it names a column of a read table, else the output name
    descending: bool
    nulls_first: bool


def parse_select(query: QueryInfo, dialect: str) -> exp.Select | None:
    """The query's SELECT, or None when it is not a plain SELECT sqlglot can read."""
    read = "postgres" if dialect in ("postgresql", "postgres") else dialect
    try:
        tree = sqlglot.parse_one(query.sql, read=read)
    except (ParseError, TokenError):
        return None
    return tree if isinstance(tree, exp.Select) else None


def aliases(select: exp.Select) -> dict[str, str]:
    """Alias (or bare name) -> table name, for the tables of the FROM and JOINs."""
    return {t.alias_or_name.lower(): t.name for t in select.find_all(exp.Table)}


def qualified(column: exp.Column, tables: dict[str, str]) -> str | None:
    """`table.column` for a column reference; unqualified ones need a single table in scope."""
    if column.table:
        table = tables.get(column.table.lower())
    else:
        names = set(tables.values())
        table = next(iter(names)) if len(names) == 1 else None
    return None if table is None else f"{table}.{column.name}"


def join_filters(query: QueryInfo, dialect: str) -> tuple[Filter, ...]:
    """Filters implied through column equalities: `a.id = :p` and `b.a_id = a.id` give b.a_id.

    Only inner joins and the top-level AND of the WHERE count: an outer join's ON does not
    restrict the rows of its side.
    """
    select = parse_select(query, dialect)
    if select is None or query.has_outer_join:
        return ()
    tables = aliases(select)
    classes = _equal_classes(_equalities(select), tables)
    known = {f.column.lower() for f in query.filters}
    out: list[Filter] = []
    for flt in query.filters:
        for col in sorted(classes.get(flt.column.lower(), ())):
            if col.lower() not in known:
                known.add(col.lower())
                out.append(Filter(col, flt.param))
    return tuple(out)


def _equalities(select: exp.Select) -> list[exp.EQ]:
    conditions: list[exp.Expression] = []
    for join in select.args.get("joins") or []:
        if join.args.get("on") is not None:
            conditions.append(join.args["on"])
    where = select.args.get("where")
    if where is not None:
        conditions.append(where.this)
    out: list[exp.EQ] = []
    for condition in conditions:
        out += [c for c in _conjuncts(condition) if isinstance(c, exp.EQ)]
    return out


def _conjuncts(expr: exp.Expression) -> list[exp.Expression]:
    inner = expr.unnest()
    if isinstance(inner, exp.And):
        parts = [inner.left, inner.right]
        return [c for p in parts if isinstance(p, exp.Expression) for c in _conjuncts(p)]
    return [inner] if isinstance(inner, exp.Expression) else []


def _equal_classes(eqs: list[exp.EQ], tables: dict[str, str]) -> dict[str, set[str]]:
    """Each column -> the other columns it must equal (transitively)."""
    classes: dict[str, set[str]] = {}
    for eq in eqs:
        left, right = eq.left, eq.right
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
            continue
        a, b = qualified(left, tables), qualified(right, tables)
        if a is None or b is None:
            continue
        merged = classes.get(a.lower(), {a}) | classes.get(b.lower(), {b})
        for col in merged:
            classes[col.lower()] = merged
    return {k: {c for c in v if c.lower() != k} for k, v in classes.items()}


def where_of(select: exp.Select) -> exp.Expression | None:
    where = select.args.get("where")
    return None if where is None else where.this


def order_keys(select: exp.Select, dialect: str) -> tuple[OrderKey, ...] | None:
    """The ORDER BY as keys, NULL placement made explicit; None when a key is an expression."""
    order = select.args.get("order")
    if order is None:
        return ()
    tables = aliases(select)
    first_asc = _NULLS_FIRST_ASC.get(dialect, True)
    out: list[OrderKey] = []
    for ordered in order.expressions:
        node = ordered.this
        if not isinstance(node, exp.Column):
            return None
        name = qualified(node, tables) if node.table else node.name
        desc = bool(ordered.args.get("desc"))
        # sqlglot resolves the dialect's default NULL placement when it parses
        nulls_first = ordered.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = first_asc != desc
        out.append(OrderKey(name or node.name, desc, bool(nulls_first)))
    return tuple(out)
