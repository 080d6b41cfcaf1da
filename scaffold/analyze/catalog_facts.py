"""A column's facts that follow from its type and default alone, worked out once per draft.

Rendering a type or a default runs sqlglot's generator; a catalog is frozen again after each
statement that changes a table, so the facts are kept until the draft's type or default changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from scaffold.analyze import types
from scaffold.analyze.model import ServerGenerated

if TYPE_CHECKING:
    from scaffold.analyze.catalog_draft import ColumnDraft

# Function-like nodes that still make a constant: a cast literal, an array of literals.
_CONSTANT_FUNCS = (exp.Cast, exp.TryCast, exp.Array)


@dataclass(frozen=True)
class TypeFacts:
    # What they were worked out from: the draft's type and default objects (by identity).
    dtype: exp.DataType | None
    default: exp.Expr | None
    declared: str
    dialect: str
    sql_type: str
    default_sql: str | None
    filled_by_default: ServerGenerated | None  # serial, default or None, from the default alone
    length: int | None
    precision: int | None
    scale: int | None


def type_facts(col: ColumnDraft, dialect: str) -> TypeFacts:
    """The facts of the column's type and default, reused while neither object changes."""
    kept = col.facts
    if (
        kept is not None
        and kept.dtype is col.dtype
        and kept.default is col.default
        and kept.declared == col.declared
        and kept.dialect == dialect
    ):
        return kept
    col.facts = _work_out(col, dialect)
    return col.facts


def _work_out(col: ColumnDraft, dialect: str) -> TypeFacts:
    dtype, default = col.dtype, col.default
    precision, scale = types.type_precision_scale(dtype)
    return TypeFacts(
        dtype=dtype,
        default=default,
        declared=col.declared,
        dialect=dialect,
        sql_type=(col.declared or "BLOB")  # no declared type has BLOB affinity
        if dialect == "sqlite"
        else types.sql_type_text(dtype, dialect),
        default_sql=default.sql(dialect=dialect) if default is not None else None,
        filled_by_default=_filled_by_default(default),
        length=types.type_length(dtype),
        precision=precision,
        scale=scale,
    )


def _filled_by_default(default: exp.Expr | None) -> ServerGenerated | None:
    if default is None:
        return None
    if _calls(default, "nextval"):
        return "serial"  # pg_dump writes serial columns as DEFAULT nextval('..._seq')
    return "default" if is_server_computed(default) else None


def is_server_computed(default: exp.Expr) -> bool:
    """A DEFAULT evaluated per insert (now(), gen_random_uuid(), ...), not a constant."""
    return any(
        (isinstance(node, exp.Func) and not isinstance(node, _CONSTANT_FUNCS))
        or isinstance(node, (exp.Column, exp.Subquery))
        for node in default.walk()
        if not isinstance(node, exp.DataType)
    )


def _calls(expression: exp.Expr, name: str) -> bool:
    return any(
        isinstance(f, exp.Anonymous) and f.name.lower() == name
        for f in expression.find_all(exp.Anonymous)
    )
