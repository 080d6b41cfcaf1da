"""Derived state written by the LLM writer: the spec's `type` and `examples`, the "derived" unit
(derived.py with a hole per state) and its generated tests, without a model."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scaffold.errors import ErrorGroup, LintError, ScaffoldError
from scaffold.pipeline import analyze, load, plan
from scaffold.plan.derived import annotation, def_lines
from scaffold.plan.derived_tests import read_value
from scaffold.plan.model import Plan
from scaffold.write.splice import HOLE_BODY, holes
from scaffold.write.template import render_contract

SCHEMA = """CREATE TABLE books (
    id    INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    price NUMERIC(8, 2) NOT NULL,
    stock INTEGER NOT NULL DEFAULT 0
);
"""
HEAD = """version: 1
app: shop
database: {dialect: sqlite, schema: [schema.sql]}
queries:
  books_in_stock: SELECT id, title, price, stock FROM books WHERE stock > 0 ORDER BY title
"""
STATES = """state:
  books: {owner: server, query: books_in_stock, key: id}
  cart: {owner: client, fields: {book_id: int, qty: int, added: date | None}, key: book_id}
"""
CART_TOTAL = """  cart_total:
    owner: derived
    from: [cart, books]
    compute: sum of qty times price over the cart's books
    type: Decimal
    writer: llm
    examples:
      - given:
          cart: [{book_id: 1, qty: 2}]
          books: [{id: 1, price: "9.99"}, {id: 2, price: "5.00"}]
        expect: "19.98"
      - given: {cart: []}
        expect: "0"
"""
SPEC = HEAD + STATES + CART_TOTAL


def project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    path = tmp_path / "scaffold.yaml"
    path.write_text(text)
    return path


def planned(tmp_path: Path, text: str) -> Plan:
    spec = load(project(tmp_path, text))
    return plan(spec, analyze(spec, save=False))


def errors(tmp_path: Path, text: str) -> list[ScaffoldError]:
    with pytest.raises(ScaffoldError) as caught:
        planned(tmp_path, text)
    error = caught.value
    return error.errors if isinstance(error, ErrorGroup) else [error]


def rendered(the_plan: Plan, unit: str) -> dict[str, str]:
    contract = next(c for c in the_plan.contracts if c.unit == unit)
    return render_contract(contract, "scaffold.yaml")


def test_type_and_examples_are_read_as_written(tmp_path: Path) -> None:
    spec = load(project(tmp_path, SPEC))
    state = next(s for s in spec.state if s.name == "cart_total")
    assert (state.result_type, state.writer) == ("Decimal", "llm")
    first, second = state.examples
    assert [(g.source, g.value) for g in first.given] == [
        ("cart", [{"book_id": 1, "qty": 2}]),
        ("books", [{"id": 1, "price": "9.99"}, {"id": 2, "price": "5.00"}]),
    ]
    assert (first.expect, second.expect) == ("19.98", "0")
    assert (first.pos.line, first.pos.column) == (16, 9)
    assert dict(first.given[1].field_pos)["price"].line == 18


BAD = [
    (
        CART_TOTAL.replace('expect: "19.98"', 'expct: "19.98"'),
        'unknown key "expct" in state.cart_total.examples[1]',
        'did you mean "expect"?',
        (19, 9),
    ),
    (
        CART_TOTAL.replace("cart: [{book_id", "crat: [{book_id"),
        'state.cart_total.examples[1].given: "crat" is not a source of cart_total',
        'did you mean "cart"?',
        (17, 11),
    ),
    (
        CART_TOTAL.replace("qty: 2}", "qyt: 2}"),
        'state.cart_total.examples[1].given.cart: cart has no field "qyt"',
        'did you mean "qty"?',
        (17, 31),
    ),
    (
        CART_TOTAL.replace("given: {cart: []}", "given: {cart: 3}"),
        "state.cart_total.examples[2].given.cart: expected a list of rows",
        "write [] for none",
        (20, 17),
    ),
    (
        CART_TOTAL.replace("type: Decimal", "type: Decimel"),
        'state.cart_total.type: "Decimel" is not a field type',
        'did you mean "Decimal"?',
        (13, 11),
    ),
    (
        CART_TOTAL.replace("    examples:\n", "    examples: 3\n    x:\n"),
        "state.cart_total.examples: expected a list of examples",
        None,
        (15, 15),
    ),
]


@pytest.mark.parametrize(("states", "message", "hint", "where"), BAD)
def test_bad_examples_are_located_with_a_hint(
    tmp_path: Path, states: str, message: str, hint: str | None, where: tuple[int, int]
) -> None:
    found = [e for e in errors(tmp_path, HEAD + STATES + states) if message in e.message]
    assert found, [str(e) for e in errors(tmp_path, HEAD + STATES + states)]
    assert found[0].location is not None
    assert found[0].location.file.endswith("scaffold.yaml")
    assert (found[0].location.line, found[0].location.column) == where
    if hint is not None:
        assert found[0].hint is not None and hint in found[0].hint


@pytest.mark.parametrize(
    ("state", "key"),
    [
        ("c2: {owner: client, fields: {x: int}, type: int}", "type"),
        ("c2: {owner: server, query: books_in_stock, examples: []}", "examples"),
    ],
)
def test_type_and_examples_are_for_derived_state_only(tmp_path: Path, state: str, key: str) -> None:
    found = errors(tmp_path, HEAD + STATES + f"  {state}\n")
    assert any(f'"{key}" is for derived state, not' in e.message for e in found)


def test_a_derived_source_needs_a_value_in_every_example(tmp_path: Path) -> None:
    text = SPEC + textwrap.indent(
        "with_tax:\n  owner: derived\n  from: [cart_total]\n  compute: total plus 10%\n"
        "  examples: [{given: {}, expect: 1}]\n",
        "  ",
    )
    found = errors(tmp_path, text)
    assert [e.message for e in found] == [
        'state.with_tax.examples[1].given: no value for the derived source "cart_total"'
    ]


@pytest.mark.parametrize(
    ("given", "message", "hint"),
    [
        (
            'books: [{id: 1, prise: "9.99"}]',
            'state.cart_total.examples[1].given.books: books has no field "prise"',
            'did you mean "price"?',
        ),
        (
            'books: [{id: 1, price: "cheap"}]',
            "state.cart_total.examples[1].given.books.price: cannot read 'cheap' as Decimal",
            'write a number, quoted to keep its digits: "9.99"',
        ),
    ],
)
def test_server_rows_are_checked_against_the_query(
    tmp_path: Path, given: str, message: str, hint: str
) -> None:
    text = SPEC.replace('books: [{id: 1, price: "9.99"}, {id: 2, price: "5.00"}]', given)
    (error,) = errors(tmp_path, text)
    assert isinstance(error, LintError)
    assert (error.message, error.hint) == (message, hint)
    assert error.location is not None and error.location.line == 18


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        ("9.99", "Decimal", Decimal("9.99")),
        (3, "Decimal", Decimal(3)),
        ("2024-05-01", "date", date(2024, 5, 1)),
        (date(2024, 5, 1), "date | None", date(2024, 5, 1)),
        (None, "int | None", None),
        ([1, "2"], "list[int]", [1, 2]),
        (90, "timedelta", timedelta(seconds=90)),
        ("x", "bytes", b"x"),
        ({"a": 1}, "dict", {"a": 1}),
    ],
)
def test_example_values_are_read_as_their_types(value: Any, type_name: str, expected: Any) -> None:
    got = read_value(value, type_name, "here")
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "type_name", "message"),
    [
        (True, "int", "here: cannot read True as int"),
        ("x", "int", "here: cannot read 'x' as int"),
        (None, "int", "here: no value, but int is not optional"),
        (1, "str", "here: cannot read 1 as str"),
        ("05/01/2024", "date", "here: cannot read '05/01/2024' as date"),
        (5, "UUID", "here: cannot read 5 as UUID"),
        (3, "list[int]", "here: cannot read 3 as list[int]"),
        (["x"], "list[int]", "here: cannot read 'x' as int"),
    ],
)
def test_unreadable_values_say_so(value: Any, type_name: str, message: str) -> None:
    with pytest.raises(LintError) as caught:
        read_value(value, type_name, "here")
    assert caught.value.message == message


def test_the_derived_unit_is_a_module_of_holes_for_the_llm(tmp_path: Path) -> None:
    the_plan = planned(tmp_path, SPEC)
    units = {c.unit: c for c in the_plan.contracts}
    code, tests = units["derived"], units["tests.derived"]
    assert (code.writer, tests.writer, tests.kind) == ("llm", "template", "test")
    signature = (
        "def cart_total(cart: Sequence[CartItem], books: Sequence[BooksInStockRow]) -> Decimal"
    )
    assert [(s.name, s.signature) for s in code.symbols] == [("cart_total", signature)]
    assert "decimal" in code.imports and "os" not in code.imports
    assert "compute: sum of qty times price over the cart's books" in code.spec_text
    assert "expect: '19.98'" in code.spec_text
    (skeleton,) = rendered(the_plan, "derived").values()
    assert [(h.name, h.signature) for h in holes(skeleton)] == [("cart_total", signature)]
    assert HOLE_BODY in skeleton
    assert "if TYPE_CHECKING:" in skeleton and "from .state import CartItem" in skeleton
    assert list(rendered(the_plan, "tests.derived")) == ["generated/tests/test_derived.py"]
    assert not any("cart_total" in w for w in the_plan.warnings)


def test_generated_tests_hold_the_examples_as_typed_rows(tmp_path: Path) -> None:
    (text,) = rendered(planned(tmp_path, SPEC), "tests.derived").values()
    assert '{"id": 1, "title": "", "price": Decimal("9.99"), "stock": 0},' in text
    assert '{"book_id": 1, "qty": 2, "added": None},' in text
    assert '"cart": [],\n            "books": [],' in text  # a source left out has no rows
    for test in ("example_1", "example_2", "is_pure", "has_its_type"):
        assert f"def test_cart_total_{test}() -> None:" in text
    assert 'expected = Decimal("19.98")' in text
    assert "assert isinstance(value, Decimal)" in text


def test_state_py_calls_the_derived_function(tmp_path: Path) -> None:
    files = rendered(planned(tmp_path, SPEC), "state")
    state = files["generated/shop/state.py"]
    assert "from . import derived, queries" in state
    assert (
        '"cart_total": DerivedState("cart_total", ("cart", "books"), compute=derived.cart_total)'
        in state
    )
    assert "DERIVED_PENDING: dict[str, str] = {}" in state
    assert '"books": BooksInStockRow,' in state
    assert "def derived_value(self, name: str, /, **given: Any) -> Any:" in state
    assert "def value(self, inputs:" in files["generated/shop/state_runtime.py"]


def test_template_written_derived_state_stays_pending(tmp_path: Path) -> None:
    the_plan = planned(tmp_path, SPEC.replace("    writer: llm\n", ""))
    assert "derived" not in {c.unit for c in the_plan.contracts}
    state = next(c for c in the_plan.contracts if c.unit == "state")
    assert "computed" not in state.context
    assert "writer" not in state.context["derived"][0]
    text = rendered(the_plan, "state")["generated/shop/state.py"]
    assert '"cart_total": "needs the LLM writer (writer: llm)",' in text
    assert "derived_value" not in text
    assert any("set writer: llm" in w for w in the_plan.warnings)


def test_derived_sources_chain_and_missing_examples_warn(tmp_path: Path) -> None:
    extra = (
        "  with_tax: {owner: derived, from: [cart_total], compute: total plus 10%, "
        "type: Decimal | None, writer: llm}\n"
        "  count: {owner: derived, from: [cart], compute: number of items}\n"
    )
    the_plan = planned(tmp_path, SPEC + extra)
    code = next(c for c in the_plan.contracts if c.unit == "derived")
    assert [s.signature for s in code.symbols][1] == (
        "def with_tax(cart_total: Decimal) -> Decimal | None"
    )
    assert any("'with_tax' has no examples" in w for w in the_plan.warnings)
    assert any("'count' computes in plain words" in w for w in the_plan.warnings)
    state = rendered(the_plan, "state")["generated/shop/state.py"]
    assert '"count": "needs the LLM writer (writer: llm)",' in state


def test_an_llm_derived_state_reading_a_pending_one_warns(tmp_path: Path) -> None:
    extra = (
        "  count: {owner: derived, from: [cart], compute: number of items}\n"
        "  per_item: {owner: derived, from: [cart_total, count], compute: total over count, "
        "writer: llm}\n"
    )
    warnings = planned(tmp_path, SPEC + extra).warnings
    assert any(
        "'per_item' reads 'count', which the template writer leaves pending" in w for w in warnings
    )
    assert not any("reads 'cart_total'" in w for w in warnings)  # LLM-written: not pending


@pytest.mark.parametrize(
    ("params", "lines"),
    [
        (["a: int"], ["def f(a: int) -> int:"]),
        (
            ["a" * 50 + ": int", "b" * 30 + ": int"],
            ["def f(", f"    {'a' * 50}: int, {'b' * 30}: int", ") -> int:"],
        ),
        (
            ["a" * 60 + ": int", "b" * 60 + ": int"],
            ["def f(", f"    {'a' * 60}: int,", f"    {'b' * 60}: int,", ") -> int:"],
        ),
    ],
)
def test_def_lines_wrap_as_ruff_does(params: list[str], lines: list[str]) -> None:
    assert def_lines("f", params, "int") == lines


@pytest.mark.parametrize(
    ("type_name", "hint"),
    [
        (None, "Any"),
        ("dict", "dict[str, Any]"),
        ("list | None", "list[Any] | None"),
        ("list[int]", "list[int]"),
    ],
)
def test_result_types_become_strict_annotations(type_name: str | None, hint: str) -> None:
    assert annotation(type_name) == hint


@pytest.mark.parametrize(
    ("state_writer", "default", "unit"),
    [("", "llm", True), ("    writer: template\n", "llm", False), ("", "template", False)],
)
def test_the_state_writer_or_the_default_picks_the_llm(
    tmp_path: Path, state_writer: str, default: str, unit: bool
) -> None:
    text = SPEC.replace("    writer: llm\n", state_writer) + f"writer: {{default: {default}}}\n"
    assert ("derived" in {c.unit for c in planned(tmp_path, text).contracts}) is unit
