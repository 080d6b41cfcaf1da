"""The data-access units (package, rows, sql, queries) rendered from a hand-built analysis of
the bookshop example: clean under ruff and mypy --strict, importable, and every query returns
exactly its declared types on a real SQLite database built from the example's DDL."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from scaffold.analyze.model import Catalog
from scaffold.plan import contracts as planner
from scaffold.plan.code_units import code_contracts
from scaffold.plan.contracts import build_plan
from scaffold.plan.model import Contract
from scaffold.write.template import render_contract
from tests.test_codegen_model import (
    ALL_THINGS,
    BOOKS,
    CATALOG,
    EXAMPLE,
    LONG_NAMED,
    QUERIES,
    SHADOWS,
    SPEC_FILE,
    THING_BY_UID,
    THINGS,
    THINGS_DDL,
    bookshop_spec,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "generated/bookshop"


def render_all(contracts: tuple[Contract, ...] | list[Contract]) -> dict[str, str]:
    files: dict[str, str] = {}
    for contract in contracts:
        files.update(render_contract(contract, SPEC_FILE))
    return files


def write_tree(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def import_package(root: Path, name: str) -> types.ModuleType:
    """Import <root>/generated/<name> as a fresh package named `name`."""
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    sys.path.insert(0, str(root / "generated"))
    try:
        importlib.import_module(name)
        return importlib.import_module(f"{name}.queries")
    finally:
        sys.path.remove(str(root / "generated"))


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bookshop")
    spec = bookshop_spec(root)
    write_tree(root, render_all(code_contracts(spec, CATALOG, QUERIES, PACKAGE)))
    return root


@pytest.fixture(scope="module")
def queries(tree: Path) -> types.ModuleType:
    return import_package(tree, "bookshop")


@pytest.fixture
def conn() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        ddl = (EXAMPLE / "schema.sql").read_text(encoding="utf-8")
        connection.connection.driver_connection.executescript(ddl)  # type: ignore[union-attr]
        for statement in SAMPLES:
            connection.exec_driver_sql(statement)
        yield connection
    engine.dispose()


SAMPLES = (
    "INSERT INTO authors (name, born, country) VALUES ('Le Guin', '1929-10-21', 'US'), "
    "('Herbert', NULL, NULL)",
    "INSERT INTO books (title, isbn, price, stock, published, author_id) VALUES "
    "('Dune', '9780441013593', '9.99', 3, '1965-08-01', 2), "
    "('Earthsea', '0553383043', 12, 0, NULL, 1)",
    "INSERT INTO customers (email, name, vip) VALUES ('ann@example.com', 'Ann', TRUE)",
    "INSERT INTO orders (customer_id, book_id, qty) VALUES (1, 1, 3)",
)


def conforms(value: Any, hint: Any) -> bool:
    """Whether a value has exactly the annotated type (bool is not an int here)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return any(conforms(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin in (list, dict):
        return isinstance(value, origin)
    if hint is Any:
        return True
    if hint is int:
        return type(value) is int
    if hint is date:
        return type(value) is date
    return isinstance(value, hint)


def assert_typed(row: Any) -> None:
    hints = typing.get_type_hints(type(row))
    for field in dataclasses.fields(row):
        value = getattr(row, field.name)
        assert conforms(value, hints[field.name]), (type(row).__name__, field.name, value)


def test_generated_code_passes_ruff_and_mypy(tree: Path) -> None:
    lint_generated(tree / PACKAGE)


def lint_generated(*paths: Path) -> None:
    """ruff check, ruff format --check and mypy --strict, with the repo's settings."""
    config = str(ROOT / "pyproject.toml")
    names = [str(p) for p in paths]
    mypy = [sys.executable, "-m", "mypy", "--config-file", config, "--strict"]
    checks = [
        ["ruff", "check", "--no-cache", "--config", config, *names],
        ["ruff", "format", "--no-cache", "--check", "--config", config, *names],
        [*mypy, "--cache-dir", str(ROOT / ".mypy_cache"), *names],
    ]
    for command in checks:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


GOLDEN = ROOT / "tests" / "golden" / "codegen" / "bookshop"
FILES = ("__init__.py", "rows.py", "sql.py", "queries.py")


@pytest.mark.parametrize("name", FILES)
def test_output_matches_the_golden_files(tree: Path, name: str, update_golden: bool) -> None:
    """The generated code, pinned: a diff here is a review item (`pytest --update-golden`)."""
    text = (tree / PACKAGE / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


def test_every_file_starts_with_the_header(tree: Path) -> None:
    for name in FILES:
        first = (tree / PACKAGE / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == (
            f"# Generated by scaffold from {SPEC_FILE}. Do not edit: change the "
            'spec and run "scaffold gen".'
        )


def test_sql_constants_hold_the_analyzed_sql(queries: types.ModuleType) -> None:
    sql = importlib.import_module("bookshop.sql")
    for query in QUERIES:
        expected = query.sql.replace("IN (:ids)", "IN :ids")  # expanding brings its own ()
        assert getattr(sql, query.ident.upper()) == expected


CALLS: list[tuple[str, dict[str, Any], int | None]] = [
    ("books_by_author", {"author_id": 2}, 1),
    ("get_book", {"id": 1}, None),
    ("list_authors", {}, 2),
    ("author_stats", {}, 2),
    ("search_books", {"max_price": Decimal("10.00"), "pattern": "%", "limit": 5, "offset": 0}, 1),
    ("search_books", {"max_price": None, "pattern": "%", "limit": 5, "offset": 0}, 2),
    ("books_by_ids", {"ids": [1, 2]}, 2),
    ("customer_orders", {"customer_id": 1}, 1),
    ("vip_customers", {}, 1),
]


@pytest.mark.parametrize(("function", "args", "count"), CALLS, ids=[c[0] for c in CALLS])
def test_query_rows_have_the_declared_types(
    queries: types.ModuleType,
    conn: sa.Connection,
    function: str,
    args: dict[str, Any],
    count: int | None,
) -> None:
    result = getattr(queries, function)(conn, **args)
    rows = result if isinstance(result, list) else [result]
    assert len(rows) == (count or 1)
    for row in rows:
        assert_typed(row)


def test_values_survive_the_round_trip(queries: types.ModuleType, conn: sa.Connection) -> None:
    book = queries.get_book(conn, id=1)
    assert (book.price, book.published, book.stock) == (Decimal("9.99"), date(1965, 8, 1), 3)
    assert queries.get_book(conn, id=99) is None
    stats = {s.name: s for s in queries.author_stats(conn)}
    assert stats["Herbert"].cheapest == Decimal("9.99")
    [order] = queries.customer_orders(conn, customer_id=1)
    assert order.total == Decimal("29.97") and order.note is None
    assert queries.vip_customers(conn)[0].vip is True


def test_exec_commands_return_counts_ids_and_results(
    queries: types.ModuleType, conn: sa.Connection
) -> None:
    assert queries.restock_book(conn, added=2, id=1) == 1
    assert queries.get_book(conn, id=1).stock == 5
    new_id = queries.add_customer(conn, email="bo@example.com", name="Bo", vip=False)
    assert new_id == 2
    result = queries.note_old_orders(conn, note="old", before=datetime(2999, 1, 1))
    assert isinstance(result, sa.CursorResult) and result.rowcount == 1
    assert queries.delete_order(conn, id=1) == 1
    assert queries.delete_order(conn, id=1) == 0


def test_signatures_are_keyword_only_and_typed(queries: types.ModuleType) -> None:
    hints = typing.get_type_hints(queries.search_books)
    assert hints["max_price"] == Decimal | None
    assert hints["return"] == list[queries.SearchBooksRow]
    ids = typing.get_type_hints(queries.books_by_ids)["ids"]
    assert str(ids) == "collections.abc.Sequence[int]"
    with pytest.raises(TypeError):
        queries.get_book(None, 1)


def test_form_inputs_are_declared_in_rows(tree: Path) -> None:
    rows = (tree / PACKAGE / "rows.py").read_text(encoding="utf-8")
    assert "class AddBookInput:" in rows and "class EditBookInput:" in rows
    add_book = rows.split("class AddBookInput:")[1].split("@dataclass")[0]
    fields = [line.strip() for line in add_book.splitlines() if ": " in line]
    assert fields == [
        "title: str",
        "isbn: str",
        "price: Decimal",
        "stock: int | None",
        "format: str | None",
        "published: date | None",
        "author_id: int",
    ]


def test_a_second_render_is_byte_identical(tmp_path: Path) -> None:
    spec = bookshop_spec(tmp_path)
    first = render_all(code_contracts(spec, CATALOG, QUERIES, PACKAGE))
    second = render_all(code_contracts(bookshop_spec(tmp_path), CATALOG, QUERIES, PACKAGE))
    assert first == second
    assert sorted(first) == [
        f"{PACKAGE}/{n}" for n in ("__init__.py", "queries.py", "rows.py", "sql.py")
    ]


def test_a_spec_without_queries_or_forms_gives_clean_empty_modules(tmp_path: Path) -> None:
    spec = bookshop_spec(tmp_path, app="empty", forms=(), state=())
    write_tree(tmp_path, render_all(code_contracts(spec, CATALOG, [], "generated/empty")))
    lint_generated(tmp_path / "generated" / "empty")
    assert import_package(tmp_path, "empty").__doc__ == (
        "The empty queries as typed functions over SQLAlchemy Core."
    )


def _hashes(catalog: Catalog, queries: Any = QUERIES, **spec_changes: Any) -> dict[str, str]:
    spec = bookshop_spec(Path("/project"), **spec_changes)
    return {c.unit: c.hash for c in code_contracts(spec, catalog, queries, PACKAGE)}


def test_contract_hash_changes_exactly_when_the_output_does() -> None:
    base = _hashes(CATALOG)
    assert _hashes(CATALOG) == base
    moved = [dataclasses.replace(q, pos=None) for q in QUERIES]
    assert _hashes(CATALOG, moved, state=()) == base  # positions and states: same output
    price = dataclasses.replace(BOOKS.column("price"), py_type="float")  # type: ignore[arg-type]
    books = dataclasses.replace(
        BOOKS, columns=tuple(price if c.name == "price" else c for c in BOOKS.columns)
    )
    retyped_catalog = dataclasses.replace(
        CATALOG, tables=tuple(books if t.name == "books" else t for t in CATALOG.tables)
    )
    retyped_queries = [
        dataclasses.replace(
            q,
            columns=tuple(
                dataclasses.replace(c, py_type="float") if c.source == "books.price" else c
                for c in q.columns
            ),
        )
        for q in QUERIES
    ]
    changed = _hashes(retyped_catalog, retyped_queries)
    assert changed["rows"] != base["rows"] and changed["queries"] != base["queries"]
    assert changed["sql"] == base["sql"] and changed["package"] == base["package"]


THING_ROWS = (
    "INSERT INTO things VALUES (1, '12345678-1234-5678-1234-567812345678', '{\"a\": [1, 2]}', "
    "X'0102', '10:30:00', 1, 0.5, 90, '[\"x\", \"y\"]', '9.99', '2024-02-29', "
    "'2024-02-29 10:30:00', 'plain')",
    "INSERT INTO things (id) VALUES (2)",
)


def render_things(root: Path, dialect: str) -> types.ModuleType:
    catalog = Catalog(dialect, (THINGS,))
    spec = bookshop_spec(root, app="things", forms=(), state=())
    things = [ALL_THINGS, THING_BY_UID, LONG_NAMED, SHADOWS]
    contracts = code_contracts(spec, catalog, things, "generated/things")
    write_tree(root, render_all(contracts))
    return import_package(root, "things")


def check_things(queries: types.ModuleType, conn: sa.Connection) -> None:
    full, empty = queries.all_things(conn)
    assert_typed(full)
    assert_typed(empty)
    assert (full.uid, full.doc, full.data, full.at_time, full.flag, full.span) == (
        UUID("12345678-1234-5678-1234-567812345678"),
        {"a": [1, 2]},
        b"\x01\x02",
        time(10, 30),
        True,
        timedelta(seconds=90),
    )
    assert (full.tags, full.amount, full.moment, full.label) == (
        ["x", "y"],
        Decimal("9.99"),
        datetime(2024, 2, 29, 10, 30),
        "plain",
    )
    assert all(getattr(empty, f.name) is None for f in dataclasses.fields(empty)[1:])
    found = queries.thing_by_uid(conn, uid=full.uid, day=full.day, amount=Decimal("9.99"))
    assert found is not None and found.id == 1
    [long] = queries.find_things_by_everything_possible_in_the_table_with_a_very_long_name(
        conn,
        uids=[full.uid, UUID(int=7)],
        day=None,
        minimum_amount_of_money_to_look_for=Decimal("1.5"),
        moment_before_which=datetime(2030, 1, 1),
        class_="plain",
        result_="none",
        label_pattern_with_a_long_name="nothing",
    )
    assert (long.id, long.label, long.label_2) == (1, "plain", "plain")
    shadows = queries.shadows(conn)
    for row in shadows:
        assert_typed(row)
    assert (shadows[0].date, shadows[0].Decimal, shadows[0].str) == (
        date(2024, 2, 29),
        Decimal("9.99"),
        "plain",
    )


def test_every_type_converts_on_sqlite(tmp_path: Path) -> None:
    queries = render_things(tmp_path, "sqlite")
    lint_generated(tmp_path / "generated" / "things")
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql(THINGS_DDL)
        for statement in THING_ROWS:
            conn.exec_driver_sql(statement)
        check_things(queries, conn)
    engine.dispose()


PG_THINGS = (
    "CREATE TABLE things (id integer PRIMARY KEY, uid uuid, doc jsonb, data bytea, "
    "at_time time, flag boolean, ratio double precision, span interval, tags text[], "
    "amount numeric(8, 2), day date, moment timestamp, label text)",
    "INSERT INTO things VALUES (1, '12345678-1234-5678-1234-567812345678', "
    "'{\"a\": [1, 2]}', '\\x0102', '10:30:00', true, 0.5, '90 seconds', ARRAY['x', 'y'], "
    "9.99, '2024-02-29', '2024-02-29 10:30:00', 'plain')",
    "INSERT INTO things (id) VALUES (2)",
)


def test_every_type_converts_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    queries = render_things(tmp_path, "postgres")
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        for statement in PG_THINGS:
            conn.exec_driver_sql(statement)
        check_things(queries, conn)
        conn.rollback()
    engine.dispose()


def test_build_plan_lints_then_plans_every_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planner, "_planner", lambda module, function: None)
    plan = build_plan(bookshop_spec(Path("/project")), CATALOG, QUERIES)
    assert [c.unit for c in plan.contracts] == ["package", "rows", "sql", "queries"]
    assert plan.contracts[3].files == ((f"{PACKAGE}/queries.py", "code/queries.py.j2"),)
    assert dict(plan.invalidation)["add_book"] == ("author_books",)
    symbols = {s.name: s.signature for s in plan.contracts[3].symbols}
    assert symbols["books_by_author"] == (
        "def books_by_author(conn: Connection, *, author_id: int) -> list[BooksByAuthorRow]"
    )
    assert [s.name for s in plan.contracts[2].sql][:2] == ["BOOKS_BY_AUTHOR", "GET_BOOK"]
