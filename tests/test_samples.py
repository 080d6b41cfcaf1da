"""Sample rows honour every constraint (the database says so), are deterministic, exercise NULL,
and render as Python literals that evaluate back to the same values."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlglot

from scaffold.analyze.catalog import build_catalog
from scaffold.analyze.model import Catalog, Column, Constraint, ForeignKey, PyType, Table
from scaffold.errors import WriteError
from scaffold.plan.ddl import schema_ddl
from scaffold.plan.pyliterals import literal_imports, py_dict_lines, py_literal, py_string_lines
from scaffold.plan.sample_db import SampleDatabase
from scaffold.plan.sample_values import sample_value
from scaffold.plan.samples import (
    Rows,
    fill_samples,
    inserted_columns,
    sample_rows,
    tables_in_fk_order,
)
from scaffold.plan.tests import DIALECTS
from scaffold.spec.model import DatabaseSpec, OutputSpec, Spec
from scaffold.write.template import render_contract

CORPUS = Path("/work/shared/corpus")


def col(name: str, py_type: PyType = "int", nullable: bool = False, **kw: Any) -> Column:
    sql_type = kw.pop("sql_type", {"int": "INTEGER", "str": "TEXT"}.get(py_type, py_type.upper()))
    return Column(name, sql_type, py_type, nullable, **kw)


def key(name: str = "id") -> Column:
    return col(name, primary_key=True, unique=True, server_generated="autoincrement")


def check(sql: str) -> sqlglot.exp.Expression:
    return sqlglot.parse_one(sql, read="sqlite")


def samples_of(catalog: Catalog, ddl: list[str], per_table: int = 3) -> Rows:
    return fill_samples(catalog, SampleDatabase(catalog, ddl), per_table)


SHOP_DDL = [
    "CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(120) NOT NULL UNIQUE, "
    "born DATE, country VARCHAR(2) CHECK (LENGTH(country) = 2))",
    "CREATE TABLE books (id INTEGER PRIMARY KEY, isbn VARCHAR(13) NOT NULL UNIQUE "
    "CHECK (LENGTH(isbn) IN (10, 13)), price NUMERIC(4, 2) NOT NULL CHECK (price >= 0), "
    "format TEXT NOT NULL DEFAULT 'paperback' CHECK (format IN ('paperback', 'ebook')), "
    "author_id INTEGER NOT NULL REFERENCES authors (id), "
    "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)",
]
SHOP = Catalog(
    "sqlite",
    (
        Table(
            "authors",
            (
                key(),
                col("name", "str", max_length=120, unique=True),
                col("born", "date", True),
                col("country", "str", True, max_length=2, checks=(check("LENGTH(country) = 2"),)),
            ),
            primary_key=("id",),
            unique=(("id",), ("name",)),
        ),
        Table(
            "books",
            (
                key(),
                col(
                    "isbn",
                    "str",
                    max_length=13,
                    unique=True,
                    checks=(check("LENGTH(isbn) IN (10, 13)"),),
                ),
                col("price", "Decimal", precision=4, scale=2, checks=(check("price >= 0"),)),
                col("format", "str", default="'paperback'", enum_values=("paperback", "ebook")),
                col("author_id", foreign_key=ForeignKey("authors", "id")),
                col(
                    "created_at",
                    "datetime",
                    default="CURRENT_TIMESTAMP",
                    server_generated="default",
                ),
            ),
            primary_key=("id",),
            unique=(("id",), ("isbn",)),
        ),
    ),
)


def test_samples_insert_and_keep_every_constraint() -> None:
    rows = samples_of(SHOP, SHOP_DDL)
    assert [len(r) for r in rows.values()] == [3, 3]
    assert [a["id"] for a in rows["authors"]] == [1, 2, 3]
    assert all(len(a["country"]) == 2 for a in rows["authors"] if a["country"] is not None)
    assert all(len(b["isbn"]) in (10, 13) for b in rows["books"])
    assert {b["author_id"] for b in rows["books"]} <= {a["id"] for a in rows["authors"]}
    assert all(b["price"] < 100 and b["price"].as_tuple().exponent == -2 for b in rows["books"])
    assert "created_at" not in rows["books"][0]  # the server fills it


def test_samples_are_deterministic() -> None:
    assert samples_of(SHOP, SHOP_DDL) == samples_of(SHOP, SHOP_DDL)


def test_every_nullable_column_gets_a_null() -> None:
    rows = samples_of(SHOP, SHOP_DDL)
    assert [a["born"] is None for a in rows["authors"]] == [False, False, True]
    assert any(a["country"] is None for a in rows["authors"])


@pytest.mark.parametrize(
    ("ddl", "columns", "holds"),
    [
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, starts DATE NOT NULL, ends DATE NOT NULL, "
            "CHECK (ends > starts))",
            (key(), col("starts", "date"), col("ends", "date")),
            lambda r: r["ends"] > r["starts"],
        ),
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, "
            "CHECK (a IS NOT NULL OR b IS NOT NULL))",
            (key(), col("a", "str", True), col("b", "str", True)),
            lambda r: r["a"] is not None or r["b"] is not None,
        ),
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL, "
            "CHECK (lo < hi AND hi < 50))",
            (key(), col("lo"), col("hi")),
            lambda r: r["lo"] < r["hi"] < 50,
        ),
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE "
            "CHECK (email LIKE '%@%.%'), code TEXT NOT NULL CHECK (code GLOB '[A-Z]*'))",
            (key(), col("email", "str", unique=True), col("code", "str")),
            lambda r: "@" in r["email"] and r["code"][:1].isupper(),
        ),
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL "
            "CHECK (code REGEXP '^[A-Z]{3}$'))",
            (key(), col("code", "str")),
            lambda r: len(r["code"]) == 3 and r["code"].isupper(),
        ),
    ],
    ids=["two-column-compare", "one-of-two-not-null", "bounds-and-compare", "patterns", "regexp"],
)
def test_table_checks_found_by_trying(ddl: str, columns: tuple[Column, ...], holds: Any) -> None:
    expression = check(ddl[ddl.rindex("CHECK (") + 6 : -1])
    names = tuple(c.name for c in columns[1:])
    table = Table(
        "t",
        columns,
        primary_key=("id",),
        constraints=(Constraint("check", names, expression=expression),),
    )
    rows = samples_of(Catalog("sqlite", (table,)), [ddl])
    assert len(rows["t"]) == 3
    assert all(holds(r) for r in rows["t"])


def test_unsatisfiable_check_is_a_write_error_naming_the_table() -> None:
    ddl = "CREATE TABLE odd (id INTEGER PRIMARY KEY, x INTEGER NOT NULL CHECK (x > 5 AND x < 3))"
    table = Table("odd", (key(), col("x", checks=(check("x > 5 AND x < 3"),))), ("id",))
    with pytest.raises(WriteError, match="'odd'"):
        samples_of(Catalog("sqlite", (table,)), [ddl])


def test_self_reference_and_composite_keys() -> None:
    ddl = [
        "CREATE TABLE people (id INTEGER PRIMARY KEY, boss_id INTEGER REFERENCES people (id))",
        "CREATE TABLE pairs (a INTEGER NOT NULL REFERENCES people (id), "
        "b INTEGER NOT NULL REFERENCES people (id), PRIMARY KEY (a, b))",
        "CREATE TABLE notes (a INTEGER NOT NULL, b INTEGER NOT NULL, body TEXT NOT NULL, "
        "FOREIGN KEY (a, b) REFERENCES pairs (a, b))",
    ]
    people = Table(
        "people",
        (key(), col("boss_id", nullable=True, foreign_key=ForeignKey("people", "id"))),
        ("id",),
    )
    pairs = Table(
        "pairs",
        (
            col("a", foreign_key=ForeignKey("people", "id")),
            col("b", foreign_key=ForeignKey("people", "id")),
        ),
        primary_key=("a", "b"),
        unique=(("a", "b"),),
    )
    notes = Table(
        "notes",
        (col("a"), col("b"), col("body", "str")),
        constraints=(Constraint("foreign_key", ("a", "b"), references=("pairs", ("a", "b"))),),
    )
    catalog = Catalog("sqlite", (notes, pairs, people))
    assert [t.name for t in tables_in_fk_order(catalog)] == ["people", "pairs", "notes"]
    rows = samples_of(catalog, ddl)
    assert rows["people"][0]["boss_id"] is None
    assert [p["boss_id"] for p in rows["people"][1:]] == [1, None] or rows["people"][1]["boss_id"]
    assert len({(p["a"], p["b"]) for p in rows["pairs"]}) == 3
    pairs_keys = {(p["a"], p["b"]) for p in rows["pairs"]}
    assert all((n["a"], n["b"]) in pairs_keys for n in rows["notes"])


def test_server_filled_columns_are_left_out_unless_referenced() -> None:
    table = Table(
        "t",
        (
            col("id", "UUID", primary_key=True, server_generated="default", default="gen()"),
            col("made", "datetime", server_generated="default", default="now()"),
            col("total", server_generated="generated"),
        ),
        ("id",),
    )
    assert [c.name for c in inserted_columns(Catalog("sqlite", (table,)), table)] == ["id"]


@pytest.mark.parametrize(
    ("column", "expected_type"),
    [
        (col("n"), int),
        (col("x", "float"), float),
        (col("p", "Decimal", precision=3, scale=1), Decimal),
        (col("s", "str", max_length=3), str),
        (col("b", "bool"), bool),
        (col("raw", "bytes"), bytes),
        (col("d", "date"), date),
        (col("at", "datetime", sql_type="TIMESTAMPTZ"), datetime),
        (col("t", "time"), time),
        (col("span", "timedelta"), timedelta),
        (col("u", "UUID"), UUID),
        (col("j", "dict"), dict),
        (col("tags", "list", element_py_type="str"), list),
    ],
    ids=lambda v: v.name if isinstance(v, Column) else "",
)
def test_sample_value_has_the_column_type(column: Column, expected_type: type) -> None:
    values = [sample_value(column, i) for i in range(5)]
    assert all(type(v) is expected_type for v in values)
    if column.max_length:
        assert all(len(v) <= column.max_length for v in values) and len(set(values)) == 5
    if column.precision:
        assert all(abs(v) < 100 and v.as_tuple().exponent == -1 for v in values)
    if column.sql_type == "TIMESTAMPTZ":
        assert values[0].tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        7,
        -1.5,
        "it's",
        'say "hi"',
        "é\n",
        b"\x00ab",
        Decimal("9.99"),
        date(2024, 1, 2),
        datetime(2024, 1, 2, 3, 4, 5),
        datetime(2024, 1, 2, tzinfo=UTC),
        time(9, 30),
        timedelta(days=1, seconds=5),
        UUID(int=5),
        {"a": [1, None]},
        ["x", "y"],
    ],
)
def test_literals_evaluate_back(value: object) -> None:
    names = {name: __import__(module, fromlist=[name]) for module, name in literal_imports([value])}
    scope = {name: getattr(module, name) for name, module in names.items()}
    assert eval(py_literal(value), scope) == value


def test_long_literals_stay_within_the_line_length() -> None:
    row = {f"column_{i}": "x" * 20 for i in range(6)}
    lines = py_dict_lines(row, 8)
    assert lines[0] == "        {" and lines[-1] == "        },"
    sql = "CREATE TABLE t (\n" + "    c INTEGER NOT NULL CHECK (c > 0),\n" * 5 + ")"
    text = py_string_lines(sql, 8)
    assert all(len(line) <= 100 for line in text)
    assert eval("".join(text).strip().rstrip(",")) == sql


def _corpus_cases() -> list[Any]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        dialect = "postgres" if folder.name.endswith("postgresql") else "sqlite"
        schema = folder / "schema"
        paths = sorted(schema.glob("*.sql")) if schema.is_dir() else [folder / "schema.sql"]
        cases.append(pytest.param(dialect, paths, id=folder.name))
    return cases


def _load(dialect: str, paths: list[Path]) -> Catalog:
    return build_catalog(dialect, paths)


@pytest.mark.parametrize(("dialect", "paths"), _corpus_cases())
def test_corpus_samples_insert_into_sqlite(dialect: str, paths: list[Path]) -> None:
    catalog = _load(dialect, paths)
    rows = sample_rows(catalog)
    assert rows == sample_rows(catalog)
    oracle = SampleDatabase(catalog, schema_ddl(catalog, "sqlite"))
    for table in tables_in_fk_order(catalog):
        assert len(rows[table.name]) == 3
        for row in rows[table.name]:
            assert oracle.try_insert(table, row) is None, (table.name, row)
        for column in inserted_columns(catalog, table):
            unconstrained = column.nullable and not column.checks and not column.primary_key
            if unconstrained:
                assert any(r[column.name] is None for r in rows[table.name]), column.name


def _generated_conftest(catalog: Catalog, root: Path) -> Any:
    """The generated conftest.py of the catalog, imported as a module."""
    from scaffold.plan.tests import contracts_for_schema

    spec = Spec(
        root / "scaffold.yaml",
        1,
        "app",
        DatabaseSpec("postgres" if catalog.dialect == "postgres" else "sqlite"),
        output=OutputSpec(root / "app", root / "tests"),
    )
    ddl = {name: tuple(schema_ddl(catalog, ours)) for name, ours in DIALECTS.items()}
    (unit,) = [c for c in contracts_for_schema(spec, catalog, (), ddl) if c.kind == "test"][:1]
    (text,) = render_contract(unit, "scaffold.yaml").values()
    path = root / f"conftest_{root.name}.py"
    path.write_text(text)
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize(("dialect", "paths"), _corpus_cases())
def test_corpus_samples_load_on_postgres_through_the_generated_conftest(
    dialect: str, paths: list[Path], tmp_path: Path, postgres_url: str
) -> None:
    catalog = _load(dialect, paths)
    conftest = _generated_conftest(catalog, tmp_path)
    engines = conftest._server_engine(postgres_url)
    engine = next(engines)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            conftest.insert_samples(connection)
            for table in tables_in_fk_order(catalog):
                insert = conftest.INSERTS["postgresql"][table.name]
                target = insert.split()[2]
                count = connection.exec_driver_sql(f"SELECT count(*) FROM {target}").scalar()
                assert count == len(conftest.SAMPLES[table.name])
            transaction.rollback()
    finally:
        engines.close()  # drops the test schema


def test_a_check_missing_from_the_sqlite_schema_still_steers_the_samples() -> None:
    # The SQLite DDL lost the CHECK (as when SQLite cannot express it); PostgreSQL keeps it.
    ddl = ["CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(13) NOT NULL)"]
    code = col(
        "code",
        "str",
        max_length=13,
        checks=(check("LENGTH(code) = 10 AND code REGEXP '^[0-9]+$'"),),
    )
    rows = samples_of(Catalog("sqlite", (Table("t", (key(), code), ("id",)),)), ddl)
    assert [r["code"] for r in rows["t"]] == ["0000000001", "0000000002", "0000000003"]
