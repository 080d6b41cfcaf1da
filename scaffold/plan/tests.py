"""Contracts of the generated tests: conftest.py (schema, samples, connections) and
test_queries.py (every query's shape, types and nullability on real rows)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.model import Contract, Memo, Symbol, compute_now
from scaffold.plan.paths import package_dir, tests_dir
from scaffold.plan.pyliterals import literal_imports
from scaffold.plan.query_calls import needs_server, plan_calls
from scaffold.plan.sample_db import SampleDatabase
from scaffold.plan.samples import fill_samples
from scaffold.plan.test_source import (
    inserts_source,
    query_test_context,
    samples_source,
    schema_source,
    sequences_source,
)
from scaffold.spec.model import Spec

# SQLAlchemy's dialect names, which the generated conftest switches on.
DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
FIXTURES = (
    Symbol(
        "engine",
        "function",
        "def engine() -> Iterator[sa.Engine]",
        "session-scoped: the schema on SQLite in memory or SCAFFOLD_TEST_DATABASE_URL",
    ),
    Symbol(
        "conn",
        "function",
        "def conn(engine: sa.Engine) -> Iterator[sa.Connection]",
        "the sample rows inserted, rolled back after the test",
    ),
    Symbol(
        "empty_conn",
        "function",
        "def empty_conn(engine: sa.Engine) -> Iterator[sa.Connection]",
        "the schema without rows, rolled back after the test",
    ),
    Symbol(
        "server_conn",
        "function",
        "def server_conn(conn: sa.Connection) -> sa.Connection",
        "`conn`, skipped on SQLite: for queries only PostgreSQL understands",
    ),
    Symbol(
        "samples",
        "function",
        "def samples() -> dict[str, list[dict[str, Any]]]",
        "a copy of SAMPLES: table -> rows as inserted by `conn`",
    ),
    Symbol("SAMPLES", "constant", "SAMPLES: dict[str, list[dict[str, Any]]]"),
)
TEST_IMPORTS = (
    "collections.abc",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "importlib.util",
    "json",
    "os",
    "pathlib",
    "pytest",
    "re",
    "secrets",
    "sqlalchemy",
    "sys",
    "typing",
    "uuid",
)


def test_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], memo: Memo = compute_now
) -> list[Contract]:
    """The "tests.conftest" and "tests.queries" units of a spec."""
    from scaffold.plan.ddl import schema_ddl

    def build() -> dict[str, tuple[str, ...]]:
        return {sa_name: tuple(schema_ddl(catalog, ours)) for sa_name, ours in DIALECTS.items()}

    return contracts_for_schema(spec, catalog, queries, memo("tests.ddl", build), memo)


def contracts_for_schema(
    spec: Spec,
    catalog: Catalog,
    queries: Sequence[QueryInfo],
    ddl: dict[str, tuple[str, ...]],
    memo: Memo = compute_now,
) -> list[Contract]:
    """test_contracts with the schema given: CREATE statements per SQLAlchemy dialect name
    ("sqlite", "postgresql")."""
    samples_db = SampleDatabase(catalog, ddl["sqlite"])
    empty_db = SampleDatabase(catalog, ddl["sqlite"])
    try:
        rows = fill_samples(catalog, samples_db)
        calls = plan_calls(catalog, queries, rows, samples_db, empty_db)
        server_only = {
            q.ident for q in queries if needs_server(catalog, q, calls[q.ident][0], samples_db)
        }
    finally:
        samples_db.close()
        empty_db.close()
    package, tests = package_dir(spec), tests_dir(spec)
    conftest = _conftest_context(catalog, ddl, rows, package, tests, memo)
    tests_context = query_test_context(_import_name(package), queries, calls, server_only)
    return [
        Contract(
            unit="tests.conftest",
            files=((f"{tests}/conftest.py", "conftest.py.j2"),),
            symbols=FIXTURES,
            imports=TEST_IMPORTS,
            context=conftest,
            kind="test",
        ),
        Contract(
            unit="tests.queries",
            files=((f"{tests}/test_queries.py", "test_queries.py.j2"),),
            symbols=tuple(
                Symbol(
                    f"test_{q['ident']}",
                    "function",
                    f"def test_{q['ident']}({q['fixture']}: Connection) -> None",
                )
                for q in tests_context["queries"]
            ),
            imports=(*TEST_IMPORTS, _import_name(package)),
            context=tests_context,
            kind="test",
        ),
    ]


# Not a test, though pytest would collect it by its name wherever it is imported.
test_contracts.__test__ = False  # type: ignore[attr-defined]


def _conftest_context(
    catalog: Catalog,
    ddl: dict[str, tuple[str, ...]],
    rows: dict[str, list[dict[str, Any]]],
    package: str,
    tests: str,
    memo: Memo = compute_now,
) -> dict[str, Any]:
    def sources() -> dict[str, Any]:
        values = [v for table_rows in rows.values() for row in table_rows for v in row.values()]
        return {
            "schema_source": schema_source(ddl),
            "samples_source": samples_source(rows),
            "inserts_source": inserts_source(catalog, ddl, rows),
            "sequences_source": sequences_source(catalog, ddl, rows),
            "sample_imports": sorted(literal_imports(values)),
        }

    # The rows follow from the schema; their digest in the name is a second lock.
    digest = hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()
    return {
        "package": _import_name(package),
        "package_parent": _relative_parent(package, tests),
        "ddl": {name: list(statements) for name, statements in ddl.items()},
        **memo(f"tests.conftest.{digest}", sources),
    }


def _import_name(package: str) -> str:
    return PurePosixPath(package).name


def _relative_parent(package: str, tests: str) -> str:
    """The package's parent folder relative to the tests folder, e.g. ".."."""
    parent = PurePosixPath(package).parent.as_posix()
    return PurePosixPath(os.path.relpath(parent, tests)).as_posix()
