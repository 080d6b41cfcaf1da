"""The columns of a view (or CREATE TABLE AS): from the query analyzer when it is present,
else from direct column references, anything computed being a nullable TEXT."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot.expressions as exp

from scaffold.analyze.catalog_columns import ident
from scaffold.analyze.catalog_draft import CatalogDraft, freeze_table
from scaffold.analyze.model import Catalog, Column, Table
from scaffold.errors import ScaffoldError


@dataclass(frozen=True)
class _Source:
    table: Table
    optional: bool  # on the optional side of an outer join


def select_columns(query: exp.Query, draft: CatalogDraft) -> tuple[Column, ...]:
    analyzer = _query_analyzer()
    if analyzer is not None:
        try:
            outputs = analyzer(query, draft.freeze())
        except ScaffoldError:
            outputs = None  # a view the analyzer cannot type still gets its direct columns
        if outputs is not None:
            return tuple(_from_output(o) for o in outputs)
    return direct_columns(query, draft)


def direct_columns(query: exp.Query, draft: CatalogDraft) -> tuple[Column, ...]:
    """Columns named straight from tables keep their facts; the rest are nullable TEXT."""
    select = query
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return ()
    sources = _sources(select, draft)
    columns: list[Column] = []
    for i, projection in enumerate(select.expressions):
        columns += _projection(projection, sources, draft.dialect, i)
    return tuple(columns)


def _query_analyzer() -> Callable[[exp.Query, Catalog], Sequence[Any]] | None:
    try:
        module = importlib.import_module("scaffold.analyze.query")
    except ImportError:
        return None
    found = getattr(module, "analyze_select_columns", None)
    return found if callable(found) else None


def _from_output(output: Any) -> Column:
    return Column(
        name=output.name,
        sql_type=output.sql_type,
        py_type=output.py_type,
        nullable=output.nullable,
        element_py_type=getattr(output, "element_py_type", None),
    )


def _sources(select: exp.Select, draft: CatalogDraft) -> dict[str, _Source]:
    """The tables of the SELECT's own FROM and JOINs (parenthesised joins included)."""
    sources: dict[str, _Source] = {}
    for node in select.find_all(exp.Table):
        if node.parent_select is not select or _in_subquery(node, select):
            continue
        found = draft.table(ident(node, draft.dialect)[0])
        if found is not None:
            table = freeze_table(found, draft)
            sources[node.alias_or_name.lower()] = _Source(table, _optional(node, select))
    return sources


def _optional(table: exp.Table, select: exp.Select) -> bool:
    """On the optional side of an outer join: joined by LEFT/FULL, or left of a RIGHT/FULL."""
    for join in select.find_all(exp.Join):
        side = str(join.args.get("side") or "").upper()
        inside = table is join.this or table in join.this.find_all(exp.Table)
        if (inside and side in ("LEFT", "FULL")) or (not inside and side in ("RIGHT", "FULL")):
            return True
    return False


def _in_subquery(node: exp.Expr, select: exp.Select) -> bool:
    parent = node.parent
    while parent is not None and parent is not select:
        inner = parent.this if isinstance(parent, exp.Subquery) else None
        while isinstance(inner, exp.Subquery):  # ((a JOIN b) JOIN c): parentheses only
            inner = inner.this
        if isinstance(inner, (exp.Select, exp.SetOperation)):
            return True
        parent = parent.parent
    return False


def _projection(
    node: exp.Expr, sources: dict[str, _Source], dialect: str, index: int
) -> list[Column]:
    inner = node.this if isinstance(node, exp.Alias) else node
    if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star):
        return _star(inner, sources)
    name = ident(node.args.get("alias") or inner, dialect)[0] if isinstance(node, exp.Alias) else ""
    if isinstance(inner, exp.Column):
        found = _lookup(inner, sources)
        if found is not None:
            column, optional = found
            return [_copy(column, name or column.name, optional)]
    if not name and isinstance(inner, exp.Column):
        name = ident(inner, dialect)[0]
    return [Column(name or node.alias_or_name or f"column{index + 1}", "TEXT", "str", True)]


def _lookup(column: exp.Column, sources: dict[str, _Source]) -> tuple[Column, bool] | None:
    qualifier = column.table.lower()
    candidates = [sources[qualifier]] if qualifier in sources else list(sources.values())
    for source in candidates if qualifier in sources or not qualifier else []:
        found = source.table.column(column.name)
        if found is not None:
            return found, source.optional
    return None


def _star(node: exp.Expr, sources: dict[str, _Source]) -> list[Column]:
    qualifier = node.table.lower() if isinstance(node, exp.Column) else ""
    chosen = [sources[qualifier]] if qualifier in sources else list(sources.values())
    return [_copy(c, c.name, s.optional) for s in chosen for c in s.table.columns]


def _copy(column: Column, name: str, optional: bool) -> Column:
    return Column(
        name=name,
        sql_type=column.sql_type,
        py_type=column.py_type,
        nullable=column.nullable or optional,
        max_length=column.max_length,
        precision=column.precision,
        scale=column.scale,
        enum_values=column.enum_values,
        element_py_type=column.element_py_type,
        comment=column.comment,
    )
