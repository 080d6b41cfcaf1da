"""What reads as SQL text in model-written code, and the helpers to read string literals."""

from __future__ import annotations

import re

import libcst as cst

# Text that reads as a SQL statement (not an English sentence that starts with "Update").
SQL_STATEMENT = re.compile(
    r"^\s*\(?\s*(SELECT\b.*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\S+\s+SET\b|DELETE\s+FROM\b"
    r"|WITH\s+\w+\s+AS\b|(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW)\b|TRUNCATE\b|PRAGMA\b"
    r"|ATTACH\s+DATABASE\b|REPLACE\s+INTO\b)",
    re.IGNORECASE | re.DOTALL,
)
# A piece of SQL being put together: an upper-case keyword (messages are written in sentences).
SQL_FRAGMENT = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|JOIN|VALUES|SET|ORDER BY|GROUP BY|HAVING"
    r"|UNION|RETURNING|PRAGMA|DROP|TABLE)\b"
)


def squeeze(sql: str) -> str:
    """SQL with its whitespace runs as single spaces: the same statement, however wrapped."""
    return " ".join(sql.split())


def is_text_call(func: cst.BaseExpression) -> bool:
    """sqlalchemy's text(), however imported: `text`, `sa.text`, `sqlalchemy.text`."""
    name = func.attr if isinstance(func, cst.Attribute) else func
    return isinstance(name, cst.Name) and name.value == "text"


def string_value(node: cst.SimpleString) -> str:
    value = node.evaluated_value
    return value if isinstance(value, str) else ""
