"""PostgreSQL statements sqlglot keeps as plain commands but the catalog needs:
CREATE DOMAIN, CREATE MATERIALIZED VIEW, ALTER TYPE ... ADD VALUE, ADD GENERATED AS IDENTITY."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError

from scaffold.analyze import types
from scaffold.analyze.catalog_columns import Domain
from scaffold.analyze.ddl_source import Parsed

if TYPE_CHECKING:
    from scaffold.analyze.catalog import CatalogBuilder

_NAME = r'((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*)'
_DOMAIN = re.compile(r"^\s*CREATE\s+DOMAIN\s+" + _NAME + r"\s+(?:AS\s+)?(.*)$", re.I | re.S)
_DOMAIN_END = re.compile(r"\b(CONSTRAINT|CHECK|NOT\s+NULL|NULL|DEFAULT|COLLATE)\b", re.I)
_CHECK = re.compile(r"(?:CONSTRAINT\s+" + _NAME + r"\s+)?CHECK\s*", re.I)
_MATVIEW = re.compile(
    r"^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    + _NAME
    + r"(?:\s*\([^)]*\))?\s+AS\s+(.*?)(\s+WITH\s+(?:NO\s+)?DATA)?\s*$",
    re.I | re.S,
)
_ADD_VALUE = re.compile(
    r"^\s*ALTER\s+TYPE\s+" + _NAME + r"\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'"
    r"(?:\s+(BEFORE|AFTER)\s+'((?:[^']|'')*)')?",
    re.I,
)
_ADD_IDENTITY = re.compile(
    r"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?"
    + _NAME
    + r"\s+ALTER\s+(?:COLUMN\s+)?"
    + _NAME
    + r"\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY",
    re.I,
)


@dataclass
class DomainMap:
    domains: dict[str, Domain] = field(default_factory=dict)


def apply_command(builder: CatalogBuilder, parsed: Parsed) -> bool:
    """Apply a statement sqlglot could only read as a command; False when it is irrelevant."""
    text = parsed.statement.text
    for pattern, handler in (
        (_DOMAIN, _domain),
        (_MATVIEW, _materialized_view),
        (_ADD_VALUE, _enum_value),
        (_ADD_IDENTITY, _identity),
    ):
        match = pattern.match(text)
        if match:
            return handler(builder, match, parsed)
    return False


def is_materialized_view(text: str) -> bool:
    return _MATVIEW.match(text) is not None


def unqualified(name: str, dialect: str) -> str:
    last = re.split(r"\s*\.\s*(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", name)[-1]
    if last.startswith('"'):
        return last.strip('"')
    return last.lower() if dialect == "postgres" else last


def _domain(builder: CatalogBuilder, match: re.Match[str], parsed: Parsed) -> bool:
    name, rest = unqualified(match.group(1), builder.dialect), match.group(2)
    end = _DOMAIN_END.search(rest)
    dtype = types.parse_type(rest[: end.start()] if end else rest, builder.dialect)
    if dtype is None:
        return False
    checks = []
    for check in _CHECK.finditer(rest):
        expression = _leading_expression(rest[check.end() :], builder.dialect)
        if expression is not None:
            checks.append(
                (
                    unqualified(check.group(1), builder.dialect) if check.group(1) else None,
                    expression,
                )
            )
    not_null = bool(re.search(r"\bNOT\s+NULL\b", rest, re.I))
    builder.domains.domains[name.lower()] = Domain(dtype, not_null, tuple(checks))
    return True


def _materialized_view(builder: CatalogBuilder, match: re.Match[str], parsed: Parsed) -> bool:
    try:
        query = sqlglot.parse_one(match.group(2), read=builder.dialect)
    except SqlglotError:
        return False
    name = unqualified(match.group(1), builder.dialect)
    builder.create_view(parsed, _table_node(name), query)
    return True


def _enum_value(builder: CatalogBuilder, match: re.Match[str], parsed: Parsed) -> bool:
    name = unqualified(match.group(1), builder.dialect)
    values = builder.draft.enums.get(name)
    if values is None:
        return False
    value = match.group(2).replace("''", "'")
    listed = list(values)
    if match.group(3) and match.group(4) in listed:
        at = listed.index(match.group(4).replace("''", "'"))
        listed.insert(at if match.group(3).upper() == "BEFORE" else at + 1, value)
    elif value not in listed:
        listed.append(value)
    builder.draft.enums[name] = tuple(listed)
    return True


def _identity(builder: CatalogBuilder, match: re.Match[str], parsed: Parsed) -> bool:
    table = builder.table(_table_node(unqualified(match.group(1), builder.dialect)), parsed)
    column = builder.column(table, unqualified(match.group(2), builder.dialect), parsed)
    column.generated, column.not_null = "identity", True
    return True


def _table_node(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def _leading_expression(text: str, dialect: str) -> exp.Expr | None:
    """The parenthesised expression at the start of `text` (a CHECK's body)."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i > 0:
            try:
                return sqlglot.parse_one(text[: i + 1], read=dialect)
            except SqlglotError:
                return None
    return None
