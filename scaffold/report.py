"""`scaffold inspect`: the analysis as a readable report or as stable JSON."""

from __future__ import annotations

from typing import Any

from scaffold.analyze.model import Catalog, Column, OutputColumn, Param, QueryInfo


def inspect_json(catalog: Catalog, queries: tuple[QueryInfo, ...]) -> dict[str, Any]:
    """The stable `inspect --json` format (keys and order are part of the interface)."""
    return {
        "tables": {t.name: {"columns": [_table_column(c) for c in t.columns]}
                   for t in catalog.tables},
        "queries": {q.name: _query(q) for q in queries},
    }


def _table_column(col: Column) -> dict[str, Any]:
    return {
        "name": col.name,
        "sql_type": col.sql_type,
        "py_type": col.py_type,
        "nullable": col.nullable,
        "primary_key": col.primary_key,
        "server_generated": col.server_generated is not None,
    }


def _query(q: QueryInfo) -> dict[str, Any]:
    return {
        "kind": q.kind,
        "cardinality": q.cardinality,
        "command": q.command,
        "columns": [_output_column(c) for c in q.columns],
        "params": [_param(p) for p in q.params],
        "reads": list(q.reads),
        "writes": list(q.writes),
    }


def _output_column(col: OutputColumn) -> dict[str, Any]:
    return {
        "name": col.name,
        "sql_type": col.sql_type,
        "py_type": col.py_type,
        "nullable": col.nullable,
        "source": col.source,
    }


def _param(p: Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "sql_type": p.sql_type,
        "py_type": p.py_type,
        "nullable": p.nullable,
        "list": p.is_list,
    }


def _type_text(py_type: str, nullable: bool, is_list: bool = False) -> str:
    text = f"list[{py_type}]" if is_list else py_type
    return f"{text} | None" if nullable else text


def inspect_text(catalog: Catalog, queries: tuple[QueryInfo, ...]) -> str:
    """A human-readable report: one block per query, after a one-line summary per table."""
    lines = [f"{len(catalog.tables)} tables, {len(queries)} queries ({catalog.dialect})", ""]
    for table in catalog.tables:
        cols = ", ".join(c.name for c in table.columns)
        kind = "view" if table.is_view else "table"
        lines.append(f"{kind} {table.name} ({cols})")
    for q in queries:
        lines += ["", f"{q.name}  [{q.kind}, {q.cardinality}, :{q.command}]"]
        lines += _query_lines(q)
    return "\n".join(lines) + "\n"


def _query_lines(q: QueryInfo) -> list[str]:
    width = max([len(c.name) for c in q.columns] + [len(p.name) for p in q.params] + [4])
    out: list[str] = []
    for p in q.params:
        out.append(f"  param  {p.name:<{width}}  {_type_text(p.py_type, p.nullable, p.is_list):<20}"
                   f"  {p.sql_type}")
    for c in q.columns:
        source = f"  <- {c.source}" if c.source else ""
        out.append(f"  column {c.name:<{width}}  {_type_text(c.py_type, c.nullable):<20}"
                   f"  {c.sql_type}{source}")
    if q.reads:
        out.append(f"  reads  {', '.join(q.reads)}")
    if q.writes:
        out.append(f"  writes {', '.join(q.writes)}")
    return out
