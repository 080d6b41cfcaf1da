"""What a CHECK means in words and in HTML: the error message and the min/max it implies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import sqlglot.expressions as exp

from scaffold.plan.check_values import FLIPPED, PY_OPS, CheckField, literal_of

BoundAttr = Literal["min", "max", "minlength", "maxlength"]


@dataclass(frozen=True)
class Bound:
    """An HTML constraint attribute implied by a check: ``min="0"`` on field ``price``."""

    field: str
    attr: BoundAttr
    value: str


_PHRASES = {
    "==": "must be {v}",
    "!=": "must not be {v}",
    ">": "must be greater than {v}",
    ">=": "must be at least {v}",
    "<": "must be less than {v}",
    "<=": "must be at most {v}",
}
_LENGTH_PHRASES = {
    "==": "must be exactly {v} characters long",
    "!=": "must not be {v} characters long",
    ">": "must be longer than {v} characters",
    ">=": "must be at least {v} characters long",
    "<": "must be shorter than {v} characters",
    "<=": "must be at most {v} characters long",
}


def _strip(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _subject(node: exp.Expression, fields: Mapping[str, CheckField]) -> tuple[str, bool] | None:
    """(field name, is a LENGTH) when the node is a field or LENGTH(field)."""
    node = _strip(node)
    is_length = isinstance(node, exp.Length)
    if is_length:
        node = _strip(node.this)
    if isinstance(node, exp.Column) and node.name.lower() in fields:
        return fields[node.name.lower()].name, is_length
    return None


def _shown(node: exp.Expression, fields: Mapping[str, CheckField]) -> str | None:
    """A literal as the user reads it, or another field's label."""
    lit = literal_of(_strip(node))
    if lit is not None and lit.literal is not None:
        return f'"{lit.literal}"' if lit.kind == "string" else lit.literal
    target = _subject(node, fields)
    if target is not None and not target[1]:
        return _label(target[0], fields)
    return None


def _label(name: str, fields: Mapping[str, CheckField]) -> str:
    return fields[name.lower()].label


def message_of(expr: exp.Expression, fields: Mapping[str, CheckField], dialect: str) -> str:
    """A sentence for the check: "Price must be at least 0."; generic when the shape is odd."""
    node = _strip(expr)
    negated = isinstance(node, exp.Not)
    if negated:
        node = _strip(node.this)
    text = _phrase(node, negated, fields)
    if text is None:
        names = list(dict.fromkeys(c.name for c in expr.find_all(exp.Column, bfs=False)))
        labels = [_label(n, fields) for n in names if n.lower() in fields] or ["The values"]
        joined = " and ".join(labels)
        text = f"{joined} must satisfy {expr.sql(dialect=dialect)}"
    return text[0].upper() + text[1:] + "."


def _phrase(node: exp.Expression, negated: bool, fields: Mapping[str, CheckField]) -> str | None:
    if isinstance(node, exp.Or) and not negated:
        return _or_phrase(node, fields)
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        subject = _subject(node.this, fields)
        if subject is None or subject[1]:
            return None
        label = _label(subject[0], fields)
        return f"{label} is required" if negated else f"{label} must be empty"
    if type(node) in PY_OPS and not negated:
        return _comparison_phrase(node, fields)
    if isinstance(node, exp.In):
        return _in_phrase(node, negated != bool(node.args.get("negate")), fields)
    if isinstance(node, exp.Between) and not negated:
        return _between_phrase(node, fields)
    if isinstance(node, exp.Like | exp.ILike):
        return _like_phrase(node, negated != bool(node.args.get("negate")), fields)
    return None


def _or_phrase(node: exp.Or, fields: Mapping[str, CheckField]) -> str | None:
    return _unless_null_phrase(node, fields) or _one_of_phrase(node, fields)


def _one_of_phrase(node: exp.Or, fields: Mapping[str, CheckField]) -> str | None:
    """``x = 'a' OR x = 'b'`` reads as an IN list."""
    options: list[exp.Expression] = []
    subject: exp.Expression | None = None
    for item in node.flatten():
        part = _strip(item) if isinstance(item, exp.Expression) else item
        if not isinstance(part, exp.EQ) or _shown(part.expression, fields) is None:
            return None
        if subject is not None and part.this != subject:
            return None
        subject = part.this
        options.append(part.expression)
    if subject is None:
        return None
    return _in_phrase(exp.In(this=subject, expressions=options), False, fields)


def _unless_null_phrase(node: exp.Or, fields: Mapping[str, CheckField]) -> str | None:
    """``x IS NULL OR <rule on x>`` reads as the rule: a NULL x passes any CHECK anyway."""
    for null_test, rule in ((node.this, node.expression), (node.expression, node.this)):
        null_test, rule = _strip(null_test), _strip(rule)
        if isinstance(null_test, exp.Is) and isinstance(null_test.expression, exp.Null):
            subject = _subject(null_test.this, fields)
            if subject is not None and not subject[1]:
                return _phrase(rule, False, fields)
    return None


def _comparison_phrase(node: exp.Expression, fields: Mapping[str, CheckField]) -> str | None:
    op = PY_OPS[type(node)]
    left, right = node.this, node.expression
    if _subject(left, fields) is None:
        left, right, op = right, left, FLIPPED[op]
    subject, shown = _subject(left, fields), _shown(right, fields)
    if subject is None or shown is None:
        return None
    phrases = _LENGTH_PHRASES if subject[1] else _PHRASES
    return f"{_label(subject[0], fields)} " + phrases[op].format(v=shown)


def _in_phrase(node: exp.In, negated: bool, fields: Mapping[str, CheckField]) -> str | None:
    subject = _subject(node.this, fields)
    shown = [_shown(e, fields) for e in node.expressions]
    if subject is None or None in shown or not shown:
        return None
    label, values = _label(subject[0], fields), [s for s in shown if s is not None]
    if subject[1] and not negated:
        listed = ", ".join(values[:-1]) + (" or " if len(values) > 1 else "") + values[-1]
        return f"{label} must be {listed} characters long"
    return f"{label} must {'not ' if negated else ''}be one of: {', '.join(values)}"


def _between_phrase(node: exp.Between, fields: Mapping[str, CheckField]) -> str | None:
    subject = _subject(node.this, fields)
    low, high = _shown(node.args["low"], fields), _shown(node.args["high"], fields)
    if subject is None or low is None or high is None:
        return None
    tail = " characters long" if subject[1] else ""
    return f"{_label(subject[0], fields)} must be between {low} and {high}{tail}"


def _like_phrase(
    node: exp.Like | exp.ILike, negated: bool, fields: Mapping[str, CheckField]
) -> str | None:
    subject = _subject(node.this, fields)
    pattern = _strip(node.expression)
    if subject is None or subject[1] or not isinstance(pattern, exp.Literal):
        return None
    raw = str(pattern.this)
    core = raw.strip("%")
    must = "must not" if negated else "must"
    if "_" in raw or "%" in core or not core:
        verb = f'match the pattern "{raw}"'
    elif raw.startswith("%") and raw.endswith("%"):
        verb = f'contain "{core}"'
    elif raw.endswith("%"):
        verb = f'start with "{core}"'
    elif raw.startswith("%"):
        verb = f'end with "{core}"'
    else:
        verb = f'be "{core}"'
    return f"{_label(subject[0], fields)} {must} {verb}"


def bounds_of(expr: exp.Expression, fields: Mapping[str, CheckField]) -> tuple[Bound, ...]:
    """min/max (numbers, dates) or minlength/maxlength (LENGTH) from one conjunct."""
    node = _strip(expr)
    if isinstance(node, exp.Between):
        low = exp.GTE(this=node.this, expression=node.args["low"])
        high = exp.LTE(this=node.this, expression=node.args["high"])
        return bounds_of(low, fields) + bounds_of(high, fields)
    if isinstance(node, exp.In):
        return _length_set_bounds(node, fields)
    if type(node) not in PY_OPS:
        return ()
    op = PY_OPS[type(node)]
    left, right = node.this, node.expression
    if _subject(left, fields) is None:
        left, right, op = right, left, FLIPPED[op]
    subject, lit = _subject(left, fields), literal_of(_strip(right))
    if subject is None or lit is None or lit.literal is None:
        return ()
    return _bounds_for(subject[0], subject[1], op, lit.literal, lit.kind, fields)


def _bounds_for(
    name: str, is_length: bool, op: str, raw: str, kind: str, fields: Mapping[str, CheckField]
) -> tuple[Bound, ...]:
    field = fields[name.lower()]
    lower: BoundAttr = "minlength" if is_length else "min"
    upper: BoundAttr = "maxlength" if is_length else "max"
    if not is_length and not _bounded_type(field.py_type, kind):
        return ()
    step = _step(field, is_length)
    if op == "==" and is_length:
        return (Bound(name, lower, raw), Bound(name, upper, raw))
    if op in (">=", "<="):
        return (Bound(name, lower if op == ">=" else upper, raw),)
    if op in (">", "<") and step is not None:
        moved = Decimal(raw) + (step if op == ">" else -step)
        return (Bound(name, lower if op == ">" else upper, _plain(moved)),)
    return ()


def _bounded_type(py_type: str, literal_kind: str) -> bool:
    if py_type in ("int", "Decimal", "float"):
        return literal_kind == "number"
    return py_type == "date" and literal_kind == "string"


def _step(field: CheckField, is_length: bool) -> Decimal | None:
    """The smallest move past an exclusive bound: 1 for ints and lengths, 10**-scale for NUMERIC."""
    if is_length or field.py_type == "int":
        return Decimal(1)
    if field.py_type == "Decimal" and field.scale is not None:
        return Decimal(1).scaleb(-field.scale)
    return None


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _length_set_bounds(node: exp.In, fields: Mapping[str, CheckField]) -> tuple[Bound, ...]:
    subject = _subject(node.this, fields)
    if subject is None or not subject[1] or node.args.get("negate"):
        return ()
    lits = [literal_of(_strip(e)) for e in node.expressions]
    numbers = [Decimal(v.literal) for v in lits if v and v.literal and v.kind == "number"]
    if len(numbers) != len(lits) or not numbers:
        return ()
    name = subject[0]
    return (
        Bound(name, "minlength", _plain(min(numbers))),
        Bound(name, "maxlength", _plain(max(numbers))),
    )
