"""Deterministic sample values for one column: the first candidate and the ones to try next.

A value depends only on the column and the row index, so the same catalog gives the same rows.
Candidates after the first come from the literals of the column's CHECKs (bounds, lengths,
IN lists, LIKE patterns): the database then says which of them it accepts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlglot.expressions as exp

from scaffold.analyze.model import Column, PyType

BASE_DATE = date(2024, 1, 15)


def sample_value(column: Column, i: int) -> Any:
    """The first-choice value of `column` in sample row `i` (0-based); never None."""
    return candidates(column, i)[0]


def candidates(column: Column, i: int, checks: tuple[exp.Expression, ...] = ()) -> list[Any]:
    """Values to try for row `i`, best first, distinct per row where the type allows.

    `checks` are extra CHECK expressions (table-level) that mention the column.
    """
    hints = _check_literals((*column.checks, *checks))
    if column.enum_values:
        n = len(column.enum_values)
        values = [column.enum_values[(i + k) % n] for k in range(n)]
        return [[v] for v in values] if column.py_type == "list" else values
    out = [_typed(column, column.py_type, i), *_hinted(column, i, hints), *_spread(column, i)]
    return _distinct(v for v in out if _fits(column, v))


def is_timezone_aware(column: Column) -> bool:
    sql = column.sql_type.upper()
    return "TIMESTAMPTZ" in sql or "WITH TIME ZONE" in sql


def _typed(column: Column, py_type: PyType, i: int) -> Any:
    """The plain value of a type for row i, shaped by the column's name and limits."""
    if py_type == "int":
        return i + 1
    if py_type == "float":
        return i + 1.5
    if py_type == "Decimal":
        return _decimal(column, Decimal(i + 1) + Decimal("0.5"))
    if py_type == "str":
        return _text(column, i)
    if py_type == "bool":
        return i % 2 == 0
    return _other(column, py_type, i)


def _other(column: Column, py_type: PyType, i: int) -> Any:
    if py_type == "bytes":
        return f"{column.name}-{i + 1}".encode()
    if py_type == "date":
        return BASE_DATE + timedelta(days=i)
    if py_type == "datetime":
        tz = UTC if is_timezone_aware(column) else None
        return datetime(2024, 1, 15, 9, 30, tzinfo=tz) + timedelta(days=i, hours=i)
    if py_type == "time":
        return time(9 + i % 12, (15 * i) % 60)
    if py_type == "timedelta":
        return timedelta(hours=i + 1)
    if py_type == "UUID":
        return UUID(f"00000000-0000-4000-8000-{i + 1:012d}")
    if py_type == "dict":
        return {"sample": i + 1}
    # list: a one-element array of the element type
    return [_typed(column, column.element_py_type or "str", i)]


def _text(column: Column, i: int) -> str:
    name = column.name.lower()
    if "email" in name:
        text = f"user{i + 1}@example.com"
    elif "url" in name or "website" in name:
        text = f"https://example.com/{i + 1}"
    else:
        text = f"{column.name.replace('_', ' ').capitalize()} {i + 1}"
    limit = column.max_length
    if limit is not None and len(text) > limit:
        return _short_code(i, limit)
    return text


def _short_code(i: int, length: int) -> str:
    """A distinct code of exactly `length` letters for row i: A, B, ... or AA, AB, ..."""
    letters = ""
    n = i
    for _ in range(length):
        letters = chr(ord("A") + n % 26) + letters
        n //= 26
    return letters


def _decimal(column: Column, value: Decimal) -> Decimal:
    """Round to the column's scale and keep within its precision."""
    scale = column.scale if column.scale is not None else 2
    quantum = Decimal(1).scaleb(-scale)
    if column.precision is not None:
        ceiling = Decimal(10) ** (column.precision - scale) - quantum
        value = min(value, ceiling)
    return value.quantize(quantum)


def _check_literals(checks: tuple[exp.Expression, ...]) -> list[str | Decimal]:
    """Literals in the CHECKs, in order: numbers as Decimal, strings as text."""
    found: list[str | Decimal] = []
    for check in checks:
        for lit in check.find_all(exp.Literal):
            found.append(lit.this if lit.is_string else Decimal(lit.this))
    return found


def _hinted(column: Column, i: int, hints: list[str | Decimal]) -> list[Any]:
    """Candidates suggested by CHECK literals: boundaries and their neighbours, lengths."""
    out: list[Any] = []
    numbers = [h for h in hints if isinstance(h, Decimal)]
    strings = [h for h in hints if isinstance(h, str)]
    py_type = column.py_type
    if py_type in ("int", "float", "Decimal"):
        for n in numbers:
            out += [_number(column, n + d) for d in (i, 1 + i, -1 - i, Decimal("0.5"))]
    elif py_type == "str":
        out += [_from_pattern(s, i) for s in strings]
        out += [str(i + 1).rjust(int(n), "0") for n in numbers if 0 < n < 1000 and n == int(n)]
        out += [_short_code(i, int(n) + 1) for n in numbers if 0 <= n < 1000 and n == int(n)]
    elif py_type in ("date", "datetime"):
        out += [_date_hint(column, s, i) for s in strings]
    return [v for v in out if v is not None]


def _spread(column: Column, i: int) -> list[Any]:
    """Values far from the first choice, for CHECKs that compare two columns (end > start)."""
    py_type = column.py_type
    if py_type in ("int", "float", "Decimal"):
        return [_number(column, Decimal(n)) for n in (100 + i, 0, -1 - i, 10_000 + i)]
    if py_type in ("date", "datetime"):
        first = _typed(column, py_type, i)
        return [first - timedelta(days=365), first + timedelta(days=365)]
    if py_type == "str":
        return [_short_code(i, 1), _short_code(i, 3), f"{i + 1}"]
    return []


def _number(column: Column, n: Decimal) -> Any:
    if column.py_type == "int":
        return int(n)
    if column.py_type == "float":
        return float(n)
    return _decimal(column, n)


def _from_pattern(pattern: str, i: int) -> str:
    """A string matching a LIKE/GLOB pattern (or the literal itself)."""
    return pattern.replace("%", f"x{i + 1}").replace("*", f"x{i + 1}").replace("_", "x")


def _date_hint(column: Column, text: str, i: int) -> Any:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    if column.py_type == "date":
        return day + timedelta(days=i + 1)
    tz = UTC if is_timezone_aware(column) else None
    return datetime(day.year, day.month, day.day, 12, tzinfo=tz) + timedelta(days=i + 1)


def _fits(column: Column, value: Any) -> bool:
    if isinstance(value, str) and column.max_length is not None:
        return len(value) <= column.max_length
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return column.py_type == "int" or _within_precision(column, Decimal(value))
    return True


def _within_precision(column: Column, value: Decimal) -> bool:
    if column.precision is None:
        return True
    scale = column.scale or 0
    return abs(value) < Decimal(10) ** (column.precision - scale)


def _distinct(values: Any) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if not any(type(v) is type(seen) and v == seen for seen in out):
            out.append(v)
    return out
