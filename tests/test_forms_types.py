"""Forms over every column type a form can hold (bool, time, datetime, UUID, float, long text,
reserved words, a multi-column CHECK): the generated code is lint clean and its generated
tests pass."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
import sqlglot.expressions as exp

from scaffold.analyze.model import Catalog, Column, Constraint, Table
from scaffold.errors import Location
from scaffold.plan.code_units import code_contracts
from scaffold.plan.forms import form_contracts
from scaffold.spec.model import DatabaseSpec, FormSpec, OutputSpec, RuleSpec, Spec
from tests.test_forms import ROOT, run_generated_tests, stand_in_conftest, write_tree

PACKAGE = "eventforms"
HERE = Location("scaffold.yaml", 1, 1)
DDL = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    code CHAR(8) NOT NULL UNIQUE,
    title TEXT NOT NULL,
    notes TEXT,
    contact_email VARCHAR(254),
    starts_on DATE NOT NULL,
    ends_on DATE,
    doors TIME,
    opened DATETIME,
    public BOOLEAN NOT NULL DEFAULT 1,
    featured BOOLEAN,
    score REAL CHECK (score >= 0),
    ref UUID,
    seats INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 500),
    "order" INTEGER,
    meta JSON,
    length INTERVAL,
    CONSTRAINT dates_in_order CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
"""


def _check(sql: str) -> exp.Expression:
    parsed = sqlglot.parse_one(sql)
    assert isinstance(parsed, exp.Expression)
    return parsed


EVENTS = Table(
    "events",
    (
        Column(
            "id",
            "INTEGER",
            "int",
            False,
            primary_key=True,
            unique=True,
            server_generated="autoincrement",
        ),
        Column("code", "CHAR(8)", "str", False, unique=True, max_length=8),
        Column("title", "TEXT", "str", False),
        Column("notes", "TEXT", "str", True),
        Column("contact_email", "VARCHAR(254)", "str", True, max_length=254),
        Column("starts_on", "DATE", "date", False),
        Column("ends_on", "DATE", "date", True),
        Column("doors", "TIME", "time", True),
        Column("opened", "DATETIME", "datetime", True),
        Column("public", "BOOLEAN", "bool", False, default="1"),
        Column("featured", "BOOLEAN", "bool", True),
        Column("score", "REAL", "float", True, checks=(_check("score >= 0"),)),
        Column("ref", "UUID", "UUID", True),
        Column("seats", "INTEGER", "int", False, checks=(_check("seats BETWEEN 1 AND 500"),)),
        Column("order", "INTEGER", "int", True),
        Column("meta", "JSON", "dict", True),
        Column("length", "INTERVAL", "timedelta", True),
    ),
    primary_key=("id",),
    unique=(("id",), ("code",)),
    constraints=(
        Constraint(
            "check",
            ("ends_on", "starts_on"),
            "dates_in_order",
            _check("ends_on IS NULL OR ends_on >= starts_on"),
        ),
    ),
)
CATALOG = Catalog("sqlite", (EVENTS,), ddl=tuple(e for e in sqlglot.parse(DDL, read="sqlite") if e))
FIELDS = (
    "code",
    "title",
    "notes",
    "contact_email",
    "starts_on",
    "ends_on",
    "doors",
    "opened",
    "public",
    "featured",
    "score",
    "ref",
    "seats",
    "order",
    "meta",
    "length",
)
FORMS = (
    FormSpec(
        "add_event",
        "events",
        "insert",
        HERE,
        fields=FIELDS,
        rules=(RuleSpec("seats <= 100 OR public", HERE),),
    ),
    FormSpec("edit_event", "events", "update", HERE, fields=FIELDS),
)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("events")
    spec = Spec(
        root / "scaffold.yaml",
        1,
        "events",
        DatabaseSpec("sqlite"),
        forms=FORMS,
        output=OutputSpec(root / "app" / PACKAGE, root / "app" / "tests"),
    )
    contracts, warnings = form_contracts(spec, CATALOG, [])
    assert warnings == []
    write_tree(root, [*contracts, *code_contracts(spec, CATALOG, [], f"app/{PACKAGE}")])
    (root / "app" / "tests" / "conftest.py").write_text(stand_in_conftest(CATALOG, PACKAGE))
    return root / "app" / PACKAGE


def test_generated_code_is_lint_clean(package: Path) -> None:
    config = str(ROOT / "pyproject.toml")
    tests = package.parent / "tests"
    checks = (
        ["ruff", "check", "--config", config, str(package), *map(str, tests.glob("test_*"))],
        [
            "ruff",
            "format",
            "--check",
            "--config",
            config,
            str(package),
            *map(str, tests.glob("test_*")),
        ],
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
    )
    for command in checks:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=package.parent, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_generated_tests_pass(package: Path) -> None:
    done = run_generated_tests(package)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_field_kinds(package: Path) -> None:
    source = (package / "forms" / "add_event.py").read_text()
    for expected in (
        'input_type="textarea"',
        'input_type="email"',
        'input_type="time"',
        'input_type="datetime-local"',
        'input_type="checkbox"',
        'kind="uuid"',
        'kind="float"',
        "order = parse_int(data, ORDER_FIELD, errors)",
        'seats, "order", meta, length)',
        "# CHECK (ends_on IS NULL OR ends_on >= starts_on)",
        "# rule 1: seats <= 100 OR public",
        "meta = parse_object(data, META_FIELD, errors)",
        "length = parse_interval(data, LENGTH_FIELD, errors)",
    ):
        assert expected in source, expected
    html = (package / "templates" / "add_event.html").read_text()
    assert '<option value="true"' in html  # a nullable bool is a select with yes/no/unknown
