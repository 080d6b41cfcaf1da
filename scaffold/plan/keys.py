"""Is a state's key unique in its query's result? A conservative answer from the catalog.

The rule, kept simple on purpose:
- without aggregates, the key's columns must come straight from one table T (through
  ``OutputColumn.source``) and include a unique set of T (its primary key or a UNIQUE set), and
  the query's joins must not repeat T's rows: every other table in the outer FROM/JOIN is
  reached from T through foreign keys (T many-to-one them, directly or through each other).
  Tables read only in subqueries (``WHERE x IN (SELECT ...)``) do not count.
- with aggregates, no GROUP BY gives one row (any key is unique); otherwise every GROUP BY
  column must be a key column, or belong to a table whose unique set the key includes.
- SELECT DISTINCT is unique on all its columns.
Keys computed by expressions, read from CTEs and subqueries, or of a UNION, cannot be proven:
the verdict is "unknown" (the lint warns).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError

from scaffold.analyze.model import Catalog, OutputColumn, QueryInfo, Table

Verdict = Literal["unique", "not_unique", "unknown"]


def key_verdict(key: Sequence[OutputColumn], query: QueryInfo, catalog: Catalog) -> Verdict:
    """Whether the key columns identify one row of the query's result."""
    select = _outer_select(query, catalog.dialect)
    if select is None:
        return "unknown"  # a UNION, or SQL sqlglot cannot read back
    if select.args.get("distinct") and {c.name for c in key} >= {c.name for c in query.columns}:
        return "unique"
    if query.has_aggregate:
        return _grouped_verdict(key, select, catalog)
    sources = _sources_by_table(key)
    outer = _outer_tables(select, catalog)
    if not sources or outer is None:
        return "unknown"
    for table_name, columns in sources.items():
        table = catalog.table(table_name)
        if table is None or table.name.lower() not in outer:
            return "unknown"  # read through a view, a CTE or a subquery
        if covers_unique(table, columns) and not _repeated_by_joins(table, outer, catalog):
            return "unique"
    return "not_unique"


def covers_unique(table: Table, columns: set[str]) -> bool:
    """Whether the (lower-case) column names include a primary key or a unique set."""
    sets = [table.primary_key, *table.unique]
    return any(s and {c.lower() for c in s} <= columns for s in sets)


def _sources_by_table(key: Sequence[OutputColumn]) -> dict[str, set[str]]:
    """table -> the key's columns that come straight from it (lower-case)."""
    out: dict[str, set[str]] = {}
    for col in key:
        if col.source:
            table, _, column = col.source.rpartition(".")
            out.setdefault(table.lower(), set()).add(column.lower())
    return out


def _outer_select(query: QueryInfo, dialect: str) -> exp.Select | None:
    tree = _parse(query.sql, dialect)
    return tree if isinstance(tree, exp.Select) else None


@lru_cache(maxsize=256)
def _parse(sql: str, dialect: str) -> exp.Expr | None:
    """The statement's tree (only read, never changed, so it can be shared)."""
    try:
        return sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None


def _outer_tables(select: exp.Select, catalog: Catalog) -> set[str] | None:
    """The catalog names (lower-case) of the tables in the outermost FROM and JOINs, not those
    in subqueries; None when a source there is not a catalog table (a CTE, a subquery)."""
    sources = [select.args.get("from_"), *(select.args.get("joins") or [])]
    out: set[str] = set()
    for source in sources:
        if source is None:
            continue
        table = source.this
        known = catalog.table(table.name) if isinstance(table, exp.Table) else None
        if known is None or known.is_view:
            return None
        out.add(known.name.lower())
    return out


def _repeated_by_joins(table: Table, outer: set[str], catalog: Catalog) -> bool:
    """Whether joining the other outer tables may repeat a row of `table`: true unless each
    is reached from it through many-to-one foreign keys."""
    reached = {table.name.lower()}
    frontier = [table]
    while frontier:
        current = frontier.pop()
        for target in _references(current):
            ref = catalog.table(target)
            if ref is not None and ref.name.lower() not in reached:
                reached.add(ref.name.lower())
                frontier.append(ref)
    return not outer <= reached


def _references(table: Table) -> set[str]:
    refs = {c.foreign_key.table for c in table.columns if c.foreign_key is not None}
    refs |= {c.references[0] for c in table.constraints if c.references is not None}
    return refs


def _grouped_verdict(key: Sequence[OutputColumn], select: exp.Select, catalog: Catalog) -> Verdict:
    group = select.args.get("group")
    if group is None:
        return "unique"  # an aggregate without GROUP BY returns exactly one row
    aliases = _aliases(select, catalog)
    key_names = {c.name.lower() for c in key}
    sources = _sources_by_table(key)
    owners = {
        t
        for t, cols in sources.items()
        if (table := catalog.table(t)) and covers_unique(table, cols)
    }
    for expr in group.expressions:
        if not isinstance(expr, exp.Column):
            return "unknown"
        if expr.name.lower() in key_names:
            continue
        if aliases.get(expr.table.lower()) not in owners:
            return "not_unique"
    return "unique"


def _aliases(select: exp.Select, catalog: Catalog) -> dict[str, str]:
    """alias or name (lower-case) -> catalog table name (lower-case) of the outer tables."""
    out: dict[str, str] = {}
    for table in select.find_all(exp.Table):
        if table.find_ancestor(exp.Select) is select:
            known = catalog.table(table.name)
            name = (known.name if known else table.name).lower()
            out[table.alias_or_name.lower()] = name
            out.setdefault(table.name.lower(), name)
    if len(set(out.values())) == 1:
        out[""] = next(iter(out.values()))  # unqualified columns of a one-table query
    return out
