"""Codegen over the real loader and analyzer: the bookshop example's schema and queries, and
the corpus of real schemas (tests/corpus), give units that are clean, importable and typed."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from scaffold.analyze.catalog import build_catalog
from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.analyze.query import analyze_queries
from scaffold.pipeline import analyze, load
from scaffold.plan.code_units import code_contracts
from scaffold.plan.contracts import build_plan
from scaffold.plan.query_funcs import argument_names
from scaffold.spec.model import DatabaseSpec, Spec
from scaffold.spec.queryfile import read_query_files
from tests.test_codegen import assert_typed, import_package, lint_generated, render_all, write_tree
from tests.test_codegen_model import EXAMPLE

CORPUS = Path(__file__).resolve().parent / "corpus"
CORPUS_CASES = [
    (folder, "postgres" if folder.name.endswith("postgresql") else "sqlite")
    for folder in sorted(CORPUS.iterdir())
    if (folder / "query.sql").exists()
]
SPEC = """\
version: 1
app: shop
database: {dialect: sqlite, schema: [schema.sql]}
queries:
  file: queries.sql
state:
  author_books: {owner: server, query: BooksByAuthor, key: id}
forms:
  add_author:
    table: authors
    fields: [name, born, country]
  edit_book:
    table: books
    action: update
    fields: [title, price, stock]
output: {package: generated/shop, tests: generated/tests}
"""
SAMPLES = (
    "INSERT INTO authors (name, born, country) VALUES ('Le Guin', '1929-10-21', 'US'), "
    "('Herbert', NULL, NULL)",
    "INSERT INTO books (title, isbn, price, stock, published, author_id) VALUES "
    "('Dune', '9780441013593', '9.99', 3, '1965-08-01', 2), "
    "('Earthsea', '0553383043', 12, 0, NULL, 1)",
    "INSERT INTO customers (email, name, vip) VALUES ('ann@example.com', 'Ann', TRUE)",
    "INSERT INTO orders (customer_id, book_id, qty) VALUES (1, 1, 3)",
)
SELECTS = {
    "books_by_author": {"author_id": 2},
    "get_book": {"id": 1},
    "list_authors": {},
    "author_stats": {},
    "search_books": {"max_price": None, "pattern": "%", "limit": 5, "offset": 0},
    "books_by_ids": {"ids": [1, 2]},
    "customer_orders": {"customer_id": 1},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    shutil.copy(EXAMPLE / "schema.sql", root / "schema.sql")
    shutil.copy(EXAMPLE / "queries.sql", root / "queries.sql")
    (root / "scaffold.yaml").write_text(SPEC, encoding="utf-8")
    spec = load(root / "scaffold.yaml")
    analysis = analyze(spec)
    plan = build_plan(spec, analysis.catalog, analysis.queries)
    assert [c.unit for c in plan.contracts[:4]] == ["package", "rows", "sql", "queries"]
    write_tree(root, render_all(plan.contracts))
    return root


def test_units_of_the_real_analysis_are_clean(project: Path) -> None:
    package = project / "generated" / "shop"
    lint_generated(*(package / name for name in ("__init__.py", "rows.py", "sql.py", "queries.py")))


def test_queries_of_the_real_analysis_return_their_declared_types(project: Path) -> None:
    queries = import_package(project, "shop")
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        ddl = (project / "schema.sql").read_text(encoding="utf-8")
        conn.connection.driver_connection.executescript(ddl)  # type: ignore[union-attr]
        for statement in SAMPLES:
            conn.exec_driver_sql(statement)
        for function, args in SELECTS.items():
            result = getattr(queries, function)(conn, **args)
            rows = result if isinstance(result, list) else [result]
            assert rows and all(row is not None for row in rows), function
            for row in rows:
                assert_typed(row)
        assert queries.restock_book(conn, added=1, id=1) == 1
        assert queries.delete_order(conn, id=1) == 1
    engine.dispose()


def analyzed(folder: Path, dialect: str) -> tuple[Catalog, tuple[QueryInfo, ...]]:
    schema = [p for p in (folder / "schema.sql", folder / "schema") if p.exists()]
    query_files = [p for p in (folder / "query.sql", folder / "query") if p.exists()]
    catalog = build_catalog(dialect, schema)
    return catalog, analyze_queries(read_query_files(query_files), catalog)


def corpus_spec(root: Path, app: str, dialect: str) -> Spec:
    return Spec(root / "s.yaml", 1, app, DatabaseSpec(dialect))  # type: ignore[arg-type]


def test_corpus_units_are_clean(tmp_path: Path) -> None:
    for folder, dialect in CORPUS_CASES:
        catalog, queries = analyzed(folder, dialect)
        app = folder.name.replace("-", "_")
        contracts = code_contracts(
            corpus_spec(tmp_path, app, dialect), catalog, queries, f"generated/{app}"
        )
        write_tree(tmp_path, render_all(contracts))
        assert queries, folder
    lint_generated(tmp_path / "generated")


ARGUMENTS: dict[str, Any] = {
    "int": 1,
    "float": 1.5,
    "Decimal": Decimal("1.50"),
    "str": "x",
    "bool": True,
    "bytes": b"x",
    "date": date(2024, 1, 2),
    "datetime": datetime(2024, 1, 2, 3, 4, 5),
    "time": time(3, 4),
    "timedelta": timedelta(seconds=5),
    "UUID": UUID(int=1),
    "dict": {"a": 1},
    "list": [1],
}


@pytest.mark.parametrize(
    "folder", [f for f, d in CORPUS_CASES if d == "sqlite"], ids=lambda f: f.name
)
def test_corpus_selects_run_on_sqlite(tmp_path: Path, folder: Path) -> None:
    """Every SELECT of a SQLite corpus runs through its generated function on the empty
    schema: text() reads its parameters, the driver binds the arguments."""
    catalog, queries = analyzed(folder, "sqlite")
    app = "corpus_" + folder.name.replace("-", "_")
    spec = corpus_spec(tmp_path, app, "sqlite")
    write_tree(tmp_path, render_all(code_contracts(spec, catalog, queries, f"generated/{app}")))
    module = import_package(tmp_path, app)
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        for path in sorted(folder.glob("schema*")):
            conn.connection.driver_connection.executescript(  # type: ignore[union-attr]
                path.read_text(encoding="utf-8")
            )
        for query in (q for q in queries if q.kind == "select"):
            result = getattr(module, query.ident)(conn, **corpus_arguments(query, catalog))
            rows = result if isinstance(result, list) else [] if result is None else [result]
            for row in rows:  # only aggregates without GROUP BY return a row here
                assert_typed(row)
    engine.dispose()


def corpus_arguments(query: QueryInfo, catalog: Catalog) -> dict[str, Any]:
    """A value of the right type for every parameter (an enum's first value for an enum)."""
    names = argument_names(query)
    args: dict[str, Any] = {}
    for param in query.params:
        enum = catalog.enum(param.sql_type)
        value = enum[0] if enum else ARGUMENTS[param.py_type]
        args[names[param.name]] = [value] if param.is_list else value
    return args


PG_CASES = [f for f, d in CORPUS_CASES if d == "postgres" and "pagila" not in f.name]


@pytest.mark.parametrize("folder", PG_CASES, ids=lambda f: f.name)
def test_corpus_selects_run_on_postgres(tmp_path: Path, folder: Path, postgres_url: str) -> None:
    """Every SELECT of a PostgreSQL corpus runs through its generated function on the schema
    (pagila's dump needs its roles, so it is left out)."""
    catalog, queries = analyzed(folder, "postgres")
    app = "codegen_" + folder.name.replace("-", "_")
    spec = corpus_spec(tmp_path, app, "postgres")
    write_tree(tmp_path, render_all(code_contracts(spec, catalog, queries, f"generated/{app}")))
    module = import_package(tmp_path, app)
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {app}; SET LOCAL search_path TO {app}")
        for path in sorted(folder.glob("schema*")):
            for ddl in sorted(path.glob("*.sql")) if path.is_dir() else [path]:
                # uuidv7() arrived in PostgreSQL 18; the server here may be older.
                text = ddl.read_text(encoding="utf-8").replace("uuidv7()", "gen_random_uuid()")
                conn.exec_driver_sql(text)
        for query in (q for q in queries if q.kind == "select"):
            result = getattr(module, query.ident)(conn, **corpus_arguments(query, catalog))
            rows = result if isinstance(result, list) else [] if result is None else [result]
            for row in rows:
                assert_typed(row)
        conn.rollback()
    engine.dispose()
