"""Local-apply data of a `local` state: its WHERE as Python over a row, its ORDER BY as keys.

A state is maintained locally when its query is a filter/sort over one table; the client then
applies a form's input optimistically with the same predicate and order as the database.
"""

from __future__ import annotations

from typing import Any

import sqlglot.expressions as exp

from scaffold.analyze.lineage_facts import OrderKey, aliases, order_keys, parse_select, where_of
from scaffold.analyze.model import Catalog, QueryInfo, Table
from scaffold.plan.checks import CheckField, translate

# A parameter becomes a pseudo column of this prefix, so the check translator can read it.
_PARAM = "__param_"
# Names a translated predicate may need, and where the generated state.py finds them.
_NAME_SOURCES = {
    "Decimal": ("decimal", "Decimal"),
    "date": ("datetime", "date"),
    "datetime": ("datetime", "datetime"),
    "time": ("datetime", "time"),
    "UUID": ("uuid", "UUID"),
}


def local_apply(query: QueryInfo, catalog: Catalog, key: tuple[str, ...]) -> dict[str, Any] | None:
    """The data the client needs to apply a write itself, or None when it cannot."""
    select = parse_select(query, catalog.dialect)
    table = catalog.table(query.reads[0]) if len(query.reads) == 1 else None
    if select is None or table is None:
        return None
    columns = _output_columns(query, table)
    order = _order(order_keys(select, catalog.dialect), columns, table)
    where = _where(where_of(select), select, table, query, catalog.dialect)
    if columns is None or order is None or where is None or not set(key) <= set(columns):
        return None
    return {
        "table": table.name,
        "columns": columns,
        "types": {c.name: c.py_type for c in table.columns},
        "order": order,
        # `column = :param` in the WHERE: every row of an instance holds the parameter's value
        "implied": {
            f.column.rpartition(".")[2]: f.param
            for f in query.filters
            if f.column.rpartition(".")[0].lower() == table.name.lower()
        },
        **where,
    }


def output_order(query: QueryInfo, dialect: str) -> list[str] | None:
    """The outputs the ORDER BY sorts on, in order; None when a key is not an output."""
    select = parse_select(query, dialect)
    keys = order_keys(select, dialect) if select is not None else None
    if keys is None:
        return None
    names = [_output_named(query, k.column) for k in keys]
    return None if None in names else [n for n in names if n is not None]


def _output_named(query: QueryInfo, column: str) -> str | None:
    """The output a sort key names: by output name, or by the column it comes from."""
    if "." not in column and any(c.name == column for c in query.columns):
        return column
    for c in query.columns:
        source = (c.source or "").lower()
        if source == column.lower() or ("." not in column and source.endswith("." + column)):
            return c.name
    return None


def _output_columns(query: QueryInfo, table: Table) -> dict[str, str] | None:
    """Output name -> table column; None when an output is computed, not a plain column."""
    out: dict[str, str] = {}
    for col in query.columns:
        owner, _, name = (col.source or "").rpartition(".")
        if owner.lower() != table.name.lower() or table.column(name) is None:
            return None
        out[col.name] = name
    return out


def _order(
    keys: tuple[OrderKey, ...] | None, columns: dict[str, str] | None, table: Table
) -> list[list[Any]] | None:
    """[output name, descending, nulls first] per key; None when a key is not an output."""
    if keys is None or columns is None:
        return None
    by_column = {c.lower(): out for out, c in columns.items()}
    out: list[list[Any]] = []
    for k in keys:
        bare = k.column.rpartition(".")[2]
        name = bare if bare in columns and "." not in k.column else by_column.get(bare.lower())
        if name is None:
            return None
        out.append([name, k.descending, k.nulls_first])
    return out


def _where(
    where: exp.Expression | None,
    select: exp.Select,
    table: Table,
    query: QueryInfo,
    dialect: str,
) -> dict[str, Any] | None:
    """The WHERE as the source of a Python bool over `row` and `params`, and what it reads."""
    if where is None:
        return {
            "where": None,
            "where_op": "atom",
            "where_parts": [],
            "where_sql": "",
            "where_columns": [],
            "where_imports": [],
            "where_like": False,
        }
    tree = where.copy()
    for placeholder in list(tree.find_all(exp.Placeholder)):
        placeholder.replace(exp.column(_PARAM + placeholder.name))
    fields = _fields(table, query)
    if set(aliases(select)) - {table.name.lower()}:
        for col in tree.find_all(exp.Column):
            col.set("table", None)  # one table: an alias qualifies nothing
    validator = translate(exp.Not(this=exp.paren(tree)), fields, dialect=dialect)
    if validator is None:
        return None
    # translate() answers "NOT where is not FALSE"; its negation is "where is TRUE".
    return {
        "where": f"not ({validator.source})",
        "where_op": validator.op,
        "where_parts": list(validator.parts),
        "where_sql": where.sql(),
        "where_columns": [f for f in validator.fields if not f.startswith(_PARAM)],
        "where_imports": [list(_NAME_SOURCES[n]) for n in validator.imports if n in _NAME_SOURCES],
        "where_like": "like" in validator.imports,
    }


def _fields(table: Table, query: QueryInfo) -> dict[str, CheckField]:
    fields = {
        c.name: CheckField(c.name, c.py_type, c.name, f'row["{c.name}"]') for c in table.columns
    }
    for p in query.params:
        if p.is_list:
            continue
        name = _PARAM + p.name
        fields[name] = CheckField(name, p.py_type, p.name, f'params["{p.name}"]')
    return fields
