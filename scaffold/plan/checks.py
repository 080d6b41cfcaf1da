"""CHECK constraints and SQL rules as Python validators, through sqlglot's AST.

A CHECK passes unless it evaluates to FALSE (NULL passes), so each predicate is compiled into
"is not FALSE" Python over the parsed input values; NOT is pushed down to the atoms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from scaffold.plan.check_atoms import Atom, atom_of
from scaffold.plan.check_values import CheckField, value_of
from scaffold.plan.check_words import Bound, bounds_of, message_of

__all__ = [
    "Bound",
    "CheckField",
    "Validator",
    "parse_rule",
    "split_conjuncts",
    "translate",
    "translate_conjuncts",
    "unwrap_check",
]


@dataclass(frozen=True)
class Validator:
    """A translated check: ``source`` is a Python bool expression, True when the check passes."""

    source: str
    fields: tuple[str, ...]  # field names it reads, in order of first mention
    message: str
    bounds: tuple[Bound, ...] = ()
    # Names the source needs: Decimal, date, datetime, time, UUID, like.
    imports: tuple[str, ...] = ()
    sql: str = ""
    # The source split at its top-level operator, for line breaking: ("or", (part, ...)).
    op: str = "atom"
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class _IsNull:
    guards: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class _Const:
    value: bool | None  # None: SQL NULL


@dataclass(frozen=True)
class _Junction:
    op: str  # "and" | "or"
    parts: tuple[_Pred, ...]


_Pred = Atom | _IsNull | _Const | _Junction
_Code = tuple[str, str]  # (python source, top operator: "atom" | "and" | "or")


def translate(
    expr: exp.Expression,
    fields: Mapping[str, CheckField],
    *,
    dialect: str,
    message: str | None = None,
) -> Validator | None:
    """One predicate as a Validator, or None when some part has no faithful Python form."""
    expr = unwrap_check(expr)
    ctx = _Context(fields, dialect)
    pred = ctx.predicate(expr)
    if pred is None:
        return None
    source, op = _not_false(pred)
    names = _field_names(expr, fields)
    return Validator(
        source=source,
        fields=names,
        message=message or message_of(expr, fields, dialect),
        bounds=bounds_of(expr, fields),
        imports=tuple(sorted(ctx.imports)),
        sql=expr.sql(dialect=_sqlglot_dialect(dialect)),
        op=op,
        parts=_top_parts(source, op, pred),
    )


def _top_parts(source: str, op: str, pred: _Pred) -> tuple[str, ...]:
    """The operands of the top-level and/or, as _join wrote them."""
    if op == "atom":
        return (source,)
    return tuple(_split_top(source, f" {op} "))


def _split_top(source: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses and string literals."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(source):
        ch = source[i]
        if ch == '"' and (i == 0 or source[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and source.startswith(sep, i):
            parts.append(source[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(source[start:])
    return parts


def unwrap_check(expr: exp.Expression) -> exp.Expression:
    """The boolean inside CHECK (...), however the catalog kept it."""
    while isinstance(expr, exp.CheckColumnConstraint | exp.Check | exp.Paren):
        expr = expr.this
    return expr


def split_conjuncts(expr: exp.Expression) -> list[exp.Expression]:
    """Top-level AND parts: a CHECK passes exactly when none of its conjuncts is FALSE."""
    while isinstance(expr, exp.Paren):
        expr = expr.this
    if isinstance(expr, exp.And):
        return split_conjuncts(expr.this) + split_conjuncts(expr.expression)
    return [expr]


def translate_conjuncts(
    expr: exp.Expression, fields: Mapping[str, CheckField], *, dialect: str
) -> tuple[list[Validator], list[exp.Expression]]:
    """Each conjunct translated on its own (for precise messages) and those that could not be."""
    done: list[Validator] = []
    left: list[exp.Expression] = []
    for part in split_conjuncts(expr):
        validator = translate(part, fields, dialect=dialect)
        if validator is None:
            left.append(part)
        else:
            done.append(validator)
    return done, left


def parse_rule(
    text: str, field_names: Sequence[str], *, dialect: str
) -> tuple[exp.Expression | None, tuple[str, ...]]:
    """(the rule as a boolean SQL expression, unknown names it uses); (None, ()) for plain words."""
    try:
        expr = sqlglot.parse_one(text, read=_sqlglot_dialect(dialect))
    except (ParseError, TokenError, ValueError):
        return None, ()
    if not isinstance(expr, exp.Expression) or not _is_boolean(expr):
        return None, ()
    known = {name.lower() for name in field_names}
    unknown = sorted({c.name for c in expr.find_all(exp.Column) if c.name.lower() not in known})
    return expr, tuple(unknown)


def _is_boolean(expr: exp.Expression) -> bool:
    while isinstance(expr, exp.Paren):
        expr = expr.this
    boolean = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.In, exp.Between)
    return isinstance(expr, boolean) and not isinstance(expr, exp.Select)


def _sqlglot_dialect(dialect: str) -> str:
    return "sqlite" if dialect == "sqlite" else dialect


def _field_names(expr: exp.Expression, fields: Mapping[str, CheckField]) -> tuple[str, ...]:
    lookup = {name.lower(): f.name for name, f in fields.items()}
    seen: dict[str, None] = {}
    for col in expr.find_all(exp.Column, bfs=False):
        if col.name.lower() in lookup:
            seen[lookup[col.name.lower()]] = None
    return tuple(seen)


class _Context:
    """Translation state: the fields in scope, the dialect, and the names the code needs."""

    def __init__(self, fields: Mapping[str, CheckField], dialect: str) -> None:
        self.fields = {name.lower(): f for name, f in fields.items()}
        self.dialect = dialect
        self.imports: set[str] = set()

    def predicate(self, node: exp.Expression) -> _Pred | None:
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.And | exp.Or):
            return self._junction(node)
        if isinstance(node, exp.Not):
            inner = self.predicate(node.this)
            return None if inner is None else _negate(inner)
        if isinstance(node, exp.Is):
            return self._is_null(node)
        if isinstance(node, exp.Boolean):
            return _Const(bool(node.this))
        if isinstance(node, exp.Between) and not _constant_bounds(node):
            return self.predicate(_between_as_and(node))
        return self._atom(node)

    def _junction(self, node: exp.And | exp.Or) -> _Pred | None:
        left, right = self.predicate(node.this), self.predicate(node.expression)
        if left is None or right is None:
            return None
        return _Junction("and" if isinstance(node, exp.And) else "or", (left, right))

    def _is_null(self, node: exp.Is) -> _Pred | None:
        if not isinstance(node.expression, exp.Null):
            return None
        val = value_of(node.this, self.fields)
        if val is None:
            return None
        if val.kind == "null":
            return _Const(True)
        return _IsNull(val.guards) if val.guards else _Const(False)

    def _atom(self, node: exp.Expression) -> _Pred | None:
        found = atom_of(node, self.fields, self.dialect)
        if found is None or isinstance(found, str):
            return None if found is None else _Const(None)
        self.imports.update(found.imports)
        return found


def _constant_bounds(node: exp.Between) -> bool:
    return not any(node.args[k].find(exp.Column) for k in ("low", "high"))


def _between_as_and(node: exp.Between) -> exp.Expression:
    """x BETWEEN a AND b is x >= a AND x <= b, also under NULLs."""
    low = exp.GTE(this=node.this.copy(), expression=node.args["low"].copy())
    high = exp.LTE(this=node.this.copy(), expression=node.args["high"].copy())
    return exp.And(this=low, expression=high)


def _negate(pred: _Pred) -> _Pred:
    """NOT pushed down; exact under three-valued logic (De Morgan holds, NOT NULL is NULL)."""
    if isinstance(pred, Atom):
        return Atom(pred.neg, pred.src, pred.guards, pred.imports)
    if isinstance(pred, _IsNull):
        return _IsNull(pred.guards, not pred.negated)
    if isinstance(pred, _Const):
        return _Const(None if pred.value is None else not pred.value)
    flipped = "or" if pred.op == "and" else "and"
    return _Junction(flipped, tuple(_negate(p) for p in pred.parts))


def _is_true(pred: _Pred) -> _Code:
    """Python that is True exactly when the predicate is TRUE."""
    if isinstance(pred, Atom):
        guards = [(f"{g} is not None", "atom") for g in pred.guards]
        return _join("and", [*guards, (pred.src, "atom")])
    if isinstance(pred, _IsNull):
        return _null_test(pred)
    if isinstance(pred, _Const):
        return ("True" if pred.value is True else "False", "atom")
    return _join(pred.op, [_is_true(p) for p in pred.parts])


def _not_false(pred: _Pred) -> _Code:
    """Python that is True exactly when the predicate is TRUE or NULL (the CHECK passes)."""
    if isinstance(pred, Atom):
        return _join("or", [(f"{g} is None", "atom") for g in pred.guards] + [(pred.src, "atom")])
    if isinstance(pred, _IsNull):
        return _null_test(pred)
    if isinstance(pred, _Const):
        return ("False" if pred.value is False else "True", "atom")
    return _join(pred.op, [_not_false(p) for p in pred.parts])


def _null_test(pred: _IsNull) -> _Code:
    if pred.negated:
        return _join("and", [(f"{g} is not None", "atom") for g in pred.guards])
    return _join("or", [(f"{g} is None", "atom") for g in pred.guards])


def _join(op: str, parts: list[_Code]) -> _Code:
    """Join with and/or: constants folded, same-operator parts flattened and deduplicated,
    mixed operators parenthesized."""
    absorbing, neutral = ("False", "True") if op == "and" else ("True", "False")
    kept: list[str] = []
    for src, top in parts:
        if src == absorbing:
            return (absorbing, "atom")
        if src == neutral:
            continue
        pieces = _split_top(src, f" {op} ") if top == op else [f"({src})" if top != "atom" else src]
        kept += [p for p in pieces if p not in kept]
    if not kept:
        return (neutral, "atom")
    if len(kept) == 1:
        only = kept[0]
        return (
            (only[1:-1], _top_of(only[1:-1]))
            if only.startswith("(") and _wrapped(only)
            else (only, "atom")
        )
    return (f" {op} ".join(kept), op)


def _wrapped(src: str) -> bool:
    """True when the outer parentheses of ``src`` enclose all of it."""
    depth = 0
    for i, ch in enumerate(src):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(src) - 1:
            return False
    return True


def _top_of(src: str) -> str:
    for op in ("or", "and"):
        if len(_split_top(src, f" {op} ")) > 1:
            return op
    return "atom"
