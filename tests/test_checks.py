"""CHECK constraints and SQL rules as Python validators: the source, the message, the bounds,
and agreement with SQLite itself on every value, NULLs included."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlglot
import sqlglot.expressions as exp

from scaffold.plan.check_words import Bound
from scaffold.plan.checks import CheckField, parse_rule, translate, translate_conjuncts

FIELDS = {
    "price": CheckField("price", "Decimal", "Price", "price", True, 2),
    "qty": CheckField("qty", "int", "Quantity", "qty", True),
    "lo": CheckField("lo", "int", "Low", "lo", True),
    "hi": CheckField("hi", "int", "High", "hi", True),
    "title": CheckField("title", "str", "Title", "title", True),
    "code": CheckField("code", "str", "Code", "code", True),
    "born": CheckField("born", "date", "Born", "born", True),
    "vip": CheckField("vip", "bool", "VIP", "vip", True),
}


def _expr(sql: str) -> exp.Expression:
    parsed = sqlglot.parse_one(sql)
    assert isinstance(parsed, exp.Expression)
    return parsed


def _like(value: str, pattern: str, ignore_case: bool = False) -> bool:
    parts = (".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    flags = re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL
    return re.fullmatch("".join(parts), value, flags) is not None


def passes(sql: str, values: dict[str, Any], dialect: str = "sqlite") -> bool:
    """Evaluate the generated Python for the check on the given values (missing: None)."""
    validators, left = translate_conjuncts(_expr(sql), FIELDS, dialect=dialect)
    assert not left, f"untranslated: {left}"
    scope = {"Decimal": Decimal, "date": date, "like": _like}
    scope.update({name: values.get(name) for name in FIELDS})
    return all(eval(v.source, scope) for v in validators)


def sqlite_passes(sql: str, values: dict[str, Any]) -> bool:
    """What SQLite says: a CHECK passes unless it is FALSE (NULL passes)."""
    conn = sqlite3.connect(":memory:")
    columns = ", ".join(f":{name} AS {name}" for name in FIELDS)
    bound = {name: _sqlite(values.get(name)) for name in FIELDS}
    check = sqlglot.transpile(sql, write="sqlite")[0]
    row = conn.execute(f"SELECT ({check}) IS NOT 0 FROM (SELECT {columns})", bound).fetchone()
    conn.close()
    return bool(row[0])


def _sqlite(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


AGREEMENT = [
    (
        "price >= 0 AND price <= 10000",
        [
            {"price": Decimal("0")},
            {"price": Decimal("-0.01")},
            {"price": Decimal("10000")},
            {"price": Decimal("10000.01")},
            {},
        ],
    ),
    ("qty BETWEEN 1 AND 99", [{"qty": 0}, {"qty": 1}, {"qty": 99}, {"qty": 100}, {}]),
    ("LENGTH(code) IN (10, 13)", [{"code": "a" * 10}, {"code": "a" * 11}, {"code": "a" * 13}, {}]),
    ("CHAR_LENGTH(code) = 2", [{"code": "GB"}, {"code": "GBR"}, {}]),
    ("code IN ('a', 'b')", [{"code": "a"}, {"code": "c"}, {}]),
    ("code NOT IN ('a', 'b')", [{"code": "a"}, {"code": "c"}, {}]),
    ("qty <> 3", [{"qty": 3}, {"qty": 4}, {}]),
    ("qty != 3", [{"qty": 3}, {"qty": 4}]),
    ("lo < hi", [{"lo": 1, "hi": 2}, {"lo": 2, "hi": 2}, {"lo": 2}, {"hi": 2}, {}]),
    ("lo + 1 <= hi * 2 - 1", [{"lo": 1, "hi": 1}, {"lo": 5, "hi": 2}, {"lo": 1}]),
    # A NULL in one conjunct does not excuse a FALSE one: AND is FALSE if any side is.
    ("lo > 0 AND hi > 0", [{"lo": None, "hi": -1}, {"lo": 1, "hi": None}, {"lo": -1}]),
    ("lo > 0 OR hi > 0", [{"lo": None, "hi": -1}, {"lo": -1, "hi": -1}, {"lo": -1, "hi": 1}, {}]),
    ("NOT (lo > 0 AND hi > 0)", [{"lo": 1, "hi": 1}, {"lo": 1, "hi": None}, {"lo": -1}]),
    ("NOT (lo > 0 OR hi > 0)", [{"lo": 1}, {"lo": -1, "hi": -1}, {"lo": -1, "hi": None}]),
    ("lo IS NULL OR hi IS NULL", [{"lo": 1, "hi": 1}, {"lo": 1}, {}]),
    ("lo IS NOT NULL", [{"lo": 1}, {}]),
    ("lo IS NULL OR lo > 0", [{"lo": -1}, {}]),
    (
        "qty BETWEEN lo AND 10",
        [{"qty": 5, "lo": None}, {"qty": 11, "lo": None}, {"qty": 5, "lo": 6}],
    ),
    ("title LIKE '%Collector%'", [{"title": "The collector's"}, {"title": "Dune"}, {}]),
    ("title LIKE 'The%'", [{"title": "the end"}, {"title": "An end"}]),
    ("title LIKE '%end'", [{"title": "the END"}, {"title": "ending"}]),
    ("title LIKE 'a_c'", [{"title": "abc"}, {"title": "abbc"}]),
    ("title NOT LIKE 'x%'", [{"title": "xy"}, {"title": "yx"}, {}]),
    ("UPPER(code) = code", [{"code": "AB"}, {"code": "Ab"}, {}]),
    ("LOWER(TRIM(code)) = 'ab'", [{"code": " AB "}, {"code": "ab"}, {"code": "abc"}]),
    ("born >= '1900-01-01'", [{"born": date(1900, 1, 1)}, {"born": date(1899, 12, 31)}, {}]),
    (
        "vip = TRUE OR qty < 5",
        [{"vip": True, "qty": 9}, {"vip": False, "qty": 9}, {"vip": False, "qty": 1}],
    ),
    (
        "price < 1000 OR title LIKE '%Collector%'",
        [
            {"price": Decimal("1200"), "title": "Dune"},
            {"price": Decimal("1200"), "title": None},
            {"price": Decimal("1200"), "title": "Collector"},
            {"price": Decimal("10"), "title": "x"},
        ],
    ),
    ("qty = NULL", [{"qty": 1}, {}]),
    ("ABS(lo) < 5", [{"lo": -4}, {"lo": -5}]),
    ("price / 2 > 1", [{"price": Decimal("2.02")}, {"price": Decimal("2")}]),
]


@pytest.mark.parametrize(("sql", "cases"), AGREEMENT, ids=[c[0] for c in AGREEMENT])
def test_generated_validator_agrees_with_sqlite(sql: str, cases: list[dict[str, Any]]) -> None:
    for values in cases:
        assert passes(sql, values) == sqlite_passes(sql, values), values


@pytest.mark.parametrize(
    ("sql", "source"),
    [
        ("price >= 0", 'price is None or price >= Decimal("0")'),
        ("0 <= price", 'price is None or price >= Decimal("0")'),
        ("qty BETWEEN 1 AND 99", "qty is None or 1 <= qty <= 99"),
        ("LENGTH(code) IN (10, 13)", "code is None or len(code) in (10, 13)"),
        ("code NOT IN ('a')", 'code is None or code not in ("a",)'),
        ("NOT qty = 1", "qty is None or qty != 1"),
        ("lo IS NOT NULL", "lo is not None"),
        ("vip = FALSE", "vip is None or not vip"),
        ("title LIKE 'ab%'", 'title is None or title.lower().startswith("ab")'),
        ("born < '2000-01-31'", "born is None or born < date(2000, 1, 31)"),
    ],
)
def test_python_source(sql: str, source: str) -> None:
    validator = translate(_expr(sql), FIELDS, dialect="sqlite")
    assert validator is not None
    assert validator.source == source


def test_like_is_case_sensitive_in_postgres() -> None:
    validator = translate(_expr("title LIKE 'ab%'"), FIELDS, dialect="postgres")
    assert validator is not None and validator.source == 'title is None or title.startswith("ab")'
    assert passes("title LIKE 'ab%'", {"title": "AB"}, "postgres") is False
    assert passes("title ILIKE 'ab%'", {"title": "AB"}, "postgres") is True


def test_never_null_fields_get_no_guard() -> None:
    fields = {"qty": CheckField("qty", "int", "Quantity", "value.qty", nullable=False)}
    validator = translate(_expr("qty > 0"), fields, dialect="sqlite")
    assert validator is not None and validator.source == "value.qty > 0"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("price >= 0", "Price must be at least 0."),
        ("price > 0", "Price must be greater than 0."),
        ("qty < 100", "Quantity must be less than 100."),
        ("100 >= qty", "Quantity must be at most 100."),
        ("qty BETWEEN 1 AND 99", "Quantity must be between 1 and 99."),
        ("LENGTH(code) = 2", "Code must be exactly 2 characters long."),
        ("LENGTH(code) IN (10, 13)", "Code must be 10 or 13 characters long."),
        ("LENGTH(code) <= 5", "Code must be at most 5 characters long."),
        ("code IN ('a', 'b')", 'Code must be one of: "a", "b".'),
        ("code NOT IN ('a', 'b')", 'Code must not be one of: "a", "b".'),
        ("lo <= hi", "Low must be at most High."),
        ("lo IS NOT NULL", "Low is required."),
        ("title LIKE '%x%'", 'Title must contain "x".'),
        ("title NOT LIKE 'x%'", 'Title must not start with "x".'),
        ("lo > 0 OR hi > 0", "Low and High must satisfy lo > 0 OR hi > 0."),
        (
            "code = 'FICTION' OR code = 'NONFICTION'",
            'Code must be one of: "FICTION", "NONFICTION".',
        ),
        ("lo IS NULL OR lo <= hi", "Low must be at most High."),
    ],
)
def test_message(sql: str, message: str) -> None:
    validator = translate(_expr(sql), FIELDS, dialect="sqlite")
    assert validator is not None and validator.message == message


@pytest.mark.parametrize(
    ("sql", "bounds"),
    [
        ("price >= 0", [Bound("price", "min", "0")]),
        ("price > 0", [Bound("price", "min", "0.01")]),
        ("qty > 0", [Bound("qty", "min", "1")]),
        ("qty < 100", [Bound("qty", "max", "99")]),
        ("qty BETWEEN 1 AND 99", [Bound("qty", "min", "1"), Bound("qty", "max", "99")]),
        ("-5 <= qty", [Bound("qty", "min", "-5")]),
        ("LENGTH(code) = 2", [Bound("code", "minlength", "2"), Bound("code", "maxlength", "2")]),
        (
            "LENGTH(code) IN (10, 13)",
            [Bound("code", "minlength", "10"), Bound("code", "maxlength", "13")],
        ),
        ("born >= '1900-01-01'", [Bound("born", "min", "1900-01-01")]),
        ("qty <> 3", []),
        ("lo < hi", []),
    ],
)
def test_bounds(sql: str, bounds: list[Bound]) -> None:
    validator = translate(_expr(sql), FIELDS, dialect="sqlite")
    assert validator is not None and list(validator.bounds) == bounds


@pytest.mark.parametrize(
    "sql",
    [
        "qty / 2 > 1",  # integer division truncates in SQL
        "qty % 2 = 0",
        "qty IN (SELECT 1)",
        "qty IN (1, NULL)",
        "missing > 1",
        "CAST(code AS INTEGER) > 1",
        "code GLOB 'a*'",
        "LENGTH(qty) = 1",
        "COALESCE(qty, 0) > 1",
    ],
)
def test_untranslatable_checks_return_none(sql: str) -> None:
    assert translate(_expr(sql), FIELDS, dialect="sqlite") is None


def test_conjuncts_translate_separately() -> None:
    expr = _expr("qty > 0 AND CAST(code AS INTEGER) > 1")
    done, left = translate_conjuncts(expr, FIELDS, dialect="sqlite")
    assert [v.source for v in done] == ["qty is None or qty > 0"]
    assert [e.sql() for e in left] == ["CAST(code AS INT) > 1"]


@pytest.mark.parametrize(
    ("text", "is_sql", "unknown"),
    [
        ("price < 1000 OR title LIKE '%Collector%'", True, ()),
        ("price must be below 50 for ebooks unless the author is a VIP", False, ()),
        ("titel = 'x'", True, ("titel",)),
        ("the price", False, ()),
        ("price", False, ()),
    ],
)
def test_rules_are_sql_or_plain_words(text: str, is_sql: bool, unknown: tuple[str, ...]) -> None:
    expr, names = parse_rule(text, list(FIELDS), dialect="sqlite")
    assert (expr is not None) == is_sql
    assert names == unknown


def test_check_constraints_are_unwrapped_from_ddl() -> None:
    table = sqlglot.parse_one("CREATE TABLE t (qty INT CHECK (qty > 0))")
    check = next(table.find_all(exp.CheckColumnConstraint))
    validator = translate(check, FIELDS, dialect="sqlite")
    assert validator is not None and validator.source == "qty is None or qty > 0"
