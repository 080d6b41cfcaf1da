"""Shared fixtures: the --update-golden flag and a throwaway PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pgserver import postgres_cluster


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
