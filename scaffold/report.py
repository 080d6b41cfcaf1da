"""`scaffold inspect`: the analysis as a readable report or as stable JSON."""

from __future__ import annotations

from typing import Any

from scaffold.analyze.model import Catalog, Column, OutputColumn, Param, QueryInfo
from scaffold.plan.lineage import FormLineage, maintenance
from scaffold.spec.model import Spec, StateSpec


def inspect_json(
    spec: Spec, catalog: Catalog, queries: tuple[QueryInfo, ...], lineage: tuple[FormLineage, ...]
) -> dict[str, Any]:
    """The stable `inspect --json` format (keys and order are part of the interface)."""
    return {
        "tables": {
            t.name: {"columns": [_table_column(c) for c in t.columns]} for t in catalog.tables
        },
        "queries": {q.name: _query(q) for q in queries},
        "forms": {f.form: _form(f) for f in lineage},
        "states": {s.name: _state(s, queries) for s in spec.state},
    }


def _form(f: FormLineage) -> dict[str, Any]:
    return {
        "table": f.table,
        "action": f.action,
        "columns": list(f.columns),
        "refreshes": [r.state for r in f.refreshes],
        "prune": {r.state: {p.param: p.field for p in r.prune} for r in f.refreshes if r.prune},
    }


def _state(state: StateSpec, queries: tuple[QueryInfo, ...]) -> dict[str, Any]:
    query = next((q for q in queries if state.query in (q.name, q.ident)), None)
    return {
        "owner": state.owner,
        "query": query.name if query else None,
        "key": list(state.key),
        "maintenance": maintenance(query) if query else None,
        "sources": list(state.sources),
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
        "element_py_type": col.element_py_type,
    }


def _param(p: Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "sql_type": p.sql_type,
        "py_type": p.py_type,
        "nullable": p.nullable,
        "list": p.is_list,
        "element_py_type": p.element_py_type,
    }


def _type_text(
    py_type: str, nullable: bool, is_list: bool = False, element: str | None = None
) -> str:
    text = f"list[{element}]" if py_type == "list" and element else py_type
    text = f"list[{text}]" if is_list else text
    return f"{text} | None" if nullable else text


def inspect_text(
    spec: Spec, catalog: Catalog, queries: tuple[QueryInfo, ...], lineage: tuple[FormLineage, ...]
) -> str:
    """A human-readable report: tables, one block per query, then states and invalidation."""
    lines = [f"{len(catalog.tables)} tables, {len(queries)} queries ({catalog.dialect})", ""]
    for table in catalog.tables:
        cols = ", ".join(c.name for c in table.columns)
        kind = "view" if table.is_view else "table"
        lines.append(f"{kind} {table.name} ({cols})")
    for q in queries:
        lines += ["", f"{q.name}  [{q.kind}, {q.cardinality}, :{q.command}]"]
        lines += _query_lines(q)
    lines += _state_lines(spec, queries) + _lineage_lines(lineage)
    return "\n".join(lines) + "\n"


def _state_lines(spec: Spec, queries: tuple[QueryInfo, ...]) -> list[str]:
    out = ["", "states:"] if spec.state else []
    for state in spec.state:
        info = _state(state, queries)
        upkeep = "maintained locally" if info["maintenance"] == "local" else "refetch after commit"
        detail = {
            "server": f"query {info['query']}, key {', '.join(state.key)}, {upkeep}",
            "client": f"client-owned, key {', '.join(state.key)}",
            "derived": f"derived from {', '.join(state.sources)}",
        }[state.owner]
        out.append(f"  {state.name}: {detail}")
    return out


def _lineage_lines(lineage: tuple[FormLineage, ...]) -> list[str]:
    out = ["", "invalidation (form -> states it refreshes):"] if lineage else []
    for f in lineage:
        targets = []
        for r in f.refreshes:
            prune = ", ".join(f"{p.param}={p.field}" for p in r.prune)
            targets.append(f"{r.state} (only where {prune})" if prune else r.state)
        out.append(f"  {f.form} ({f.action} {f.table}): {', '.join(targets) or 'nothing'}")
    return out


def _query_lines(q: QueryInfo) -> list[str]:
    width = max([len(c.name) for c in q.columns] + [len(p.name) for p in q.params] + [4])
    out: list[str] = []
    for p in q.params:
        typ = _type_text(p.py_type, p.nullable, p.is_list, p.element_py_type)
        out.append(f"  param  {p.name:<{width}}  {typ:<20}  {p.sql_type}")
    for c in q.columns:
        typ = _type_text(c.py_type, c.nullable, element=c.element_py_type)
        source = f"  <- {c.source}" if c.source else ""
        out.append(f"  column {c.name:<{width}}  {typ:<20}  {c.sql_type}{source}")
    if q.reads:
        out.append(f"  reads  {', '.join(q.reads)}")
    if q.writes:
        out.append(f"  writes {', '.join(q.writes)}")
    return out
