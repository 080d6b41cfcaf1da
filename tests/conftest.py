"""Shared fixtures: the --update-golden flag and a throwaway PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from scaffold.launch import DIR_ENV
from tests.pgserver import postgres_cluster


@pytest.fixture(scope="session", autouse=True)
def private_daemon_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A daemon the developer runs (`scaffold daemon start`) never answers the tests' `scaffold`
    subprocesses: they look for one in a folder of this session's, where only the daemon tests
    start one."""
    os.environ[DIR_ENV] = str(tmp_path_factory.mktemp("daemon"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files from the current output instead of comparing.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server started for this test session and stopped after it."""
    with postgres_cluster() as url:
        yield url
