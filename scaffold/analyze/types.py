"""SQL data types: their normalized text, their Python type and the limits forms need.

Shared by the catalog (column types) and the query analyzer (casts, parameters).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError
from sqlglot.expressions import DType

from scaffold.analyze.model import PyType

T = DType

_PY_TYPES: dict[PyType, frozenset[DType]] = {
    "int": frozenset(
        {*exp.DataType.INTEGER_TYPES, T.SERIAL, T.SMALLSERIAL, T.BIGSERIAL, T.YEAR} - {T.BIT}
    ),
    "float": frozenset({T.FLOAT, T.DOUBLE}),
    "Decimal": frozenset(
        {T.DECIMAL, T.BIGDECIMAL, T.UDECIMAL, T.MONEY, T.SMALLMONEY, T.DECFLOAT}
        | {T.DECIMAL32, T.DECIMAL64, T.DECIMAL128, T.DECIMAL256, T.UDOUBLE}
    ),
    "bool": frozenset({T.BOOLEAN}),
    "bytes": frozenset(
        {T.BINARY, T.VARBINARY, T.BLOB, T.TINYBLOB, T.MEDIUMBLOB, T.LONGBLOB, T.IMAGE}
    ),
    "date": frozenset({T.DATE, T.DATE32}),
    "datetime": frozenset(
        {T.DATETIME, T.DATETIME2, T.DATETIME64, T.SMALLDATETIME, T.TIMESTAMP, T.TIMESTAMPTZ}
        | {T.TIMESTAMPLTZ, T.TIMESTAMPNTZ, T.TIMESTAMP_S, T.TIMESTAMP_MS, T.TIMESTAMP_NS}
    ),
    "time": frozenset({T.TIME, T.TIMETZ}),
    "timedelta": frozenset({T.INTERVAL}),
    "UUID": frozenset({T.UUID}),
    "dict": frozenset({T.JSON, T.JSONB}),
    "list": frozenset({T.ARRAY}),
}
_BY_TYPE: dict[DType, PyType] = {t: py for py, ts in _PY_TYPES.items() for t in ts}
_LENGTH_TYPES = frozenset({T.CHAR, T.NCHAR, T.VARCHAR, T.NVARCHAR, T.BINARY, T.VARBINARY, T.BPCHAR})
_DECIMAL_TYPES = frozenset({T.DECIMAL, T.BIGDECIMAL, T.UDECIMAL})
# How each dialect's users spell the types sqlglot renders differently.
_RENAMES: dict[str, dict[str, str]] = {
    "postgres": {"INT": "INTEGER", "DECIMAL": "NUMERIC"},
    "sqlite": {"INT": "INTEGER", "DECIMAL": "NUMERIC", "DOUBLE": "REAL"},
    "mysql": {},
}
# sql_type_text of types made of a name and number parameters (see _plain_type_key).
_PLAIN_TYPE_TEXT: dict[Hashable, str] = {}
# SQLite spellings of types with a meaning beyond their affinity (as SQLAlchemy reads them).
_SQLITE_NAMED: dict[str, PyType] = {
    "BOOLEAN": "bool",
    "BOOL": "bool",
    "DATE": "date",
    "DATETIME": "datetime",
    "TIMESTAMP": "datetime",
    "TIME": "time",
    "JSON": "dict",
    "UUID": "UUID",
}


def py_type_of(
    dtype: exp.DataType | None,
    dialect: str,
    catalog_enums: Iterable[str | tuple[str, tuple[str, ...]]] = (),
) -> PyType:
    """The Python type a value of `dtype` arrives as (None: a SQLite column without a type)."""
    if dtype is None:
        return "bytes"  # SQLite: no declared type means BLOB affinity
    if dtype.this == T.USERDEFINED:
        return _user_defined(dtype, dialect, catalog_enums)
    if dialect == "sqlite":
        return sqlite_py_type(sql_type_text(dtype, dialect))
    if dialect == "mysql" and dtype.this == T.TINYINT and _int_params(dtype) == [1]:
        return "bool"  # MySQL's BOOLEAN is TINYINT(1)
    if dtype.this == T.BIT:
        return "int" if dialect == "mysql" else "str"
    return _BY_TYPE.get(dtype.this, "str")


def sqlite_py_type(declared: str) -> PyType:
    """SQLite's type affinity for a declared type name, refined as SQLAlchemy users expect."""
    name = declared.upper().split("(")[0].strip()
    if not name:
        return "bytes"
    if name in _SQLITE_NAMED:
        return _SQLITE_NAMED[name]
    if "INT" in name:
        return "int"
    if any(word in name for word in ("CHAR", "CLOB", "TEXT")):
        return "str"
    if "BLOB" in name:
        return "bytes"
    if any(word in name for word in ("REAL", "FLOA", "DOUB")):
        return "float"
    return "Decimal"  # NUMERIC affinity


def sql_type_text(dtype: exp.DataType | None, dialect: str) -> str:
    """Upper-case SQL for a type as the dialect's users write it: INTEGER, NUMERIC(10, 2)."""
    if dtype is None:
        return ""
    if dtype.this == T.ARRAY:
        element = array_element_type(dtype)
        return (sql_type_text(element, dialect) if element else "TEXT") + "[]"
    if dtype.this == T.USERDEFINED:
        return _user_type_name(dtype).upper() + _params_text(dtype)
    key = _plain_type_key(dtype, dialect)
    text = _PLAIN_TYPE_TEXT.get(key) if key is not None else None
    if text is None:
        text = _rendered_type_text(dtype, dialect)
        if key is not None:
            _PLAIN_TYPE_TEXT[key] = text
    return text


def _rendered_type_text(dtype: exp.DataType, dialect: str) -> str:
    # sqlglot's SQLite names collapse to affinities (DECIMAL -> REAL): render generically.
    rendered = dtype.sql() if dialect == "sqlite" else dtype.sql(dialect=dialect)
    head, paren, rest = rendered.partition("(")
    head = head.upper()
    head = _RENAMES.get(dialect, {}).get(head, head)
    return head + paren + rest


def _plain_type_key(dtype: exp.DataType, dialect: str) -> Hashable | None:
    """What the text of a type made of a name and number parameters depends on; None for
    other types. Rendering runs sqlglot's generator, and a schema repeats a few types."""
    if _set_args(dtype) - {"this", "expressions"}:
        return None
    params = tuple(_number_param(p) for p in dtype.expressions)
    if None in params:
        return None
    return (dtype.this, dialect, params)


def _number_param(param: object) -> str | None:
    if not isinstance(param, exp.DataTypeParam) or _set_args(param) != {"this"}:
        return None
    value = param.this
    if not isinstance(value, exp.Literal) or value.is_string or _set_args(value) != {"this"}:
        return None
    return str(value.this)


def _set_args(node: exp.Expr) -> set[str]:
    """The arguments a node has (comments count as one: the generator writes them out)."""
    named = {name for name, value in node.args.items() if not _unset(value)}
    return named | {"comments"} if node.comments else named


def _unset(value: object) -> bool:
    return value is None or value is False or (isinstance(value, list) and not value)


def type_length(dtype: exp.DataType | None) -> int | None:
    """n of CHAR(n), VARCHAR(n), BINARY(n) and the like; None when unbounded."""
    if dtype is None or dtype.this not in _LENGTH_TYPES:
        return None
    params = _int_params(dtype)
    return params[0] if params else None


def type_precision_scale(dtype: exp.DataType | None) -> tuple[int | None, int | None]:
    """(precision, scale) of NUMERIC(p, s); scale is 0 when only p is given."""
    if dtype is None or dtype.this not in _DECIMAL_TYPES:
        return None, None
    params = _int_params(dtype)
    if not params:
        return None, None
    return params[0], params[1] if len(params) > 1 else 0


def array_element_type(dtype: exp.DataType | None) -> exp.DataType | None:
    """The element type of an array type (TEXT for TEXT[]); None for other types."""
    if dtype is None or dtype.this != T.ARRAY or not dtype.expressions:
        return None
    element = dtype.expressions[0]
    return element if isinstance(element, exp.DataType) else None


def element_py_type(
    dtype: exp.DataType | None,
    dialect: str,
    catalog_enums: Iterable[str | tuple[str, tuple[str, ...]]] = (),
) -> PyType | None:
    """The Python type of an array's elements; None when `dtype` is not an array."""
    element = array_element_type(dtype)
    return py_type_of(element, dialect, catalog_enums) if element is not None else None


def enum_type_values(dtype: exp.DataType | None) -> tuple[str, ...]:
    """The values of an inline MySQL ENUM('a', 'b') / SET(...) type."""
    if dtype is None or dtype.this not in (T.ENUM, T.ENUM8, T.ENUM16, T.SET):
        return ()
    return tuple(e.name for e in dtype.expressions if isinstance(e, exp.Literal))


def user_type_name(dtype: exp.DataType | None) -> str | None:
    """The unqualified name of a user-defined type (an enum, a domain), else None."""
    if dtype is None or dtype.this != T.USERDEFINED:
        return None
    return _user_type_name(dtype)


def parse_type(text: str, dialect: str) -> exp.DataType | None:
    """A type written as text, or None when sqlglot cannot read it."""
    try:
        return exp.DataType.build(text, dialect=dialect, udt=True)
    except (SqlglotError, ValueError):
        return None


def _user_defined(
    dtype: exp.DataType, dialect: str, enums: Iterable[str | tuple[str, tuple[str, ...]]]
) -> PyType:
    name = _user_type_name(dtype).lower()
    names = {(e if isinstance(e, str) else e[0]).lower().split(".")[-1] for e in enums}
    if name in names:
        return "str"
    if dialect == "sqlite":
        return sqlite_py_type(name)
    return "str"  # citext, cidr, macaddr, tsvector, ltree...: text on the wire


def _user_type_name(dtype: exp.DataType) -> str:
    kind = dtype.args.get("kind")
    text = kind.sql() if isinstance(kind, exp.Expression) else str(kind or "")
    return text.split(".")[-1].strip('"`')


def _params_text(dtype: exp.DataType) -> str:
    params = [p.sql() for p in dtype.expressions]
    return f"({', '.join(params)})" if params else ""


def _int_params(dtype: exp.DataType) -> list[int]:
    out = []
    for param in dtype.expressions:
        value = param.this if isinstance(param, exp.DataTypeParam) else param
        if isinstance(value, exp.Literal) and value.is_int:
            out.append(int(value.name))
    return out
