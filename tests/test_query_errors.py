"""Bad queries give one clear AnalysisError each: location, message, and a hint."""

from __future__ import annotations

import pytest
import sqlglot

from scaffold.analyze import query as query_module
from scaffold.analyze.query import analyze_queries
from scaffold.errors import AnalysisError, ErrorGroup, Location
from scaffold.spec.model import QuerySpec
from tests.query_cases import analyze, catalog

# (dialect, sql, message part, hint part or None, (line, column) or None)
ERRORS: list[tuple[str, str, str, str | None, tuple[int, int] | None]] = [
    (
        "sqlite",
        "SELECT nmae FROM authors",
        'column "nmae" does not exist',
        'did you mean "name"',
        (3, 8),
    ),
    (
        "postgres",
        "SELECT a.nmae FROM authors a",
        'column "a.nmae" does not exist',
        'did you mean "name"',
        (3, 10),
    ),
    (
        "sqlite",
        "SELECT id FROM authors,\n  books",
        'column reference "id" is ambiguous',
        "authors.id",
        (3, 8),
    ),
    ("mysql", "SELECT x.name FROM authors a", 'table "x" is not in the query', None, None),
    (
        "postgres",
        "SELECT * FROM author",
        'table "author" does not exist',
        'did you mean "authors"',
        (3, 15),
    ),
    (
        "sqlite",
        "SELECT *\nFROM books\nWHERE titel = ?",
        'column "titel" does not exist',
        'did you mean "title"',
        (5, 7),
    ),
    ("postgres", "SELECT * FROM books WHERE", "SQL does not parse", "near", (3, 21)),
    ("sqlite", "SELEC 1", "SQL does not parse", None, (3, 7)),
    (
        "postgres",
        "SELECT :x",
        'cannot infer the type of parameter "x"',
        "CAST(:x AS INTEGER)",
        (3, 8),
    ),
    (
        "sqlite",
        "SELECT * FROM books WHERE ? IS NULL",
        'cannot infer the type of parameter "p1"',
        "annotate it",
        None,
    ),
    ("sqlite", "SELECT 1; SELECT 2", "expected one SQL statement, found 2", None, None),
    ("postgres", "CREATE TABLE x (a int)", "expected SELECT, INSERT, UPDATE or DELETE", None, None),
    (
        "sqlite",
        "INSERT INTO authors (nam) VALUES (?)",
        'column "nam" of table "authors"',
        'did you mean "name"',
        None,
    ),
    (
        "sqlite",
        "INSERT INTO authors (name, bio) VALUES (?)",
        "2 target columns but 1 values",
        None,
        None,
    ),
    (
        "sqlite",
        "INSERT INTO autors (name) VALUES (?)",
        'table "autors" does not exist',
        'did you mean "authors"',
        None,
    ),
    (
        "postgres",
        "UPDATE books SET titl = $1",
        'column "titl" of table "books"',
        'did you mean "title"',
        None,
    ),
    (
        "sqlite",
        "SELECT id FROM authors UNION SELECT id, name FROM authors",
        "same number of columns",
        None,
        None,
    ),
    (
        "sqlite",
        "SELECT t.id FROM (SELECT name FROM authors) t",
        'column "t.id" does not exist',
        "name",
        None,
    ),
    ("postgres", 'SELECT "Name" FROM authors', 'column "Name" does not exist', None, None),
]


@pytest.mark.parametrize(("dialect", "sql", "message", "hint", "where"), ERRORS)
def test_bad_query(
    dialect: str, sql: str, message: str, hint: str | None, where: tuple[int, int] | None
) -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze(dialect, sql)
    error = caught.value
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint
    assert error.location is not None and error.location.file == "queries.sql"
    if where is not None:
        assert (error.location.line, error.location.column) == where


def test_quoted_names_are_case_insensitive_in_sqlite_and_mysql() -> None:
    assert analyze("sqlite", 'SELECT "Name" FROM authors').columns[0].name == "Name"
    assert analyze("mysql", "SELECT `NAME` FROM authors").columns[0].name == "NAME"


def test_all_errors_of_all_queries_are_reported() -> None:
    queries = [
        QuerySpec("a", "SELECT nope FROM authors", Location("q.sql", 1)),
        QuerySpec("b", "SELECT id FROM authors", Location("q.sql", 2)),
        QuerySpec("c", "SELECT * FROM nothing", Location("q.sql", 3)),
    ]
    with pytest.raises(ErrorGroup) as caught:
        analyze_queries(queries, catalog("sqlite"))
    assert [e.location.line for e in caught.value.errors if e.location] == [1, 3]


def test_placeholders_lost_by_the_parser_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    original = sqlglot.parse

    def lossy(sql: str, read: str) -> list[sqlglot.exp.Expr]:
        return original(sql.replace(":__p2", "1"), read=read)

    monkeypatch.setattr(query_module.sqlglot, "parse", lossy)
    with pytest.raises(AnalysisError, match="2 placeholders but only 1"):
        analyze("sqlite", "SELECT * FROM books WHERE id = ? AND author_id = ?")


def test_analysis_errors_print_as_one_paragraph() -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze("sqlite", "SELECT nmae FROM authors")
    assert str(caught.value) == (
        'queries.sql:3:8: analysis error: column "nmae" does not exist\n'
        '  hint: did you mean "name"?'
    )
