"""An in-memory SQLite built from the catalog's DDL: the oracle that accepts or rejects samples.

Rather than re-implementing CHECK semantics, the planner inserts candidate rows here and keeps
the first one the database accepts. Queries can be tried here too, to pick arguments that
return rows.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlglot.expressions as exp

from scaffold.analyze.model import Catalog, Column, Table
from scaffold.errors import WriteError


def sqlite_value(value: Any) -> Any:
    """A sample value as SQLite stores it (the generated conftest binds the same text forms)."""
    if isinstance(value, bool | int | float | str | bytes) or value is None:
        return value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return json.dumps(value)


def regexp(pattern: str, value: Any) -> bool:
    """SQLite's REGEXP as the generated conftest defines it too (Python's re for POSIX)."""
    return value is not None and re.search(pattern, str(value)) is not None


def table_ident(table: Table) -> str:
    """The unqualified table name (samples live in the test's own schema)."""
    return table.name.split(".")[-1]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SampleDatabase:
    """One SQLite connection holding the schema and the accepted sample rows."""

    def __init__(self, catalog: Catalog, ddl: Sequence[str]) -> None:
        self.catalog = catalog
        # Each CHECK as SQLite text with `?` for its column, made once (samples try many values).
        self._checks: dict[tuple[int, str], tuple[exp.Expression, str, int]] = {}
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = ON")
        # PostgreSQL's `~` arrives as REGEXP, which SQLite leaves to the application.
        self.conn.create_function("regexp", 2, regexp, deterministic=True)
        for statement in ddl:
            try:
                self.conn.execute(statement)
            except sqlite3.Error as err:
                raise WriteError(
                    f"the schema does not build in SQLite: {err}",
                    hint=f"statement: {statement[:200]}",
                ) from err

    def try_insert(self, table: Table, row: Mapping[str, Any]) -> str | None:
        """Insert the row; None when accepted, else the database's message."""
        names = list(row)
        sql = (
            f"INSERT INTO {quote(table_ident(table))} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})"
        )
        try:
            self.conn.execute(sql, [sqlite_value(row[n]) for n in names])
        except sqlite3.Error as err:  # a constraint, or a CHECK SQLite cannot evaluate
            return str(err)
        return None

    def satisfies(self, column: Column, value: Any) -> bool:
        """Whether the value passes the column's own CHECKs, evaluated by SQLite on their own,
        so that a CHECK the SQLite schema had to leave out still steers the samples. A CHECK
        SQLite cannot evaluate counts as passed (the tables' DDL has the last word)."""
        for check in column.checks:
            sql, uses = self._check_sql(check, column.name)
            try:
                (result,) = self.conn.execute(
                    f"SELECT coalesce(({sql}), 1)", [sqlite_value(value)] * uses
                ).fetchone()
            except sqlite3.Error:
                continue
            if not result:
                return False
        return True

    def count_rows(self, sql: str, args: Mapping[str, Any]) -> int | None:
        """Rows the statement returns (or changes) with these arguments; None when it fails.

        Runs inside a transaction that is rolled back, so the samples stay as they are.
        """
        return self._counts(sql, [args])[-1]

    def count_rows_after(
        self, sql: str, first: Mapping[str, Any], args: Mapping[str, Any]
    ) -> int | None:
        """Like count_rows, for a second call made after a first one in the same transaction."""
        counts = self._counts(sql, [first, args])
        return None if None in counts else counts[-1]

    def runs(self, sql: str, args: Mapping[str, Any]) -> bool:
        """Whether SQLite understands the statement as written (constraint errors aside)."""
        text, params = _expand_lists(sql, args)
        self.conn.execute("BEGIN")
        try:
            self.conn.execute(text, params).fetchall()
        except sqlite3.IntegrityError:
            return True
        except sqlite3.Error:
            return False
        finally:
            self.conn.execute("ROLLBACK")
        return True

    def _counts(self, sql: str, calls: Sequence[Mapping[str, Any]]) -> list[int | None]:
        self.conn.execute("BEGIN")
        try:
            return [self._count(sql, args) for args in calls]
        finally:
            self.conn.execute("ROLLBACK")

    def _count(self, sql: str, args: Mapping[str, Any]) -> int | None:
        text, params = _expand_lists(sql, args)
        try:
            cursor = self.conn.execute(text, params)
            rows = cursor.fetchall()
        except sqlite3.Error:
            return None
        return len(rows) if cursor.description else max(cursor.rowcount, 0)

    def close(self) -> None:
        self.conn.close()

    def _check_sql(self, check: exp.Expression, column: str) -> tuple[str, int]:
        kept = self._checks.get((id(check), column))
        if kept is None or kept[0] is not check:
            kept = (check, *_with_placeholder(check, column))
            self._checks[(id(check), column)] = kept
        return kept[1], kept[2]


def _with_placeholder(check: exp.Expression, column: str) -> tuple[str, int]:
    """The CHECK as SQLite text with `?` for the column, and how many `?` it has."""
    uses = 0

    def swap(node: exp.Expression) -> exp.Expression:
        nonlocal uses
        if isinstance(node, exp.Column) and node.name.lower() == column.lower():
            uses += 1
            return exp.Placeholder()
        return node

    sql = check.transform(swap).sql(dialect="sqlite")
    return sql, uses


def _expand_lists(sql: str, args: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`IN (:ids)` with a list becomes `IN (:ids_0, :ids_1)`, as SQLAlchemy's expanding binds."""
    params: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, list):
            names = [f"{name}__{k}" for k in range(len(value))] or [f"{name}__0"]
            listed = "(" + ", ".join(f":{n}" for n in names) + ")"
            sql = re.sub(rf"\(\s*:{name}\s*\)|:{name}\b", listed, sql)
            params.update({n: sqlite_value(v) for n, v in zip(names, value or [None], strict=True)})
        else:
            params[name] = sqlite_value(value)
    return sql, params
