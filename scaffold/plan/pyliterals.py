"""Python values as source text that ruff format leaves unchanged (generated tests embed them).

Supports the values of every PyType: int, float, Decimal, str, bool, bytes, date, datetime,
time, timedelta, UUID, dict, list, None.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

# The names the literals use, for the import lines of the generated module.
LITERAL_IMPORTS: dict[type, tuple[str, str]] = {
    Decimal: ("decimal", "Decimal"),
    date: ("datetime", "date"),
    datetime: ("datetime", "datetime"),
    time: ("datetime", "time"),
    timedelta: ("datetime", "timedelta"),
    UUID: ("uuid", "UUID"),
}


def py_str(text: str) -> str:
    """A string literal as ruff formats it: double quotes unless the text holds more double
    than single quotes; only the chosen quote, backslashes and unprintables are escaped."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    # What _escape does per character, done by str methods (planning escapes ~1M characters
    # of SQL on a 200-table schema).
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    if not body.isprintable():
        body = body.translate({ord(c): repr(c)[1:-1] for c in set(body) if not c.isprintable()})
    return quote + body + quote


def _escape(ch: str, quote: str) -> str:
    if ch in ("\\", quote):
        return "\\" + ch
    if ch.isprintable():
        return ch
    return repr(ch)[1:-1]  # \n, \t, \x00, \u2028 ...


def _py_bytes(value: bytes) -> str:
    quote = "'" if value.count(b'"') > value.count(b"'") else '"'
    body = "".join(
        _escape(chr(b), quote) if 32 <= b < 127 else repr(bytes([b]))[2:-1] for b in value
    )
    return f"b{quote}{body}{quote}"


def py_literal(value: Any) -> str:
    """The source text of one value, on one line."""
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, bytes):
        return _py_bytes(value)
    if isinstance(value, Decimal):
        return f"Decimal({py_str(str(value))})"
    if isinstance(value, UUID):
        return f"UUID({py_str(str(value))})"
    return _composite_literal(value)


def _composite_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return _datetime_literal(value)
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    if isinstance(value, time):
        return f"time({value.hour}, {value.minute}, {value.second})"
    if isinstance(value, timedelta):
        return f"timedelta(days={value.days}, seconds={value.seconds})"
    if isinstance(value, dict):
        items = ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


def _datetime_literal(value: datetime) -> str:
    parts = [value.year, value.month, value.day, value.hour, value.minute, value.second]
    args = ", ".join(str(p) for p in parts)
    if value.tzinfo is not None:
        # Only UTC is generated for samples.
        args += ", tzinfo=UTC"
    return f"datetime({args})"


def literal_imports(values: Iterable[Any]) -> set[tuple[str, str]]:
    """(module, name) pairs the literals of `values` need, recursing into dicts and lists."""
    out: set[tuple[str, str]] = set()
    for value in values:
        if isinstance(value, dict):
            out |= literal_imports(value.values())
        elif isinstance(value, list | tuple):
            out |= literal_imports(value)
        elif isinstance(value, datetime) and value.tzinfo is not None:
            out |= {("datetime", "datetime"), ("datetime", "UTC")}
        elif type(value) in LITERAL_IMPORTS:
            out.add(LITERAL_IMPORTS[type(value)])
    return out


def py_dict_lines(row: dict[str, Any], indent: int, width: int = 100) -> list[str]:
    """A dict as ruff formats it at `indent`: one line when it fits, else one key per line.

    The result ends with a comma (it is an element of an enclosing literal).
    """
    pad = " " * indent
    one_line = pad + py_literal(row) + ","
    if len(one_line) <= width:
        return [one_line]
    inner = " " * (indent + 4)
    body = [f"{inner}{py_literal(k)}: {py_literal(v)}," for k, v in row.items()]
    return [pad + "{", *body, pad + "},"]


def py_string_lines(text: str, indent: int, width: int = 100) -> list[str]:
    """A long string as implicitly concatenated pieces, each line within `width`.

    Ends with a comma. Pieces break after newlines and spaces so the SQL stays readable.
    """
    pad = " " * indent
    whole = pad + py_str(text) + ","
    if len(whole) <= width:
        return [whole]
    pieces: list[str] = []
    current = ""
    for word in _words(text):
        if current.endswith("\n"):
            pieces.append(current)
            current = ""
        if current and len(pad) + 4 + len(py_str(current + word)) > width:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    lines = [pad + "(", *(pad + "    " + py_str(p) for p in pieces), pad + "),"]
    return lines


def _words(text: str) -> list[str]:
    """Split keeping the separators: "a b  c" -> ["a ", "b  ", "c"]; a newline ends a word."""
    words: list[str] = []
    current = ""
    for ch in text:
        if (ch != " " and current.endswith(" ")) or current.endswith("\n"):
            words.append(current)
            current = ""
        current += ch
    if current:
        words.append(current)
    return words
