"""Query files in sqlc's format: `-- name: GetAuthor :one` (or `/* ... */`) before each statement.

A sqlc user can point scaffold at an existing `query.sql`, a folder of them, or a list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast, get_args

from scaffold.errors import Location, ScaffoldError, SpecError, did_you_mean, raise_all
from scaffold.spec.model import QuerySpec, SqlcCommand

COMMANDS: tuple[str, ...] = get_args(SqlcCommand)

# sqlc accepts "--", "#" (MySQL) and "/* ... */" comments holding "name: X :cmd".
_ANNOTATION = re.compile(
    r"^\s*(?:--|#|/\*)\s*name:\s*(?P<rest>.*?)\s*(?:\*/)?\s*$",
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMMENT = re.compile(r"^\s*(--|#(\s|$))")  # "#>>" is a PostgreSQL operator, not a comment
_HINT = 'write it as "-- name: GetAuthor :one" (commands: ' + " ".join(COMMANDS) + ")"


@dataclass(frozen=True)
class _Block:
    """The lines after one annotation (or before the first), with where they start."""

    annotation: str | None
    line: int  # 1-based line of the annotation, or of the file's start
    body: list[str]


def read_query_files(paths: Sequence[Path]) -> tuple[QuerySpec, ...]:
    """All queries of the given files and folders (a folder: its *.sql files by name)."""
    queries: list[QuerySpec] = []
    errors: list[ScaffoldError] = []
    for path in _expand(paths):
        try:
            queries.extend(read_query_file(path))
        except ScaffoldError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
    errors += _duplicates(queries)
    raise_all(errors)
    return tuple(queries)


def read_query_file(path: Path) -> tuple[QuerySpec, ...]:
    """The queries of one sqlc-style file, in the order written."""
    lines = _read_lines(path)
    queries: list[QuerySpec] = []
    errors: list[ScaffoldError] = []
    for block in _blocks(lines):
        try:
            query = _query(path, block)
        except SpecError as exc:
            errors.append(exc)
            continue
        if query is not None:
            queries.append(query)
    raise_all(errors)
    return tuple(queries)


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.sql")) if path.is_dir() else [path])
    return files


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SpecError(
            f"query file not found: {path}",
            location=Location(str(path)),
            hint="check the path under queries.file (relative to the spec's folder)",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(
            f"cannot read query file: {exc}",
            location=Location(str(path)),
            hint="a query file must be a readable UTF-8 text file",
        ) from None


def _blocks(lines: list[str]) -> list[_Block]:
    blocks = [_Block(None, 1, [])]
    for number, line in enumerate(lines, start=1):
        match = _ANNOTATION.match(line)
        if match:
            blocks.append(_Block(match["rest"], number, []))
        else:
            blocks[-1].body.append(line)
    return blocks


def _query(path: Path, block: _Block) -> QuerySpec | None:
    start, sql = _statement(block)
    where = Location(str(path), block.line + start, 1)
    if block.annotation is None:
        if sql and not _only_comments(sql):
            raise SpecError("query without a name annotation", location=where, hint=_HINT)
        return None
    name, command = _annotation(block.annotation, Location(str(path), block.line, 1))
    if not sql:
        raise SpecError(f'query "{name}" has no SQL', location=where, hint=_HINT)
    extra = second_statement(sql)
    if extra is not None:
        raise SpecError(
            f'query "{name}" holds more than one statement',
            location=Location(str(path), where.line + extra if where.line else None, 1),
            hint='give each statement its own "-- name: X :cmd" line',
        )
    return QuerySpec(name=name, sql=sql, pos=where, command=command)


def _annotation(rest: str, where: Location) -> tuple[str, SqlcCommand]:
    parts = rest.split()
    if not parts or not _NAME.fullmatch(parts[0]):
        raise SpecError("a query name must be an identifier", location=where, hint=_HINT)
    if len(parts) == 1:
        raise SpecError(f'query "{parts[0]}" has no command', location=where, hint=_HINT)
    if len(parts) > 2 or not parts[1].startswith(":"):
        raise SpecError(f'cannot read the annotation "name: {rest}"', location=where, hint=_HINT)
    command = parts[1][1:]
    if command not in COMMANDS:
        hint = did_you_mean(command, COMMANDS) or _HINT
        raise SpecError(f'unknown query command ":{command}"', location=where, hint=hint)
    return parts[0], cast(SqlcCommand, command)


def _statement(block: _Block) -> tuple[int, str]:
    """(offset of the first kept line after the annotation, the statement text)."""
    body = list(block.body)
    while body and _trailing_noise(body[-1]):
        body.pop()
    first = 0
    while first < len(body) and not body[first].strip():
        first += 1
    text = "\n".join(line.rstrip() for line in body[first:]).rstrip()
    text = text.removesuffix(";").rstrip()
    # Line 1 of the annotation block is the annotation itself, so the body starts one below.
    offset = first + (1 if block.annotation is not None else 0)
    return offset, text


_TOKEN = re.compile(
    r"""'(?:[^']|'')*'?|"(?:[^"]|"")*"?|--[^\n]*|/\*.*?(?:\*/|$)|(\$\w*\$).*?(?:\1|$)|;|[^'"\-/$;]+|.""",
    re.DOTALL,
)


def second_statement(sql: str) -> int | None:
    """Line offset of SQL after a top-level `;` (strings, comments, $$ bodies skipped)."""
    after_semicolon = False
    offset = 0
    for match in _TOKEN.finditer(sql):
        token = match[0]
        if after_semicolon and token.strip() and not token.startswith(("--", "/*")):
            return offset + token[: len(token) - len(token.lstrip())].count("\n")
        after_semicolon = after_semicolon or token == ";"
        offset += token.count("\n")
    return None


def _trailing_noise(line: str) -> bool:
    """Blank lines and comments after a statement belong to nothing (often the next query)."""
    return not line.strip() or bool(_COMMENT.match(line))


def _only_comments(sql: str) -> bool:
    return all(_trailing_noise(line) for line in sql.splitlines())


def _duplicates(queries: Sequence[QuerySpec]) -> list[ScaffoldError]:
    seen: dict[str, QuerySpec] = {}
    errors: list[ScaffoldError] = []
    for query in queries:
        first = seen.setdefault(query.ident, query)
        if first is not query:
            errors.append(duplicate_query(query, first))
    return errors


def duplicate_query(query: QuerySpec, first: QuerySpec) -> SpecError:
    return SpecError(
        f'duplicate query name "{query.name}"',
        location=query.pos,
        hint=f'"{first.name}" is already defined at {first.pos}; names must differ in snake_case',
    )
