"""database.url that cannot be used: one clear error naming the URL (never its password) and
what to do, exit 2 from `scaffold inspect`."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from scaffold.cli import main
from tests.pgdatabases import PostgresDatabases, postgres_databases, sqlite_file
from tests.pgserver import PASSWORD_USER

SECRET = "Sup3r-secret-pw"


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Iterator[PostgresDatabases]:
    with postgres_databases(postgres_url) as databases:
        yield databases


@pytest.fixture(scope="module")
def server(postgres_url: str) -> sa.URL:
    """The session's server, as a URL with a password that must never be shown."""
    return sa.make_url(postgres_url).set(password=SECRET)


def inspect(tmp_path: Path, url: str, dialect: str = "postgres", *args: str) -> Result:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(
        f"version: 1\napp: shop\ndatabase:\n  dialect: {dialect}\n  url: {json.dumps(url)}\n"
        "queries: {}\n",
        encoding="utf-8",
    )
    return CliRunner().invoke(main, ["inspect", str(spec), *args])


def assert_reported(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "analysis error" in result.output
    assert "Traceback" not in result.output
    assert SECRET not in result.output
    for fragment in fragments:
        assert fragment in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_server_that_cannot_be_reached(tmp_path: Path, server: sa.URL) -> None:
    url = server.set(port=_free_port(), database="shop")
    result = inspect(tmp_path, url.render_as_string(hide_password=False))
    shown = url.render_as_string(hide_password=True)
    assert_reported(result, f"cannot read the schema of {shown}", "is the server running")


def test_wrong_password(tmp_path: Path, server: sa.URL, pg: PostgresDatabases) -> None:
    pg.create(
        f"DROP ROLE IF EXISTS {PASSWORD_USER}; CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD 'x'"
    )
    url = server.set(username=PASSWORD_USER).render_as_string(hide_password=False)
    result = inspect(tmp_path, url)
    assert_reported(result, f"{PASSWORD_USER}:***@", "password authentication failed", "password")


def test_a_user_that_does_not_exist(tmp_path: Path, server: sa.URL) -> None:
    url = server.set(username="nobody").render_as_string(hide_password=False)
    assert_reported(inspect(tmp_path, url), 'role "nobody" does not exist', "user name")


def test_a_database_that_does_not_exist(tmp_path: Path, server: sa.URL) -> None:
    url = server.set(database="no_such_db").render_as_string(hide_password=False)
    result = inspect(tmp_path, url)
    assert_reported(result, 'database "no_such_db" does not exist', "create the database")


def test_an_empty_database(tmp_path: Path, server: sa.URL, pg: PostgresDatabases) -> None:
    empty = sa.make_url(pg.create()).set(password=SECRET)
    result = inspect(tmp_path, empty.render_as_string(hide_password=False))
    assert_reported(result, "has no tables or views", "create the schema first")


def test_a_missing_driver(tmp_path: Path, server: sa.URL) -> None:
    url = server.set(drivername="postgresql+nosuchdriver").render_as_string(hide_password=False)
    result = inspect(tmp_path, url)
    assert_reported(result, "cannot load the database driver", "install the driver")


def test_the_password_is_hidden_in_json_errors(tmp_path: Path, server: sa.URL) -> None:
    url = server.set(database="no_such_db").render_as_string(hide_password=False)
    result = inspect(tmp_path, url, "postgres", "--json")
    assert result.exit_code == 2
    assert SECRET not in result.output
    assert "***" in result.output


BAD_URLS = [
    ("mysql+pymysql://u:" + SECRET + "@localhost/db", "postgres", "is a mysql database"),
    ("sqlite:///missing.db", "sqlite", "missing.db does not exist"),
    ("sqlite://", "sqlite", "in-memory SQLite database"),
    ("not a url " + SECRET, "postgres", "is not a SQLAlchemy URL"),
    ("${SCAFFOLD_TEST_UNSET_URL}", "postgres", "${SCAFFOLD_TEST_UNSET_URL}, which is not set"),
]


@pytest.mark.parametrize(("url", "dialect", "message"), BAD_URLS)
def test_bad_urls(tmp_path: Path, url: str, dialect: str, message: str) -> None:
    assert_reported(inspect(tmp_path, url, dialect), message)


def test_a_url_from_the_environment(
    tmp_path: Path, pg: PostgresDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_DATABASE_URL", pg.create("CREATE TABLE shops (id int PRIMARY KEY)"))
    result = inspect(tmp_path, "${SHOP_DATABASE_URL}")
    assert result.exit_code == 0, result.output
    assert "table shops (id)" in result.output


def test_a_relative_sqlite_path_starts_at_the_spec(tmp_path: Path) -> None:
    sqlite_file(tmp_path / "shop.db", "CREATE TABLE shops (id INTEGER PRIMARY KEY, name TEXT)")
    result = inspect(tmp_path, "sqlite:///shop.db", "sqlite")
    assert result.exit_code == 0, result.output
    assert "table shops (id, name)" in result.output
