"""Jinja2 filters shared by the code templates: stable Python literals, names and layout.

A registry: decorate a function with ``@register`` (or ``@register("name")``) to make it a
filter of every template. Output follows ruff format (double quotes, magic trailing commas),
so generated code is formatted as it is rendered.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar, overload

from scaffold.plan.names import pyident

LINE_LENGTH = 100
FILTERS: dict[str, Callable[..., Any]] = {}

F = TypeVar("F", bound=Callable[..., Any])


@overload
def register(name: str) -> Callable[[F], F]: ...
@overload
def register(name: F) -> F: ...
def register(name: str | F) -> Callable[[F], F] | F:
    """Add a filter under its function name, or under the name given."""
    if callable(name):
        FILTERS[name.__name__] = name
        return name

    def add(fn: F) -> F:
        FILTERS[name] = fn
        return fn

    return add


register("pyident")(pyident)


@register
def pyrepr(value: object) -> str:
    """A Python literal for str, int, float, bool, None, Decimal, date/datetime, tuple, list
    and dict, formatted as ruff format would write it."""
    if isinstance(value, str):
        return pystr(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return f"Decimal({pystr(str(value))})"
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return f"{type(value).__name__}({', '.join(_date_args(value))})"
    if isinstance(value, tuple):
        inner = ", ".join(pyrepr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(pyrepr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no stable Python literal for {type(value).__name__}")


def _date_args(value: dt.date | dt.time | dt.timedelta) -> list[str]:
    if isinstance(value, dt.timedelta):
        return [f"seconds={value.total_seconds()!r}"]
    names = {
        dt.datetime: ("year", "month", "day", "hour", "minute", "second", "microsecond"),
        dt.date: ("year", "month", "day"),
        dt.time: ("hour", "minute", "second", "microsecond"),
    }[type(value)]
    return [str(getattr(value, n)) for n in names]


@register
def pystr(text: str) -> str:
    """A str literal in ruff's preferred quotes (double, unless that needs more escapes)."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out: list[str] = []
    for ch in text:
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return quote + "".join(out) + quote


@register
def pytext(text: str, indent: int = 0) -> str:
    """A str literal whose value is exactly `text`: a plain one when it fits on the line (which
    starts at `indent`), else triple-quoted, readable line by line: it opens with `\"\"\"\\` so
    the first line starts in column 0. A line too long for the linter gets a `noqa` after the
    closing quotes (where ruff reads it for a multi-line string)."""
    if "\n" not in text and indent + len(pystr(text)) <= LINE_LENGTH:
        return pystr(text)
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\r", "\\r")
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    literal = '"""\\\n' + body + '"""'
    too_long = any(len(line) > LINE_LENGTH for line in literal.splitlines())
    return literal + ("  # noqa: E501" if too_long else "")


@register
def pywrap(items: Sequence[str], head: str, tail: str, indent: int = 0) -> str:
    """`head` + items + `tail` on one line when it fits, else one item a line with a trailing
    comma (ruff keeps that layout). `indent` is where the line starts (the template writes it)."""
    one_line = head + ", ".join(items) + tail
    if indent + len(one_line) <= LINE_LENGTH or not items:
        return one_line
    pad = " " * (indent + 4)
    lines = [head, *(f"{pad}{item}," for item in items), " " * indent + tail]
    return "\n".join(lines)


@register
def pyfits(line: str, indent: int = 0) -> bool:
    """Whether a line starting at column `indent` fits the line length."""
    return indent + len(line) <= LINE_LENGTH


@register
def pyimports(sections: Sequence[Sequence[dict[str, Any]]]) -> str:
    """The import block of ImportSet.sections(): sections separated by a blank line."""
    blocks = ["\n".join(_import_line(e["module"], e["names"]) for e in s) for s in sections]
    return "\n\n".join(blocks)


def _import_line(module: str, names: Sequence[str]) -> str:
    if not names:
        return f"import {module}"
    line = f"from {module} import " + ", ".join(names)
    if len(line) <= LINE_LENGTH:
        return line
    return pywrap(names, f"from {module} import (", ")")


@register
def pycomment(text: str, indent: int = 0) -> str:
    """`# text`, wrapped over several comment lines when it is too long for one."""
    lines = textwrap.wrap(text, LINE_LENGTH - indent - 2, break_on_hyphens=False) or [""]
    return ("\n" + " " * indent).join(f"# {line}" for line in lines)


@register
def pydoc(text: str, indent: int = 0) -> str:
    """A docstring: one line when it fits, else wrapped, the closing quotes on their own line."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    if indent + len(text) + 6 <= LINE_LENGTH:
        return f'"""{text}"""'
    pad = " " * indent
    lines = textwrap.wrap(text, LINE_LENGTH - indent - 3)
    return '"""' + f"\n{pad}".join(lines) + f"\n{pad}" + '"""'
