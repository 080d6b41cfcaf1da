"""Python source fragments of the generated tests (schema, samples, INSERTs, query calls),
rendered at plan time so the templates only place them and ruff format finds nothing to change.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.db_names import StoredNames, column_sql, stored_names, table_sql
from scaffold.plan.fields import TYPE_IMPORTS
from scaffold.plan.names import unique_idents
from scaffold.plan.pyliterals import literal_imports, py_dict_lines, py_literal, py_str
from scaffold.plan.pyliterals import py_string_lines as string_lines
from scaffold.plan.query_calls import Call
from scaffold.plan.query_funcs import RESERVED, row_class, shape

Rows = Mapping[str, Sequence[Mapping[str, Any]]]
OURS = {"sqlite": "sqlite", "postgresql": "postgres"}
EXPLICIT_KEYS = ("autoincrement", "identity", "serial")
LINE = 100
SUPPORTED_COMMANDS = ("one", "many", "exec", "execrows", "execresult", "execlastid")


def bind_name(column: str) -> str:
    """The bind parameter of a column in the sample INSERTs (the conftest maps keys alike)."""
    return re.sub(r"\W", "_", column)


def schema_source(ddl: Mapping[str, Sequence[str]]) -> list[str]:
    lines = ["SCHEMA: dict[str, tuple[str, ...]] = {"]
    for dialect, statements in ddl.items():
        lines.append(f"    {py_str(dialect)}: (")
        for statement in statements:
            lines += string_lines(statement, 8)
        lines.append("    ),")
    return [*lines, "}"]


def samples_source(rows: Rows) -> list[str]:
    lines = ["SAMPLES: dict[str, list[dict[str, Any]]] = {"]
    for table, table_rows in rows.items():
        lines.append(f"    {py_str(table)}: [")
        for row in table_rows:
            lines += py_dict_lines(dict(row), 8)
        lines.append("    ],")
    return [*lines, "}"]


def inserts_source(catalog: Catalog, ddl: Mapping[str, Sequence[str]], rows: Rows) -> list[str]:
    """INSERTS: per SQLAlchemy dialect name, per table, the INSERT of one sample row."""
    lines = ["INSERTS: dict[str, dict[str, str]] = {"]
    for sa_name, statements in ddl.items():
        ours = OURS[sa_name]
        names = stored_names(statements, ours)
        lines.append(f"    {py_str(sa_name)}: {{")
        for table, table_rows in rows.items():
            columns = list(table_rows[0]) if table_rows else []
            lines += _keyed_string(table, _insert_sql(catalog, names, table, columns, ours), 8)
        lines.append("    },")
    return [*lines, "}"]


def _keyed_string(key: str, text: str, indent: int) -> list[str]:
    """`"key": "text",` as ruff lays it out: on one line, else the text in parentheses."""
    pad = " " * indent
    head = f"{pad}{py_str(key)}: "
    if len(head + py_str(text)) < LINE:
        return [head + py_str(text) + ","]
    inner = string_lines(text, indent + 4)
    if len(inner) == 1:
        return [head + "(", inner[0][:-1], pad + "),"]
    # The pieces were cut for one more level of indentation: they fit here too.
    return [head + "(", *(line[4:] for line in inner[1:-1]), pad + "),"]


def _insert_sql(
    catalog: Catalog, names: StoredNames, table: str, columns: Sequence[str], dialect: str
) -> str:
    target = table_sql(names, table, dialect)
    cols = ", ".join(column_sql(names, table, c, dialect) for c in columns)
    values = ", ".join(f":{bind_name(c)}" for c in columns)
    overriding = ""
    info = catalog.table(table)
    if (
        dialect == "postgres"
        and info
        and any(c.server_generated == "identity" and c.name in columns for c in info.columns)
    ):
        overriding = " OVERRIDING SYSTEM VALUE"
    return f"INSERT INTO {target} ({cols}){overriding} VALUES ({values})"


def sequences_source(catalog: Catalog, ddl: Mapping[str, Sequence[str]], rows: Rows) -> list[str]:
    """SEQUENCES: statements that move PostgreSQL's key sequences past the explicit sample keys,
    so a later INSERT that lets the server pick the key does not collide with a sample."""
    names = stored_names(ddl.get("postgresql", ()), "postgres")
    statements = []
    for table, table_rows in rows.items():
        info = catalog.table(table)
        for col in info.columns if info else ():
            if col.server_generated in EXPLICIT_KEYS and table_rows and col.name in table_rows[0]:
                top = max(int(r[col.name]) for r in table_rows)
                target = table_sql(names, table, "postgres").replace("'", "''")
                column = column_sql(names, table, col.name, "postgres").strip('"')
                statements.append(
                    f"SELECT setval(pg_get_serial_sequence('{target}', '{column}'), {top})"
                )
    items = [line for statement in statements for line in string_lines(statement, 4)]
    one_line = f"SEQUENCES: tuple[str, ...] = ({items[0].strip()})" if len(items) == 1 else ""
    if one_line and len(one_line) <= 100:
        return [one_line]  # as ruff format writes a one-item tuple that fits
    return ["SEQUENCES: tuple[str, ...] = (", *items, ")"]


def query_test_context(
    package: str,
    queries: Sequence[QueryInfo],
    calls: Mapping[str, Sequence[Call]],
    server_only: Collection[str] = (),
) -> dict[str, Any]:
    """What test_queries.py.j2 renders: per query its calls and its expected columns."""
    values: list[Any] = []
    out = []
    for query in queries:
        query_calls = calls.get(query.ident, ())
        values += [v for call in query_calls for v in call.args.values()]
        out.append(_query_context(query, query_calls, query.ident in server_only))
    type_names = {c.py_type for q in queries for c in q.columns} | {
        c.element_py_type for q in queries for c in q.columns if c.element_py_type
    }
    imports = (
        literal_imports(values)
        | {pair for t in type_names if (pair := TYPE_IMPORTS.get(t)) is not None}
        | {("datetime", "date"), ("datetime", "datetime")}  # has_type() uses both
        | {("typing", "TYPE_CHECKING")}
    )
    return {
        "package": package,
        "queries": out,
        "import_lines": _import_lines(imports),
        "has_rows": any(q["row_class"] for q in out),
    }


def _import_lines(pairs: set[tuple[str, str]]) -> list[str]:
    modules: dict[str, list[str]] = {}
    for module, name in sorted(pairs):
        modules.setdefault(module, []).append(name)
    return [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(modules.items())]


def _query_context(query: QueryInfo, calls: Sequence[Call], server_only: bool) -> dict[str, Any]:
    kind = shape(query)
    fields = unique_idents(c.name for c in query.columns)
    params = unique_idents((p.name for p in query.params), RESERVED)
    keyword = dict(zip((p.name for p in query.params), params, strict=True))
    fixture = "conn" if all(c.on_samples for c in calls) else "empty_conn"
    if server_only:
        fixture = "server_conn"
    return {
        "ident": query.ident,
        "constant": query.ident.upper(),
        "shape": kind if query.command in SUPPORTED_COMMANDS else "other",
        "row_class": row_class(query) if kind in ("many", "one") else None,
        "columns": [
            {
                "field": field,
                "py_type": c.py_type,
                "nullable": c.nullable,
                "element": c.element_py_type if c.py_type == "list" else None,
            }
            for field, c in zip(fields, query.columns, strict=True)
        ],
        "fixture": fixture,
        "calls": [
            {
                "call": [fixture, *(f"{keyword[k]}={py_literal(v)}" for k, v in call.args.items())],
                "count": call.count,
            }
            for call in calls
        ],
    }
