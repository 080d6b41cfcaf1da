"""Query analysis as tables: SQL in, output columns / parameters / facts out, per dialect."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.query_cases import DIALECTS, analyze, columns, params

ALL = DIALECTS
PG = ("postgres",)
LITE = ("sqlite",)
MY = ("mysql",)

# (dialects, sql, expected columns, expected params)
COLUMN_CASES: list[tuple[tuple[str, ...], str, str, str]] = [
    # plain columns, NOT NULL and PK
    (ALL, "SELECT id, name, bio FROM authors", "id int, name str, bio str?", ""),
    (ALL, "SELECT * FROM tags", "book_id int, tag str", ""),
    (
        ALL,
        "SELECT a.*, b.title FROM authors a JOIN books b ON b.author_id = a.id",
        "id int, name str, bio str?, email str?, title str",
        "",
    ),
    (
        ALL,
        "SELECT a.name AS author, b.title AS t FROM books b, authors a WHERE a.id = b.author_id",
        "author str, t str",
        "",
    ),
    # outer joins
    (
        ALL,
        "SELECT b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id",
        "title str, name str?",
        "",
    ),
    (
        ALL,
        "SELECT b.title, a.name FROM books b RIGHT JOIN authors a ON a.id = b.author_id",
        "title str?, name str",
        "",
    ),
    (
        PG,
        "SELECT b.title, a.name FROM books b FULL JOIN authors a ON a.id = b.author_id",
        "title str?, name str?",
        "",
    ),
    (
        ALL,
        "SELECT b.title, t.tag FROM books b LEFT JOIN tags t ON t.book_id = b.id "
        "LEFT JOIN authors a ON a.id = b.author_id",
        "title str, tag str?",
        "",
    ),
    # a WHERE that compares the optional side proves it matched
    (
        ALL,
        "SELECT a.name, b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id "
        "WHERE b.price > 10",
        "name str, title str",
        "",
    ),
    (
        ALL,
        "SELECT a.name, b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id "
        "WHERE b.price > 10 OR a.id = 1",
        "name str, title str?",
        "",
    ),
    # an inner join after a left join on the optional side
    (
        ALL,
        "SELECT b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id "
        "JOIN tags t ON t.book_id = a.id",
        "title str, name str",
        "",
    ),
    # IS NOT NULL and comparisons in WHERE
    (
        ALL,
        "SELECT bio, email FROM authors WHERE bio IS NOT NULL AND email LIKE '%@x'",
        "bio str, email str",
        "",
    ),
    (ALL, "SELECT bio FROM authors WHERE NOT bio IS NULL", "bio str", ""),
    (ALL, "SELECT bio FROM authors WHERE bio IS NULL OR bio = 'x'", "bio str?", ""),
    (ALL, "SELECT price FROM books WHERE price BETWEEN 1 AND 5", "price Decimal", ""),
    # aggregates with and without GROUP BY
    (ALL, "SELECT count(*) FROM books", "count int", ""),
    (ALL, "SELECT count(price), count(DISTINCT author_id) AS n FROM books", "count int, n int", ""),
    (ALL, "SELECT max(created_at), min(title) FROM books", "max datetime?, min str?", ""),
    (
        ALL,
        "SELECT author_id, max(created_at), min(title), max(price) FROM books GROUP BY author_id",
        "author_id int, max datetime, min str, max_2 Decimal?",
        "",
    ),
    (
        PG,
        "SELECT sum(id), sum(price), avg(id), avg(rating) FROM books",
        "sum int?, sum_2 Decimal?, avg Decimal?, avg_2 float?",
        "",
    ),
    (
        LITE,
        "SELECT sum(id), sum(rating), avg(id), total(price) FROM books",
        "sum int?, sum_2 float?, avg float?, total float",
        "",
    ),
    (
        MY,
        "SELECT sum(id), avg(id), sum(rating) FROM books",
        "sum Decimal?, avg Decimal?, sum_2 float?",
        "",
    ),
    (
        PG,
        "SELECT author_id, sum(id) FILTER (WHERE price > 1) AS s, "
        "count(*) FILTER (WHERE price > 1) AS c FROM books GROUP BY author_id",
        "author_id int, s int?, c int",
        "",
    ),
    (
        PG,
        "SELECT author_id, array_agg(title) AS titles FROM books GROUP BY author_id",
        "author_id int, titles list",
        "",
    ),
    # COALESCE, CASE, concatenation, casts, literals
    (
        ALL,
        "SELECT coalesce(bio, name) AS about, coalesce(bio, email) AS contact FROM authors",
        "about str, contact str?",
        "",
    ),
    (ALL, "SELECT CASE WHEN bio IS NULL THEN 'none' ELSE bio END AS b FROM authors", "b str", ""),
    (
        ALL,
        "SELECT CASE WHEN bio IS NULL THEN 'none' ELSE 'some' END AS b, "
        "CASE WHEN id > 1 THEN name END AS c FROM authors",
        "b str, c str?",
        "",
    ),
    (
        PG + LITE,
        "SELECT name || ' ' || bio AS full, name || '!' AS shout FROM authors",
        "full str?, shout str",
        "",
    ),
    (PG + LITE, "SELECT concat(name, bio) AS c FROM authors", "c str", ""),
    (
        MY,
        "SELECT CONCAT(name, bio) AS c, CONCAT(name, '!') AS d, CONCAT_WS(' ', name, bio) AS e "
        "FROM authors",
        "c str?, d str, e str",
        "",
    ),
    (ALL, "SELECT CAST(id AS TEXT) AS s, CAST(bio AS TEXT) AS b FROM authors", "s str, b str?", ""),
    (PG, "SELECT id::text AS s, price::float AS p FROM books", "s str, p float?", ""),
    (ALL, "SELECT 1 AS one, 'x' AS s, NULL AS n FROM authors", "one int, s str, n str?", ""),
    (PG, "SELECT 1.5 AS d, true AS t", "d Decimal, t bool", ""),
    (LITE, "SELECT 1.5 AS d", "d float", ""),
    # a CASE branch knows its condition held and the earlier ones failed
    (
        ALL,
        "SELECT CASE WHEN bio IS NULL THEN '' ELSE bio END AS a, "
        "CASE WHEN bio IS NOT NULL THEN bio ELSE 'x' END AS b, "
        "CASE WHEN bio IS NULL OR email IS NULL THEN '' ELSE email END AS c, "
        "CASE WHEN id > 1 THEN bio ELSE '' END AS d FROM authors",
        "a str, b str, c str, d str?",
        "",
    ),
    (LITE, "SELECT iif(bio IS NULL, 'none', bio) AS b FROM authors", "b str", ""),
    # arithmetic and comparisons
    (
        ALL,
        "SELECT id + 1 AS a, price * 2 AS b, rating + id AS c FROM books",
        "a int, b Decimal?, c float?",
        "",
    ),
    (PG, "SELECT id = 1 AS eq, bio = 'x' AS beq FROM authors", "eq bool, beq bool?", ""),
    (LITE, "SELECT id = 1 AS eq FROM authors", "eq int", ""),
    (
        PG,
        "SELECT created_at - created_at AS d, published + 1 AS p FROM books",
        "d timedelta, p date?",
        "",
    ),
    # functions
    (
        ALL,
        "SELECT lower(name) AS l, upper(bio) AS u, length(name) AS n FROM authors",
        "l str, u str?, n int",
        "",
    ),
    (
        PG,
        "SELECT now() AS t, current_date AS d, gen_random_uuid() AS u",
        "t datetime, d date, u UUID",
        "",
    ),
    (
        LITE,
        # SQLite answers NULL for text that is not a date, so even datetime(...) may be NULL
        "SELECT datetime('now') AS t, strftime('%Y', created_at) AS y FROM books",
        "t str?, y str?",
        "",
    ),
    (ALL, "SELECT nullif(name, 'x') AS n FROM authors", "n str?", ""),
    (PG, "SELECT json_build_object('id', id) AS j FROM authors", "j dict", ""),
    (ALL, "SELECT my_function(id) AS f FROM authors", "f int?", ""),
    (
        LITE,
        "SELECT min(id, rating) AS m, max(id, 3) AS x, hex(rating) AS h, "
        "date(created_at) AS d FROM books",
        "m float?, x int, h str, d str?",
        "",
    ),
    (
        PG,
        "SELECT a.id, json_agg(b.price) AS p, array_length(array_agg(b.id), 1) AS n "
        "FROM authors a LEFT JOIN books b ON b.author_id = a.id GROUP BY a.id",
        "id int, p dict, n int?",
        "",
    ),
    (PG, "SELECT json_agg(id) AS j FROM books", "j dict?", ""),
    # window functions
    (
        ALL,
        "SELECT id, row_number() OVER (ORDER BY id) AS rn, rank() OVER (ORDER BY id) AS r, "
        "lag(title) OVER (ORDER BY id) AS prev, max(id) OVER (PARTITION BY author_id) AS s, "
        "count(*) OVER () AS c FROM books",
        "id int, rn int, r int, prev str?, s int, c int",
        "",
    ),
    (
        PG,
        "SELECT sum(price) OVER (ORDER BY id) AS s, first_value(title) OVER (ORDER BY id) AS f "
        "FROM books",
        "s Decimal?, f str",
        "",
    ),
    # subqueries
    (
        ALL,
        "SELECT a.name, (SELECT count(*) FROM books b WHERE b.author_id = a.id) AS n, "
        "(SELECT b.title FROM books b WHERE b.author_id = a.id LIMIT 1) AS t FROM authors a",
        "name str, n int, t str?",
        "",
    ),
    (
        PG,
        "SELECT EXISTS (SELECT 1 FROM books WHERE author_id = a.id) AS has FROM authors a",
        "has bool",
        "",
    ),
    (
        ALL,
        "SELECT x.t FROM (SELECT title AS t, price FROM books) AS x WHERE x.price > 1",
        "t str",
        "",
    ),
    (
        ALL,
        "SELECT name FROM authors WHERE id IN (SELECT author_id FROM books WHERE price > 1)",
        "name str",
        "",
    ),
    # CTEs, recursive too
    (
        ALL,
        "WITH c AS (SELECT author_id, count(*) AS n FROM books GROUP BY author_id) "
        "SELECT a.name, c.n FROM authors a LEFT JOIN c ON c.author_id = a.id",
        "name str, n int?",
        "",
    ),
    (
        PG + LITE,
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) "
        "SELECT n FROM r",
        "n int",
        "",
    ),
    (
        PG + LITE,
        "WITH RECURSIVE chain(id, parent) AS (SELECT id, NULL FROM authors "
        "UNION ALL SELECT c.id, a.id FROM chain c JOIN authors a ON a.id = c.id) "
        "SELECT id, parent FROM chain",
        "id int, parent int?",
        "",
    ),
    # UNION / INTERSECT / EXCEPT
    (ALL, "SELECT id, bio FROM authors UNION SELECT id, title FROM books", "id int, bio str?", ""),
    (
        ALL,
        "SELECT name, NULL AS p FROM authors UNION ALL SELECT title, price FROM books",
        "name str, p Decimal?",
        "",
    ),
    (ALL, "SELECT id AS n FROM authors UNION ALL SELECT rating FROM books", "n float?", ""),
    (PG, "SELECT bio FROM authors INTERSECT SELECT title FROM books", "bio str", ""),
    # duplicate names
    (
        ALL,
        "SELECT a.id, b.id FROM authors a JOIN books b ON b.author_id = a.id",
        "id int, id_2 int",
        "",
    ),
    # identifiers
    (PG, 'SELECT "name" FROM "authors"', "name str", ""),
    (PG, 'SELECT NAME, Bio AS About, id AS "ID" FROM authors', "name str, about str?, ID int", ""),
    (ALL, "SELECT id FROM authors WHERE :flag", "id int", "flag bool"),
    (MY, "SELECT `name`, NAME FROM authors", "name str, NAME_2 str", ""),
    (LITE, 'SELECT [name], "Bio" FROM authors', "name str, Bio str?", ""),
    (
        PG,
        "SELECT book_id, tag FROM tags JOIN tags t2 USING (book_id, tag)",
        "book_id int, tag str",
        "",
    ),
    (ALL, "SELECT * FROM tags JOIN tags t2 USING (book_id)", "book_id int, tag str, tag_2 str", ""),
    (PG, "SELECT * FROM tags NATURAL JOIN tags t2", "book_id int, tag str", ""),
]

PARAM_CASES: list[tuple[tuple[str, ...], str, str]] = [
    (ALL, "SELECT CASE WHEN :flag THEN 1 ELSE 0 END AS x", "flag bool"),
    (ALL, "SELECT CASE id WHEN :a THEN 'a' END AS x FROM authors", "a int"),
    (ALL, "SELECT name FROM authors WHERE :id IN (SELECT author_id FROM books)", "id int"),
    (ALL, "SELECT * FROM books WHERE author_id = :author_id", "author_id int"),
    (ALL, "SELECT * FROM books WHERE author_id = ? AND title = ?", "author_id int, title str"),
    (PG, "SELECT * FROM books WHERE author_id = $1 AND title = $2", "author_id int, title str"),
    (PG, "SELECT * FROM books WHERE title = $2 AND author_id = $1", "author_id int, title str"),
    (LITE, "SELECT * FROM books WHERE author_id = ?1 OR author_id = ?1", "author_id int"),
    (
        PG + LITE,
        "SELECT * FROM books WHERE author_id = @author AND price < @max",
        "author int, max Decimal",
    ),
    (
        ALL,
        "SELECT * FROM books WHERE author_id = sqlc.arg(a) AND title LIKE sqlc.arg(pattern)",
        "a int, pattern str",
    ),
    (ALL, "SELECT * FROM books WHERE id IN (sqlc.slice(ids))", "ids int[]"),
    (ALL, "SELECT * FROM books WHERE id IN (:ids)", "ids int[]"),
    (ALL, "SELECT * FROM books WHERE id IN (?)", "id int"),
    (ALL, "SELECT * FROM books WHERE id IN (:a, :b)", "a int, b int"),
    (ALL, "SELECT * FROM books WHERE id NOT IN (sqlc.slice('ids'))", "ids int[]"),
    (
        ALL,
        "SELECT * FROM books WHERE sqlc.narg(title) IS NULL OR title = sqlc.narg(title)",
        "title str?",
    ),
    (
        ALL,
        "SELECT * FROM books WHERE (:min IS NULL OR price >= :min) AND author_id = :a",
        "min Decimal?, a int",
    ),
    (ALL, "SELECT * FROM books LIMIT ? OFFSET ?", "limit int, offset int"),
    (MY, "SELECT * FROM books LIMIT ?, ?", "offset int, limit int"),
    (
        ALL,
        "SELECT * FROM books WHERE created_at BETWEEN ? AND ?",
        "created_at datetime, created_at_2 datetime",
    ),
    (
        ALL,
        "SELECT * FROM books WHERE author_id = ? OR id = ? OR author_id = ?",
        "author_id int, id int, author_id_2 int",
    ),
    (ALL, "SELECT CAST(:n AS INTEGER) + 1 AS x", "n int"),
    (PG, "SELECT :n::int AS x", "n int"),
    (PG, "SELECT * FROM books WHERE id = ANY($1::int[])", "id list"),
    (ALL, "SELECT * FROM books WHERE price > :p * 2", "p Decimal"),
    (ALL, "SELECT * FROM books WHERE lower(title) = lower(:t)", "t str"),
    (ALL, "SELECT * FROM books WHERE coalesce(price, :dflt) > 1", "dflt Decimal"),
    (ALL, "SELECT * FROM books WHERE title LIKE :q", "q str"),
    (PG + LITE, "SELECT * FROM books WHERE title LIKE '%' || :q || '%'", "q str"),
    (ALL, "INSERT INTO authors (name, bio) VALUES (?, ?)", "name str, bio str?"),
    (ALL, "INSERT INTO tags VALUES (?, ?)", "book_id int, tag str"),
    (ALL, "INSERT INTO authors (name) SELECT :n", "n str"),
    (
        ALL,
        "INSERT INTO authors (name, bio) SELECT title, :b FROM books WHERE id = :id",
        "b str?, id int",
    ),
    (
        ALL,
        "UPDATE books SET title = ?, price = ? WHERE id = ?",
        "title str, price Decimal?, id int",
    ),
    (PG, "UPDATE books SET title = $2 WHERE id = $1", "id int, title str"),
    (ALL, "DELETE FROM books WHERE author_id = ? AND title = ?", "author_id int, title str"),
    (ALL, "SELECT * FROM authors WHERE email = :from", "from_ str"),
    (
        ALL,
        "SELECT * FROM books WHERE author_id = (SELECT id FROM authors WHERE name = :name)",
        "name str",
    ),
    (
        ALL,
        "SELECT a.name FROM authors a WHERE EXISTS (SELECT 1 FROM books b "
        "WHERE b.author_id = a.id AND b.title = :title)",
        "title str",
    ),
]


def _cases3(cases: list[tuple[tuple[str, ...], str, str, str]]) -> list[object]:
    return [
        pytest.param(d, sql, cols, ps, id=f"{d}-{i}")
        for i, (ds, sql, cols, ps) in enumerate(cases)
        for d in ds
    ]


@pytest.mark.parametrize(("dialect", "sql", "expected", "expected_params"), _cases3(COLUMN_CASES))
def test_output_columns(dialect: str, sql: str, expected: str, expected_params: str) -> None:
    info = analyze(dialect, sql)
    assert columns(info) == expected
    assert params(info) == expected_params


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        pytest.param(d, sql, ps, id=f"{d}-{i}")
        for i, (ds, sql, ps) in enumerate(PARAM_CASES)
        for d in ds
    ],
)
def test_params(dialect: str, sql: str, expected: str) -> None:
    info = analyze(dialect, sql)
    assert params(info) == expected
    # The SQL binds exactly the parameters by their final names.
    assert set(text(info.sql).compile().params) == {p.name for p in info.params}
