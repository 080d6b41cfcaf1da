"""The catalog's shortcuts give what the slow ways gave: the statement scanner splits where
sqlglot's tokenizer does, column facts kept between freezes, type texts kept between columns."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot.expressions as exp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.analyze import catalog_draft, types
from scaffold.analyze.catalog import catalog_from_text
from scaffold.analyze.catalog_draft import ColumnDraft
from scaffold.analyze.catalog_facts import TypeFacts, _work_out
from scaffold.analyze.catalog_split import statement_spans
from scaffold.analyze.ddl_source import (
    Statement,
    split_statements,
    split_statements_by_tokens,
    up_section,
)
from scaffold.errors import AnalysisError, Location

ROOT = Path(__file__).resolve().parent.parent
DDL_FOLDERS = [Path("/work/shared/corpus"), ROOT / "tests" / "corpus", ROOT / "examples"]
DDL_FILES = sorted({p for d in DDL_FOLDERS if d.is_dir() for p in d.rglob("*.sql")})
DIALECTS = ("postgres", "sqlite", "mysql")

Split = list[Statement] | tuple[str, Location | None]


def both_splits(text: str, dialect: str) -> tuple[Split, Split]:
    """The scanner's split and the tokenizer's (the reference)."""
    new = _split(split_statements, text, dialect)
    return new, _split(split_statements_by_tokens, text, dialect)


def _split(how: object, text: str, dialect: str) -> Split:
    try:
        return how(text, dialect, "schema.sql")  # type: ignore[operator, no-any-return]
    except AnalysisError as err:
        return str(err), err.location


def test_every_ddl_file_splits_as_the_tokenizer_splits_it() -> None:
    assert len(DDL_FILES) >= 15
    for path in DDL_FILES:
        text = up_section(path.read_text(encoding="utf-8"))
        for dialect in DIALECTS:
            new, old = both_splits(text, dialect)
            assert new == old, (path, dialect)


def test_a_pg_dump_is_split_without_the_tokenizer() -> None:
    text = (ROOT / "tests" / "corpus" / "pagila-postgresql" / "schema.sql").read_text()
    spans = statement_spans(text, "postgres")
    assert spans is not None and len(spans) == len(split_statements_by_tokens(text, "postgres", ""))


EDGES = [
    "CREATE TABLE t (a text DEFAULT 'x;y'); CREATE TABLE u (b int)",
    "SELECT 'it''s'; SELECT 'a' 'b' ;",
    'CREATE TABLE "a;b" ("c""d" int);',
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
    "CREATE FUNCTION f() AS $body$ a; $$ b; $body$; SELECT 1",
    "SELECT $1, $2 FROM t WHERE x = $3;",
    "SELECT $1,$2;",
    "SELECT $a\\b$ x; $a\\b$; SELECT $1 || 'it''s';",
    "SELECT a$b$c; SELECT x AS$$ y $$;",
    "-- a; b\nCREATE TABLE t (a int); -- c\r; d\n;",
    "/* a; /* b; */ c; */ SELECT 1; /*/*/ x */;",
    "/*CREATE/*/; SELECT 1 /* a */ ; /**/;",
    "/*+ hint */ SELECT /*+ INDEX(t) */ a FROM t;",
    "SELECT a |/* c */ 2; SELECT a #-- b\n;",
    "SELECT a #> b; # note ; \nSELECT 1;",
    "SELECT 1 --x\n;SELECT 2 --;\n;",
    "SHOW x /* c */ ; CALL f(1) ;  DO $$ a;b $$ ; EXPLAIN y",
    "BEGIN; SHOW x ; BEGIN SHOW y ; START x ;",
    "CREATE TRIGGER t AFTER INSERT ON a BEGIN REPLACE INTO b VALUES (1); END;",
    "SELECT E'a\\'; b'; SELECT X'1f'; SELECT B'0101'; SELECT U&'d\\0061t';",
    "SELECT N'x;y'; SELECT n\"x;y\";",
    "SELECT \"a\\\"; b\"; SELECT 'a\\'; b';",
    "SELECT `a;b` FROM [c;d] WHERE [e]]f] = 1;",
    "CREATE TABLE t (a INTEGER PRIMARY KEY ON CONFLICT REPLACE, b DESC) WITHOUT ROWID;",
    "CREATE TABLE t (id int)\x0c; SELECT\u00a01;",
    "SELECT 'unterminated; SELECT 1;",
    "SELECT $$ unterminated; SELECT 1;",
    'SELECT "open; SELECT 1;',
    "SELECT 1; {# a template comment; #} SELECT 2;",
    ";;; ; -- only comments ;\n /* and */ ;",
    "",
]


@pytest.mark.parametrize("text", EDGES)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_edge_cases_split_as_the_tokenizer_splits_them(text: str, dialect: str) -> None:
    new, old = both_splits(text, dialect)
    assert new == old


FRAGMENTS = [
    *("CREATE", "TABLE", "t", " ", "\n", "\r", "\t", ";", ";", "(", ")", ",", "1", "x", "é"),
    *("'", "''", "'a;b'", '"', '"x;y"', "`", "`q`", "[", "]", "[n]", "\\", "\\'"),
    *("$", "$$", "$a$", "$$ a; b $$", "$f$ x;$$ $f$", "$1 ", "= $2", "a$", "AS", "e", "E'"),
    *("--", "-- c;\n", "-- c\r", "/*", "*/", "/* c; */", "/* a /* b */ c */", "/*+", "{#"),
    *("#", "# c;\n", "#>", "#-", "|/", "-|-", "-", "/", "*", "<", "X'", "N'", "U&'", "0x1f"),
    *("BEGIN", "START", "SHOW", "CALL", "DO", "REPLACE", "EXPLAIN", "LOCK TABLES", "ORDER BY"),
    *("SELECT", "ON", "CONFLICT", "WITHOUT", "ROWID", "DESC", "USER", "-DEFINED", "::", "\x0c"),
]
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.sampled_from(DIALECTS))
def test_fragments_split_as_the_tokenizer_splits_them(parts: list[str], dialect: str) -> None:
    new, old = both_splits("".join(parts), dialect)
    assert new == old


@FUZZ
@given(st.text(alphabet="ab ;'\"`[]$-/*#\n\r\\{}E&", max_size=40), st.sampled_from(DIALECTS))
def test_any_text_splits_as_the_tokenizer_splits_it(text: str, dialect: str) -> None:
    new, old = both_splits(text, dialect)
    assert new == old


SCHEMAS = {
    "changes after a view froze the tables": (
        "postgres",
        """
        CREATE TYPE mood AS ENUM ('ok', 'sad');
        CREATE TABLE a (id serial PRIMARY KEY, n numeric(5, 2) DEFAULT 0, m text DEFAULT now());
        CREATE VIEW va AS SELECT id, n, m FROM a;
        ALTER TABLE a ALTER COLUMN n TYPE varchar(12);
        ALTER TABLE a ALTER COLUMN m SET DEFAULT 'x';
        ALTER TABLE a ALTER COLUMN id DROP DEFAULT;
        ALTER TABLE a ADD COLUMN feel mood;
        CREATE VIEW vb AS SELECT * FROM a;
        ALTER TABLE ONLY a ADD CONSTRAINT a_n_key UNIQUE (n);
        """,
    ),
    "sqlite declared types": (
        "sqlite",
        """
        CREATE TABLE s (id INTEGER PRIMARY KEY, price DECIMAL(10, 2), raw, at DATETIME);
        CREATE VIEW vs AS SELECT id, price FROM s;
        ALTER TABLE s ADD COLUMN note VARCHAR(20) DEFAULT 'n';
        """,
    ),
    "mysql types": (
        "mysql",
        """
        CREATE TABLE m (id INT AUTO_INCREMENT PRIMARY KEY, flag TINYINT(1), kind ENUM('a', 'b'));
        CREATE VIEW vm AS SELECT id, kind FROM m;
        ALTER TABLE m MODIFY COLUMN flag BIGINT NOT NULL;
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_column_facts_kept_between_freezes_change_nothing(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect, ddl = SCHEMAS[name]
    kept = catalog_from_text(dialect, ddl)

    def always_fresh(col: ColumnDraft, dialect: str) -> TypeFacts:
        return _work_out(col, dialect)

    monkeypatch.setattr(catalog_draft, "type_facts", always_fresh)
    monkeypatch.setattr(types, "_plain_type_key", lambda dtype, dialect: None)
    assert catalog_from_text(dialect, ddl) == kept


TYPES = [
    *("integer", "int", "bigint", "text", "numeric(10, 2)", "numeric(5)", "decimal", "real"),
    *("varchar(20)", "char(3)", "timestamptz", "timestamp(3)", "double precision", "uuid"),
    *("time with time zone", "interval", "bit(4)", "jsonb", "bytea", "smallint", "boolean"),
    *("float(8)", "tinyint(1)", "varbinary(16)", "datetime", "interval day"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_type_texts_kept_between_columns_are_the_rendered_ones(dialect: str) -> None:
    for text in TYPES:
        dtype = types.parse_type(text, dialect)
        assert isinstance(dtype, exp.DataType), text
        first, again = types.sql_type_text(dtype, dialect), types.sql_type_text(dtype, dialect)
        assert first == again == types._rendered_type_text(dtype, dialect), (text, dialect)


def test_a_type_with_comments_is_rendered_not_taken_from_the_kept_texts() -> None:
    plain = types.parse_type("integer", "postgres")
    noted = types.parse_type("integer", "postgres")
    assert isinstance(plain, exp.DataType) and isinstance(noted, exp.DataType)
    noted.add_comments(["a note"])
    types.sql_type_text(plain, "postgres")
    rendered = types._rendered_type_text(noted, "postgres")
    assert "a note" in rendered.lower()
    assert types.sql_type_text(noted, "postgres") == rendered
    assert types.sql_type_text(plain, "postgres") == "INTEGER"
