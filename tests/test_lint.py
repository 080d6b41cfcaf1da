"""The architecture lint: each rule turns a bad spec into an error at the spec position, with
the fix in the hint; good specs pass (with warnings where a fact cannot be proven)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scaffold.analyze.model import Catalog, Table
from scaffold.errors import ErrorGroup, LintError, Location
from scaffold.plan.lint import lint
from scaffold.spec.model import FormSpec, Spec, StateSpec, snake_case
from tests.test_codegen_model import (
    BOOKS,
    CATALOG,
    FORMS,
    QUERIES,
    STATES,
    at,
    bookshop_spec,
    col,
    out,
    query,
)

ROOT = Path("/project")
FORM_POS = FORMS[0].pos


def with_form(**changes: Any) -> Spec:
    """The bookshop spec with one form: add_book (insert into books), changed."""
    return bookshop_spec(ROOT, forms=(dataclasses.replace(FORMS[0], **changes),))


def with_state(*states: StateSpec) -> Spec:
    return bookshop_spec(ROOT, state=(*STATES, *states))


def with_table(table: Table) -> Catalog:
    others = tuple(t for t in CATALOG.tables if t.name != table.name)
    return dataclasses.replace(CATALOG, tables=(*others, table))


def server(name: str, query_name: str, *key: str, line: int = 20) -> StateSpec:
    return StateSpec(name, "server", at(line), query=query_name, key=key)


ADD_BOOK_FIELDS = FORMS[0].fields
SLUG = col("slug", "TEXT", "str", server_generated="generated")
BOOKS_WITH_SLUG = dataclasses.replace(BOOKS, columns=(*BOOKS.columns, SLUG))
BOOKS_AS_VIEW = dataclasses.replace(BOOKS, is_view=True)
BOOKS_WITHOUT_KEY = dataclasses.replace(BOOKS, primary_key=(), unique=(("id",), ("isbn",)))
SPELLED = (("titel", at(31, 14)),)

# (id, spec, catalog, message part, location, hint part)
ERRORS: list[tuple[str, Spec, Catalog, str, Location, str]] = [
    (
        "autoincrement key in fields",
        with_form(fields=("id", *ADD_BOOK_FIELDS), field_pos=(("id", at(31, 10)),)),
        CATALOG,
        "sets books.id, which the database assigns (autoincrement)",
        at(31, 10),
        "remove 'id' from `fields`",
    ),
    (
        "generated column in fields",
        with_form(fields=(*ADD_BOOK_FIELDS, "slug"), field_pos=(("slug", at(31, 60)),)),
        with_table(BOOKS_WITH_SLUG),
        "books.slug, which the database assigns (generated)",
        at(31, 60),
        "remove 'slug'",
    ),
    (
        "unknown table",
        with_form(table="bookz"),
        CATALOG,
        "table 'bookz' does not exist",
        FORM_POS,
        'did you mean "books"?',
    ),
    (
        "unknown column",
        with_form(fields=(*ADD_BOOK_FIELDS, "titel"), field_pos=SPELLED),
        CATALOG,
        "table 'books' has no column 'titel'",
        at(31, 14),
        'did you mean "title"?',
    ),
    (
        "unknown choices column",
        with_form(choices=(("author", "SELECT 1"),)),
        CATALOG,
        "has no column 'author'",
        FORM_POS,
        '"author_id"',
    ),
    (
        "form on a view",
        with_form(),
        with_table(BOOKS_AS_VIEW),
        "writes 'books', which is a view",
        FORM_POS,
        "a view cannot be written",
    ),
    (
        "update without a primary key",
        with_form(action="update"),
        with_table(BOOKS_WITHOUT_KEY),
        "update form 'add_book': table 'books' has no primary key",
        FORM_POS,
        "`key: [id]`",
    ),
    (
        "client state as form target",
        with_form(table="cart"),
        CATALOG,
        "writes client-owned state 'cart', which never reaches the database",
        FORM_POS,
        "point `table` at a database table",
    ),
    (
        "derived state as form target",
        with_form(table="cart_total"),
        CATALOG,
        "writes derived state 'cart_total'",
        FORM_POS,
        "computed from its sources",
    ),
    (
        "insert omits a NOT NULL column",
        with_form(fields=("title", "price", "author_id")),
        CATALOG,
        "omits isbn of 'books': NOT NULL without a default",
        FORM_POS,
        "add isbn to `fields`",
    ),
    (
        "derived from an unknown state",
        with_state(StateSpec("total", "derived", at(21), sources=("cart", "autor_books"))),
        CATALOG,
        "state 'total' derives from the unknown state 'autor_books'",
        at(21),
        'did you mean "author_books"',
    ),
    (
        "derived without sources",
        with_state(StateSpec("total", "derived", at(21))),
        CATALOG,
        "is derived but names no sources",
        at(21),
        "add `from: [state, ...]`",
    ),
    (
        "derived cycle",
        with_state(
            StateSpec("a", "derived", at(21), sources=("b",)),
            StateSpec("b", "derived", at(22), sources=("cart", "a")),
        ),
        CATALOG,
        "is part of a cycle: a -> b -> a",
        at(21),
        "break the cycle",
    ),
    (
        "key not a column",
        with_state(server("books", "BooksByAuthor", "book_id")),
        CATALOG,
        "key 'book_id' is not a column of 'BooksByAuthor'",
        at(20),
        "columns: id, title",
    ),
    (
        "key can be null",
        with_state(server("countries", "ListAuthors", "country")),
        CATALOG,
        "key 'country' can be null in 'ListAuthors'",
        at(20),
        "never null",
    ),
    (
        "key repeated by a join",
        with_state(server("names", "BooksByAuthor", "author")),
        CATALOG,
        "key (author) is not unique in 'BooksByAuthor'",
        at(20),
        "do not repeat (or of its GROUP BY), e.g. `key: id`",
    ),
    (
        "key not unique in its table",
        with_state(server("stock", "BooksByAuthor", "stock")),
        CATALOG,
        "key (stock) is not unique",
        at(20),
        "primary key or UNIQUE",
    ),
    (
        "key outside the GROUP BY",
        with_state(server("counts", "AuthorStats", "books")),
        CATALOG,
        "key (books) is not unique in 'AuthorStats'",
        at(20),
        "GROUP BY",
    ),
    (
        "server state fed by an UPDATE",
        with_state(server("restock", "RestockBook", "id")),
        CATALOG,
        "is fed by 'RestockBook', an UPDATE statement",
        at(20),
        "SELECT",
    ),
    (
        "server state with an unknown query",
        with_state(server("x", "BooksByAuthr", "id")),
        CATALOG,
        "names the unknown query 'BooksByAuthr'",
        at(20),
        '"BooksByAuthor"',
    ),
    (
        "server state without a key",
        with_state(server("x", "ListAuthors")),
        CATALOG,
        "has no key",
        at(20),
        "e.g. `key: id`",
    ),
    (
        "client key not a field",
        with_state(
            StateSpec("picks", "client", at(23), key=("bok_id",), fields=(("book_id", "int"),))
        ),
        CATALOG,
        "key 'bok_id' is not one of its fields",
        at(23),
        'did you mean "book_id"?',
    ),
]


@pytest.mark.parametrize(
    ("spec", "catalog", "message", "location", "hint"),
    [e[1:] for e in ERRORS],
    ids=[e[0] for e in ERRORS],
)
def test_bad_spec_is_an_error_at_its_position_with_a_fix(
    spec: Spec, catalog: Catalog, message: str, location: Location, hint: str
) -> None:
    with pytest.raises(LintError) as caught:
        lint(spec, catalog, QUERIES)
    errors = caught.value.errors if isinstance(caught.value, ErrorGroup) else [caught.value]
    assert len(errors) == 1, [str(e) for e in errors]
    [error] = errors
    assert message in error.message
    assert error.location == location
    assert error.hint is not None and hint in error.hint


Case = Callable[[], tuple[Spec, Catalog]]
GOOD: list[tuple[str, Spec, Catalog]] = [
    ("the bookshop spec", bookshop_spec(ROOT), CATALOG),
    ("a listed DEFAULT column", with_form(fields=(*ADD_BOOK_FIELDS, "created_at")), CATALOG),
    (
        "update with an explicit key",
        with_form(action="update", key=("isbn",)),
        with_table(BOOKS_WITHOUT_KEY),
    ),
    (
        "key of a fact table joined to its lookups",
        with_state(server("orders", "CustomerOrders", "id")),
        CATALOG,
    ),
    ("key of the GROUP BY", with_state(server("stats", "AuthorStats", "id")), CATALOG),
    (
        "key including a unique column",
        with_state(server("books", "BooksByAuthor", "id", "title")),
        CATALOG,
    ),
    (
        "update listing its own key",
        dataclasses.replace(
            bookshop_spec(ROOT),
            forms=(FormSpec("edit", "books", "update", at(60), fields=("id", "title")),),
        ),
        CATALOG,
    ),
]


@pytest.mark.parametrize(("spec", "catalog"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_good_spec_passes(spec: Spec, catalog: Catalog) -> None:
    assert isinstance(lint(spec, catalog, QUERIES), list)


def test_every_error_is_reported_at_once() -> None:
    spec = bookshop_spec(
        ROOT,
        forms=(
            dataclasses.replace(FORMS[0], table="bookz"),
            dataclasses.replace(FORMS[1], fields=("titel",)),
        ),
        state=(*STATES, server("x", "RestockBook", "id")),
    )
    with pytest.raises(ErrorGroup) as caught:
        lint(spec, CATALOG, QUERIES)
    assert len(caught.value.errors) == 3
    assert all(isinstance(e, LintError) for e in caught.value.errors)


UNPROVABLE = [
    ("computed", "SELECT qty * 2 AS total FROM orders", None),
    ("cte", "WITH c AS (SELECT id AS total FROM orders) SELECT total FROM c", "orders.id"),
    (
        "subquery join",
        "SELECT o.id AS total FROM orders o JOIN (SELECT 1 AS one) s ON 1 = 1",
        "orders.id",
    ),
    ("union", "SELECT id AS total FROM orders UNION ALL SELECT id FROM orders", "orders.id"),
]


def test_select_distinct_is_unique_on_all_its_columns() -> None:
    distinct = query(
        "BookAuthors",
        "select",
        "many",
        "SELECT DISTINCT author_id FROM books",
        [out("author_id", "INTEGER", "int", False, "books.author_id")],
        (),
        ("books",),
    )
    spec = with_state(server("writers", "BookAuthors", "author_id"))
    assert lint(spec, CATALOG, [*QUERIES, distinct]) == []
    plain = dataclasses.replace(distinct, sql="SELECT author_id FROM books")
    with pytest.raises(LintError, match="key \\(author_id\\) is not unique"):
        lint(spec, CATALOG, [*QUERIES, plain])


@pytest.mark.parametrize(
    ("sql", "source"), [u[1:] for u in UNPROVABLE], ids=[u[0] for u in UNPROVABLE]
)
def test_a_key_that_cannot_be_proven_unique_is_a_warning(sql: str, source: str | None) -> None:
    column = out("total", "INTEGER", "int", False, source)
    totals = query("Totals", "select", "many", sql, [column], (), ("orders",))
    spec = with_state(server("totals", "Totals", "total"))
    warnings = lint(spec, CATALOG, [*QUERIES, totals])
    assert any("cannot prove that key (total) is unique in 'Totals'" in w for w in warnings)


def test_a_form_key_that_is_not_unique_is_a_warning() -> None:
    spec = with_form(action="update", key=("title",), fields=("price",))
    warnings = lint(spec, CATALOG, QUERIES)
    assert warnings == [
        f"{FORM_POS}: form 'add_book': key (title) is not declared unique in "
        "'books'; one update may change several rows"
    ]


@pytest.mark.parametrize("name", ["Text", "class", "2nd"])
def test_a_query_name_that_cannot_be_a_function_is_an_error(name: str) -> None:
    clash = dataclasses.replace(QUERIES[2], name=name, ident=snake_case(name), pos=at(91))
    with pytest.raises(LintError, match="cannot become the Python function") as caught:
        lint(bookshop_spec(ROOT), CATALOG, [*QUERIES, clash])
    assert caught.value.location == at(91)


BINDS = [
    ("SELECT id FROM books WHERE id = :id::int", "parameter :id is not seen by"),
    ("SELECT id FROM books WHERE id = :id AND title = ' :x'", "reads :x as a parameter"),
]


@pytest.mark.parametrize(("sql", "message"), BINDS)
def test_sql_whose_parameters_text_would_misread_is_an_error(sql: str, message: str) -> None:
    bad = dataclasses.replace(QUERIES[1], sql=sql, pos=at(92))
    with pytest.raises(LintError, match=message) as caught:
        lint(bookshop_spec(ROOT), CATALOG, [QUERIES[0], bad, *QUERIES[2:]])
    assert caught.value.location == at(92)
    assert caught.value.hint is not None and "CAST(:name AS type)" in caught.value.hint


def test_queries_that_collide_as_python_names_are_an_error() -> None:
    twin = dataclasses.replace(QUERIES[0], name="books_by_author", pos=at(90))
    with pytest.raises(LintError, match="both become the Python name 'books_by_author'") as caught:
        lint(bookshop_spec(ROOT), CATALOG, [*QUERIES, twin])
    assert caught.value.location == at(90)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t WHERE a = :a AND b = :b",
        "SELECT a::text FROM t WHERE x = :x::int",
        "SELECT ':not' || '\\:esc' FROM t WHERE c = :c_1",
        "UPDATE t SET a = :a WHERE id = :id RETURNING a",
        "SELECT 1 FROM t WHERE z=:z AND y = :y)",
    ],
)
def test_the_lint_sees_the_bind_parameters_text_sees(sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.sql.elements import TextClause

    from scaffold.plan.lint_queries import TEXT_BIND

    assert TEXT_BIND.pattern == TextClause._bind_params_regex.pattern
    assert set(TEXT_BIND.findall(sql)) == set(text(sql).compile().params)
