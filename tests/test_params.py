"""Placeholder styles: every style rewritten to :token, literals and comments left alone."""

from __future__ import annotations

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from scaffold.analyze.params import Placeholder, count_placeholders, prepare
from scaffold.errors import AnalysisError, Location

POS = Location("query.sql", 10, 1)

# (dialect, sql, rewritten sql, [(style, name, number, nullable, is_list)])
Expected = list[tuple[str, str | None, int | None, bool, bool]]
CASES: list[tuple[str, str, str, Expected]] = [
    (
        "sqlite",
        "SELECT * FROM t WHERE a = :name",
        "SELECT * FROM t WHERE a = :__p1",
        [("named", "name", None, False, False)],
    ),
    (
        "sqlite",
        "SELECT * FROM t WHERE a = ? AND b = ?",
        "SELECT * FROM t WHERE a = :__p1 AND b = :__p2",
        [("qmark", None, 1, False, False), ("qmark", None, 2, False, False)],
    ),
    (
        "sqlite",
        "UPDATE b SET isbn = ?2 WHERE id = ?1 OR ?2 IS NULL",
        "UPDATE b SET isbn = :__p2 WHERE id = :__p1 OR :__p2 IS NULL",
        [("numbered", None, 1, False, False), ("numbered", None, 2, False, False)],
    ),
    (
        "sqlite",  # SQLite numbering: a bare ? after ?2 is ?3
        "SELECT * FROM t WHERE a = ?2 AND b = ?1 AND c = ?",
        "SELECT * FROM t WHERE a = :__p2 AND b = :__p1 AND c = :__p3",
        [
            ("numbered", None, 1, False, False),
            ("numbered", None, 2, False, False),
            ("qmark", None, 3, False, False),
        ],
    ),
    (
        "postgres",
        "SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1",
        "SELECT * FROM t WHERE a = :__p1 AND b = :__p2 OR c = :__p1",
        [("dollar", None, 1, False, False), ("dollar", None, 2, False, False)],
    ),
    (
        "postgres",
        "SELECT * FROM t WHERE a = @author_id AND b = @Author_Id",
        "SELECT * FROM t WHERE a = :__p1 AND b = :__p1",
        [("at", "author_id", None, False, False)],
    ),
    (
        "postgres",
        "SELECT * FROM t WHERE a = sqlc.arg(x) AND b = sqlc.arg('y') AND c = sqlc.arg( \"z\" )",
        "SELECT * FROM t WHERE a = :__p1 AND b = :__p2 AND c = :__p3",
        [
            ("sqlc_arg", "x", None, False, False),
            ("sqlc_arg", "y", None, False, False),
            ("sqlc_arg", "z", None, False, False),
        ],
    ),
    (
        "postgres",
        "SELECT * FROM t WHERE sqlc.narg(n) IS NULL OR a = sqlc.narg(n)",
        "SELECT * FROM t WHERE :__p1 IS NULL OR a = :__p1",
        [("sqlc_narg", "n", None, True, False)],
    ),
    (
        "sqlite",
        "SELECT * FROM t WHERE id IN (sqlc.slice(ids)) AND k = sqlc.arg(k)",
        "SELECT * FROM t WHERE id IN (:__p1) AND k = :__p2",
        [("sqlc_slice", "ids", None, False, True), ("sqlc_arg", "k", None, False, False)],
    ),
    (
        "postgres",  # @name and sqlc.arg(name) name the same parameter
        "SELECT * FROM t WHERE a = @id OR b = sqlc.narg(id)",
        "SELECT * FROM t WHERE a = :__p1 OR b = :__p1",
        [("at", "id", None, True, False)],
    ),
    (
        "postgres",  # casts, := and literals are not placeholders
        "SELECT a::int, b::text[], '?' || ':x' || E'\\' ?' FROM t WHERE c = :c::int",
        "SELECT a::int, b::text[], '?' || ':x' || E'\\' ?' FROM t WHERE c = :__p1::int",
        [("named", "c", None, False, False)],
    ),
    (
        "sqlite",  # '' escapes, quoted identifiers in all three quotings
        "SELECT 'it''s ?', \"a?\", `b:x`, [c $1] FROM t WHERE d = ?",
        "SELECT 'it''s ?', \"a?\", `b:x`, [c $1] FROM t WHERE d = :__p1",
        [("qmark", None, 1, False, False)],
    ),
    (
        "sqlite",
        "SELECT a -- what about ? and :x\nFROM t /* or $1? */ WHERE b = ?",
        "SELECT a -- what about ? and :x\nFROM t /* or $1? */ WHERE b = :__p1",
        [("qmark", None, 1, False, False)],
    ),
    (
        "postgres",
        "SELECT $$ $1 ? $$, $fn$ :x $fn$, a$1 FROM t WHERE b = $1",
        "SELECT $$ $1 ? $$, $fn$ :x $fn$, a$1 FROM t WHERE b = :__p1",
        [("dollar", None, 1, False, False)],
    ),
    (
        "postgres",  # jsonb operators after an operand are not placeholders
        "SELECT * FROM t WHERE data ? 'k' AND data ?| array['a'] AND tags @> $1",
        "SELECT * FROM t WHERE data ? 'k' AND data ?| array['a'] AND tags @> :__p1",
        [("dollar", None, 1, False, False)],
    ),
    (
        "postgres",  # nested block comments are PostgreSQL's
        "SELECT 1 /* a /* $2 */ $3 */ FROM t WHERE a = $1",
        "SELECT 1 /* a /* $2 */ $3 */ FROM t WHERE a = :__p1",
        [("dollar", None, 1, False, False)],
    ),
    (
        "mysql",  # @var is a user variable, # a comment, \' an escape
        "SELECT @total, 'it\\'s ?' FROM t # ?\nWHERE a = ? LIMIT ?",
        "SELECT @total, 'it\\'s ?' FROM t # ?\nWHERE a = :__p1 LIMIT :__p2",
        [("qmark", None, 1, False, False), ("qmark", None, 2, False, False)],
    ),
    (
        "postgres",  # user names shaped like our tokens push the prefix away
        "SELECT * FROM t WHERE a = :__p1 AND b = :x",
        "SELECT * FROM t WHERE a = :___p1 AND b = :___p2",
        [("named", "__p1", None, False, False), ("named", "x", None, False, False)],
    ),
    (
        "sqlite",  # sqlc numbers names after the positions, wherever they are written
        "SELECT * FROM t WHERE b = sqlc.arg(bee) AND a = ? AND c IN (sqlc.slice(cs)) AND d > ?",
        "SELECT * FROM t WHERE b = :__p3 AND a = :__p1 AND c IN (:__p4) AND d > :__p2",
        [
            ("qmark", None, 1, False, False),
            ("qmark", None, 2, False, False),
            ("sqlc_arg", "bee", None, False, False),
            ("sqlc_slice", "cs", None, False, True),
        ],
    ),
    (
        "postgres",
        "SELECT * FROM t WHERE a = @x AND b = $1",
        "SELECT * FROM t WHERE a = :__p2 AND b = :__p1",
        [("dollar", None, 1, False, False), ("at", "x", None, False, False)],
    ),
    (
        "postgres",  # array slices are no placeholders
        "SELECT tags[1:n], tags[lo:2] FROM t WHERE id = :id",
        "SELECT tags[1:n], tags[lo:2] FROM t WHERE id = :__p1",
        [("named", "id", None, False, False)],
    ),
    (
        "sqlite",  # SQLite's own $name style
        "SELECT * FROM t WHERE a = $name AND b = :name",
        "SELECT * FROM t WHERE a = :__p1 AND b = :__p1",
        [("named", "name", None, False, False)],
    ),
    (
        "postgres",  # a modulo by a column named s is no DB-API placeholder
        "SELECT a %s, a % 2 FROM t WHERE b = $1",
        "SELECT a %s, a % 2 FROM t WHERE b = :__p1",
        [("dollar", None, 1, False, False)],
    ),
    (
        "sqlite",
        "SELECT * FROM t LIMIT :limit OFFSET :offset",
        "SELECT * FROM t LIMIT :__p1 OFFSET :__p2",
        [("named", "limit", None, False, False), ("named", "offset", None, False, False)],
    ),
]


def _shape(p: Placeholder) -> tuple[str, str | None, int | None, bool, bool]:
    return (p.style, p.name, p.number, p.nullable, p.is_list)


@pytest.mark.parametrize(("dialect", "sql", "rewritten", "expected"), CASES)
def test_prepare_rewrites_every_style(
    dialect: str, sql: str, rewritten: str, expected: Expected
) -> None:
    prepared = prepare(sql, dialect, POS)
    assert prepared.sql == rewritten
    assert [_shape(p) for p in prepared.placeholders] == expected
    assert [p.token for p in prepared.placeholders] == sorted(
        {p.token for p in prepared.placeholders}, key=lambda t: int(t.lstrip("_p"))
    )


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "mysql"])
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a FROM t WHERE a = ? AND b IN (?, ?) LIMIT ? OFFSET ?",
        "SELECT a FROM t WHERE id IN (sqlc.slice(ids)) AND b = sqlc.narg(b)",
        "UPDATE t SET a = :a, b = :b WHERE id = :id",
        "INSERT INTO t (a, b) VALUES (:a, :b)",
        "SELECT CAST(:x AS INTEGER) + 1 AS y",
        "DELETE FROM t WHERE id = :id",
    ],
)
def test_rewritten_sql_parses_with_every_placeholder(dialect: str, sql: str) -> None:
    prepared = prepare(sql, dialect, POS)
    tree = sqlglot.parse_one(prepared.sql, read=dialect)
    assert count_placeholders(tree) == prepared.occurrences


def test_postgres_casts_parse_after_rewrite() -> None:
    prepared = prepare("SELECT $1::int, a::text FROM t WHERE b = $2::date", "postgres", POS)
    tree = sqlglot.parse_one(prepared.sql, read="postgres")
    assert count_placeholders(tree) == prepared.occurrences == 2


def test_embed_becomes_star_and_is_listed() -> None:
    prepared = prepare(
        "SELECT sqlc.embed(students), sqlc.embed(test_scores) FROM students "
        "JOIN test_scores ON test_scores.student_id = students.id WHERE students.id = $1",
        "postgres",
        POS,
    )
    assert prepared.sql.startswith("SELECT students.*, test_scores.* FROM students")
    assert prepared.embeds == ("students", "test_scores")
    assert prepared.occurrences == 1


def test_occurrences_count_repeats() -> None:
    prepared = prepare("SELECT * FROM t WHERE a = $1 OR b = $1 OR c = $2", "postgres", POS)
    assert (prepared.occurrences, len(prepared.placeholders)) == (3, 2)


@pytest.mark.parametrize(
    ("sql", "line", "column"),
    [
        ("SELECT * FROM t WHERE a = ?", 10, 27),
        ("SELECT *\nFROM t\n  WHERE a = ?", 12, 13),
    ],
)
def test_locations_point_into_the_users_file(sql: str, line: int, column: int) -> None:
    (placeholder,) = prepare(sql, "sqlite", POS).placeholders
    assert placeholder.location == Location("query.sql", line, column)


def test_location_column_offsets_from_a_statement_starting_mid_line() -> None:
    (placeholder,) = prepare("SELECT :a", "sqlite", Location("q.sql", 3, 5)).placeholders
    assert placeholder.location == Location("q.sql", 3, 12)


@pytest.mark.parametrize(
    ("dialect", "sql", "message", "column"),
    [
        ("postgres", "SELECT * FROM t WHERE a = ?1 AND b = $1", "mixes parameter styles", 38),
        ("sqlite", "SELECT * FROM t WHERE a = ? AND b = $2", "mixes parameter styles", 37),
        ("postgres", "SELECT * FROM t WHERE a = $1 AND b = $3", "$2 is never used", 38),
        ("sqlite", "SELECT * FROM t WHERE a = sqlc.args(a)", "unknown sqlc function", 27),
        ("postgres", "SELECT * FROM t WHERE a = %s", "DB-API placeholder", 27),
        ("mysql", "SELECT * FROM t WHERE a = %(a)s", "DB-API placeholder", 27),
        ("postgres", "SELECT * FROM t WHERE a = $a", "not a parameter in postgres", 27),
        ("mysql", "SELECT * FROM t WHERE a = $a", "not a parameter in mysql", 27),
        ("sqlite", "SELECT * FROM t WHERE a = sqlc.arg()", "takes one name", 27),
        ("sqlite", "SELECT * FROM t WHERE a = sqlc.arg(a, b)", "takes one name", 27),
    ],
)
def test_bad_placeholders_are_located_errors(
    dialect: str, sql: str, message: str, column: int
) -> None:
    with pytest.raises(AnalysisError) as caught:
        prepare(sql, dialect, POS)
    assert message in caught.value.message
    assert caught.value.location == Location("query.sql", 10, column)
    assert caught.value.hint


def test_unknown_sqlc_function_suggests_the_close_one() -> None:
    with pytest.raises(AnalysisError) as caught:
        prepare("SELECT sqlc.narq(x)", "postgres", POS)
    assert caught.value.hint == 'did you mean "narg"?'


def test_query_without_placeholders_is_unchanged() -> None:
    sql = "SELECT count(*) FROM t WHERE name = 'a:b?c'"
    prepared = prepare(sql, "postgres", POS)
    assert (prepared.sql, prepared.placeholders, prepared.occurrences) == (sql, (), 0)


@given(
    st.text(alphabet=st.sampled_from(list("ab %:?$@'\"`[]-/*#\n(),.1sqlc.argembd_E")), max_size=60)
)
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_result_or_a_located_error(sql: str) -> None:
    for dialect in ("sqlite", "postgres", "mysql"):
        try:
            prepared = prepare(sql, dialect, POS)
        except AnalysisError as error:
            assert error.location is not None
        else:
            assert len(prepared.placeholders) <= prepared.occurrences
