"""A state's WHERE as JavaScript, for the browser store's optimistic rows.

The source is the Python predicate that `plan.state_local` derives from the query's SQL (over
`row["column"]` and `params["name"]`); the common subset (comparisons, NULL tests, IN lists,
AND / OR / NOT, numbers, strings, Decimal and LIKE) becomes a JavaScript expression over
`row.column` and `params.name`. Anything else gives None: the browser then shows no optimistic
row for that state and waits for the server.
"""

from __future__ import annotations

import ast
import json

_COMPARE = {
    ast.Eq: "===",
    ast.NotEq: "!==",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "===",
    ast.IsNot: "!==",
}


class Untranslatable(Exception):
    """The predicate uses something the JavaScript subset does not cover."""


def js_predicate(python: str) -> str | None:
    """The JavaScript form of a Python predicate, or None when it cannot be translated."""
    try:
        return _js(ast.parse(python, mode="eval").body)
    except (SyntaxError, Untranslatable):
        return None


def _js(node: ast.expr) -> str:
    if isinstance(node, ast.BoolOp):
        joiner = " && " if isinstance(node.op, ast.And) else " || "
        return "(" + joiner.join(_js(v) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"!({_js(node.operand)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"(-{_js(node.operand)})"
    if isinstance(node, ast.Compare):
        return _compare(node)
    if isinstance(node, ast.Subscript):
        return _field(node)
    if isinstance(node, ast.Constant):
        return _constant(node.value)
    if isinstance(node, ast.Call):
        return _call(node)
    raise Untranslatable(ast.dump(node))


def _compare(node: ast.Compare) -> str:
    parts = []
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.In | ast.NotIn):
            if isinstance(right, ast.Tuple | ast.List | ast.Set):
                within = "[" + ", ".join(_js(e) for e in right.elts) + "]"
            else:  # a substring test: "x" in row["title"]
                within = _js(right)
            test = f"{within}.includes({_js(left)})"
            parts.append(test if isinstance(op, ast.In) else f"!{test}")
        elif type(op) in _COMPARE:
            parts.append(f"({_js(left)} {_COMPARE[type(op)]} {_js(right)})")
        else:
            raise Untranslatable(type(op).__name__)
        left = right
    return parts[0] if len(parts) == 1 else "(" + " && ".join(parts) + ")"


def _field(node: ast.Subscript) -> str:
    """`row["x"]` or `params["x"]`."""
    if not isinstance(node.value, ast.Name) or node.value.id not in {"row", "params"}:
        raise Untranslatable("subscript")
    key = node.slice
    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
        raise Untranslatable("subscript key")
    return f"{node.value.id}[{json.dumps(key.value)}]"


def _constant(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    raise Untranslatable(repr(value))


_METHODS = {
    "lower": "toLowerCase",
    "upper": "toUpperCase",
    "startswith": "startsWith",
    "endswith": "endsWith",
}


def _call(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS and not node.keywords:
        args = ", ".join(_js(a) for a in node.args)
        return f"{_js(node.func.value)}.{_METHODS[node.func.attr]}({args})"
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name == "Decimal" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant):
        return json.dumps(float(str(node.args[0].value)))
    if name == "like" and len(node.args) == 2:
        folded = any(k.arg == "ignore_case" and _js(k.value) == "true" for k in node.keywords)
        subject, pattern = (_js(a) for a in node.args)
        return f"like({subject}, {pattern}, {'true' if folded else 'false'})"
    raise Untranslatable(f"call {name}")
