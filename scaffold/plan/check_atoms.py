"""Strict predicates of a CHECK as Python: comparisons, IN, BETWEEN, LIKE, boolean columns.

Each atom comes with its negation written directly (``x != 1``, ``x not in (...)``), so the
generated code never needs ``not (x == 1)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot.expressions as exp

from scaffold.plan.check_values import (
    FLIPPED,
    NEGATED,
    PY_OPS,
    CheckField,
    Value,
    coerce,
    comparable,
    merge_all,
    value_of,
)

# LIKE folds case in SQLite and in MySQL's default collations; PostgreSQL's is exact.
_LIKE_IGNORES_CASE = frozenset({"sqlite", "mysql"})


@dataclass(frozen=True)
class Atom:
    src: str
    neg: str
    guards: tuple[str, ...]
    imports: tuple[str, ...] = ()


# "null": the atom is NULL whatever the values (a comparison with NULL).
AtomResult = Atom | str | None


def atom_of(node: exp.Expression, fields: Mapping[str, CheckField], dialect: str) -> AtomResult:
    """The strict predicate ``node``, "null" when it is always NULL, None when untranslatable."""
    if type(node) in PY_OPS:
        return _comparison(node, fields)
    if isinstance(node, exp.In):
        return _in(node, fields)
    if isinstance(node, exp.Between):
        return _between(node, fields)
    if isinstance(node, exp.Like | exp.ILike):
        return _like(node, fields, dialect)
    if isinstance(node, exp.Column):
        val = value_of(node, fields)
        if val is not None and val.kind == "bool":
            return Atom(val.src, f"not {val.src}", val.guards)
    return None


def _comparison(node: exp.Expression, fields: Mapping[str, CheckField]) -> AtomResult:
    left, right = value_of(node.this, fields), value_of(node.expression, fields)
    if left is None or right is None:
        return None
    if "null" in (left.kind, right.kind):
        return "null"
    op = PY_OPS[type(node)]
    if left.literal is not None and right.literal is None:
        # Subject first (ruff's SIM300 flags "yoda" comparisons).
        left, right, op = right, left, FLIPPED[op]
    pair = comparable(left, right)
    if pair is None:
        return None
    left, right = pair
    guards = merge_all(left.guards, right.guards)
    imports = merge_all(left.imports, right.imports)
    if op in ("==", "!=") and left.kind == "bool" and right.literal is not None:
        truth = (right.src == "True") == (op == "==")
        src, neg = left.operand, f"not {left.operand}"
        return Atom(src, neg, guards, imports) if truth else Atom(neg, src, guards, imports)
    return Atom(
        f"{left.src} {op} {right.src}", f"{left.src} {NEGATED[op]} {right.src}", guards, imports
    )


def _in(node: exp.In, fields: Mapping[str, CheckField]) -> AtomResult:
    subject = value_of(node.this, fields)
    if subject is None or node.args.get("query") is not None or subject.kind == "null":
        return None
    items: list[Value] = []
    for item in node.expressions:
        val = value_of(item, fields)
        # A NULL or a field in the list makes NOT IN three-valued in ways an atom cannot say.
        if val is None or val.literal is None or val.kind == "null":
            return None
        typed = coerce(val, subject.kind) if subject.literal is None else val
        if typed is None:
            return None
        items.append(typed)
    if not items:
        return None
    listed = ", ".join(i.src for i in items) + ("," if len(items) == 1 else "")
    imports = merge_all(subject.imports, *(i.imports for i in items))
    return Atom(
        f"{subject.operand} in ({listed})",
        f"{subject.operand} not in ({listed})",
        subject.guards,
        imports,
    )


def _between(node: exp.Between, fields: Mapping[str, CheckField]) -> AtomResult:
    """Only BETWEEN constant bounds is one strict atom; checks.py splits the others in two."""
    subject = value_of(node.this, fields)
    low, high = value_of(node.args["low"], fields), value_of(node.args["high"], fields)
    if subject is None or low is None or high is None or node.args.get("symmetric"):
        return None
    if "null" in (subject.kind, low.kind, high.kind):
        return "null"
    if subject.literal is not None or low.literal is None or high.literal is None:
        return None
    with_low, with_high = comparable(subject, low), comparable(subject, high)
    if with_low is None or with_high is None:
        return None
    chain = f"{with_low[1].src} <= {subject.operand} <= {with_high[1].src}"
    imports = merge_all(subject.imports, with_low[1].imports, with_high[1].imports)
    return Atom(chain, f"not {chain}", subject.guards, imports)


def _like(node: exp.Like | exp.ILike, fields: Mapping[str, CheckField], dialect: str) -> AtomResult:
    subject = value_of(node.this, fields)
    pattern = node.expression
    if subject is None or subject.kind not in ("str", "string"):
        return None
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return None
    ignore_case = isinstance(node, exp.ILike) or dialect in _LIKE_IGNORES_CASE
    found = like_source(subject.operand, str(pattern.this), ignore_case)
    src, neg, imports = found
    atom = Atom(src, neg, subject.guards, merge_all(subject.imports, imports))
    return Atom(atom.neg, atom.src, atom.guards, atom.imports) if node.args.get("negate") else atom


def like_source(subject: str, pattern: str, ignore_case: bool) -> tuple[str, str, tuple[str, ...]]:
    """(source, negated source, imports) for ``subject LIKE pattern``."""
    core = pattern.strip("%")
    starts, ends = pattern.startswith("%"), pattern.endswith("%")
    if "_" in pattern or "%" in core or "\\" in pattern or not core:
        call = f"like({subject}, {json.dumps(pattern, ensure_ascii=False)}"
        call += ", ignore_case=True)" if ignore_case else ")"
        return call, f"not {call}", ("like",)
    text = json.dumps(core.lower() if ignore_case else core, ensure_ascii=False)
    folded = f"{subject}.lower()" if ignore_case else subject
    if starts and ends:
        return f"{text} in {folded}", f"{text} not in {folded}", ()
    if ends:
        return f"{folded}.startswith({text})", f"not {folded}.startswith({text})", ()
    if starts:
        return f"{folded}.endswith({text})", f"not {folded}.endswith({text})", ()
    return f"{folded} == {text}", f"{folded} != {text}", ()
