"""schema_ddl: the catalog rebuilt in SQLite and PostgreSQL, checked by reflecting it back."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlglot

from scaffold.analyze.catalog import build_catalog, catalog_from_text
from scaffold.analyze.model import Catalog
from scaffold.plan.ddl import schema_ddl

CORPUS = Path("/work/shared/corpus")


def corpus_cases() -> list[Any]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        dialect = "postgres" if folder.name.endswith("postgresql") else "sqlite"
        schema = folder / "schema"
        paths = [schema] if schema.is_dir() else [folder / "schema.sql"]
        cases.append(pytest.param(dialect, paths, id=folder.name))
    return cases


def build(engine: sa.Engine, statements: tuple[str, ...]) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(
                statement.replace("%", "%%") if "psycopg" in str(engine.url) else statement
            )


def assert_reflects(engine: sa.Engine, catalog: Catalog, fold: bool, views: bool = True) -> None:
    """Every table comes back with the catalog's columns, NOT NULL and primary key."""
    inspector = sa.inspect(engine)
    for table in (t for t in catalog.tables if not t.is_view):
        name = table.name.lower() if fold else table.name
        reflected = inspector.get_columns(name)
        got = [(c["name"], c["nullable"]) for c in reflected]
        want = [((c.name.lower() if fold else c.name), c.nullable) for c in table.columns]
        assert got == want, table.name
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        assert sorted(pk) == sorted(c.lower() if fold else c for c in table.primary_key)
    if views:
        names = {t.name.lower() for t in catalog.tables if t.is_view}
        assert names <= {v.lower() for v in inspector.get_view_names()}


@pytest.mark.parametrize(("dialect", "paths"), corpus_cases())
def test_corpus_builds_in_sqlite(dialect: str, paths: list[Path]) -> None:
    catalog = build_catalog(dialect, paths)
    statements = schema_ddl(catalog, "sqlite")
    assert statements == schema_ddl(catalog, "sqlite")  # deterministic
    engine = sa.create_engine("sqlite://")
    build(engine, statements)
    assert_reflects(engine, catalog, fold=False)


@pytest.mark.parametrize(("dialect", "paths"), corpus_cases())
def test_corpus_postgres_ddl_parses(dialect: str, paths: list[Path]) -> None:
    catalog = build_catalog(dialect, paths)
    for statement in schema_ddl(catalog, "postgres"):
        assert sqlglot.parse_one(statement, read="postgres") is not None


@pytest.mark.slow
def test_corpus_builds_in_postgres(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    for i, case in enumerate(corpus_cases()):
        dialect, paths = case.values
        catalog = build_catalog(dialect, paths)
        schema = f"ddl_case_{i}"
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        scoped = sa.create_engine(postgres_url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            build(scoped, schema_ddl(catalog, "postgres"))
            # Views calling the schema's own functions are left out (functions are not rebuilt).
            assert_reflects(scoped, catalog, fold=dialect != "postgres", views=False)
        finally:
            scoped.dispose()
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


PG_SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE person (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    legacy uuid DEFAULT uuid_generate_v4(),
    feeling mood NOT NULL DEFAULT 'ok',
    tags text[] NOT NULL DEFAULT '{}',
    extra jsonb,
    joined timestamptz NOT NULL DEFAULT now(),
    score numeric(5, 2) CHECK (score >= 0),
    nick text CHECK (nick ~ '^[a-z]+$')
);
CREATE TABLE pet (
    id serial PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES person (id),
    name varchar(20) NOT NULL
);
"""


def sqlite_of(text: str, dialect: str = "postgres") -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA foreign_keys = ON")
    for statement in schema_ddl(catalog_from_text(dialect, text), "sqlite"):
        conn.execute(statement)
    return conn


def test_postgres_schema_in_sqlite_keeps_keys_defaults_and_enums() -> None:
    conn = sqlite_of(PG_SCHEMA)
    conn.execute("INSERT INTO person (score) VALUES (1.5)")
    token, legacy, feeling, tags, joined = conn.execute(
        "SELECT token, legacy, feeling, tags, joined FROM person"
    ).fetchone()
    assert uuid.UUID(token).version == 4  # gen_random_uuid() has a SQLite equivalent
    assert uuid.UUID(legacy).version == 4
    assert (feeling, tags) == ("ok", "{}")
    assert joined[:2] == "20"  # now() became CURRENT_TIMESTAMP
    conn.execute("INSERT INTO pet (owner_id, name) VALUES (1, 'Rex')")
    assert conn.execute("SELECT id FROM pet").fetchone() == (1,)
    for bad in (
        "INSERT INTO person (feeling) VALUES ('angry')",
        "INSERT INTO person (score) VALUES (-1)",
        "INSERT INTO pet (owner_id, name) VALUES (99, 'Ghost')",
        "INSERT INTO pet (owner_id) VALUES (1)",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(bad)


def test_checks_sqlite_cannot_evaluate_are_dropped_with_a_reason() -> None:
    statements = schema_ddl(catalog_from_text("postgres", PG_SCHEMA), "sqlite")
    person = next(s for s in statements if '"person"' in s.split("(")[0])
    assert "-- CHECK dropped" in person and "REGEXP" in person.upper()


def test_postgres_target_creates_enum_types_first_and_identity_keys() -> None:
    statements = schema_ddl(catalog_from_text("postgres", PG_SCHEMA), "postgres")
    assert statements[0] == "CREATE TYPE \"mood\" AS ENUM ('sad', 'ok', 'happy')"
    person = statements[1]
    assert '"id" BIGINT GENERATED BY DEFAULT AS IDENTITY' in person
    assert '"feeling" "mood" NOT NULL' in person
    assert '"id" SERIAL' in statements[2]
    assert "GEN_RANDOM_UUID()" in person and "uuid_generate" not in person.lower()


def test_foreign_key_cycles_become_alters_in_postgres() -> None:
    catalog = catalog_from_text(
        "postgres",
        "CREATE TABLE a (id int PRIMARY KEY, b_id int);\n"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n"
        "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id);",
    )
    statements = schema_ddl(catalog, "postgres")
    assert statements[-1].startswith('ALTER TABLE "a" ADD CONSTRAINT "a_b" FOREIGN KEY')
    assert len(schema_ddl(catalog, "sqlite")) == 2  # SQLite checks references lazily


def test_tables_come_in_foreign_key_order_and_views_last() -> None:
    catalog = catalog_from_text(
        "sqlite",
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));\n"
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n"
        "CREATE VIEW kids AS SELECT c.id FROM child c;",
    )
    heads = [s.split("(")[0].strip() for s in schema_ddl(catalog, "sqlite")]
    assert heads == [
        'CREATE TABLE "parent"',
        'CREATE TABLE "child"',
        'CREATE VIEW "kids" AS SELECT c.id FROM child AS c',
    ]


def test_mysql_schema_in_sqlite() -> None:
    conn = sqlite_of(
        "CREATE TABLE `t` (`id` int unsigned NOT NULL AUTO_INCREMENT, "
        "`kind` enum('a','b') NOT NULL DEFAULT 'a', `at` datetime DEFAULT CURRENT_TIMESTAMP, "
        "PRIMARY KEY (`id`)) ENGINE=InnoDB",
        "mysql",
    )
    conn.execute("INSERT INTO t (at) VALUES (NULL)")
    assert conn.execute("SELECT id, kind FROM t").fetchone() == (1, "a")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t (kind) VALUES ('c')")
