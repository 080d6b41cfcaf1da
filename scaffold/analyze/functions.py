"""What known SQL functions return, per dialect: result type and how NULL flows through them.

A function missing here is typed like its first typed argument (else TEXT) and nullable;
sqlc rejects unknown functions, scaffold prefers to keep going with a conservative guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scaffold.analyze.model import PyType

# How a function's result can be NULL:
#   strict: NULL when any argument is NULL (most scalar functions)
#   never:  never NULL (count, now, row_number, concat in postgres)
#   always: may be NULL whatever the arguments (nullif, lag, scalar subquery-like lookups)
#   any:    NULL only when every argument is NULL (coalesce)
#   aggregate: sum/min/max/avg: see nullability.aggregate_nullable
NullRule = Literal["strict", "never", "always", "any", "aggregate"]
# Where the result type comes from: a fixed type, or the arguments ("arg" = first typed one).
TypeRule = Literal["fixed", "arg", "sum", "avg"]


@dataclass(frozen=True)
class FunctionInfo:
    type_rule: TypeRule
    nulls: NullRule
    sql_type: str = ""  # for type_rule "fixed"
    py_type: PyType = "str"
    arg_py_type: PyType | None = None  # the type an untyped parameter argument gets


def _fixed(sql_type: str, py_type: PyType, nulls: NullRule = "strict") -> FunctionInfo:
    return FunctionInfo("fixed", nulls, sql_type, py_type)


def _text_fn(nulls: NullRule = "strict") -> FunctionInfo:
    return FunctionInfo("fixed", nulls, "TEXT", "str", arg_py_type="str")


_TEXT = _text_fn()
_ARG = FunctionInfo("arg", "strict")
_AGG_ARG = FunctionInfo("arg", "aggregate")
_INT = _fixed("INTEGER", "int")
_BIGINT_NEVER = _fixed("BIGINT", "int", "never")
_TIMESTAMP_NOW = _fixed("TIMESTAMP WITH TIME ZONE", "datetime", "never")

_COMMON: dict[str, FunctionInfo] = {
    **dict.fromkeys(
        (
            "LOWER",
            "UPPER",
            "TRIM",
            "LTRIM",
            "RTRIM",
            "SUBSTR",
            "SUBSTRING",
            "REPLACE",
            "LEFT",
            "RIGHT",
            "LPAD",
            "RPAD",
            "REPEAT",
            "REVERSE",
            "INITCAP",
            "MD5",
            "TO_CHAR",
            "QUOTE",
            "HEX",
            "CHAR",
            "CHR",
            "TRANSLATE",
            "SPLIT_PART",
            "REGEXP_REPLACE",
            "FORMAT",
            "UNICODE_NORMALIZE",
            "STRPOS_TEXT",
            "SUBSTRINGINDEX",
            "SUBSTRING_INDEX",
        ),
        _TEXT,
    ),
    # sqlglot's wrappers when it normalizes a dialect's function: transparent.
    **dict.fromkeys(("TS_OR_DS_TO_TIMESTAMP", "TS_OR_DS_TO_DATETIME", "TS_OR_DS_TO_TIME"), _ARG),
    "CONCAT_WS": _text_fn("never"),
    "GROUP_CONCAT": _text_fn("aggregate"),
    "STRING_AGG": _text_fn("aggregate"),
    "GROUPCONCAT": _text_fn("aggregate"),
    **dict.fromkeys(
        (
            "LENGTH",
            "CHAR_LENGTH",
            "CHARACTER_LENGTH",
            "OCTET_LENGTH",
            "BIT_LENGTH",
            "STRPOS",
            "INSTR",
            "POSITION",
            "LOCATE",
            "ASCII",
            "SIGN",
            "STR_POSITION",
        ),
        FunctionInfo("fixed", "strict", "INTEGER", "int", arg_py_type="str"),
    ),
    **dict.fromkeys(("ABS", "ROUND", "CEIL", "CEILING", "FLOOR", "TRUNC", "MOD"), _ARG),
    **dict.fromkeys(("MIN", "MAX", "ANY_VALUE"), _AGG_ARG),
    "SUM": FunctionInfo("sum", "aggregate"),
    "AVG": FunctionInfo("avg", "aggregate"),
    "TOTAL": _fixed("REAL", "float", "never"),
    "COUNT": _BIGINT_NEVER,
    "COUNT_IF": _BIGINT_NEVER,
    **dict.fromkeys(
        ("BOOL_AND", "BOOL_OR", "EVERY", "LOGICAL_AND", "LOGICAL_OR"),
        _fixed("BOOLEAN", "bool", "aggregate"),
    ),
    **dict.fromkeys(("COALESCE", "IFNULL", "NVL", "GREATEST", "LEAST"), FunctionInfo("arg", "any")),
    "NULLIF": FunctionInfo("arg", "always"),
    **dict.fromkeys(("ROW_NUMBER", "RANK", "DENSE_RANK", "NTILE"), _BIGINT_NEVER),
    **dict.fromkeys(("PERCENT_RANK", "CUME_DIST"), _fixed("DOUBLE PRECISION", "float", "never")),
    **dict.fromkeys(("LAG", "LEAD", "NTH_VALUE"), FunctionInfo("arg", "always")),
    **dict.fromkeys(("FIRST_VALUE", "LAST_VALUE"), _ARG),
    **dict.fromkeys(
        (
            "NOW",
            "CURRENT_TIMESTAMP",
            "LOCALTIMESTAMP",
            "TRANSACTION_TIMESTAMP",
            "STATEMENT_TIMESTAMP",
            "CLOCK_TIMESTAMP",
            "SYSDATE",
            "UTC_TIMESTAMP",
        ),
        _TIMESTAMP_NOW,
    ),
    "CURRENT_DATE": _fixed("DATE", "date", "never"),
    "CURRENT_TIME": _fixed("TIME", "time", "never"),
    "RANDOM": _fixed("DOUBLE PRECISION", "float", "never"),
    "RAND": _fixed("DOUBLE", "float", "never"),
    **dict.fromkeys(
        ("GEN_RANDOM_UUID", "UUID_GENERATE_V4", "UUID"), _fixed("UUID", "UUID", "never")
    ),
    **dict.fromkeys(("ARRAY_AGG", "ARRAYAGG"), FunctionInfo("arg", "aggregate")),
}

# Per dialect: what differs from the common table (SQLite returns TEXT from its date functions,
# MySQL's SUM over exact numbers is DECIMAL, CONCAT propagates NULL in MySQL but not elsewhere).
_DIALECT: dict[str, dict[str, FunctionInfo]] = {
    "sqlite": {
        # SQLite's date functions answer NULL for text that is not a date (types are not checked).
        **dict.fromkeys(("DATE", "TIME", "DATETIME", "STRFTIME", "TIME_TO_STR", "TIMESTR"),
                        _fixed("TEXT", "str", "always")),
        "JULIANDAY": _fixed("REAL", "float", "always"),
        "UNIXEPOCH": _fixed("INTEGER", "int", "always"),
        # Multi-argument min()/max() (sqlglot: LEAST/GREATEST) are NULL when any argument is.
        **dict.fromkeys(("LEAST", "GREATEST"), _ARG),
        "HEX": _text_fn("never"),  # hex(NULL) is ''
        "RANDOM": _fixed("INTEGER", "int", "never"),
        "COUNT": _fixed("INTEGER", "int", "never"),
        **dict.fromkeys(("ROW_NUMBER", "RANK", "DENSE_RANK", "NTILE"),
                        _fixed("INTEGER", "int", "never")),
        "CONCAT": _text_fn("never"),
        **dict.fromkeys(("JSON", "JSON_OBJECT", "JSON_ARRAY", "JSON_GROUP_ARRAY",
                         "JSON_GROUP_OBJECT", "JSON_SET", "JSON_INSERT", "JSON_REPLACE",
                         "JSON_PATCH", "JSON_REMOVE", "JSON_QUOTE"), _fixed("TEXT", "str")),
        "JSON_TYPE": _fixed("TEXT", "str"),
        "JSON_ARRAY_LENGTH": _INT,
        "LAST_INSERT_ROWID": _fixed("INTEGER", "int", "never"),
        "CHANGES": _fixed("INTEGER", "int", "never"),
        "TYPEOF": _fixed("TEXT", "str", "never"),
        "PRINTF": _text_fn("never"),
        "IIF": FunctionInfo("arg", "always"),
        "CURRENT_TIMESTAMP": _fixed("TEXT", "str", "never"),
        "CURRENT_DATE": _fixed("TEXT", "str", "never"),
        "CURRENT_TIME": _fixed("TEXT", "str", "never"),
    },
    "postgres": {
        "CONCAT": _text_fn("never"),
        "DATE_TRUNC": _fixed("TIMESTAMP", "datetime"),
        "TIMESTAMP_TRUNC": _fixed("TIMESTAMP", "datetime"),
        "DATE_PART": _fixed("DOUBLE PRECISION", "float"),
        "EXTRACT": _fixed("NUMERIC", "Decimal"),
        "AGE": _fixed("INTERVAL", "timedelta"),
        "TO_DATE": _fixed("DATE", "date"),
        "TO_TIMESTAMP": _fixed("TIMESTAMP WITH TIME ZONE", "datetime"),
        **dict.fromkeys(("JSON_BUILD_OBJECT", "JSON_BUILD_ARRAY", "JSON_OBJECT"),
                        _fixed("JSON", "dict", "never")),
        **dict.fromkeys(("JSONB_BUILD_OBJECT", "JSONB_BUILD_ARRAY"),
                        _fixed("JSONB", "dict", "never")),
        **dict.fromkeys(("TO_JSON", "ROW_TO_JSON"), _fixed("JSON", "dict")),
        **dict.fromkeys(("TO_JSONB", "JSONB_SET", "JSONB_STRIP_NULLS"), _fixed("JSONB", "dict")),
        # Aggregates that keep NULL inputs: NULL only over no rows (see nullability).
        **dict.fromkeys(("JSON_AGG", "JSON_OBJECT_AGG"), _fixed("JSON", "dict", "aggregate")),
        **dict.fromkeys(("JSONB_AGG", "JSONB_OBJECT_AGG"), _fixed("JSONB", "dict", "aggregate")),
        "ARRAY_LENGTH": FunctionInfo("fixed", "always", "INTEGER", "int"),
        "CARDINALITY": _INT,
        "LASTVAL": _fixed("BIGINT", "int", "never"),
        "CURRVAL": _fixed("BIGINT", "int", "never"),
        "NEXTVAL": _fixed("BIGINT", "int", "never"),
    },
    "mysql": {
        **dict.fromkeys(("LEAST", "GREATEST"), _ARG),  # NULL when any argument is
        **dict.fromkeys(("NOW", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "SYSDATE", "UTC_TIMESTAMP"),
                        _fixed("DATETIME", "datetime", "never")),
        "CONCAT": _text_fn("strict"),
        "DATE_FORMAT": _fixed("TEXT", "str"),
        "DATE": _fixed("DATE", "date"),
        "DATEDIFF": _INT,
        "YEAR": _INT,
        "MONTH": _INT,
        "DAY": _INT,
        "LAST_INSERT_ID": _fixed("BIGINT", "int", "never"),
        "IF": FunctionInfo("arg", "always"),
        **dict.fromkeys(("JSON_OBJECT", "JSON_ARRAY"), _fixed("JSON", "dict", "never")),
        **dict.fromkeys(("JSON_AGG", "JSON_ARRAYAGG", "JSON_OBJECTAGG", "JSON_OBJECT_AGG"),
                        _fixed("JSON", "dict", "aggregate")),
        "JSON_EXTRACT": FunctionInfo("fixed", "always", "JSON", "dict"),
        "JSON_UNQUOTE": _TEXT,
        "UUID": _fixed("CHAR(36)", "str", "never"),
    },
}  # fmt: skip


def function_info(name: str, dialect: str) -> FunctionInfo | None:
    """What `name` returns in `dialect`; None for a function scaffold does not know."""
    key = name.upper()
    return _DIALECT.get(dialect, {}).get(key) or _COMMON.get(key)


def sum_type(arg_sql: str, arg_py: PyType | None, dialect: str) -> tuple[str, PyType]:
    """SUM's result type as the drivers return it."""
    if arg_py == "float":
        return ("REAL", "float") if dialect == "sqlite" else ("DOUBLE PRECISION", "float")
    if dialect == "sqlite":
        return ("INTEGER", "int") if arg_py in ("int", "bool") else ("REAL", "float")
    if dialect == "mysql":
        return "DECIMAL", "Decimal"  # MySQL sums exact values as DECIMAL
    if arg_py == "int" and not arg_sql.upper().startswith(("BIGINT", "INT8", "BIGSERIAL")):
        return "BIGINT", "int"  # postgres: sum(int4/int2) is int8, sum(int8) is numeric
    if arg_py == "timedelta":
        return "INTERVAL", "timedelta"
    return "NUMERIC", "Decimal"


def avg_type(arg_py: PyType | None, dialect: str) -> tuple[str, PyType]:
    """AVG's result type: float in SQLite, DOUBLE for floats, exact DECIMAL/NUMERIC otherwise."""
    if dialect == "sqlite" or arg_py == "float":
        return ("REAL", "float") if dialect == "sqlite" else ("DOUBLE PRECISION", "float")
    if arg_py == "timedelta":
        return "INTERVAL", "timedelta"
    return ("DECIMAL", "Decimal") if dialect == "mysql" else ("NUMERIC", "Decimal")
