"""End to end on a real PostgreSQL: `scaffold gen` on each example (and on the helpdesk example
started from its live database), then the generated tests with SCAFFOLD_TEST_DATABASE_URL. Each
run gets a database of its own, which must hold nothing afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from scaffold.cli import main
from tests.pgdatabases import PostgresDatabases, postgres_databases

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/scaffold.yaml"))
GENERATED = ("generated", ".scaffold", ".gitattributes")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Iterator[PostgresDatabases]:
    with postgres_databases(postgres_url) as databases:
        yield databases


def copy_example(example: Path, dest: Path) -> Path:
    shutil.copytree(example, dest, ignore=shutil.ignore_patterns("__pycache__", *GENERATED))
    return dest


def gen(spec: Path, env: dict[str, str] | None = None) -> None:
    result = CliRunner().invoke(main, ["gen", str(spec), "--no-tests"], env=env)
    assert result.exit_code == 0, result.output


def run_generated_tests(project: Path, database_url: str | None) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SCAFFOLD_TEST_DATABASE_URL", None)
    if database_url:
        env["SCAFFOLD_TEST_DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "generated/tests"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    return result.stdout


def leftovers(url: str) -> list[str]:
    """Schemas, tables and types a test run left in the database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname <> 'public' "
                "AND left(nspname, 3) <> 'pg_' AND nspname <> 'information_schema' "
                "UNION ALL SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public' "
                "UNION ALL SELECT 'type ' || typname FROM pg_type t JOIN pg_namespace n "
                "ON n.oid = t.typnamespace WHERE n.nspname = 'public'"
            )
            return sorted(str(r[0]) for r in rows)
    finally:
        engine.dispose()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_generated_tests_pass_on_postgres_and_leave_nothing(
    example: Path, tmp_path: Path, pg: PostgresDatabases
) -> None:
    project = copy_example(example, tmp_path / example.name)
    gen(project / "scaffold.yaml")
    url = pg.create()
    run_generated_tests(project, url)
    assert leftovers(url) == []


def test_a_spec_started_from_a_live_database(tmp_path: Path, pg: PostgresDatabases) -> None:
    """database.url instead of schema files: the generated tests rebuild the reflected schema."""
    example = ROOT / "examples" / "helpdesk"
    live = pg.create((example / "schema.sql").read_text(encoding="utf-8"))
    project = copy_example(example, tmp_path / "helpdesk")
    (project / "schema.sql").unlink()
    spec = project / "scaffold.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "  schema: [schema.sql]\n" in text
    spec.write_text(text.replace("  schema: [schema.sql]\n", "  url: ${HELPDESK_URL}\n"))
    gen(spec, env={"HELPDESK_URL": live})
    before = leftovers(live)
    run_generated_tests(project, None)  # SQLite, from the reflected catalog
    run_generated_tests(project, live)  # next to the live tables, in a schema of its own
    assert leftovers(live) == before


REJECTED = {
    "schema.sql": "CREATE TABLE items (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "    code text NOT NULL CHECK (is_valid_code(code)));\n",
    "scaffold.yaml": "version: 1\napp: shop\ndatabase: {dialect: postgres, schema: [schema.sql]}\n"
    "queries:\n  ListItems: SELECT id, code FROM items ORDER BY id\n"
    "output: {package: generated/shop, tests: generated/tests}\n",
}


def generated_test_output(tmp_path: Path, database_url: str) -> tuple[int, str]:
    for name, text in REJECTED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    gen(tmp_path / "scaffold.yaml")
    env = {**os.environ, "SCAFFOLD_TEST_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "generated/tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def test_a_schema_the_server_rejects(tmp_path: Path, pg: PostgresDatabases) -> None:
    url = sa.make_url(pg.create()).set(password="Hidden-pw-42")
    code, output = generated_test_output(tmp_path, url.render_as_string(hide_password=False))
    assert code != 0
    assert f"{url.render_as_string(hide_password=True)} rejected the schema" in output
    assert "function is_valid_code(text) does not exist" in output
    assert "Hidden-pw-42" not in output and "Traceback" not in output


def test_a_test_server_that_cannot_be_reached(tmp_path: Path, pg: PostgresDatabases) -> None:
    url = sa.make_url(pg.create()).set(password="Hidden-pw-42", port=1)
    code, output = generated_test_output(tmp_path, url.render_as_string(hide_password=False))
    assert code != 0
    assert f"cannot use {url.render_as_string(hide_password=True)}" in output
    assert "Hidden-pw-42" not in output
