"""The spec's `queries:` section: query files in sqlc's format plus inline named queries."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import yaml

from scaffold.errors import Location, ScaffoldError
from scaffold.spec.model import QuerySpec, SqlcCommand
from scaffold.spec.nodes import Node, Reader, choice, entries, identifier, section, text
from scaffold.spec.paths import existing_paths
from scaffold.spec.queryfile import duplicate_query, read_query_files, second_statement

CARDINALITIES = ("one", "many", "exec")
INLINE_KEYS = ("sql", "cardinality")
# An inline "query" that is only a file name is almost surely a misspelt `file:` key.
LOOKS_LIKE_PATH = re.compile(r"\S+\.sql")


def read_queries(r: Reader, node: Node, root: Path) -> tuple[QuerySpec, ...]:
    """Queries from `file:` first, then the inline ones, in the order written."""
    items = entries(r, node, "queries") or []
    from_files: list[QuerySpec] = []
    inline: list[QuerySpec] = []
    for name, key_node, value in items:
        if name == "file":
            from_files.extend(_from_files(r, value, root))
        elif identifier(r, key_node, name, "queries"):
            query = _inline(r, name, value)
            if query is not None:
                inline.append(query)
    queries = from_files + inline
    _check_unique(r, queries)
    return tuple(queries)


def _from_files(r: Reader, node: Node, root: Path) -> tuple[QuerySpec, ...]:
    paths = existing_paths(r, node, "queries.file", root)
    try:
        return read_query_files(paths)
    except ScaffoldError as exc:
        r.errors.extend(getattr(exc, "errors", [exc]))
        r.partial.add("queries")
        return ()


def _inline(r: Reader, name: str, node: Node) -> QuerySpec | None:
    where = f"queries.{name}"
    command: SqlcCommand | None = None
    sql_node = node
    if isinstance(node, yaml.MappingNode):
        keys = section(r, node, where, INLINE_KEYS, required=("sql",))
        if keys is None or "sql" not in keys:
            return None
        sql_node = keys["sql"]
        if "cardinality" in keys:
            command = cast(
                SqlcCommand | None,
                choice(r, keys["cardinality"], f"{where}.cardinality", CARDINALITIES),
            )
    sql = text(r, sql_node, where, "SQL text or a mapping {sql: ..., cardinality: ...}")
    if sql is None:
        return None
    return _checked(r, QuerySpec(name, sql.strip(), _sql_start(r, sql_node), command), sql_node)


def _checked(r: Reader, query: QuerySpec, node: Node) -> QuerySpec | None:
    where = f"queries.{query.name}"
    if not query.sql:
        r.error(node, f"{where}: expected SQL text, got an empty string")
        return None
    if LOOKS_LIKE_PATH.fullmatch(query.sql):
        r.error(
            node,
            f'{where}: "{query.sql}" looks like a file name, not SQL',
            'list query files under "file:", e.g. file: [queries.sql]',
        )
        return None
    if second_statement(query.sql) is not None:
        hint = "write each statement as its own named query"
        r.error(node, f"{where}: expected one SQL statement, got more than one", hint)
        return None
    return query


def _sql_start(r: Reader, node: Node) -> Location:
    """Where the SQL text starts: the line after `|` or `>`, or just after an opening quote."""
    mark = node.start_mark
    style = getattr(node, "style", None)
    if style in ("|", ">"):
        buffer = r.source or mark.buffer
        line = _first_content_line(buffer, mark.line + 1)
        indent = _indent(buffer, line)
        return Location(r.file, line + 1, indent + 1)
    shift = 1 if style in ("'", '"') else 0
    return Location(r.file, mark.line + 1, mark.column + 1 + shift)


def _first_content_line(buffer: str | None, line: int) -> int:
    lines = (buffer or "").splitlines()
    while line < len(lines) and not lines[line].strip():
        line += 1
    return line


def _indent(buffer: str | None, line: int) -> int:
    lines = (buffer or "").splitlines()
    if line >= len(lines):
        return 0
    return len(lines[line]) - len(lines[line].lstrip())


def _check_unique(r: Reader, queries: list[QuerySpec]) -> None:
    seen: dict[str, QuerySpec] = {}
    for query in queries:
        first = seen.setdefault(query.ident, query)
        if first is not query and query.pos.file == r.file:
            r.errors.append(duplicate_query(query, first))
