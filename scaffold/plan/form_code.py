"""Lines of generated Python broken the way ruff format breaks them, so output is stable."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scaffold.plan.pyliterals import py_str

LINE = 100


def call(indent: int, head: str, args: Sequence[str], tail: str = "") -> str:
    """``head(args)tail``: on one line, args hugged on the next line, or one per line."""
    pad, inner = " " * indent, " " * (indent + 4)
    flat = f"{pad}{head}({', '.join(args)}){tail}"
    if len(flat) <= LINE:
        return flat
    hugged = inner + ", ".join(args)
    if len(hugged) <= LINE:
        return f"{pad}{head}(\n{hugged}\n{pad}){tail}"
    lines = "".join(f"{inner}{a},\n" for a in args)
    return f"{pad}{head}(\n{lines}{pad}){tail}"


def if_not(indent: int, op: str, parts: Sequence[str]) -> str:
    """``if not (condition):`` with the condition split at its top-level operator if long."""
    return _if(indent, "if not (", ")", op, parts)


def if_all(indent: int, parts: Sequence[str]) -> str:
    """``if a and b:``, parenthesized and split when long."""
    return _if(indent, "if ", "", "and", parts)


def if_any(indent: int, parts: Sequence[str]) -> str:
    """``if a or b:``, parenthesized and split when long."""
    return _if(indent, "if ", "", "or", parts)


def _if(indent: int, opener: str, closer: str, op: str, parts: Sequence[str]) -> str:
    pad, inner = " " * indent, " " * (indent + 4)
    condition = f" {op} ".join(parts)
    flat = f"{pad}{opener}{condition}{closer}:"
    if len(flat) <= LINE:
        return flat
    head = opener if closer else opener + "("
    if len(inner + condition) <= LINE or len(parts) < 2:
        return f"{pad}{head}\n{inner}{condition}\n{pad}):"
    body = f"\n{inner}{op} ".join(parts)
    return f"{pad}{head}\n{inner}{body}\n{pad}):"


def assign(indent: int, target: str, value: str) -> str:
    """``target = value``; a long call value breaks inside its parentheses."""
    pad = " " * indent
    flat = f"{pad}{target} = {value}"
    if len(flat) <= LINE or "(" not in value:
        return flat
    head, _, rest = value.partition("(")
    inner = rest[:-1]
    return f"{pad}{target} = {head}(\n{pad}    {inner}\n{pad})"


def string_lines(indent: int, prefix: str, text: str, suffix: str = "") -> str:
    """``prefix"text"suffix``; too long, the string is split into implicitly joined pieces."""
    pad = " " * indent
    flat = f"{pad}{prefix}{py_str(text)}{suffix}"
    if len(flat) <= LINE:
        return flat
    inner = pad + "    "
    pieces: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if current and len(inner) + len(py_str(current + word)) > LINE:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    body = "\n".join(inner + py_str(p) for p in pieces)
    return f"{pad}{prefix}(\n{body}\n{pad}){suffix}"


def comment(indent: int, text: str) -> str:
    """A one-line comment, shortened to fit."""
    line = " " * indent + "# " + " ".join(text.split())
    return line if len(line) <= LINE else line[: LINE - 3] + "..."
