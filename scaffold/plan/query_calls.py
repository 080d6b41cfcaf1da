"""The calls the generated query tests make: arguments taken from the sample rows, checked on
the SQLite oracle so that a query is asserted to return rows only where the samples ensure it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot.errors import SqlglotError

from scaffold.analyze.model import Catalog, Column, Param, QueryInfo
from scaffold.plan.sample_db import SampleDatabase
from scaffold.plan.sample_values import sample_value
from scaffold.plan.samples import Rows

LIMIT_NAMES = {"limit": 10, "lim": 10, "offset": 0, "off": 0}


@dataclass(frozen=True)
class Call:
    """One call of a generated query function and what the samples guarantee about it."""

    args: dict[str, Any]  # parameter name (as in QueryInfo) -> value
    count: int | None  # rows returned (or changed) on the samples; None when unknown
    on_samples: bool = True  # False: run on an empty database (it fails on the samples)


@dataclass
class _Oracles:
    samples: SampleDatabase
    empty: SampleDatabase
    dialect: str
    sqlite_sql: dict[str, str | None] = field(default_factory=dict)


def plan_calls(
    catalog: Catalog,
    queries: Sequence[QueryInfo],
    rows: Rows,
    samples_db: SampleDatabase,
    empty_db: SampleDatabase,
) -> dict[str, list[Call]]:
    """Per query ident, the calls its test makes (a main call, then one with NULL arguments)."""
    oracles = _Oracles(samples_db, empty_db, catalog.dialect)
    per_table = max((len(r) for r in rows.values()), default=3)
    out: dict[str, list[Call]] = {}
    for query in queries:
        sql = _sqlite_sql(query.sql, catalog.dialect)
        main = _main_call(catalog, query, rows, per_table, oracles.samples, oracles.empty, sql)
        calls = [main]
        nulls = _null_call(catalog, query, rows, per_table, main, samples_db, sql)
        if nulls is not None:
            calls.append(nulls)
        out[query.ident] = calls
    return out


def needs_server(catalog: Catalog, query: QueryInfo, call: Call, db: SampleDatabase) -> bool:
    """Whether the query, as the generated code runs it, is beyond SQLite (a PostgreSQL-only
    function or syntax): its test then needs SCAFFOLD_TEST_DATABASE_URL."""
    return catalog.dialect != "sqlite" and not db.runs(query.sql, call.args)


def _main_call(
    catalog: Catalog,
    query: QueryInfo,
    rows: Rows,
    per_table: int,
    samples_db: SampleDatabase,
    empty_db: SampleDatabase,
    sql: str | None,
) -> Call:
    options = [query_args(catalog, query, rows, r, per_table + r) for r in range(per_table)]
    if sql is None:
        return Call(options[0], None)
    counts = [samples_db.count_rows(sql, args) for args in options]
    for args, count in zip(options, counts, strict=True):
        if count:
            return Call(args, count)
    for args, count in zip(options, counts, strict=True):
        if count is not None:
            return Call(args, count)
    if empty_db.count_rows(sql, options[0]) is not None:
        return Call(options[0], 0, on_samples=False)
    return Call(options[0], None)


def _null_call(
    catalog: Catalog,
    query: QueryInfo,
    rows: Rows,
    per_table: int,
    main: Call,
    samples_db: SampleDatabase,
    sql: str | None,
) -> Call | None:
    """The same query with every nullable scalar parameter None, when there is one."""
    nullable = [p.name for p in query.params if p.nullable and not p.is_list]
    if not nullable or not main.on_samples:
        return None
    args = query_args(catalog, query, rows, 0, 2 * per_table)
    args.update(dict.fromkeys(nullable))
    if sql is None:
        return Call(args, None)
    count = samples_db.count_rows_after(sql, main.args, args)
    return None if count is None else Call(args, count)


def query_args(
    catalog: Catalog, query: QueryInfo, rows: Rows, r: int, fresh: int
) -> dict[str, Any]:
    """Arguments from sample row `r`; values a write stores anew come from row index `fresh`."""
    filtered = {f.param for f in query.filters}
    args: dict[str, Any] = {}
    for param in query.params:
        new = param.name not in filtered and _written(query, param)
        args[param.name] = _arg(catalog, param, rows, r, fresh if new else None)
    return args


def _written(query: QueryInfo, param: Param) -> bool:
    return param.column is not None and param.column in query.columns_written


def _arg(catalog: Catalog, param: Param, rows: Rows, r: int, fresh: int | None) -> Any:
    column = _column_of(catalog, param)
    if column is not None and column.py_type != param.py_type:
        # The parameter is typed apart from its column: only its own type will do.
        column = None
    if param.is_list:
        values = _existing(catalog, param, rows, column)
        return values[:2] if values else [_fallback(param, r)]
    if column is not None and fresh is not None and column.foreign_key is None:
        return sample_value(column, fresh)
    if param.name.lower() in LIMIT_NAMES and param.py_type == "int":
        return LIMIT_NAMES[param.name.lower()]
    if column is None and param.py_type == "str" and _is_pattern(param.name):
        return "%"  # a LIKE pattern that matches every row
    values = _existing(catalog, param, rows, column)
    if values:
        return values[r % len(values)]
    return _fallback(param, r)


def _is_pattern(name: str) -> bool:
    words = set(name.lower().split("_"))
    return bool(words & {"pattern", "like", "search", "term", "query", "q"})


def _column_of(catalog: Catalog, param: Param) -> Column | None:
    if param.column is None or "." not in param.column:
        return None
    table_name, column_name = param.column.rsplit(".", 1)
    table = catalog.table(table_name)
    return table.column(column_name) if table else None


def _existing(catalog: Catalog, param: Param, rows: Rows, column: Column | None) -> list[Any]:
    """The non-null sample values of the parameter's column, in row order."""
    if column is None or param.column is None:
        return []
    table = catalog.table(param.column.rsplit(".", 1)[0])
    table_rows = rows.get(table.name, []) if table else []
    return [row[column.name] for row in table_rows if row.get(column.name) is not None]


def _fallback(param: Param, r: int) -> Any:
    stand_in = Column(param.name, param.sql_type, param.py_type, False)
    return sample_value(stand_in, r)


def _sqlite_sql(sql: str, dialect: str) -> str | None:
    """The query as SQLite runs it (sqlglot transpiles other dialects); None if it cannot."""
    if dialect == "sqlite":
        return sql
    try:
        out = sqlglot.transpile(sql, read=dialect, write="sqlite")
    except SqlglotError:
        return None
    return out[0] if len(out) == 1 and re.search(r"\S", out[0]) else None
