"""Throwaway databases on the session's PostgreSQL server, and SQLite files, loaded with DDL."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa


@contextmanager
def postgres_databases(server_url: str) -> Iterator[PostgresDatabases]:
    """A maker of fresh databases on the server; every one is dropped at the end."""
    maker = PostgresDatabases(sa.make_url(server_url))
    try:
        yield maker
    finally:
        maker.drop_all()


class PostgresDatabases:
    def __init__(self, server: sa.URL) -> None:
        self.server = server
        self.created: list[str] = []

    def create(self, ddl: str = "") -> str:
        """A new database holding `ddl`; its SQLAlchemy URL."""
        name = f"scaffold_reflect_{secrets.token_hex(5)}"
        self._admin(f"CREATE DATABASE {name}")
        self.created.append(name)
        url = self.server.set(database=name)
        if ddl.strip():
            engine = sa.create_engine(url)
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(ddl)
            finally:
                engine.dispose()
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(statement)
        finally:
            engine.dispose()


def sqlite_file(path: Path, ddl: str) -> Path:
    """A SQLite database file at `path` holding `ddl`."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(ddl)
    finally:
        connection.close()
    return path
