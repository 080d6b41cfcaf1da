"""The WHERE of a `local` state in JavaScript, for the browser store's optimistic rows."""

from __future__ import annotations

import pytest

from scaffold.plan.web_js import js_predicate

CASES = [
    (
        'not (row["stock"] is None or row["stock"] <= 0)',
        '!(((row["stock"] === null) || (row["stock"] <= 0)))',
    ),
    (
        'row["a"] == params["a"] and row["b"] != "x"',
        '((row["a"] === params["a"]) && (row["b"] !== "x"))',
    ),
    ('row["a"] in (1, 2)', '[1, 2].includes(row["a"])'),
    ('row["a"] not in ("x",)', '!["x"].includes(row["a"])'),
    ('"dune" in row["t"].lower()', 'row["t"].toLowerCase().includes("dune")'),
    ('row["t"].startswith("A")', 'row["t"].startsWith("A")'),
    ('like(row["t"], "a_%", ignore_case=True)', 'like(row["t"], "a_%", true)'),
    ('row["p"] < Decimal("1000")', '(row["p"] < 1000.0)'),
    ('0 < row["p"] <= 5', '((0 < row["p"]) && (row["p"] <= 5))'),
    ('row["flag"] is True', '(row["flag"] === true)'),
    ('row["n"] > -1', '(row["n"] > (-1))'),
]


@pytest.mark.parametrize(("python", "javascript"), CASES)
def test_translates_the_common_subset(python: str, javascript: str) -> None:
    assert js_predicate(python) == javascript


@pytest.mark.parametrize(
    "python",
    [
        'len(row["a"]) > 2',
        'other["a"] == 1',
        'row["a"] + 1 > 2',
        "row[0] == 1",
        "not (",
        'date(2020, 1, 1) < row["d"]',
    ],
)
def test_anything_else_is_untranslatable(python: str) -> None:
    assert js_predicate(python) is None
