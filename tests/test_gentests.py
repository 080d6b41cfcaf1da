"""The generated tests of a small bookshop: they pass on the generated code, are lint-clean and
deterministic, and fail when a declared type is wrong (so they can fail at all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import scaffold.plan.tests as gentests
from scaffold.analyze.model import Catalog, Filter, OutputColumn, Param, PyType, QueryInfo
from scaffold.plan.code_units import code_contracts
from scaffold.plan.model import Contract
from scaffold.spec.model import DatabaseSpec, OutputSpec, Spec
from scaffold.write.template import render_contract

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = """\
CREATE TABLE authors (
    id      INTEGER PRIMARY KEY,
    name    VARCHAR(120) NOT NULL UNIQUE CHECK (name NOT LIKE '%@%'),
    born    DATE,
    country VARCHAR(2) CHECK (LENGTH(country) = 2)
);
CREATE TABLE books (
    id         INTEGER PRIMARY KEY,
    title      VARCHAR(200) NOT NULL,
    isbn       VARCHAR(13) NOT NULL UNIQUE
               CHECK (LENGTH(isbn) IN (10, 13) AND isbn REGEXP '^[0-9]+$'),
    price      NUMERIC(8, 2) NOT NULL CHECK (price >= 0 AND price <= 10000),
    in_print   BOOLEAN NOT NULL DEFAULT TRUE,
    author_id  INTEGER NOT NULL REFERENCES authors (id),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


def out(name: str, py_type: PyType, nullable: bool = False) -> OutputColumn:
    return OutputColumn(name, py_type.upper(), py_type, nullable)


def param(name: str, py_type: PyType, column: str | None = None, **kw: bool) -> Param:
    return Param(name, py_type.upper(), py_type, kw.pop("nullable", False), column=column, **kw)


QUERIES = (
    QueryInfo(
        name="BooksByAuthor",
        ident="books_by_author",
        kind="select",
        cardinality="many",
        command="many",
        sql="SELECT b.id, b.title, b.price, b.in_print, a.name AS author, a.born FROM books b "
        "JOIN authors a ON a.id = b.author_id WHERE a.id = :author_id ORDER BY b.title",
        columns=(
            out("id", "int"),
            out("title", "str"),
            out("price", "Decimal"),
            out("in_print", "bool"),
            out("author", "str"),
            out("born", "date", True),
        ),
        params=(param("author_id", "int", "authors.id"),),
        filters=(Filter("authors.id", "author_id"),),
    ),
    QueryInfo(
        name="GetBook",
        ident="get_book",
        kind="select",
        cardinality="one",
        command="one",
        sql="SELECT id, title, created_at FROM books WHERE id = :id",
        columns=(out("id", "int"), out("title", "str"), out("created_at", "datetime")),
        params=(param("id", "int", "books.id"),),
        filters=(Filter("books.id", "id"),),
    ),
    QueryInfo(
        name="BooksByIds",
        ident="books_by_ids",
        kind="select",
        cardinality="many",
        command="many",
        sql="SELECT id, title FROM books WHERE id IN :ids ORDER BY id",
        columns=(out("id", "int"), out("title", "str")),
        params=(param("ids", "int", "books.id", is_list=True),),
    ),
    QueryInfo(
        name="AuthorsBornBefore",
        ident="authors_born_before",
        kind="select",
        cardinality="many",
        command="many",
        sql="SELECT id, name, country FROM authors "
        "WHERE CAST(:day AS DATE) IS NULL OR born <= :day LIMIT :limit",
        columns=(out("id", "int"), out("name", "str"), out("country", "str", True)),
        params=(param("day", "date", "authors.born", nullable=True), param("limit", "int")),
    ),
    QueryInfo(
        name="Reprice",
        ident="reprice",
        kind="update",
        cardinality="exec",
        command="execrows",
        sql="UPDATE books SET price = :price WHERE id = :id",
        params=(param("price", "Decimal", "books.price"), param("id", "int", "books.id")),
        filters=(Filter("books.id", "id"),),
        columns_written=("books.price",),
    ),
    QueryInfo(
        name="DeleteAuthor",
        ident="delete_author",
        kind="delete",
        cardinality="exec",
        command="exec",
        sql="DELETE FROM authors WHERE id = :id",
        params=(param("id", "int", "authors.id"),),
        filters=(Filter("authors.id", "id"),),
    ),
    QueryInfo(
        name="AddAuthor",
        ident="add_author",
        kind="insert",
        cardinality="one",
        command="one",
        sql="INSERT INTO authors (name, country) VALUES (:name, :country) RETURNING id, name",
        columns=(out("id", "int"), out("name", "str")),
        params=(
            param("name", "str", "authors.name"),
            param("country", "str", "authors.country", nullable=True),
        ),
        columns_written=("authors.name", "authors.country"),
    ),
)


def _catalog(root: Path) -> Catalog:
    from scaffold.analyze.catalog import build_catalog

    (root / "schema.sql").write_text(SCHEMA)
    return build_catalog("sqlite", [root / "schema.sql"])


def _spec(root: Path) -> Spec:
    return Spec(
        root / "scaffold.yaml",
        1,
        "bookshop",
        DatabaseSpec("sqlite", (root / "schema.sql",)),
        output=OutputSpec(root / "generated" / "bookshop", root / "generated" / "tests"),
    )


def _contracts(root: Path, queries: tuple[QueryInfo, ...]) -> list[Contract]:
    spec, catalog = _spec(root), _catalog(root)
    code = code_contracts(spec, catalog, queries, "generated/bookshop")
    return [*code, *gentests.test_contracts(spec, catalog, queries)]


def _write(root: Path, contracts: list[Contract]) -> dict[str, str]:
    files: dict[str, str] = {}
    for contract in contracts:
        files.update(render_contract(contract, "scaffold.yaml"))
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return files


def _run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
    )


def _pytest(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _run(
        root,
        "-m",
        "pytest",
        "-q",
        "-W",
        "error",
        "-p",
        "no:cacheprovider",
        "generated/tests",
        **env,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bookshop")
    _write(root, _contracts(root, QUERIES))
    return root


def test_generated_tests_pass(project: Path) -> None:
    result = _pytest(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(QUERIES)} passed" in result.stdout


def test_generated_tests_are_lint_clean(project: Path) -> None:
    config = str(ROOT / "pyproject.toml")
    tests = ["generated/tests/conftest.py", "generated/tests/test_queries.py"]
    for command in (["check"], ["format", "--check"]):
        result = _run(project, "-m", "ruff", *command, "--config", config, *tests)
        assert result.returncode == 0, result.stdout + result.stderr
    result = _run(
        project,
        "-m",
        "mypy",
        "--strict",
        # A cache of its own, kept between runs: checking SQLAlchemy afresh takes long.
        "--cache-dir",
        str(ROOT / ".mypy_cache" / "gentests"),
        *tests,
        MYPYPATH=str(project / "generated"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generation_is_deterministic_and_plain_data(tmp_path: Path) -> None:
    first = _contracts(tmp_path, QUERIES)
    second = _contracts(tmp_path, QUERIES)
    assert [c.hash for c in first] == [c.hash for c in second]
    units = {c.unit: c for c in first}
    assert units["tests.conftest"].files == (("generated/tests/conftest.py", "conftest.py.j2"),)
    json.dumps(units["tests.conftest"].context)
    context = units["tests.queries"].context
    json.dumps(context)
    calls = {q["ident"]: q["calls"] for q in context["queries"]}
    assert calls["books_by_author"] == [{"call": ["conn", "author_id=1"], "count": 1}]
    assert calls["books_by_ids"][0]["call"] == ["conn", "ids=[1, 2]"]
    # A nullable parameter gets a second call with None.
    assert [c["call"][1] for c in calls["authors_born_before"]][1] == "day=None"
    # Every author has a book, so deleting one fails on the samples: it runs on an empty schema.
    fixtures = {q["ident"]: q["fixture"] for q in context["queries"]}
    assert fixtures["delete_author"] == "empty_conn"
    assert fixtures["reprice"] == "conn"


def test_a_wrong_declared_type_fails_the_generated_tests(tmp_path: Path) -> None:
    _write(tmp_path, _contracts(tmp_path, QUERIES))
    wrong = replace(
        QUERIES[0], columns=(*QUERIES[0].columns[:2], out("price", "str"), *QUERIES[0].columns[3:])
    )
    broken = gentests.test_contracts(_spec(tmp_path), _catalog(tmp_path), (wrong, *QUERIES[1:]))
    _write(tmp_path, broken)
    result = _pytest(tmp_path)
    assert result.returncode == 1
    assert "1 failed" in result.stdout
    assert "price: expected str, got Decimal('" in result.stdout


@pytest.mark.slow
def test_generated_tests_pass_on_postgres(project: Path, postgres_url: str) -> None:
    result = _pytest(project, SCAFFOLD_TEST_DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{len(QUERIES)} passed" in result.stdout
