"""CREATE TABLE pieces to drafts: column definitions, inline and table constraints, names.

Identifiers follow the dialect: PostgreSQL folds unquoted names to lower case; SQLite and
MySQL keep them as written and compare them case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot.expressions as exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError
from sqlglot.expressions import DType
from sqlglot.tokenizer_core import TokenType

from scaffold.analyze import types
from scaffold.analyze.catalog_draft import ColumnDraft
from scaffold.analyze.ddl_source import TYPE_END_WORDS
from scaffold.analyze.model import Constraint

T = DType
_SERIALS = {T.SERIAL: T.INT, T.BIGSERIAL: T.BIGINT, T.SMALLSERIAL: T.SMALLINT}


@dataclass(frozen=True)
class Domain:
    """A PostgreSQL domain: its base type and what it adds to every column of that type."""

    dtype: exp.DataType
    not_null: bool = False
    checks: tuple[tuple[str | None, exp.Expr], ...] = ()  # (name, CHECK on VALUE)


@dataclass
class ColumnParts:
    draft: ColumnDraft
    constraints: list[Constraint] = field(default_factory=list)


def ident(node: exp.Expr | None, dialect: str) -> tuple[str, bool]:
    """The catalog spelling of an identifier, table or column node, and whether it was quoted."""
    if isinstance(node, (exp.Table, exp.Column)):
        node = node.this
    if isinstance(node, exp.Dot):
        node = node.expression
    if not isinstance(node, exp.Identifier):
        return (node.name if node is not None else ""), False
    quoted = bool(node.args.get("quoted"))
    name = node.name
    return (name.lower() if dialect == "postgres" and not quoted else name), quoted


def column_parts(
    coldef: exp.ColumnDef | exp.Identifier,
    text: str,
    dialect: str,
    domains: dict[str, Domain],
) -> ColumnParts:
    """A column definition as a draft plus the constraints it declares inline."""
    name, _ = ident(coldef.this if isinstance(coldef, exp.ColumnDef) else coldef, dialect)
    dtype = coldef.args.get("kind") if isinstance(coldef, exp.ColumnDef) else None
    draft = ColumnDraft(name, dtype)
    parts = ColumnParts(draft)
    if dialect == "sqlite":
        name_node = coldef.this if isinstance(coldef, exp.ColumnDef) else coldef
        draft.declared = declared_type(text, name_node.meta.get("end"))
    if dtype is not None and dtype.this in _SERIALS:
        draft.dtype = exp.DataType(this=_SERIALS[dtype.this])
        draft.generated, draft.not_null = "serial", True
    _apply_domain(parts, domains, dialect)
    if isinstance(coldef, exp.ColumnDef):
        for constraint in coldef.constraints:
            _column_constraint(parts, constraint, dialect)
    return parts


def table_constraint(node: exp.Expr, dialect: str) -> Constraint | None:
    """A table-level PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK (None for plain indexes)."""
    name = None
    if isinstance(node, exp.Constraint):
        name = ident(node.this, dialect)[0]
        node = node.expressions[0] if node.expressions else node
    if isinstance(node, exp.PrimaryKey):
        return Constraint("primary_key", _names(node.expressions, dialect), name)
    if isinstance(node, exp.UniqueColumnConstraint):
        schema = node.this
        if isinstance(schema, exp.Schema):
            name = name or (ident(schema.this, dialect)[0] if schema.this else None)
            return Constraint("unique", _names(schema.expressions, dialect), name)
        return None
    if isinstance(node, exp.ForeignKey):
        return _foreign_key(node.args.get("reference"), node.expressions, name, dialect)
    if isinstance(node, exp.CheckColumnConstraint):
        return Constraint("check", (), name, node.this)
    return None


def declared_type(text: str, end: int | None) -> str:
    """SQLite: the type of a column as written after its name, upper-case ("" when none)."""
    if end is None:
        return ""
    try:
        tokens = Dialect.get_or_raise("sqlite").tokenize(text[end + 1 :])
    except TokenError:
        return ""
    words: list[str] = []
    for i, token in enumerate(tokens):
        if token.token_type in (TokenType.COMMA, TokenType.R_PAREN, TokenType.SEMICOLON):
            break
        if token.token_type == TokenType.L_PAREN:
            close = next(
                (k for k in range(i, len(tokens)) if tokens[k].token_type == TokenType.R_PAREN),
                len(tokens),
            )
            args = [t.text for t in tokens[i + 1 : close] if t.token_type != TokenType.COMMA]
            return " ".join(words) + "(" + ", ".join(args) + ")"
        if token.text.split()[0].upper() in TYPE_END_WORDS:
            break
        words.append(token.text.upper())
    return " ".join(words)


def _column_constraint(parts: ColumnParts, node: exp.ColumnConstraint, dialect: str) -> None:
    draft, kind = parts.draft, node.args.get("kind")
    name = ident(node.this, dialect)[0] if node.this else None
    single = (draft.name,)
    if isinstance(kind, exp.NotNullColumnConstraint):
        draft.not_null = not kind.args.get("allow_null")
    elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
        parts.constraints.append(Constraint("primary_key", single, name))
    elif isinstance(kind, exp.UniqueColumnConstraint):
        parts.constraints.append(Constraint("unique", single, name))
    elif isinstance(kind, exp.Reference):
        fk = _foreign_key(kind, [exp.to_identifier(draft.name)], name, dialect)
        parts.constraints.append(fk)
    elif isinstance(kind, exp.CheckColumnConstraint):
        parts.constraints.append(Constraint("check", single, name, kind.this))
    elif isinstance(kind, exp.DefaultColumnConstraint):
        draft.default = kind.this
    else:
        _generation(draft, kind)


def _generation(draft: ColumnDraft, kind: exp.Expr | None) -> None:
    if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
        computed = kind.args.get("expression") is not None
        draft.generated = "generated" if computed else "identity"
    elif isinstance(kind, exp.ComputedColumnConstraint):
        draft.generated = "generated"
    elif isinstance(kind, exp.AutoIncrementColumnConstraint):
        draft.generated = "autoincrement"
    elif isinstance(kind, exp.CommentColumnConstraint):
        draft.comment = kind.this.name if kind.this is not None else None


def _foreign_key(
    reference: exp.Reference | None,
    columns: list[exp.Expr],
    name: str | None,
    dialect: str,
) -> Constraint:
    schema = reference.this if reference is not None else None
    if isinstance(schema, exp.Schema):
        target, target_columns = ident(schema.this, dialect)[0], schema.expressions
    else:
        target, target_columns = ident(schema, dialect)[0], []
    references = (target, _names(target_columns, dialect))
    return Constraint("foreign_key", _names(columns, dialect), name, references=references)


def _names(nodes: list[exp.Expr], dialect: str) -> tuple[str, ...]:
    out = []
    for node in nodes:
        while isinstance(node, exp.Ordered):
            node = node.this
        out.append(ident(node, dialect)[0])
    return tuple(out)


def _apply_domain(parts: ColumnParts, domains: dict[str, Domain], dialect: str) -> None:
    type_name = types.user_type_name(parts.draft.dtype)
    domain = domains.get(type_name.lower()) if type_name else None
    if domain is None:
        return
    draft = parts.draft
    draft.dtype, draft.not_null = domain.dtype, domain.not_null
    column = exp.column(draft.name, quoted=draft.name != draft.name.lower())
    for name, check in domain.checks:
        on_column = check.copy().transform(
            lambda n: (
                column.copy() if isinstance(n, exp.Column) and n.name.upper() == "VALUE" else n
            )
        )
        parts.constraints.append(Constraint("check", (draft.name,), name, on_column))


def _is_value(node: exp.Expr) -> bool:
    """The VALUE placeholder of a domain's CHECK."""
    return isinstance(node, exp.Column) and not node.table and node.name.upper() == "VALUE"
