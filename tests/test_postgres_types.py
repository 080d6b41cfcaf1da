"""The helpdesk example's analysis checked on real PostgreSQL rows: every value a query or a
table returns has the Python type the analysis gives it, a column said never NULL never is, and
the columns said nullable (outer joins, MAX of nothing, optional columns) really can be."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from scaffold.analyze.model import Catalog, PyType, QueryInfo
from scaffold.analyze.reflect import reflect_catalog
from scaffold.pipeline import analyze, load
from tests.pgdatabases import postgres_databases

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples/helpdesk/scaffold.yaml"
AGENT = "5b2f2d0e-1a43-4c8e-9b0a-0c6f3b1f1a01"
ROWS = f"""
INSERT INTO teams (name) VALUES ('Ops'), ('Empty');
INSERT INTO agents (id, team_id, email, full_name, skills, hourly_rate)
VALUES ('{AGENT}', 1, 'ada@example.com', 'Ada', ARRAY['sql', 'printers'], 42.50),
       (gen_random_uuid(), 1, 'bob@example.com', 'Bob', ARRAY['sql'], NULL);
INSERT INTO tickets (subject, body, priority, team_id, assignee_id, metadata, tags, due_on)
VALUES ('Printer on fire', 'It is on fire.', 'urgent', 1, '{AGENT}', '{{"floor": 3}}',
        ARRAY['printer'], '2030-01-31'),
       ('No assignee', 'Nobody has it.', 'low', 1, NULL, DEFAULT, NULL, NULL);
INSERT INTO ticket_watchers VALUES (1, '{AGENT}');
"""
PARAMS: dict[str, Any] = {
    "team_id": 1,
    "id": 1,
    "skill": "sql",
    "tags": ["printer"],
    "ticket_id": 2,
    "agent_id": UUID(AGENT),
    "name": "Ops",
}
PY_TYPES: dict[PyType, type[Any]] = {
    "int": int,
    "float": float,
    "Decimal": Decimal,
    "str": str,
    "bool": bool,
    "bytes": bytes,
    "date": date,
    "datetime": datetime,
    "time": time,
    "timedelta": timedelta,
    "UUID": UUID,
    "dict": dict,
    "list": list,
}
# (query, column) the analysis calls nullable that these rows make NULL: the inference is needed.
NULL_WITNESSES = [
    ("OpenTicketsForTeam", "assignee"),  # LEFT JOIN agents, ticket without assignee
    ("OpenTicketsForTeam", "due_on"),
    ("TeamWorkload", "latest"),  # MAX over a team without tickets
    ("AgentsWithSkill", "hourly_rate"),
]


@pytest.fixture(scope="module")
def helpdesk(postgres_url: str) -> Iterator[tuple[sa.Engine, Catalog, tuple[QueryInfo, ...]]]:
    schema = (ROOT / "examples/helpdesk/schema.sql").read_text(encoding="utf-8")
    with postgres_databases(postgres_url) as databases:
        url = databases.create(schema + ROWS)
        engine = sa.create_engine(url)
        try:
            yield engine, reflect_catalog(url, "postgres"), analyze(load(SPEC)).queries
        finally:
            engine.dispose()


def assert_value(
    value: Any, py_type: PyType, nullable: bool, element: PyType | None, where: str
) -> None:
    if value is None:
        assert nullable, f"{where} is NULL, but the analysis says it never is"
        return
    expected = PY_TYPES[py_type]
    # A datetime is a date too: a DATE column must not arrive as a datetime.
    assert type(value) is expected or (expected is not date and isinstance(value, expected)), (
        f"{where}: the analysis says {py_type}, the server gave {value!r}"
    )
    if element is not None:
        assert all(isinstance(v, PY_TYPES[element]) for v in value if v is not None), where


def run(engine: sa.Engine, query: QueryInfo) -> list[sa.Row[Any]]:
    params = {p.name: PARAMS[p.name] for p in query.params}
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = conn.execute(sa.text(query.sql), params)
            return list(result) if result.returns_rows else []
        finally:
            transaction.rollback()


def test_every_table_column_has_its_type_on_real_rows(
    helpdesk: tuple[sa.Engine, Catalog, tuple[QueryInfo, ...]],
) -> None:
    engine, catalog, _ = helpdesk
    with engine.connect() as conn:
        for table in catalog.tables:
            rows = conn.execute(sa.text(f"SELECT * FROM {table.name}")).all()
            assert rows, table.name
            for row in rows:
                for column, value in zip(table.columns, row, strict=True):
                    where = f"{table.name}.{column.name}"
                    assert_value(
                        value, column.py_type, column.nullable, column.element_py_type, where
                    )


@pytest.mark.parametrize(
    "name",
    [
        "OpenTicketsForTeam",
        "GetTicket",
        "ListTeams",
        "TeamWorkload",
        "AgentsWithSkill",
        "TicketsByTags",
        "CloseTicket",
        "UpsertTeam",
    ],
)
def test_every_query_column_has_its_type_on_real_rows(
    name: str, helpdesk: tuple[sa.Engine, Catalog, tuple[QueryInfo, ...]]
) -> None:
    engine, _, queries = helpdesk
    query = next(q for q in queries if q.name == name)
    rows = run(engine, query)
    assert rows, f"{name} returned no rows"
    for row in rows:
        for column, value in zip(query.columns, row, strict=True):
            where = f"{name}.{column.name}"
            assert_value(value, column.py_type, column.nullable, column.element_py_type, where)


@pytest.mark.parametrize(("name", "column"), NULL_WITNESSES)
def test_nullable_columns_really_are(
    name: str, column: str, helpdesk: tuple[sa.Engine, Catalog, tuple[QueryInfo, ...]]
) -> None:
    engine, _, queries = helpdesk
    query = next(q for q in queries if q.name == name)
    found = next(c for c in query.columns if c.name == column)
    assert found.nullable
    index = query.columns.index(found)
    assert any(row[index] is None for row in run(engine, query))


def test_on_conflict_do_nothing_writes_once(
    helpdesk: tuple[sa.Engine, Catalog, tuple[QueryInfo, ...]],
) -> None:
    engine, _, queries = helpdesk
    watch = next(q for q in queries if q.name == "WatchTicket")
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            counts = [conn.execute(sa.text(watch.sql), PARAMS).rowcount for _ in range(2)]
        finally:
            transaction.rollback()
    assert counts == [1, 0]
