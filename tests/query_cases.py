"""Shared fixtures of the query-analysis tests: a small schema in each dialect, and a compact
notation for columns and parameters ("name py_type", `?` when NULL-able, `[]` for lists)."""

from __future__ import annotations

from functools import cache

from scaffold.analyze.catalog import catalog_from_text
from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.analyze.query import analyze_query
from scaffold.errors import Location
from scaffold.spec.model import QuerySpec, SqlcCommand

SCHEMA = """
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    bio TEXT,
    email VARCHAR(100) UNIQUE
);
CREATE TABLE books (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    title TEXT NOT NULL,
    price NUMERIC(10, 2),
    published DATE,
    rating REAL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE tags (
    book_id INTEGER NOT NULL,
    tag VARCHAR(50) NOT NULL,
    PRIMARY KEY (book_id, tag)
);
"""
DIALECTS = ("sqlite", "postgres", "mysql")


@cache
def catalog(dialect: str) -> Catalog:
    return catalog_from_text(dialect, SCHEMA)


def analyze(dialect: str, sql: str, command: SqlcCommand | None = None) -> QueryInfo:
    spec = QuerySpec("q", sql, Location("queries.sql", 3, 1), command)
    return analyze_query(spec, catalog(dialect))


def columns(info: QueryInfo) -> str:
    return ", ".join(f"{c.name} {c.py_type}{'?' if c.nullable else ''}" for c in info.columns)


def params(info: QueryInfo) -> str:
    return ", ".join(
        f"{p.name} {p.py_type}{'[]' if p.is_list else ''}{'?' if p.nullable else ''}"
        for p in info.params
    )
