"""SQL the server hands back (defaults, CHECKs, view bodies) as the expressions DDL would give.

PostgreSQL stores expressions in a canonical form: it casts literals ('open'::ticket_status,
0::numeric), casts varchar columns to text, rewrites IN lists as = ANY (ARRAY[...]) and wraps
everything in parentheses. Those additions are undone, so a reflected CHECK reads as written.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError

_TEXT_TYPES = (exp.DType.TEXT, exp.DType.VARCHAR, exp.DType.CHAR, exp.DType.BPCHAR)
_NUMBERS = (*exp.DataType.INTEGER_TYPES, *exp.DataType.REAL_TYPES)
_ATOMS = (exp.Column, exp.Literal, exp.Paren, exp.Boolean, exp.Null)
# Comparisons bind tighter than AND / OR / NOT, so parentheses around them there are noise.
_LOOSE = (exp.And, exp.Or, exp.Not)


def parse_sql(sql: str | None, dialect: str) -> exp.Expr | None:
    """One expression or statement, or None when there is none or sqlglot cannot read it."""
    if sql is None or not sql.strip():
        return None
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # sqlglot logs unsupported syntax; we fall back instead
    try:
        return sqlglot.parse_one(sql.strip().rstrip(";"), read=dialect)
    except SqlglotError:
        return None
    finally:
        logger.setLevel(level)


def server_default(sql: str | None, dialect: str) -> exp.Expr | None:
    """A column DEFAULT as the server reports it, without the casts it added to literals."""
    expression = parse_sql(sql, dialect)
    if expression is None:
        return None
    return tidy(expression, ())


def server_check(sql: str | None, dialect: str, text_columns: Collection[str]) -> exp.Expr | None:
    """A CHECK's condition as the server reports it (no CHECK keyword), tidied back."""
    expression = parse_sql(sql, dialect)
    if expression is None:
        return None
    if isinstance(expression, exp.CheckColumnConstraint):
        expression = expression.this
    return tidy(expression, {c.lower() for c in text_columns})


def tidy(expression: exp.Expr, text_columns: Collection[str]) -> exp.Expr:
    """Undo the server's casts of literals and text columns, ANY (ARRAY) lists and parentheses."""
    out = expression.transform(lambda node: _uncast(node, text_columns))
    out = out.transform(_any_to_in)
    for paren in list(out.find_all(exp.Paren)):
        if _needless(paren):
            paren.replace(paren.this)
    while isinstance(out, exp.Paren):
        out = out.this
    return out


def is_constant(node: exp.Expr) -> bool:
    """A literal, or casts, signs and arrays of literals."""
    if isinstance(node, (exp.Literal, exp.Null, exp.Boolean)):
        return True
    if isinstance(node, (exp.Cast, exp.Neg, exp.Paren)):
        return is_constant(node.this)
    if isinstance(node, exp.Array):
        return all(is_constant(e) for e in node.expressions)
    return False


def _uncast(node: exp.Expr, text_columns: Collection[str]) -> exp.Expr:
    if not isinstance(node, exp.Cast):
        return node
    inner = node.this.unnest()
    if is_constant(inner):
        return _number(_uncast_all(inner), node.to)
    # varchar_column::text is how PostgreSQL passes a varchar to a text function or comparison.
    column = isinstance(inner, exp.Column) and inner.name.lower() in text_columns
    return inner if column and node.to.is_type(*_TEXT_TYPES) else node


def _uncast_all(node: exp.Expr) -> exp.Expr:
    uncast: exp.Expr = node.transform(
        lambda n: n.this if isinstance(n, exp.Cast) and is_constant(n) else n
    )
    return uncast


def _number(value: exp.Expr, to: exp.DataType) -> exp.Expr:
    """'-1'::integer is how PostgreSQL stores DEFAULT -1: back to a number."""
    if not (isinstance(value, exp.Literal) and value.is_string and to.is_type(*_NUMBERS)):
        return value
    try:
        float(value.name)
    except ValueError:
        return value
    number = value.name.strip()
    if number.startswith("-"):
        return exp.Neg(this=exp.Literal.number(number[1:]))
    return exp.Literal.number(number)


def _any_to_in(node: exp.Expr) -> exp.Expr:
    """col = ANY (ARRAY['a', 'b']) back to col IN ('a', 'b')."""
    if not isinstance(node, exp.EQ) or not isinstance(node.expression, exp.Any):
        return node
    array = node.expression.this.unnest()
    if not isinstance(array, exp.Array) or not array.expressions:
        return node
    return exp.In(this=node.this, expressions=[e.copy() for e in array.expressions])


def _needless(paren: exp.Paren) -> bool:
    inner, parent = paren.this, paren.parent
    if isinstance(inner, _ATOMS):
        return True
    if isinstance(inner, exp.Func) and not isinstance(inner, exp.Binary | exp.Unary):
        return True  # a function call (sqlglot counts operators as functions too)
    if isinstance(inner, exp.Predicate) and (parent is None or isinstance(parent, _LOOSE)):
        return True
    # AND and OR are associative.
    return isinstance(parent, exp.And | exp.Or) and type(inner) is type(parent)
