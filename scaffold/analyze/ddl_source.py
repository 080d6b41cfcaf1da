"""Schema files to parsed statements: migration folders, Up sections, splitting, positions.

Statements are split where sqlglot's tokenizer would (quotes, $$ bodies and comments are safe)
and parsed one by one, so a function body sqlglot cannot read does not hide the tables around it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import sqlglot
import sqlglot.expressions as exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from scaffold.analyze.catalog_split import Span, statement_spans
from scaffold.errors import AnalysisError, Location

# Migration tools' markers: only the "up" part of a file builds the schema.
_UP = re.compile(r"^\s*--\s*(\+goose\s+up|\+migrate\s+up|migrate:up)\b", re.I)
_DOWN = re.compile(r"^\s*--\s*(\+goose\s+down|\+migrate\s+down|migrate:down)\b", re.I)
_TERN_SPLIT = re.compile(r"^\s*----\s*create above\s*/\s*drop below\s*----", re.I)
_TABLE_STATEMENT = re.compile(
    r"^\s*(CREATE\s+(OR\s+REPLACE\s+)?((GLOBAL|LOCAL)\s+)?((TEMP|TEMPORARY|UNLOGGED)\s+)?"
    r"TABLE|ALTER\s+TABLE)\b",
    re.I,
)
# Words that end a column's type, and words that start a table constraint instead of a column.
TYPE_END_WORDS = frozenset(
    {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE"}
    | {"REFERENCES", "GENERATED", "AS", "AUTOINCREMENT", "ON"}
)
TABLE_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})
_CREATE = re.compile(r"^\s*CREATE\b", re.I)
_CREATE_AT = re.compile(r"CREATE\b", re.I)
_NAME = r'(?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*'
# Statements the catalog would parse only to skip (pg_dump writes hundreds of them): no table,
# column, constraint, type or domain comes from them, whatever their details.
_NO_TABLE_FACTS = re.compile(
    r"^\s*(?:SET|SELECT|GRANT|REVOKE)\b"
    r"|^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?"
    r"(?:FUNCTION|PROCEDURE|TRIGGER|SEQUENCE|EXTENSION|SCHEMA|AGGREGATE|INDEX)\b"
    r"|^\s*ALTER\s+(?:SEQUENCE|FUNCTION|PROCEDURE|SCHEMA|AGGREGATE)\b"
    r"|^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?" + _NAME + r"\s+(?:OWNER\s+TO|ATTACH\s+PARTITION)\b",
    re.I,
)


@dataclass(frozen=True)
class Statement:
    """One statement of a schema file and where it starts."""

    text: str
    location: Location
    without_rowid: bool = False  # SQLite: the table has no rowid (no INTEGER PRIMARY KEY alias)


@dataclass(frozen=True)
class Parsed:
    statement: Statement
    expression: exp.Expr


def schema_files(paths: Sequence[Path]) -> list[Path]:
    """The files to apply, in order: files as given, folders' *.sql in file-name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".sql")
            files += [p for p in found if not p.name.lower().endswith(".down.sql")]
        elif path.is_file():
            files.append(path)
        else:
            raise AnalysisError(
                f"schema file {str(path)!r} does not exist",
                location=Location(str(path)),
                hint="list DDL files or migration folders under database.schema",
            )
    return files


def up_section(text: str) -> str:
    """The text with migration "down" parts blanked (lines kept, so positions stay right)."""
    lines = text.split("\n")
    marked = any(_UP.match(line) or _DOWN.match(line) for line in lines)
    keep, out = True, []
    for line in lines:
        if marked and _UP.match(line):
            keep = True
        elif (marked and _DOWN.match(line)) or _TERN_SPLIT.match(line):
            keep = False
        out.append(line if keep else "")
    return "\n".join(out)


def split_statements(text: str, dialect: str, file: str) -> list[Statement]:
    """The statements of a file, each with the location of its first token."""
    spans = statement_spans(text, dialect)
    statements: list[Statement] = []
    line, counted = 1, 0
    for span in spans or ():
        chunk = _span_tokens(text, span, dialect)
        if chunk == []:
            spans = None  # the scanner was wrong about this file: the tokenizer splits it
            break
        # Lines counted on from the previous statement (a count from the top for each was
        # quadratic in the file's size).
        line += text.count("\n", counted, span.start)
        counted = span.start
        column = span.start - text.rfind("\n", 0, span.start)
        position = Location(file, line, column)
        end = chunk[-1].end + 1 if chunk and span.tokenize else span.end
        statements.append(_located(text, span.start, end, chunk, dialect, position))
    return statements if spans is not None else split_statements_by_tokens(text, dialect, file)


def split_statements_by_tokens(text: str, dialect: str, file: str) -> list[Statement]:
    """split_statements by sqlglot's tokenizer over the whole file (the reference)."""
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except TokenError as err:
        raise AnalysisError(f"cannot read the SQL: {err}", location=Location(file)) from err
    statements: list[Statement] = []
    chunk: list[Token] = []
    for token in [*tokens, None]:
        if token is not None and token.token_type != TokenType.SEMICOLON:
            chunk.append(token)
            continue
        if chunk:
            statements.append(_statement(text, chunk, dialect, file))
        chunk = []
    return statements


def has_no_table_facts(statement: Statement) -> bool:
    """Functions, triggers, plain indexes, sequences, settings, grants, owners, partitions:
    skipped without parsing (parsed, the catalog would skip them as well)."""
    return _NO_TABLE_FACTS.match(statement.text) is not None


def is_table_statement(statement: Statement) -> bool:
    return bool(_TABLE_STATEMENT.match(statement.text))


def parse_statement(statement: Statement, dialect: str) -> exp.Expr | None:
    """The statement parsed; None when sqlglot cannot read a statement that is not a table's.

    A CREATE/ALTER TABLE that sqlglot cannot read is an AnalysisError at the failing token.
    """
    parsed: exp.Expr | None
    try:
        parsed = _parse(statement.text, dialect)
    except SqlglotError as err:
        if not is_table_statement(statement):
            return None
        retry = _sqlite_type_tails(statement.text) if dialect == "sqlite" else None
        try:
            parsed = _parse(retry, dialect) if retry else None
        except SqlglotError:
            parsed = None
        if parsed is None:
            raise _parse_error(statement, err) from err
    unread = isinstance(parsed, exp.Command) and is_table_statement(statement)
    if unread and _CREATE.match(statement.text):
        raise AnalysisError(
            "sqlglot cannot read this CREATE TABLE (unsupported syntax)",
            location=statement.location,
            hint="simplify the statement or report the construct",
        )
    return parsed


def parse_texts(texts: Sequence[str], dialect: str) -> tuple[exp.Expression, ...]:
    """The DDL statements again from the texts they were first parsed from (the analysis
    cache keeps those): the same reading, so the same trees."""
    out = []
    for text in texts:
        parsed = parse_statement(Statement(text, Location("<cached schema>")), dialect)
        assert parsed is not None, "a statement kept in the catalog was read before"
        out.append(cast(exp.Expression, parsed))
    return tuple(out)


def _parse(text: str, dialect: str) -> exp.Expr:
    with quiet_sqlglot():
        return sqlglot.parse_one(text, read=dialect)


def _sqlite_type_tails(text: str) -> str | None:
    """SQLite types of several words (UNSIGNED BIG INT) with all but the first word blanked.

    sqlglot reads one-word types only; the declared type is read from the original text.
    """
    chars, depth, state, changed = list(text), 0, "", False
    for token in Dialect.get_or_raise("sqlite").tokenize(text):
        kind, word = token.token_type, (token.text.split() or [""])[0].upper()
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(kind, 0)
        if kind in (TokenType.L_PAREN, TokenType.R_PAREN) or depth != 1:
            state = "name" if kind == TokenType.L_PAREN and depth == 1 else ""
        elif kind == TokenType.COMMA:
            state = "name"
        elif state == "name":
            state = "" if word in TABLE_CONSTRAINT_WORDS else "type"
        elif state in ("type", "tail"):
            if word in TYPE_END_WORDS or not word.isalnum():
                state = ""
            elif state == "tail":
                chars[token.start : token.end + 1] = " " * (token.end + 1 - token.start)
                changed = True
            else:
                state = "tail"
    return "".join(chars) if changed else None


def _statement(text: str, chunk: list[Token], dialect: str, file: str) -> Statement:
    start = chunk[0].start
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return _located(text, start, chunk[-1].end + 1, chunk, dialect, Location(file, line, column))


def _span_tokens(text: str, span: Span, dialect: str) -> list[Token] | None:
    """The tokens of a statement that needs them, at their places in `text`; None for others,
    [] when the tokenizer disagrees with the scanner."""
    sqlite_create = dialect == "sqlite" and _CREATE_AT.match(text, span.start) is not None
    if not (span.tokenize or sqlite_create):
        return None
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text[span.start : span.stop])
    except TokenError:
        return []
    if not tokens:
        return []
    for token in tokens:
        token.start += span.start
        token.end += span.start
    wrong_end = not span.tokenize and tokens[-1].end + 1 != span.end
    if wrong_end or tokens[0].start != span.start:
        return []
    if any(t.token_type == TokenType.SEMICOLON for t in tokens):
        return []
    return tokens


def _located(
    text: str, start: int, end: int, chunk: list[Token] | None, dialect: str, position: Location
) -> Statement:
    body = text[start:end]
    without_rowid = False
    if dialect == "sqlite" and chunk and chunk[0].text.upper() == "CREATE":
        # SQLite clauses sqlglot cannot read and the catalog does not need: blanked in place.
        body, without_rowid = _strip_sqlite_noise(body, start, chunk)
    return Statement(body, position, without_rowid)


def _strip_sqlite_noise(body: str, offset: int, chunk: list[Token]) -> tuple[str, bool]:
    chars = list(body)
    without_rowid = False
    words = [t.text.upper() for t in chunk]
    for i, token in enumerate(chunk):
        blank: list[Token] = []
        if words[i : i + 2] == ["ON", "CONFLICT"] and i + 2 < len(chunk):
            blank = chunk[i : i + 3]
        elif words[i : i + 2] == ["WITHOUT", "ROWID"]:
            blank, without_rowid = chunk[i : i + 2], True
        elif words[i] in ("ASC", "DESC") and i + 1 < len(chunk) and words[i + 1] in (",", ")"):
            blank = [token]  # PRIMARY KEY (a DESC): the order does not matter to the catalog
        for t in blank:
            for k in range(t.start - offset, t.end - offset + 1):
                chars[k] = " "
    return "".join(chars), without_rowid


def _parse_error(statement: Statement, err: SqlglotError) -> AnalysisError:
    errors = err.errors if isinstance(err, ParseError) else []
    info = errors[0] if errors else {}
    line, col = info.get("line"), info.get("col")
    base = statement.location
    if isinstance(line, int) and isinstance(col, int) and base.line and base.column:
        col = col + base.column - 1 if line == 1 else col
        location = Location(base.file, base.line + line - 1, col)
    else:
        location = base
    message = str(info.get("description") or err).splitlines()[0]
    near = str(info.get("highlight") or "")
    text = f"cannot parse the statement: {message}" + (f" near {near!r}" if near else "")
    return AnalysisError(text, location=location, hint="fix the SQL at this position")


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to a Command; library code must stay quiet."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
