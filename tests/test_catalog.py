"""DDL to Catalog: column facts per dialect, migrations, the real-world corpus, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scaffold.analyze.catalog import build_catalog, catalog_from_text
from scaffold.analyze.model import Catalog, Column, ForeignKey
from scaffold.analyze.types import parse_type, py_type_of, sql_type_text, sqlite_py_type
from scaffold.errors import AnalysisError, ErrorGroup, ScaffoldError

CORPUS = Path("/work/shared/corpus")


def column(dialect: str, ddl: str, table: str, name: str) -> Column:
    found = catalog_from_text(dialect, ddl).table(table)
    assert found is not None, table
    col = found.column(name)
    assert col is not None, name
    return col


# (dialect, DDL, table, column, expected facts)
COLUMN_CASES: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # SQLite: rowid alias, affinity, NOT NULL, defaults, checks as enums
    (
        "sqlite",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)",
        "t",
        "id",
        {
            "py_type": "int",
            "nullable": False,
            "primary_key": True,
            "unique": True,
            "server_generated": "autoincrement",
            "sql_type": "INTEGER",
        },
    ),
    (
        "sqlite",
        "CREATE TABLE t (id INT PRIMARY KEY, x TEXT)",
        "t",
        "id",
        {"server_generated": None, "nullable": False, "primary_key": True},
    ),
    (
        "sqlite",
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)",
        "t",
        "id",
        {"server_generated": "autoincrement"},
    ),
    (
        "sqlite",
        "CREATE TABLE t (id INTEGER PRIMARY KEY) WITHOUT ROWID",
        "t",
        "id",
        {"server_generated": None},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a, b)",
        "t",
        "a",
        {"py_type": "bytes", "sql_type": "BLOB", "nullable": True},
    ),
    ("sqlite", "CREATE TABLE t (a CHARINT)", "t", "a", {"py_type": "int"}),
    ("sqlite", "CREATE TABLE t (a POINTINT)", "t", "a", {"py_type": "int"}),
    (
        "sqlite",
        "CREATE TABLE t (a NVARCHAR(160) NOT NULL)",
        "t",
        "a",
        {"py_type": "str", "sql_type": "NVARCHAR(160)", "max_length": 160, "nullable": False},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a DECIMAL(10,2))",
        "t",
        "a",
        {"py_type": "Decimal", "precision": 10, "scale": 2, "sql_type": "DECIMAL(10, 2)"},
    ),
    ("sqlite", "CREATE TABLE t (a DOUBLE PRECISION)", "t", "a", {"py_type": "float"}),
    ("sqlite", "CREATE TABLE t (a FOOBAR)", "t", "a", {"py_type": "Decimal"}),
    ("sqlite", "CREATE TABLE t (a BOOLEAN, b DATETIME)", "t", "a", {"py_type": "bool"}),
    (
        "sqlite",
        "CREATE TABLE t (a BOOLEAN, b DATETIME DEFAULT CURRENT_TIMESTAMP)",
        "t",
        "b",
        {"py_type": "datetime", "server_generated": "default", "default": "CURRENT_TIMESTAMP"},
    ),
    (
        "sqlite",
        "CREATE TABLE t (d DATE DEFAULT (date('now')))",
        "t",
        "d",
        {"py_type": "date", "server_generated": "default"},
    ),
    (
        "sqlite",
        "CREATE TABLE t (s TEXT NOT NULL DEFAULT 'a' CHECK (s IN ('a', 'b')))",
        "t",
        "s",
        {"enum_values": ("a", "b"), "default": "'a'", "server_generated": None},
    ),
    (
        "sqlite",
        "CREATE TABLE t (s TEXT, CHECK (s = 'x' OR s = 'y'))",
        "t",
        "s",
        {"enum_values": ("x", "y")},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a INTEGER, b INTEGER AS (a * 2) STORED)",
        "t",
        "b",
        {"server_generated": "generated"},
    ),
    ("sqlite", "CREATE TABLE t (a TEXT UNIQUE ON CONFLICT REPLACE)", "t", "a", {"unique": True}),
    (
        "sqlite",
        "CREATE TABLE [T] ([Key] INTEGER, CONSTRAINT [pk] PRIMARY KEY ([Key] DESC))",
        "t",
        "key",
        {"name": "Key", "primary_key": True, "server_generated": "autoincrement"},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a UNSIGNED BIG INT NOT NULL, b FLOATING POINT, c VARYING CHARACTER(9))",
        "t",
        "a",
        {"sql_type": "UNSIGNED BIG INT", "py_type": "int", "nullable": False},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a UNSIGNED BIG INT NOT NULL, b FLOATING POINT, c VARYING CHARACTER(9))",
        "t",
        "b",
        {"sql_type": "FLOATING POINT", "py_type": "int"},
    ),
    (
        "sqlite",
        "CREATE TABLE t (a UNSIGNED BIG INT NOT NULL, b FLOATING POINT, c VARYING CHARACTER(9))",
        "t",
        "c",
        {"sql_type": "VARYING CHARACTER(9)", "py_type": "str"},
    ),
    # PostgreSQL
    (
        "postgres",
        "CREATE TABLE t (id serial PRIMARY KEY)",
        "t",
        "id",
        {"server_generated": "serial", "sql_type": "INTEGER", "nullable": False},
    ),
    (
        "postgres",
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)",
        "t",
        "id",
        {"server_generated": "identity", "sql_type": "BIGINT", "nullable": False},
    ),
    (
        "postgres",
        "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a + 1) STORED)",
        "t",
        "b",
        {"server_generated": "generated", "nullable": True},
    ),
    (
        "postgres",
        "CREATE TABLE t (u uuid DEFAULT gen_random_uuid() NOT NULL)",
        "t",
        "u",
        {"py_type": "UUID", "server_generated": "default", "nullable": False},
    ),
    (
        "postgres",
        "CREATE TABLE t (n int DEFAULT nextval('t_n_seq'::regclass) NOT NULL)",
        "t",
        "n",
        {"server_generated": "serial"},
    ),
    (
        "postgres",
        "CREATE TABLE t (p numeric(10,2) CHECK (p > 0))",
        "t",
        "p",
        {"py_type": "Decimal", "sql_type": "NUMERIC(10, 2)", "precision": 10, "scale": 2},
    ),
    (
        "postgres",
        "CREATE TABLE t (ts timestamp with time zone DEFAULT now())",
        "t",
        "ts",
        {
            "py_type": "datetime",
            "sql_type": "TIMESTAMPTZ",
            "server_generated": "default",
            "default": "CURRENT_TIMESTAMP",
        },
    ),
    (
        "postgres",
        "CREATE TABLE t (tags text[] NOT NULL DEFAULT '{}')",
        "t",
        "tags",
        {
            "py_type": "list",
            "element_py_type": "str",
            "sql_type": "TEXT[]",
            "server_generated": None,
        },
    ),
    (
        "postgres",
        "CREATE TABLE t (j jsonb, i interval, b bytea, m money, c citext)",
        "t",
        "j",
        {"py_type": "dict", "sql_type": "JSONB"},
    ),
    (
        "postgres",
        "CREATE TABLE t (j jsonb, i interval, b bytea, m money, c citext)",
        "t",
        "i",
        {"py_type": "timedelta"},
    ),
    (
        "postgres",
        "CREATE TABLE t (j jsonb, i interval, b bytea, m money, c citext)",
        "t",
        "m",
        {"py_type": "Decimal"},
    ),
    (
        "postgres",
        "CREATE TABLE t (j jsonb, i interval, b bytea, m money, c citext)",
        "t",
        "c",
        {"py_type": "str"},
    ),
    (
        "postgres",
        "CREATE TABLE t (v varchar(30) CONSTRAINT v_ok CHECK (v <> ''))",
        "t",
        "v",
        {"max_length": 30, "nullable": True},
    ),
    (
        "postgres",
        'CREATE TABLE "Mixed" ("Id" int PRIMARY KEY, Name text)',
        "Mixed",
        "Id",
        {"name": "Id", "primary_key": True},
    ),
    (
        "postgres",
        'CREATE TABLE "Mixed" ("Id" int PRIMARY KEY, Name text)',
        "Mixed",
        "name",
        {"name": "name"},
    ),
    (
        "postgres",
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE p (m mood NOT NULL)",
        "p",
        "m",
        {"py_type": "str", "enum_values": ("sad", "ok"), "sql_type": "MOOD"},
    ),
    (
        "postgres",
        "CREATE TABLE t (s text CHECK ((s = ANY (ARRAY['a'::text, 'b'::text]))))",
        "t",
        "s",
        {"enum_values": ("a", "b")},
    ),
    (
        "postgres",
        "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);\nCREATE TABLE t (n posint)",
        "t",
        "n",
        {"py_type": "int", "sql_type": "INTEGER"},
    ),
    (
        "postgres",
        "CREATE TABLE public.a (id int PRIMARY KEY);\n"
        "CREATE TABLE b (a_id int CONSTRAINT b_a REFERENCES public.a)",
        "b",
        "a_id",
        {"foreign_key": ForeignKey("a", "id", "b_a")},
    ),
    # MySQL
    (
        "mysql",
        "CREATE TABLE t (id int unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (id))",
        "t",
        "id",
        {"server_generated": "autoincrement", "primary_key": True, "py_type": "int"},
    ),
    (
        "mysql",
        "CREATE TABLE t (s ENUM('a','b') NOT NULL DEFAULT 'a')",
        "t",
        "s",
        {"enum_values": ("a", "b"), "py_type": "str", "sql_type": "ENUM('a', 'b')"},
    ),
    ("mysql", "CREATE TABLE t (f tinyint(1), g tinyint)", "t", "f", {"py_type": "bool"}),
    ("mysql", "CREATE TABLE t (f tinyint(1), g tinyint)", "t", "g", {"py_type": "int"}),
    (
        "mysql",
        "CREATE TABLE `t` (`c` varchar(20) COMMENT 'the c', UNIQUE KEY uk (`c`))",
        "t",
        "c",
        {"comment": "the c", "unique": True, "max_length": 20},
    ),
    (
        "mysql",
        "CREATE TABLE t (ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "t",
        "ts",
        {"py_type": "datetime", "sql_type": "TIMESTAMP", "server_generated": "default"},
    ),
]


@pytest.mark.parametrize(("dialect", "ddl", "table", "name", "facts"), COLUMN_CASES)
def test_column_facts(dialect: str, ddl: str, table: str, name: str, facts: dict[str, Any]) -> None:
    col = column(dialect, ddl, table, name)
    assert {k: getattr(col, k) for k in facts} == facts


def test_table_constraints_keep_names_and_multi_column_sets() -> None:
    catalog = catalog_from_text(
        "postgres",
        """
        CREATE TABLE a (x int, y int, CONSTRAINT a_pk PRIMARY KEY (x, y));
        CREATE TABLE b (
            id int PRIMARY KEY, x int, y int, lo int, hi int,
            CONSTRAINT b_a FOREIGN KEY (x, y) REFERENCES a (x, y),
            CONSTRAINT b_range CHECK (lo < hi),
            CONSTRAINT b_lo CHECK (lo >= 0),
            UNIQUE (x, y)
        );
        CREATE UNIQUE INDEX b_hi ON b (hi);
        """,
    )
    b = catalog.table("b")
    assert b is not None
    kinds = {(c.kind, c.columns, c.name) for c in b.constraints}
    assert ("foreign_key", ("x", "y"), "b_a") in kinds
    assert ("check", ("lo", "hi"), "b_range") in kinds
    assert ("unique", ("hi",), "b_hi") in kinds
    assert b.unique == (("id",), ("x", "y"), ("hi",))
    lo, hi = b.column("lo"), b.column("hi")
    assert lo is not None and hi is not None
    assert [c.sql() for c in lo.checks] == ["lo >= 0"]
    assert hi.unique and not hi.checks
    x = b.column("x")
    assert x is not None and x.foreign_key is None  # part of a two-column key only


def test_alter_statements_apply_in_order() -> None:
    catalog = catalog_from_text(
        "postgres",
        """
        CREATE TABLE t (id int, a text, gone int);
        ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id);
        ALTER TABLE t ADD COLUMN b varchar(5) NOT NULL DEFAULT 'x';
        ALTER TABLE t DROP COLUMN gone;
        ALTER TABLE t RENAME COLUMN a TO title;
        ALTER TABLE t ALTER COLUMN title SET NOT NULL;
        ALTER TABLE t ALTER COLUMN b DROP DEFAULT;
        ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
        ALTER TABLE t RENAME TO things;
        CREATE TABLE u (t_id int REFERENCES things (id));
        ALTER TABLE things RENAME COLUMN id TO thing_id;
        COMMENT ON TABLE things IS 'Things';
        COMMENT ON COLUMN things.title IS 'The title';
        """,
    )
    things = catalog.table("things")
    assert things is not None and catalog.table("t") is None
    assert [c.name for c in things.columns] == ["thing_id", "title", "b"]
    title, b, key = things.column("title"), things.column("b"), things.column("thing_id")
    assert title is not None and not title.nullable and title.comment == "The title"
    assert b is not None and b.default is None and b.max_length == 5
    assert key is not None and key.server_generated == "identity" and key.primary_key
    assert things.comment == "Things"
    u = catalog.table("u")
    assert u is not None
    assert u.columns[0].foreign_key == ForeignKey("things", "thing_id")


def test_enum_type_grows_with_alter_type() -> None:
    catalog = catalog_from_text(
        "postgres",
        "CREATE TYPE s AS ENUM ('a', 'c');\nALTER TYPE s ADD VALUE 'b' BEFORE 'c';\n"
        "ALTER TYPE s ADD VALUE 'd';\nCREATE TABLE t (x s);",
    )
    assert catalog.enum("s") == ("a", "b", "c", "d")
    assert column("postgres", "CREATE TYPE s AS ENUM ('a');\nCREATE TABLE t (x s[])", "t", "x")


def test_views_take_direct_columns_and_outer_join_nullability() -> None:
    catalog = catalog_from_text(
        "sqlite",
        """
        CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL, note TEXT NOT NULL);
        CREATE VIEW v AS SELECT a.id, a.name AS who, b.note, upper(a.name) AS loud
            FROM a LEFT JOIN b ON b.a_id = a.id;
        DROP VIEW IF EXISTS missing;
        """,
    )
    view = catalog.table("v")
    assert view is not None and view.is_view
    facts = [(c.name, c.py_type, c.nullable) for c in view.columns]
    assert facts[:3] == [("id", "int", False), ("who", "str", False), ("note", "str", True)]
    assert facts[3][:2] == ("loud", "str")


def test_drop_table_removes_it() -> None:
    catalog = catalog_from_text("mysql", "CREATE TABLE a (x int);\nDROP TABLE a;")
    assert catalog.tables == ()


def test_ddl_keeps_applied_statements_in_order() -> None:
    catalog = catalog_from_text(
        "postgres",
        "SET x = 1;\nCREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS int "
        "AS $$ SELECT 1; $$ LANGUAGE sql;\nALTER TABLE a ADD COLUMN y int;",
    )
    assert [type(e).__name__ for e in catalog.ddl] == ["Create", "Alter"]
    table = catalog.table("a")
    assert table is not None and table.pos is not None and table.pos.line == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-- +goose Up\nCREATE TABLE a (x int);\n-- +goose Down\nDROP TABLE a;\n", ["a"]),
        ("-- +migrate Up\nCREATE TABLE a (x int);\n-- +migrate Down\nDROP TABLE a;\n", ["a"]),
        ("-- migrate:up\nCREATE TABLE a (x int);\n-- migrate:down\nDROP TABLE a;\n", ["a"]),
        ("CREATE TABLE a (x int);\n", ["a"]),
    ],
)
def test_migration_markers_keep_only_up(text: str, expected: list[str]) -> None:
    assert [t.name for t in catalog_from_text("sqlite", text).tables] == expected


def test_migrations_folder_applies_in_name_order_and_skips_down_files(tmp_path: Path) -> None:
    (tmp_path / "002_add.up.sql").write_text("ALTER TABLE a ADD COLUMN y TEXT;")
    (tmp_path / "002_add.down.sql").write_text("ALTER TABLE a DROP COLUMN y;")
    (tmp_path / "001_init.up.sql").write_text("CREATE TABLE a (x INTEGER);")
    (tmp_path / "notes.txt").write_text("not sql")
    table = build_catalog("sqlite", [tmp_path]).table("a")
    assert table is not None and [c.name for c in table.columns] == ["x", "y"]


def test_sqlc_ondeck_migrations() -> None:
    catalog = build_catalog("sqlite", [CORPUS / "sqlc-ondeck-sqlite" / "schema"])
    venue = catalog.table("venue")
    assert venue is not None and catalog.table("venues") is None
    names = [c.name for c in venue.columns]
    assert "dropped" not in names and names[-1] == "created_at"
    status, created = venue.column("status"), venue.column("created_at")
    assert status is not None and status.enum_values == ("open", "closed")
    assert created is not None and created.server_generated == "default"
    city = venue.column("city")
    assert city is not None and city.foreign_key == ForeignKey("city", "slug")


def corpus_cases() -> list[Any]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        dialect = "postgres" if folder.name.endswith("postgresql") else "sqlite"
        schema = folder / "schema"
        paths = [schema] if schema.is_dir() else [folder / "schema.sql"]
        cases.append(pytest.param(dialect, paths, id=folder.name))
    return cases


@pytest.mark.parametrize(("dialect", "paths"), corpus_cases())
def test_corpus_schema_loads(dialect: str, paths: list[Path]) -> None:
    catalog = build_catalog(dialect, paths)
    tables = [t for t in catalog.tables if not t.is_view]
    assert tables and all(t.columns for t in catalog.tables)
    assert all(t.primary_key for t in tables if t.name != "pilots") or dialect == "postgres"


def test_pagila_facts() -> None:
    catalog = build_catalog("postgres", [CORPUS / "pagila-postgresql" / "schema.sql"])
    film = catalog.table("film")
    assert film is not None and film.primary_key == ("film_id",)
    facts = {c.name: c for c in film.columns}
    assert facts["film_id"].server_generated == "serial"
    assert facts["rating"].enum_values == ("G", "PG", "PG-13", "R", "NC-17")
    assert facts["release_year"].py_type == "int" and facts["release_year"].checks
    assert facts["length_hours"].server_generated == "generated"
    assert facts["special_features"].element_py_type == "str"
    assert facts["language_id"].foreign_key == ForeignKey(
        "language", "language_id", "film_language_id_fkey"
    )
    store = catalog.table("store")
    assert store is not None and ("manager_staff_id",) in store.unique
    view = catalog.table("rental_by_category")
    assert view is not None and view.is_view and ("category",) in view.unique
    assert [c.name for c in view.columns] == ["category", "total_sales"]


def errors_of(dialect: str, text: str) -> list[ScaffoldError]:
    with pytest.raises(ScaffoldError) as caught:
        catalog_from_text(dialect, text, "schema.sql")
    err = caught.value
    return err.errors if isinstance(err, ErrorGroup) else [err]


@pytest.mark.parametrize(
    ("dialect", "text", "line", "column", "words"),
    [
        (
            "postgres",
            "CREATE TABLE t (\n  a int NOT NULL,\n  b int NOT NULL NOT,\n);",
            3,
            20,
            "Expecting ) near 'NOT'",
        ),
        (
            "sqlite",
            "CREATE TABLE books (x INT);\n\nALTER TABLE bokos ADD COLUMN y INT;",
            3,
            1,
            'did you mean "books"',
        ),
        (
            "postgres",
            "CREATE TABLE books (title text);\nALTER TABLE books DROP COLUMN titel;",
            2,
            1,
            'did you mean "title"',
        ),
        ("postgres", "CREATE TABLE a (x int);\nCREATE TABLE a (y int);", 2, 1, "already exists"),
        ("mysql", "CREATE TABLE t (x int);\nCREATE UNIQUE INDEX u ON t (y);", 2, 1, "'y'"),
    ],
)
def test_errors_have_positions(dialect: str, text: str, line: int, column: int, words: str) -> None:
    (err,) = errors_of(dialect, text)
    assert isinstance(err, AnalysisError)
    assert err.location is not None
    assert (err.location.file, err.location.line, err.location.column) == (
        "schema.sql",
        line,
        column,
    )
    assert words in str(err)


def test_all_errors_of_a_run_are_reported() -> None:
    errors = errors_of(
        "sqlite", "ALTER TABLE x ADD COLUMN a INT;\nCREATE TABLE t (a INT);\nALTER TABLE y DROP a;"
    )
    assert [e.location.line for e in errors if e.location] == [1, 3]


def test_unparseable_function_is_skipped_but_not_a_table() -> None:
    catalog = catalog_from_text(
        "postgres", "CREATE FUNCTION f( RETURNS ???;\nCREATE TABLE t (x int);"
    )
    assert [t.name for t in catalog.tables] == ["t"]


def test_missing_file_and_unknown_dialect(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="does not exist"):
        build_catalog("sqlite", [tmp_path / "nope.sql"])
    with pytest.raises(AnalysisError, match="did you mean"):
        build_catalog("postgresql", [])


@pytest.mark.parametrize(
    ("dialect", "text", "sql", "py"),
    [
        ("postgres", "integer", "INTEGER", "int"),
        ("postgres", "double precision", "DOUBLE PRECISION", "float"),
        ("postgres", "character varying(20)", "VARCHAR(20)", "str"),
        ("postgres", "timestamp", "TIMESTAMP", "datetime"),
        ("postgres", "time", "TIME", "time"),
        ("postgres", "date", "DATE", "date"),
        ("postgres", "boolean", "BOOLEAN", "bool"),
        ("postgres", "inet", "INET", "str"),
        ("postgres", "xml", "XML", "str"),
        ("postgres", "uuid", "UUID", "UUID"),
        ("postgres", "json", "JSON", "dict"),
        ("postgres", "int[]", "INTEGER[]", "list"),
        ("mysql", "decimal(10,2)", "DECIMAL(10, 2)", "Decimal"),
        ("mysql", "datetime", "DATETIME", "datetime"),
        ("mysql", "longblob", "LONGBLOB", "bytes"),
        ("sqlite", "NUMERIC", "NUMERIC", "Decimal"),
        ("sqlite", "REAL", "REAL", "float"),
    ],
)
def test_types(dialect: str, text: str, sql: str, py: str) -> None:
    dtype = parse_type(text, dialect)
    assert (sql_type_text(dtype, dialect), py_type_of(dtype, dialect)) == (sql, py)


@pytest.mark.parametrize(
    ("declared", "py"),
    [
        ("", "bytes"),
        ("BLOB", "bytes"),
        ("VARCHAR(3)", "str"),
        ("CLOB", "str"),
        ("BIGINT", "int"),
        ("REAL", "float"),
        ("MONEYISH", "Decimal"),
        ("TIMESTAMP", "datetime"),
    ],
)
def test_sqlite_affinity(declared: str, py: str) -> None:
    assert sqlite_py_type(declared) == py


def test_catalog_is_deterministic() -> None:
    path = [CORPUS / "pagila-postgresql" / "schema.sql"]
    first: Catalog = build_catalog("postgres", path)
    assert first == build_catalog("postgres", path)


def test_mysql_modify_and_change_column() -> None:
    catalog = catalog_from_text(
        "mysql",
        "CREATE TABLE t (id int NOT NULL, a int, b int);\n"
        "ALTER TABLE t MODIFY COLUMN a varchar(20) NOT NULL;\n"
        "ALTER TABLE t CHANGE COLUMN b c bigint;\n"
        "ALTER TABLE t ADD PRIMARY KEY (id), ADD UNIQUE KEY uc (c);",
    )
    table = catalog.table("t")
    assert table is not None
    facts = [(c.name, c.sql_type, c.nullable, c.unique) for c in table.columns]
    assert facts == [
        ("id", "INT", False, True),
        ("a", "VARCHAR(20)", False, False),
        ("c", "BIGINT", True, True),
    ]


def test_create_table_like_copies_columns() -> None:
    catalog = catalog_from_text(
        "postgres",
        "CREATE TABLE a (id int PRIMARY KEY, b text CHECK (b <> ''));\n"
        "CREATE TABLE full_copy (LIKE a INCLUDING ALL, extra int);\n"
        "CREATE TABLE bare_copy (LIKE a);",
    )
    full, bare = catalog.table("full_copy"), catalog.table("bare_copy")
    assert full is not None and bare is not None
    assert [c.name for c in full.columns] == ["id", "b", "extra"]
    assert full.primary_key == ("id",) and bare.primary_key == ()
    assert [(c.name, c.nullable) for c in bare.columns] == [("id", False), ("b", True)]
