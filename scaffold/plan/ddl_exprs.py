"""Column types, defaults and CHECK expressions of the catalog, transpiled to a target dialect.

SQLite lacks many server types and functions: what it cannot hold becomes TEXT, and what it
cannot evaluate is left out with a comment saying why (never silently).
"""

from __future__ import annotations

import re

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError

from scaffold.analyze.model import Catalog, Column

# SQLite's built-in scalar functions (https://sqlite.org/lang_corefunc.html and date/json).
_SQLITE_FUNCTION_NAMES = """
    abs changes char coalesce concat concat_ws format glob hex ifnull iif instr
    last_insert_rowid length like likelihood likely lower ltrim max min nullif octet_length
    printf quote random randomblob replace round rtrim sign soundex substr substring trim
    typeof unhex unicode unlikely upper zeroblob date time datetime julianday unixepoch
    strftime timediff json json_array json_array_length json_extract json_insert json_object
    json_patch json_remove json_replace json_set json_type json_valid json_quote
"""
SQLITE_FUNCTIONS = frozenset(_SQLITE_FUNCTION_NAMES.split())
# A random version-4 UUID as text, for gen_random_uuid() defaults.
SQLITE_UUID4 = (
    "(lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))"
)
_SQLITE_TYPES = {
    "int": "INTEGER",
    "float": "REAL",
    "bool": "BOOLEAN",
    "bytes": "BLOB",
    "date": "DATE",
    "datetime": "DATETIME",
    "time": "TIME",
    "timedelta": "TEXT",
    "UUID": "TEXT",
    "dict": "TEXT",
    "list": "TEXT",
    "str": "TEXT",
    "Decimal": "NUMERIC",
}
_POSTGRES_TYPES = {
    "int": "INTEGER",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "bytes": "BYTEA",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
    "timedelta": "INTERVAL",
    "UUID": "UUID",
    "dict": "JSONB",
    "list": "TEXT[]",
    "str": "TEXT",
    "Decimal": "NUMERIC",
}
_MYSQL_TYPES = {
    **_POSTGRES_TYPES,
    "float": "DOUBLE",
    "bytes": "BLOB",
    "datetime": "DATETIME",
    "timedelta": "TIME",
    "UUID": "CHAR(36)",
    "dict": "JSON",
    "list": "JSON",
}
_TARGET_TYPES = {"sqlite": _SQLITE_TYPES, "postgres": _POSTGRES_TYPES, "mysql": _MYSQL_TYPES}


def column_type(column: Column, catalog: Catalog, target: str) -> str:
    """The column's type in the target dialect (PostgreSQL enums keep their type name)."""
    base, rest = _split_type(column.sql_type)
    enum = next((name for name, _ in catalog.enums if name.lower() == base.lower()), None)
    if enum is not None and target == "postgres" == catalog.dialect:
        return quote(enum, target, catalog) + rest
    if target == catalog.dialect and column.sql_type and enum is None:
        return column.sql_type
    base = _TARGET_TYPES[target][column.py_type]
    if column.py_type == "str" and column.max_length is not None:
        return f"VARCHAR({column.max_length})"
    if column.py_type == "Decimal" and column.precision is not None:
        return f"{base}({column.precision}, {column.scale or 0})"
    if column.py_type == "int" and "BIG" in column.sql_type.upper() and target != "sqlite":
        return "BIGINT"
    if column.py_type == "datetime" and target == "postgres" and _has_zone(column, catalog):
        return "TIMESTAMPTZ"
    if column.py_type == "list" and target == "postgres" and column.element_py_type:
        return _POSTGRES_TYPES[column.element_py_type] + "[]"
    return base


def expression_sql(
    text: str | exp.Expr, source: str, target: str, lazy: bool = False
) -> tuple[str | None, str]:
    """(SQL in the target, "") or (None, why it cannot be kept) for a default/check/generation.

    `lazy`: SQLite resolves a view's functions when it is queried, so they are not checked.
    """
    try:
        node = sqlglot.parse_one(text, read=source) if isinstance(text, str) else text.copy()
    except SqlglotError as err:
        return None, f"cannot be transpiled ({err})"
    for table in node.find_all(exp.Table):  # public.film: the schema is not rebuilt
        table.set("db", None)
        table.set("catalog", None)
    node = node.transform(_portable)
    if target == "sqlite":
        node = node.transform(_literal_uncast)
    if target == "sqlite" and not lazy:
        if isinstance(node, exp.Uuid) or _is_uuid_function(node):
            return SQLITE_UUID4, ""
        unknown = _unknown_sqlite_functions(node)
        if unknown:
            return None, f"SQLite has no {', '.join(sorted(unknown))}()"
    return node.sql(dialect=target), ""


def default_sql(column: Column, catalog: Catalog, target: str) -> tuple[str | None, str]:
    """The DEFAULT clause's expression for the target, or (None, reason) when dropped."""
    if column.default is None or column.server_generated in ("serial", "identity"):
        return None, ""
    if target == "sqlite" and column.default.strip("'").lower() in ("now", "now()"):
        # PostgreSQL reads the string 'now' as the current time; SQLite would store the text.
        return ("CURRENT_DATE" if column.py_type == "date" else "CURRENT_TIMESTAMP"), ""
    sql, why = expression_sql(column.default, catalog.dialect, target)
    if sql is None or target != "sqlite" or _is_plain(sql):
        return sql, why
    return f"({sql})" if not sql.startswith("(") else sql, ""


def quote(name: str, target: str, catalog: Catalog) -> str:
    """An identifier, always quoted; names from case-insensitive sources fold for PostgreSQL."""
    if target == "postgres" and catalog.dialect != "postgres":
        name = name.lower()
    return exp.to_identifier(name, quoted=True).sql(dialect=target)


def _portable(node: exp.Expr) -> exp.Expr:
    """Rewrite what only the source dialect understands into portable SQL."""
    if _is_uuid_function(node):  # uuidv7() needs PostgreSQL 18, uuid_generate_v4() uuid-ossp
        return exp.Uuid()
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return node.expression.copy()  # public.group_concat(x): the schema is not rebuilt
    if isinstance(node, exp.DataType) and node.this == exp.DType.USERDEFINED:
        kind = node.args.get("kind")
        if isinstance(kind, exp.Dot):
            return exp.DataType(this=exp.DType.USERDEFINED, kind=kind.expression.copy())
    if isinstance(node, exp.EQ) and isinstance(node.expression.unnest(), exp.Any):
        array = node.expression.unnest().this.unnest()
        if isinstance(array, exp.Array):  # x = ANY (ARRAY['a', 'b']) is x IN ('a', 'b')
            return exp.In(this=node.this.copy(), expressions=[e.copy() for e in array.expressions])
    return node


def _literal_uncast(node: exp.Expr) -> exp.Expr:
    """'G'::mpaa_rating, '{}'::jsonb: SQLite has none of these types; the literal is the value."""
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return node.this.copy()
    return node


def _split_type(sql: str) -> tuple[str, str]:
    """NUMERIC(10, 2) -> ("NUMERIC", "(10, 2)"); STATUS[] -> ("STATUS", "[]")."""
    match = re.match(r"^([^(\[]*)(.*)$", sql, re.S)
    return (match.group(1).strip(), match.group(2)) if match else (sql, "")


def _has_zone(column: Column, catalog: Catalog) -> bool:
    sql = column.sql_type.upper()
    return "TZ" in sql or "ZONE" in sql or (catalog.dialect == "mysql" and sql == "TIMESTAMP")


def _is_uuid_function(node: exp.Expr) -> bool:
    names = ("uuidv4", "uuidv7", "uuid", "uuid_generate_v4", "uuid_generate_v1")
    return isinstance(node, exp.Anonymous) and node.name.lower() in names


def _unknown_sqlite_functions(node: exp.Expr) -> set[str]:
    unknown = set()
    for func in node.find_all(exp.Func):
        if isinstance(func, exp.Anonymous) and func.name.lower() not in SQLITE_FUNCTIONS:
            unknown.add(func.name.lower())
        elif isinstance(func, (exp.RegexpLike, exp.Array, exp.ArrayAgg)):
            unknown.add(func.sql_name().lower())
    return unknown


def _is_plain(sql: str) -> bool:
    """A literal or CURRENT_* keyword, which SQLite takes in DEFAULT without parentheses."""
    try:
        node = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return False
    plain = (exp.Literal, exp.Null, exp.Boolean, exp.CurrentTimestamp, exp.CurrentDate)
    return isinstance(node, (*plain, exp.CurrentTime))
