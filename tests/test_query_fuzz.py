"""Fuzzing the query analyzer: whatever the text, the answer is a QueryInfo or a ScaffoldError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.errors import ScaffoldError
from tests.query_cases import DIALECTS, analyze

SEEDS = [
    "SELECT b.id, b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id "
    "WHERE b.price > :p ORDER BY b.title LIMIT 10",
    "SELECT author_id, count(*), max(price) FROM books GROUP BY author_id HAVING count(*) > ?",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
    "INSERT INTO authors (name, bio) VALUES (?, ?) RETURNING id",
    "UPDATE books SET title = sqlc.arg(t) WHERE id IN (sqlc.slice(ids))",
    "DELETE FROM tags WHERE book_id = $1 AND tag = $2",
    "SELECT coalesce(bio, name), CASE WHEN id > 1 THEN 'x' END, row_number() OVER (ORDER BY id) "
    "FROM authors WHERE sqlc.narg(n) IS NULL OR name = sqlc.narg(n)",
    "SELECT x.t FROM (SELECT title AS t FROM books) x WHERE EXISTS (SELECT 1 FROM tags)",
]
TOKENS = [
    "SELECT", "FROM", "WHERE", "JOIN", "LEFT", "ON", "GROUP BY", "ORDER BY", "UNION", "WITH",
    "AS", "(", ")", ",", "*", "=", "?", ":x", "$1", "@y", "sqlc.arg(z)", "sqlc.slice(s)",
    "authors", "books", "tags", "id", "name", "a.id", "count(*)", "NULL", "1", "'s'", "::int",
    "CAST(", "INSERT INTO", "VALUES", "UPDATE", "SET", "DELETE", "RETURNING", "LIMIT", "||",
    "CASE", "WHEN", "THEN", "END", "OVER", "IN", "IS", "NOT", "AND", "OR", ";", "--", "\n",
]  # fmt: skip
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _analyze_or_fail_cleanly(dialect: str, sql: str) -> None:
    try:
        info = analyze(dialect, sql)
    except ScaffoldError:
        return
    assert all(p.name.isidentifier() for p in info.params)


@FAST
@given(st.sampled_from(DIALECTS), st.lists(st.sampled_from(TOKENS), max_size=14))
def test_token_soup(dialect: str, tokens: list[str]) -> None:
    _analyze_or_fail_cleanly(dialect, " ".join(tokens))


@FAST
@given(
    st.sampled_from(DIALECTS),
    st.sampled_from(SEEDS),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=12),
    st.sampled_from([*TOKENS, ""]),
)
def test_mutated_queries(dialect: str, seed: str, at: int, cut: int, insert: str) -> None:
    at = at % (len(seed) + 1)
    _analyze_or_fail_cleanly(dialect, seed[:at] + insert + seed[at + cut :])


@FAST
@given(st.sampled_from(DIALECTS), st.text(max_size=40))
def test_arbitrary_text(dialect: str, sql: str) -> None:
    _analyze_or_fail_cleanly(dialect, sql)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_seeds_analyze_or_fail_cleanly(dialect: str, seed: str) -> None:
    _analyze_or_fail_cleanly(dialect, seed)
