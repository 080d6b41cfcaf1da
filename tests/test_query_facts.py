"""Statement-level facts: kind, cardinality, command, SQL text, lineage, filters, features."""

from __future__ import annotations

import pytest
import sqlglot
from sqlalchemy import text

from scaffold.analyze.model import Filter
from scaffold.spec.model import SqlcCommand
from tests.query_cases import DIALECTS, analyze

# (sql, sqlc command or None, expected kind, cardinality, command)
SHAPES: list[tuple[str, SqlcCommand | None, str, str, str]] = [
    ("SELECT * FROM books", None, "select", "many", "many"),
    ("SELECT * FROM books LIMIT 1", None, "select", "one", "one"),
    ("SELECT * FROM books WHERE id = :id", None, "select", "one", "one"),
    ("SELECT * FROM books WHERE id > :id", None, "select", "many", "many"),
    ("SELECT * FROM tags WHERE book_id = :b", None, "select", "many", "many"),
    ("SELECT * FROM tags WHERE book_id = :b AND tag = :t", None, "select", "one", "one"),
    ("SELECT * FROM authors WHERE email = 'a@b'", None, "select", "one", "one"),
    (
        "SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id WHERE b.id = :id",
        None,
        "select",
        "one",
        "one",
    ),
    (
        "SELECT a.name, b.title FROM authors a JOIN books b ON b.author_id = a.id WHERE a.id = :id",
        None,
        "select",
        "many",
        "many",
    ),
    ("SELECT count(*) FROM books", None, "select", "one", "one"),
    ("SELECT author_id, count(*) FROM books GROUP BY author_id", None, "select", "many", "many"),
    ("SELECT * FROM books", "one", "select", "one", "one"),
    ("SELECT * FROM books", "batchmany", "select", "many", "batchmany"),
    ("SELECT * FROM books WHERE id = :id", "many", "select", "many", "many"),
    ("INSERT INTO authors (name) VALUES (:n)", None, "insert", "exec", "exec"),
    ("INSERT INTO authors (name) VALUES (:n) RETURNING id", None, "insert", "one", "one"),
    ("INSERT INTO authors (name) VALUES (:a), (:b) RETURNING id", None, "insert", "many", "many"),
    ("INSERT INTO authors (name) VALUES (:n)", "execlastid", "insert", "exec", "execlastid"),
    ("UPDATE books SET title = :t WHERE id = :id", "execrows", "update", "exec", "execrows"),
    ("UPDATE books SET title = :t WHERE id = :id RETURNING *", None, "update", "one", "one"),
    (
        "UPDATE books SET title = :t WHERE author_id = :a RETURNING *",
        None,
        "update",
        "many",
        "many",
    ),
    ("DELETE FROM books WHERE id = :id", None, "delete", "exec", "exec"),
    ("DELETE FROM books RETURNING id", None, "delete", "many", "many"),
    ("WITH x AS (SELECT id FROM books) SELECT * FROM x", None, "select", "many", "many"),
    (
        "WITH n AS (INSERT INTO authors (name) VALUES (:n) RETURNING id) SELECT id FROM n",
        None,
        "select",
        "many",
        "many",
    ),
]


@pytest.mark.parametrize(("sql", "command", "kind", "cardinality", "final"), SHAPES)
def test_kind_and_cardinality(
    sql: str, command: SqlcCommand | None, kind: str, cardinality: str, final: str
) -> None:
    info = analyze("postgres", sql, command)
    assert (info.kind, info.cardinality, info.command) == (kind, cardinality, final)


# (dialect, sql, reads, writes, columns_read, columns_written)
LINEAGE: list[tuple[str, str, str, str, str, str]] = [
    (
        "sqlite",
        "SELECT b.title FROM books b JOIN authors a ON a.id = b.author_id "
        "WHERE a.name = :n ORDER BY b.created_at",
        "authors books",
        "",
        "authors.id authors.name books.author_id books.created_at books.title",
        "",
    ),
    ("sqlite", "SELECT count(*) FROM tags", "tags", "", "", ""),
    ("sqlite", "SELECT * FROM tags", "tags", "", "tags.book_id tags.tag", ""),
    (
        "postgres",
        "SELECT author_id, max(price) FROM books GROUP BY author_id HAVING count(*) > 1",
        "books",
        "",
        "books.author_id books.price",
        "",
    ),
    (
        "postgres",
        "INSERT INTO authors (name, bio) VALUES (:n, :b)",
        "",
        "authors",
        "",
        "authors.bio authors.name",
    ),
    (
        "postgres",
        "INSERT INTO authors (name) SELECT title FROM books",
        "books",
        "authors",
        "books.title",
        "authors.name",
    ),
    (
        "postgres",
        "UPDATE books SET title = :t WHERE id = :id",
        "books",
        "books",
        "books.id",
        "books.title",
    ),
    (
        "postgres",
        "UPDATE books SET title = a.name FROM authors a WHERE a.id = books.author_id",
        "authors books",
        "books",
        "authors.id authors.name books.author_id",
        "books.title",
    ),
    (
        "postgres",
        "DELETE FROM books USING authors WHERE authors.id = books.author_id AND authors.name = :n",
        "authors books",
        "books",
        "authors.id authors.name books.author_id",
        "",
    ),
    (
        "sqlite",
        "INSERT INTO tags (book_id, tag) VALUES (:b, :t) ON CONFLICT (book_id, tag) "
        "DO UPDATE SET tag = excluded.tag",
        "tags",
        "tags",
        "tags.book_id tags.tag",
        "tags.book_id tags.tag",
    ),
    (
        "postgres",
        "WITH n AS (INSERT INTO authors (name) VALUES (:n) RETURNING id) "
        "SELECT b.title FROM books b JOIN n ON n.id = b.author_id",
        "authors books",
        "authors",
        "authors.id books.author_id books.title",
        "authors.name",
    ),
]


@pytest.mark.parametrize(
    ("dialect", "sql", "reads", "writes", "cols_read", "cols_written"), LINEAGE
)
def test_lineage(
    dialect: str, sql: str, reads: str, writes: str, cols_read: str, cols_written: str
) -> None:
    info = analyze(dialect, sql)
    assert " ".join(info.reads) == reads
    assert " ".join(info.writes) == writes
    assert " ".join(info.columns_read) == cols_read
    assert " ".join(info.columns_written) == cols_written


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM books WHERE author_id = :a AND title = :t",
            [Filter("books.author_id", "a"), Filter("books.title", "t")],
        ),
        ("SELECT * FROM books b WHERE :a = b.author_id", [Filter("books.author_id", "a")]),
        ("SELECT * FROM books WHERE author_id = :a OR title = :t", []),
        ("SELECT * FROM books WHERE author_id > :a", []),
        (
            "SELECT b.* FROM books b JOIN authors a ON a.id = b.author_id WHERE a.id = ?",
            [Filter("authors.id", "id")],
        ),
        ("SELECT * FROM books WHERE author_id = (SELECT id FROM authors WHERE name = :n)", []),
        ("UPDATE books SET title = :t WHERE id = :id", [Filter("books.id", "id")]),
    ],
)
def test_filters(sql: str, expected: list[Filter]) -> None:
    assert list(analyze("sqlite", sql).filters) == expected


@pytest.mark.parametrize(
    ("sql", "flags"),
    [
        ("SELECT * FROM books", ""),
        ("SELECT count(*) FROM books", "aggregate"),
        ("SELECT author_id FROM books GROUP BY author_id", ""),
        ("SELECT b.id FROM books b LEFT JOIN authors a ON a.id = b.author_id", "outer_join"),
        ("SELECT id, row_number() OVER (ORDER BY id) FROM books", "window"),
        ("SELECT id FROM books LIMIT 5", "limit"),
        ("SELECT id FROM books LIMIT :n OFFSET :o", "limit"),
    ],
)
def test_feature_flags(sql: str, flags: str) -> None:
    info = analyze("sqlite", sql)
    found = [
        name
        for name in ("aggregate", "outer_join", "window", "limit")
        if getattr(info, f"has_{name}")
    ]
    assert " ".join(found) == flags


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        (
            "sqlite",
            "SELECT *\n  FROM books\n WHERE id = ?",
            "SELECT *\n  FROM books\n WHERE id = :id",
        ),
        (
            "postgres",
            "SELECT * FROM books WHERE id = $1 OR $1 IS NULL",
            "SELECT * FROM books WHERE id = :id OR CAST(:id AS INTEGER) IS NULL",
        ),
        (
            "sqlite",
            "SELECT * FROM books WHERE id IN (sqlc.slice(ids)) -- the ids\n",
            "SELECT * FROM books WHERE id IN (:ids) -- the ids",
        ),
        (
            "mysql",
            "SELECT * FROM books WHERE title = sqlc.arg(t) AND id = ?",
            "SELECT * FROM books WHERE title = :t AND id = :id",
        ),
        ("sqlite", "SELECT sqlc.embed(a) FROM authors a", "SELECT a.* FROM authors a"),
    ],
)
def test_sql_text_keeps_formatting(dialect: str, sql: str, expected: str) -> None:
    if dialect == "mysql":
        sql = "SELECT * FROM books WHERE title = sqlc.arg(t) AND id = sqlc.arg(id)"
    assert analyze(dialect, sql).sql == expected


def test_sql_text_rewrites_postgres_casts_of_parameters() -> None:
    info = analyze("postgres", "SELECT * FROM books WHERE id = $1::int AND title = $2")
    assert "::" not in info.sql
    assert set(text(info.sql).compile().params) == {"id", "title"}
    assert sqlglot.parse_one(info.sql.replace(":", "@"), read="postgres") is not None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_params_carry_their_column(dialect: str) -> None:
    info = analyze(dialect, "UPDATE books SET price = :p WHERE id = :id")
    assert [(p.name, p.column) for p in info.params] == [("p", "books.price"), ("id", "books.id")]


def test_embed_is_flattened() -> None:
    info = analyze(
        "sqlite",
        "SELECT sqlc.embed(a), b.title FROM books b JOIN authors a ON a.id = b.author_id",
    )
    assert [c.name for c in info.columns] == ["id", "name", "bio", "email", "title"]
    assert info.columns[0].source == "authors.id"


def test_array_param_has_element_type() -> None:
    info = analyze("postgres", "SELECT * FROM books WHERE id = ANY(:ids::int[])")
    (param,) = info.params
    assert (param.py_type, param.element_py_type, param.is_list) == ("list", "int", False)
