"""The values inside a CHECK as Python: field references, typed literals, functions, arithmetic.

Every value here is strict (NULL when any field it reads is NULL); ``guards`` lists the Python
expressions that may be None, so the predicate layer can apply SQL's NULL rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from uuid import UUID

import sqlglot.expressions as exp


@dataclass(frozen=True)
class CheckField:
    """A form field as the check translator sees it."""

    name: str
    py_type: str  # PyType of the parsed value
    label: str
    var: str  # the Python expression holding the parsed value, e.g. "price" or "value.price"
    nullable: bool = True  # may be None when validators run
    scale: int | None = None  # NUMERIC scale, for exclusive bounds


# Kinds: a field's py_type, or "number" / "string" for untyped literals, or "null".
NUMERIC = frozenset({"int", "float", "Decimal", "number"})


@dataclass(frozen=True)
class Value:
    src: str
    kind: str
    guards: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    literal: str | None = None  # the raw literal text, for coercion
    compound: bool = False  # needs parentheses when used as an operand

    @property
    def operand(self) -> str:
        return f"({self.src})" if self.compound else self.src


PY_OPS: dict[type[exp.Expression], str] = {
    exp.EQ: "==",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}
NEGATED = {"==": "!=", "!=": "==", ">": "<=", ">=": "<", "<": ">=", "<=": ">"}
FLIPPED = {"==": "==", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}
_ARITH: dict[type[exp.Expression], str] = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}
_STRING_METHODS: dict[type[exp.Expression], str] = {
    exp.Lower: "lower()",
    exp.Upper: "upper()",
}


def value_of(node: exp.Expression, fields: Mapping[str, CheckField]) -> Value | None:
    """The Python form of a value expression, or None when it has no faithful one."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return _column(node, fields)
    if isinstance(node, exp.Literal | exp.Null | exp.Boolean | exp.Neg):
        return literal_of(node)
    if isinstance(node, exp.Length):
        return _length(node, fields)
    if type(node) in _STRING_METHODS or isinstance(node, exp.Trim):
        return _string_method(node, fields)
    if isinstance(node, exp.Abs):
        inner = value_of(node.this, fields)
        return (
            None
            if inner is None or inner.kind not in NUMERIC
            else replace(inner, src=f"abs({inner.src})", compound=False, literal=None)
        )
    if type(node) in _ARITH:
        return _arith(node, fields)
    return None


def literal_of(node: exp.Expression) -> Value | None:
    if isinstance(node, exp.Null):
        return Value("None", "null")
    if isinstance(node, exp.Boolean):
        return Value(str(bool(node.this)), "bool", literal=str(bool(node.this)))
    if isinstance(node, exp.Neg):
        inner = literal_of(node.this)
        if inner is None or inner.kind != "number" or inner.literal is None:
            return None
        text = "-" + inner.literal
        return Value(text, "number", literal=text)
    if isinstance(node, exp.Literal):
        raw = str(node.this)
        if node.is_string:
            return Value(json.dumps(raw, ensure_ascii=False), "string", literal=raw)
        return Value(raw, "number", literal=raw) if _is_number(raw) else None
    return None


def _is_number(raw: str) -> bool:
    try:
        return Decimal(raw).is_finite()
    except InvalidOperation:
        return False


def _column(node: exp.Column, fields: Mapping[str, CheckField]) -> Value | None:
    field = fields.get(node.name.lower())
    if field is None:
        return None
    guards = (field.var,) if field.nullable else ()
    return Value(field.var, field.py_type, guards)


def _length(node: exp.Length, fields: Mapping[str, CheckField]) -> Value | None:
    inner = value_of(node.this, fields)
    if inner is None or inner.kind not in ("str", "bytes", "string"):
        return None
    return Value(f"len({inner.src})", "int", inner.guards, inner.imports)


def _string_method(node: exp.Expression, fields: Mapping[str, CheckField]) -> Value | None:
    if isinstance(node, exp.Trim):
        # Only plain TRIM(x): SQL trims spaces, not all whitespace as str.strip() would.
        if node.args.get("expression") is not None or node.args.get("position"):
            return None
        method = 'strip(" ")'
    else:
        method = _STRING_METHODS[type(node)]
    inner = value_of(node.this, fields)
    if inner is None or inner.kind not in ("str", "string"):
        return None
    return Value(f"{inner.operand}.{method}", inner.kind, inner.guards, inner.imports)


def _arith(node: exp.Expression, fields: Mapping[str, CheckField]) -> Value | None:
    left, right = value_of(node.this, fields), value_of(node.expression, fields)
    if left is None or right is None or left.kind not in NUMERIC or right.kind not in NUMERIC:
        return None
    pair = comparable(left, right)
    if pair is None:
        return None
    left, right = pair
    kind = _result_kind(left.kind, right.kind)
    op = _ARITH[type(node)]
    if op == "/" and not _safe_division(kind, right):
        return None
    return Value(
        f"{left.operand} {op} {right.operand}",
        kind,
        _merge(left.guards, right.guards),
        _merge(left.imports, right.imports),
        compound=True,
    )


def _result_kind(a: str, b: str) -> str:
    for kind in ("Decimal", "float", "int"):
        if kind in (a, b):
            return kind
    return "number"


def _safe_division(kind: str, divisor: Value) -> bool:
    """Integer division truncates in SQL and x/0 is NULL or an error: only divide by constants."""
    if kind not in ("Decimal", "float") or divisor.literal is None:
        return False
    return _is_number(divisor.literal) and Decimal(divisor.literal) != 0


def comparable(a: Value, b: Value) -> tuple[Value, Value] | None:
    """Coerce literals to the other side's type; None when the kinds cannot meet."""
    if a.literal is not None and b.literal is None:
        typed = coerce(a, b.kind)
        return None if typed is None else _same_kind(typed, b)
    if b.literal is not None and a.literal is None:
        typed = coerce(b, a.kind)
        return None if typed is None else _same_kind(a, typed)
    return _same_kind(a, b)


def _same_kind(a: Value, b: Value) -> tuple[Value, Value] | None:
    if {a.kind, b.kind} <= NUMERIC:
        # float and Decimal compare but do not mix in arithmetic; keep the pair apart.
        return None if {a.kind, b.kind} == {"float", "Decimal"} else (a, b)
    same = a.kind == b.kind or {a.kind, b.kind} == {"str", "string"}
    return (a, b) if same else None


def coerce(lit: Value, kind: str) -> Value | None:
    """A literal typed like the value it meets: Decimal("0"), date(2020, 1, 1), True ..."""
    raw = lit.literal
    assert raw is not None
    if lit.kind == "number":
        return _number_as(raw, kind)
    if lit.kind == "string":
        return _string_as(raw, kind, lit)
    if lit.kind == "bool" and kind == "bool":
        return lit
    return None


def _number_as(raw: str, kind: str) -> Value | None:
    number = Decimal(raw)
    if kind == "Decimal" or (kind == "int" and number != number.to_integral_value()):
        return Value(f'Decimal("{raw}")', "Decimal", imports=("Decimal",), literal=raw)
    if kind == "int":
        return Value(str(int(number)), "int", literal=raw)
    if kind == "float":
        return Value(raw, "float", literal=raw)
    if kind == "bool" and number in (0, 1):
        return Value(str(number == 1), "bool", literal=raw)
    return Value(raw, "number", literal=raw) if kind == "number" else None


def _string_as(raw: str, kind: str, lit: Value) -> Value | None:
    try:
        if kind == "date":
            d = date.fromisoformat(raw)
            return Value(f"date({d.year}, {d.month}, {d.day})", kind, (), ("date",), raw)
        if kind == "datetime":
            t = datetime.fromisoformat(raw)
            parts = [t.year, t.month, t.day, t.hour, t.minute, t.second]
            return Value(f"datetime({', '.join(map(str, parts))})", kind, (), ("datetime",), raw)
        if kind == "time":
            c = time.fromisoformat(raw)
            return Value(f"time({c.hour}, {c.minute}, {c.second})", kind, (), ("time",), raw)
        if kind == "UUID":
            return Value(f'UUID("{UUID(raw)}")', kind, (), ("UUID",), raw)
    except ValueError:
        return None
    return lit if kind in ("str", "string") else None


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a + b))


def merge_all(*groups: tuple[str, ...]) -> tuple[str, ...]:
    out: tuple[str, ...] = ()
    for group in groups:
        out = _merge(out, group)
    return out
