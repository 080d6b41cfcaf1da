"""database.url: a live database reflected with SQLAlchemy gives the catalog its DDL gives.

One schema is built both ways (the DDL file, and a real PostgreSQL or a SQLite file loaded with
that DDL) and every column fact is compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from scaffold.analyze.catalog import catalog_from_text
from scaffold.analyze.model import Catalog
from scaffold.analyze.reflect import reflect_catalog
from scaffold.analyze.reflect_sql import server_check, server_default
from scaffold.plan.ddl import schema_ddl
from tests.pgdatabases import PostgresDatabases, postgres_databases, sqlite_file

ROOT = Path(__file__).resolve().parent.parent
HELPDESK = (ROOT / "examples/helpdesk/schema.sql").read_text(encoding="utf-8")
BOOKSHOP = (ROOT / "examples/bookshop/schema.sql").read_text(encoding="utf-8")

POSTGRES_RICH = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_money AS numeric(10, 2) NOT NULL CHECK (VALUE > 0);
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    code char(4) NOT NULL,
    region varchar(8) NOT NULL DEFAULT 'eu' CHECK (region IN ('eu', 'us')),
    balance positive_money,
    debt numeric(12, 3) DEFAULT 0,
    delta integer NOT NULL DEFAULT -1,
    ratio double precision,
    active boolean NOT NULL DEFAULT true,
    feeling mood,
    scores integer[] NOT NULL DEFAULT '{}',
    doc json,
    born date,
    wake time,
    span interval,
    raw bytea,
    doubled integer GENERATED ALWAYS AS (delta * 2) STORED,
    CONSTRAINT accounts_code_region UNIQUE (code, region),
    CONSTRAINT debt_small CHECK (debt < 1000 OR active = false)
);
CREATE UNIQUE INDEX accounts_code_only ON accounts (code);
CREATE UNIQUE INDEX accounts_partial ON accounts (region) WHERE active;
COMMENT ON TABLE accounts IS 'Money holders';
COMMENT ON COLUMN accounts.code IS 'Short code';
CREATE TABLE "Entries" (
    "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id integer NOT NULL,
    amount numeric(10, 2) NOT NULL CHECK (amount <> 0),
    note text,
    CONSTRAINT entries_account FOREIGN KEY (account_id) REFERENCES accounts (id)
);
CREATE VIEW rich_accounts AS
    SELECT a.id, a.code, e.amount FROM accounts a LEFT JOIN "Entries" e ON e.account_id = a.id;
CREATE VIEW richer AS SELECT id, code FROM rich_accounts WHERE amount > 100;
CREATE TABLE events (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))
    PARTITION BY RANGE (at);
CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE MATERIALIZED VIEW event_days AS SELECT at, count(*) AS n FROM events GROUP BY at;
"""
SQLITE_RICH = """
CREATE TABLE kinds (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE things (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL REFERENCES kinds (name),
    code INT NOT NULL,
    label varchar(20) DEFAULT 'x' CHECK (length(label) > 0),
    weight REAL DEFAULT -1.5,
    price DECIMAL(8, 2),
    stamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    blob_col,
    flag BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (kind, code),
    CONSTRAINT label_known CHECK (label IN ('x', 'y'))
);
CREATE TABLE pairs (a INT PRIMARY KEY, b INTEGER UNIQUE);
CREATE UNIQUE INDEX things_label ON things (label);
CREATE INDEX things_code ON things (code);
CREATE VIEW thing_kinds AS SELECT t.id, k.name FROM things t JOIN kinds k ON k.name = t.kind;
"""


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Iterator[PostgresDatabases]:
    with postgres_databases(postgres_url) as databases:
        yield databases


def facts(catalog: Catalog) -> dict[str, Any]:
    """Every fact of every table and column, constraint names aside (servers name them)."""
    out: dict[str, Any] = {}
    for table in catalog.tables:
        constraints = sorted(
            (c.kind, c.columns, c.references, _sql(c.expression)) for c in table.constraints
        )
        out[table.name] = (table.primary_key, sorted(table.unique), table.is_view, constraints)
        out[table.name] += (table.comment,)
        for column in table.columns:
            fields = asdict(column)
            fields["checks"] = sorted(_sql(c) for c in column.checks)
            fk = column.foreign_key
            fields["foreign_key"] = (fk.table, fk.column) if fk else None
            out[f"{table.name}.{column.name}"] = fields
    return out


def _sql(expression: Any) -> str | None:
    # A domain's CHECK keeps its parentheses in the DDL path; the server drops them.
    return expression.unnest().sql() if expression is not None else None


@pytest.mark.parametrize("ddl", [HELPDESK, POSTGRES_RICH], ids=["helpdesk", "rich"])
def test_postgres_reflection_matches_the_ddl(ddl: str, pg: PostgresDatabases) -> None:
    reflected = reflect_catalog(pg.create(ddl), "postgres")
    from_ddl = catalog_from_text("postgres", ddl)
    assert facts(reflected) == facts(from_ddl)
    assert sorted(reflected.enums) == sorted(from_ddl.enums)


@pytest.mark.parametrize("ddl", [BOOKSHOP, SQLITE_RICH], ids=["bookshop", "rich"])
def test_sqlite_reflection_matches_the_ddl(ddl: str, tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "app.db", ddl)
    reflected = reflect_catalog(f"sqlite:///{path}", "sqlite")
    assert facts(reflected) == facts(catalog_from_text("sqlite", ddl))


def test_reflected_tables_come_in_foreign_key_order(pg: PostgresDatabases) -> None:
    catalog = reflect_catalog(pg.create(HELPDESK), "postgres")
    names = [t.name for t in catalog.tables]
    assert names.index("teams") < names.index("agents") < names.index("tickets")
    assert names.index("tickets") < names.index("ticket_watchers")


SERVER_FILLED = [
    ("accounts", "id", "serial", None),
    ("accounts", "doubled", "generated", None),
    ("Entries", "Id", "identity", None),
    ("accounts", "delta", None, "-1"),
    ("accounts", "region", None, "'eu'"),
    ("accounts", "scores", None, "'{}'"),
    ("accounts", "active", None, "TRUE"),
]


@pytest.mark.parametrize(("table", "column", "generated", "default"), SERVER_FILLED)
def test_server_generated_columns_and_defaults(
    table: str, column: str, generated: str | None, default: str | None, pg: PostgresDatabases
) -> None:
    found = _rich(pg).table(table)
    assert found is not None
    col = found.column(column)
    assert col is not None
    assert (col.server_generated, col.default) == (generated, default)


_RICH: dict[str, Catalog] = {}


def _rich(pg: PostgresDatabases) -> Catalog:
    if "catalog" not in _RICH:
        _RICH["catalog"] = reflect_catalog(pg.create(POSTGRES_RICH), "postgres")
    return _RICH["catalog"]


def test_domain_enum_and_unknown_types(pg: PostgresDatabases) -> None:
    accounts = _rich(pg).table("accounts")
    assert accounts is not None
    balance, feeling = accounts.column("balance"), accounts.column("feeling")
    assert balance is not None and feeling is not None
    assert (balance.sql_type, balance.nullable, balance.precision) == ("NUMERIC(10, 2)", False, 10)
    assert [c.sql() for c in balance.checks] == ["balance > 0"]
    assert feeling.enum_values == ("sad", "ok", "happy")


def test_a_type_sqlalchemy_does_not_know_is_read_from_the_server(pg: PostgresDatabases) -> None:
    url = pg.create("CREATE TABLE docs (id int PRIMARY KEY, words tsvector, spot point)")
    docs = reflect_catalog(url, "postgres").table("docs")
    assert docs is not None
    assert [(c.name, c.sql_type, c.py_type) for c in docs.columns[1:]] == [
        ("words", "TSVECTOR", "str"),
        ("spot", "POINT", "str"),
    ]


def test_views_are_rebuilt_by_the_generated_schema(pg: PostgresDatabases) -> None:
    catalog = _rich(pg)
    view = catalog.table("rich_accounts")
    assert view is not None and view.is_view
    assert [(c.name, c.nullable) for c in view.columns] == [
        ("id", False),
        ("code", False),
        ("amount", True),
    ]
    statements = schema_ddl(catalog, "sqlite")
    assert any(s.startswith('CREATE VIEW "rich_accounts" AS SELECT') for s in statements)
    assert any("GENERATED ALWAYS AS" in s for s in statements)


SERVER_SQL = [
    ("hourly_rate > 0::numeric", "hourly_rate > 0"),
    ("length(subject::text) >= 3", "LENGTH(subject) >= 3"),
    (
        "st::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])",
        "st IN ('a', 'b')",
    ),
    ("((price >= (0)::numeric) AND (price <= (10000)::numeric))", "price >= 0 AND price <= 10000"),
    ("((a > 1) OR (b < 2)) AND (c = 3)", "(a > 1 OR b < 2) AND c = 3"),
    ("(a + b) > 0", "(a + b) > 0"),
    ("amount::text ~ '^[0-9]+$'", "CAST(amount AS TEXT) ~ '^[0-9]+$'"),
]


@pytest.mark.parametrize(("server", "expected"), SERVER_SQL)
def test_server_checks_read_as_written(server: str, expected: str) -> None:
    check = server_check(server, "postgres", ["subject", "st"])
    assert check is not None
    assert check.sql("postgres") == expected


SERVER_DEFAULTS = [
    ("'open'::ticket_status", "'open'"),
    ("now()", "CURRENT_TIMESTAMP"),
    ("'{}'::text[]", "'{}'"),
    ("'-1'::integer", "-1"),
    ("'1.5'::numeric", "1.5"),
    ("'1 day'::interval", "'1 day'"),
    ("gen_random_uuid()", "GEN_RANDOM_UUID()"),
]


@pytest.mark.parametrize(("server", "expected"), SERVER_DEFAULTS)
def test_server_defaults_read_as_written(server: str, expected: str) -> None:
    default = server_default(server, "postgres")
    assert default is not None
    assert default.sql("postgres") == expected
