"""Form units end to end: plan a bookshop's forms, render them, import the package from a tmp
dir, parse and submit against SQLite built from the DDL, check the HTML, lint the code."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
import sqlglot
import sqlglot.expressions as exp

from scaffold.analyze.model import Catalog, Column, Constraint, ForeignKey, Table
from scaffold.errors import Location
from scaffold.plan.code_units import code_contracts
from scaffold.plan.form_tests import sqlite_ddl
from scaffold.plan.forms import form_contracts
from scaffold.plan.model import Contract
from scaffold.plan.sample_db import SampleDatabase
from scaffold.plan.samples import fill_samples
from scaffold.spec.model import DatabaseSpec, FormSpec, OutputSpec, RuleSpec, Spec
from scaffold.write.template import render_contract

ROOT = Path(__file__).resolve().parent.parent
DDL = (ROOT / "examples" / "bookshop" / "schema.sql").read_text()
HERE = Location("scaffold.yaml", 1, 1)
PACKAGE = "formshop"  # the import name of the generated package in these tests


def _check(sql: str) -> exp.Expression:
    parsed = sqlglot.parse_one(sql)
    assert isinstance(parsed, exp.Expression)
    return parsed


def _id() -> Column:
    return Column(
        "id",
        "INTEGER",
        "int",
        False,
        primary_key=True,
        unique=True,
        server_generated="autoincrement",
    )


AUTHORS = Table(
    "authors",
    (
        _id(),
        Column("name", "VARCHAR(120)", "str", False, unique=True, max_length=120),
        Column("born", "DATE", "date", True),
        Column(
            "country",
            "VARCHAR(2)",
            "str",
            True,
            max_length=2,
            checks=(_check("LENGTH(country) = 2"),),
        ),
    ),
    primary_key=("id",),
    unique=(("id",), ("name",)),
)
BOOKS = Table(
    "books",
    (
        _id(),
        Column("title", "VARCHAR(200)", "str", False, max_length=200),
        Column(
            "isbn",
            "VARCHAR(13)",
            "str",
            False,
            unique=True,
            max_length=13,
            checks=(_check("LENGTH(isbn) IN (10, 13)"),),
        ),
        Column(
            "price",
            "NUMERIC(8, 2)",
            "Decimal",
            False,
            precision=8,
            scale=2,
            checks=(_check("price >= 0 AND price <= 10000"),),
        ),
        Column("stock", "INTEGER", "int", False, default="0", checks=(_check("stock >= 0"),)),
        Column(
            "format",
            "TEXT",
            "str",
            False,
            default="'paperback'",
            checks=(_check("format IN ('paperback', 'hardcover', 'ebook')"),),
            enum_values=("paperback", "hardcover", "ebook"),
        ),
        Column("published", "DATE", "date", True),
        Column("author_id", "INTEGER", "int", False, foreign_key=ForeignKey("authors", "id")),
        Column(
            "created_at",
            "DATETIME",
            "datetime",
            False,
            default="CURRENT_TIMESTAMP",
            server_generated="default",
        ),
    ),
    primary_key=("id",),
    unique=(("id",), ("isbn",)),
    constraints=(Constraint("foreign_key", ("author_id",), references=("authors", ("id",))),),
)
CATALOG = Catalog(
    "sqlite", (AUTHORS, BOOKS), ddl=tuple(e for e in sqlglot.parse(DDL, read="sqlite") if e)
)
FORMS = (
    FormSpec(
        "add_author",
        "authors",
        "insert",
        HERE,
        fields=("name", "born", "country"),
        labels=(("country", "Country code"),),
        help=(("country", "Two letters, ISO 3166 (e.g. GB)."),),
    ),
    FormSpec(
        "add_book",
        "books",
        "insert",
        HERE,
        fields=("title", "isbn", "price", "stock", "format", "published", "author_id"),
        choices=(("author_id", "SELECT id, name FROM authors ORDER BY name"),),
        rules=(
            RuleSpec(
                "price < 1000 OR title LIKE '%Collector%'",
                HERE,
                "Only collector's editions may cost 1000 or more.",
            ),
            RuleSpec("price must be below 50 for ebooks unless the author is a VIP", HERE),
        ),
    ),
    FormSpec("edit_book", "books", "update", HERE, fields=("title", "price", "stock")),
    FormSpec("delete_author", "authors", "delete", HERE),
)


def _spec(root: Path) -> Spec:
    return Spec(
        root / "scaffold.yaml",
        1,
        "bookshop",
        DatabaseSpec("sqlite"),
        forms=FORMS,
        output=OutputSpec(root / "app" / PACKAGE, root / "app" / "tests"),
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """The package rendered into a tmp dir: (package folder, planner warnings)."""
    root = tmp_path_factory.mktemp("forms")
    spec = _spec(root)
    contracts, warnings = form_contracts(spec, CATALOG, [])
    contracts += code_contracts(spec, CATALOG, [], f"app/{PACKAGE}")
    write_tree(root, contracts)
    (root / "app" / "tests" / "conftest.py").write_text(stand_in_conftest(CATALOG, PACKAGE))
    sys.path.insert(0, str(root / "app"))
    try:
        yield root / "app" / PACKAGE, warnings
    finally:
        sys.path.remove(str(root / "app"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def write_tree(root: Path, contracts: Sequence[Contract]) -> None:
    for contract in contracts:
        for path, text in render_contract(contract, "scaffold.yaml").items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)


def form(generated: tuple[Path, list[str]], name: str) -> Any:
    module: ModuleType = importlib.import_module(f"{PACKAGE}.forms.{name}")
    return module


@pytest.fixture
def conn() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        for statement in DDL.split(";"):
            if statement.strip():
                connection.exec_driver_sql(statement)
        connection.exec_driver_sql("INSERT INTO authors (name) VALUES ('Frank Herbert')")
        yield connection
    engine.dispose()


def stand_in_conftest(catalog: Catalog, package: str) -> str:
    """A stand-in for the generated conftest: `conn` on SQLite holding the sample rows."""
    db = SampleDatabase(catalog, sqlite_ddl(catalog))
    rows = fill_samples(catalog, db)
    db.close()
    return (
        "import datetime\nimport decimal\nimport pathlib\nimport sys\n\n"
        "import pytest\nimport sqlalchemy as sa\n\n"
        "sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))\n"
        "from decimal import Decimal\n\n"
        "from uuid import UUID\n"
        f"ROWS = {rows!r}\nDDL = {sqlite_ddl(catalog)!r}\n\n\n"
        "@pytest.fixture\ndef conn():\n"
        f"    from {package}.forms._runtime import bindable\n"
        "    engine = sa.create_engine('sqlite://')\n"
        "    with engine.connect() as c:\n"
        "        c.exec_driver_sql('PRAGMA foreign_keys = ON')\n"
        "        for statement in DDL:\n"
        "            c.exec_driver_sql(statement)\n"
        "        for table, table_rows in ROWS.items():\n"
        "            for row in table_rows:\n"
        "                names = ', '.join(chr(34) + k + chr(34) for k in row)\n"
        "                marks = ', '.join(':' + k for k in row)\n"
        "                sql = f'INSERT INTO {table} ({names}) VALUES ({marks})'\n"
        "                c.execute(sa.text(sql), bindable(c, row))\n"
        "        yield c\n"
        "    engine.dispose()\n"
    )


VALID_BOOK = {"title": "Dune", "isbn": "9780441013593", "price": "9.99", "author_id": "1"}


def test_plain_words_rule_is_reported_not_stubbed(generated: tuple[Path, list[str]]) -> None:
    _, warnings = generated
    assert warnings == [
        "form add_book rule 2 is in plain words; the template writer cannot enforce it; "
        "set writer: llm on the form"
    ]
    add_book = form(generated, "add_book")
    assert add_book.UNENFORCED_RULES == (
        "price must be below 50 for ebooks unless the author is a VIP",
    )


def test_field_metadata(generated: tuple[Path, list[str]]) -> None:
    fields = {f.name: f for f in form(generated, "add_book").FIELDS}
    assert (fields["title"].input_type, fields["title"].maxlength) == ("text", 200)
    assert (fields["price"].step, fields["price"].min, fields["price"].max) == (
        "0.01",
        "0",
        "10000",
    )
    assert (fields["isbn"].minlength, fields["isbn"].maxlength) == (10, 13)
    assert fields["format"].input_type == "select" and fields["format"].required is False
    assert fields["author_id"].label == "Author" and fields["author_id"].input_type == "select"
    assert fields["published"].input_type == "date"
    country = {f.name: f for f in form(generated, "add_author").FIELDS}["country"]
    assert (country.label, country.help) == ("Country code", "Two letters, ISO 3166 (e.g. GB).")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Title is required."),
        ({"title": "   "}, "title", "Title is required."),
        ({"title": "x" * 201}, "title", "Title must be at most 200 characters long."),
        ({"isbn": "123"}, "isbn", "Isbn must be 10 or 13 characters long."),
        ({"price": "-0.01"}, "price", "Price must be at least 0."),
        ({"price": "10000.01"}, "price", "Price must be at most 10000."),
        ({"price": "1.234"}, "price", "Price must have at most 2 decimal places."),
        ({"price": "1e3"}, "price", "Price must be a number."),
        (
            {"price": "1000000"},
            "price",
            "Price must have at most 6 digits before the decimal point.",
        ),
        ({"price": "1200"}, "price", "Only collector's editions may cost 1000 or more."),
        ({"stock": "-1"}, "stock", "Stock must be at least 0."),
        ({"stock": "1.5"}, "stock", "Stock must be a whole number."),
        ({"format": "vinyl"}, "format", "Format must be one of: paperback, hardcover, ebook."),
        ({"published": "2020-02-30"}, "published", "Published must be a date (YYYY-MM-DD)."),
        ({"author_id": "x"}, "author_id", "Author must be a whole number."),
    ],
)
def test_parse_rejects(
    generated: tuple[Path, list[str]], changes: dict[str, str], field: str, message: str
) -> None:
    value, errors = form(generated, "add_book").parse({**VALID_BOOK, **changes})
    assert value is None
    assert set(errors) == {field} and message in errors[field]


def test_parse_accepts_boundaries_and_collects_all_errors(
    generated: tuple[Path, list[str]],
) -> None:
    add_book = form(generated, "add_book")
    for changes in (
        {"price": "0"},
        {"price": "999.99"},
        {"stock": "0"},
        {"isbn": "0441013597"},
        {"title": "Collector's Dune", "price": "1200"},
        {"title": " Dune "},
    ):
        value, errors = add_book.parse({**VALID_BOOK, **changes})
        assert errors == {} and value is not None, changes
    value, _ = add_book.parse({**VALID_BOOK, "title": " Dune "})
    assert value.title == "Dune" and value.stock is None
    _, errors = add_book.parse({"title": "", "isbn": "1", "price": "x", "author_id": ""})
    assert set(errors) == {"title", "isbn", "price", "author_id"}


def test_unknown_and_server_owned_keys_are_refused(generated: tuple[Path, list[str]]) -> None:
    value, errors = form(generated, "add_book").parse(
        {**VALID_BOOK, "id": "5", "created_at": "2020-01-01", "is_admin": "1", "csrf_token": "t"}
    )
    assert value is None
    assert errors == {
        "": [
            "created_at is set by the server and cannot be set.",
            "id is set by the server and cannot be set.",
            "Unknown field(s): is_admin.",
        ]
    }


def test_submit_inserts_with_database_defaults(
    generated: tuple[Path, list[str]], conn: sa.Connection
) -> None:
    add_book = form(generated, "add_book")
    value, _ = add_book.parse(VALID_BOOK)
    result = add_book.submit(conn, value)
    assert (result.ok, result.errors, result.key, result.rowcount) == (True, {}, {"id": 1}, 1)
    row = conn.exec_driver_sql("SELECT stock, format, price FROM books").one()
    assert tuple(row) == (0, "paperback", 9.99)


def test_unique_and_foreign_key_pre_checks(
    generated: tuple[Path, list[str]], conn: sa.Connection
) -> None:
    add_book = form(generated, "add_book")
    assert add_book.submit(conn, add_book.parse(VALID_BOOK)[0]).ok
    again = add_book.submit(conn, add_book.parse({**VALID_BOOK, "author_id": "99"})[0])
    assert not again.ok
    assert again.errors == {
        "isbn": ["Isbn is already taken."],
        "author_id": ["Author must refer to an existing authors row."],
    }


def test_update_excludes_the_edited_row_and_reports_a_missing_one(
    generated: tuple[Path, list[str]], conn: sa.Connection
) -> None:
    add_book, edit_book = form(generated, "add_book"), form(generated, "edit_book")
    assert add_book.submit(conn, add_book.parse(VALID_BOOK)[0]).ok
    value, errors = edit_book.parse({"id": "1", "title": "Dune II", "price": "5", "stock": "2"})
    assert errors == {}
    assert edit_book.submit(conn, value).ok
    assert conn.exec_driver_sql("SELECT title FROM books").scalar() == "Dune II"
    missing = edit_book.submit(
        conn, edit_book.parse({"id": "7", "title": "x", "price": "1", "stock": "0"})[0]
    )
    assert (missing.ok, missing.errors) == (False, {"": ["This record no longer exists."]})


def test_delete_of_a_referenced_row_is_a_form_error(
    generated: tuple[Path, list[str]], conn: sa.Connection
) -> None:
    add_book, delete_author = form(generated, "add_book"), form(generated, "delete_author")
    assert add_book.submit(conn, add_book.parse(VALID_BOOK)[0]).ok
    result = delete_author.submit(conn, delete_author.parse({"id": "1"})[0])
    assert (result.ok, result.errors) == (False, {"": ["This authors row is still in use."]})
    assert conn.exec_driver_sql("SELECT COUNT(*) FROM authors").scalar() == 1


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"isbn": "9780441013593"}, {"isbn": ["Isbn is already taken."]}),
        ({"isbn": "123"}, {"isbn": ["Isbn must be 10 or 13 characters long."]}),
        ({"stock": -1}, {"stock": ["Stock must be at least 0."]}),
        ({"price": -1}, {"price": ["Price must be at least 0. Price must be at most 10000."]}),
        ({"author_id": 42}, {"author_id": ["Author must refer to an existing row."]}),
        ({"title": None}, {"title": ["Title is required."]}),
    ],
)
def test_integrity_errors_map_to_fields(
    generated: tuple[Path, list[str]],
    conn: sa.Connection,
    changes: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    """Bypassing parse and check, the database's own refusal still lands on the field."""
    add_book = form(generated, "add_book")
    runtime = importlib.import_module(f"{PACKAGE}.forms._runtime")
    assert add_book.submit(conn, add_book.parse(VALID_BOOK)[0]).ok
    params = {
        "title": "Other",
        "isbn": "0441013597",
        "price": 1,
        "stock": 1,
        "format": "ebook",
        "published": None,
        "author_id": 1,
        **changes,
    }
    result = runtime.write(conn, add_book.INSERT, params, add_book.CONSTRAINTS, returns_key=True)
    assert (result.ok, result.errors) == (False, errors)
    # The savepoint kept the caller's transaction usable.
    assert conn.exec_driver_sql("SELECT COUNT(*) FROM books").scalar() == 1


def test_choices(generated: tuple[Path, list[str]], conn: sa.Connection) -> None:
    assert form(generated, "add_book").choices(conn) == {
        "author_id": [("1", "Frank Herbert")],
        "format": [("paperback", "paperback"), ("hardcover", "hardcover"), ("ebook", "ebook")],
    }


def test_html_is_accessible_and_escaped(generated: tuple[Path, list[str]]) -> None:
    add_author = form(generated, "add_author")
    fresh = add_author.render(csrf_token="tok")
    assert "aria-invalid" not in fresh and 'role="alert"' not in fresh
    assert '<label for="add_author-name">' in fresh
    assert '<input type="hidden" name="csrf_token" value="tok">' in fresh
    assert 'maxlength="2" minlength="2"' in fresh
    assert 'aria-describedby="add_author-country-help"' in fresh
    payload = "<script>alert(1)</script>"
    data = {"name": payload, "country": "USA"}
    _, errors = add_author.parse(data)
    page = add_author.render(data, errors, csrf_token='"><script>')
    assert "<script>" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert 'role="alert"' in page and 'href="#add_author-country"' in page
    assert page.count('aria-invalid="true"') == 1
    assert 'aria-describedby="add_author-country-help add_author-country-error"' in page
    assert 'id="add_author-country-error"' in page and 'value="USA"' in page


def test_html_select_keeps_the_choice(generated: tuple[Path, list[str]]) -> None:
    add_book = form(generated, "add_book")
    page = add_book.render(
        {"author_id": "2", "format": "ebook"}, choices={"author_id": [("1", "A & B"), ("2", "<C>")]}
    )
    assert '<option value="2" selected>&lt;C&gt;</option>' in page
    assert '<option value="1">A &amp; B</option>' in page
    assert '<option value="ebook" selected>ebook</option>' in page
    assert 'step="0.01"' in page and 'min="0"' in page and 'max="10000"' in page


def test_generated_code_is_lint_clean(generated: tuple[Path, list[str]]) -> None:
    package, _ = generated
    config = str(ROOT / "pyproject.toml")
    for command in (
        ["ruff", "check", "--config", config, str(package)],
        ["ruff", "format", "--check", "--config", config, str(package)],
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            config,
            "--no-incremental",
            "-p",
            PACKAGE,
        ],
    ):
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=package.parent, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_same_inputs_same_contracts(tmp_path: Path) -> None:
    first, _ = form_contracts(_spec(tmp_path), CATALOG, [])
    second, _ = form_contracts(_spec(tmp_path), CATALOG, [])
    assert [c.hash for c in first] == [c.hash for c in second]
    assert [c.unit for c in first][:3] == ["forms", "forms.add_author", "forms.add_book"]


def run_generated_tests(package: Path) -> subprocess.CompletedProcess[str]:
    tests = package.parent / "tests"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        capture_output=True,
        text=True,
        cwd=package.parent,
        timeout=120,
    )


def test_generated_form_tests_pass(generated: tuple[Path, list[str]]) -> None:
    package, _ = generated
    tests = sorted(p.name for p in (package.parent / "tests").glob("test_form_*.py"))
    assert tests == [f"test_form_{f.name}.py" for f in sorted(FORMS, key=lambda f: f.name)]
    done = run_generated_tests(package)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_generated_form_tests_catch_a_missing_validator(
    generated: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """Delete the stock CHECK from the generated form: its generated tests must fail."""
    package, _ = generated
    copy = tmp_path / "app"
    shutil.copytree(package.parent, copy)
    module = copy / PACKAGE / "forms" / "add_book.py"
    source = module.read_text()
    broken = source.replace('add_error(errors, "stock", "Stock must be at least 0.")', "pass")
    assert broken != source
    module.write_text(broken)
    done = run_generated_tests(copy / PACKAGE)
    assert done.returncode == 1
    assert "stock-past-min" in done.stdout


@pytest.mark.slow
def test_integrity_errors_map_to_fields_on_postgres(
    generated: tuple[Path, list[str]], postgres_url: str
) -> None:
    """PostgreSQL names constraints and columns differently from SQLite; same messages."""
    add_author, add_book = form(generated, "add_author"), form(generated, "add_book")
    runtime = importlib.import_module(f"{PACKAGE}.forms._runtime")
    statements = sqlglot.transpile(DDL, read="sqlite", write="postgres")
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn, conn.begin() as outer:
        for statement in statements:  # DDL is transactional in PostgreSQL: rolled back below
            conn.exec_driver_sql(statement.replace("id INT PRIMARY KEY", "id SERIAL PRIMARY KEY"))
        assert add_author.submit(conn, add_author.parse({"name": "Frank Herbert"})[0]).ok
        assert add_book.submit(conn, add_book.parse(VALID_BOOK)[0]).ok
        base = {
            "title": "X",
            "isbn": "0441013597",
            "price": 1,
            "stock": 1,
            "format": "ebook",
            "published": None,
            "author_id": 1,
        }
        for changes, errors in (
            ({"isbn": "9780441013593"}, {"isbn": ["Isbn is already taken."]}),
            ({"stock": -1}, {"stock": ["Stock must be at least 0."]}),
            ({"author_id": 42}, {"author_id": ["Author must refer to an existing row."]}),
            ({"title": None}, {"title": ["Title is required."]}),
            ({"isbn": "x" * 14}, {"": ["A value is too long or out of range."]}),
        ):
            result = runtime.write(
                conn, add_book.INSERT, {**base, **changes}, add_book.CONSTRAINTS, returns_key=True
            )
            assert (result.ok, result.errors) == (False, errors)
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM books").scalar() == 1
        outer.rollback()
    engine.dispose()


def test_form_data_round_trips_through_parse(generated: tuple[Path, list[str]]) -> None:
    """A row shown for editing, submitted unchanged, parses back to the same values."""
    edit_book = form(generated, "edit_book")
    runtime = importlib.import_module(f"{PACKAGE}.forms._runtime")
    row = {"id": 3, "title": "Dune", "price": Decimal("9.90"), "stock": 0}
    data = runtime.form_data(edit_book.FIELDS, row)
    assert data == {"id": "3", "title": "Dune", "price": "9.90", "stock": "0"}
    value, errors = edit_book.parse(data)
    assert errors == {}
    assert (value.id, value.title, value.price, value.stock) == (3, "Dune", Decimal("9.90"), 0)
