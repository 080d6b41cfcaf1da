"""The shortcuts taken for speed give exactly what the slow ways gave: frozen tables kept between
views, statements skipped unparsed, the catalog's name index, its lazily unpickled DDL,
escaping, the templates folder."""

from __future__ import annotations

import hashlib
import pickle
import random
import re
from importlib.resources import files
from pathlib import Path

import pytest

from bench.corpus import corpus_cases
from scaffold.analyze import catalog_draft
from scaffold.analyze.catalog import build_catalog, catalog_from_text
from scaffold.analyze.catalog_draft import CatalogDraft, TableDraft
from scaffold.analyze.ddl_source import Statement, has_no_table_facts
from scaffold.analyze.model import Catalog, Table
from scaffold.errors import Location
from scaffold.hashing import _template_files, templates_hash
from scaffold.plan.pyliterals import _escape, py_str

SCHEMAS = {
    "views between tables and ALTERs": (
        "postgres",
        """
        CREATE TABLE a (id integer PRIMARY KEY, name text);
        CREATE VIEW va AS SELECT id, name FROM a;
        ALTER TABLE a OWNER TO someone;
        CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));
        CREATE VIEW vb AS SELECT b.id, a.name FROM b LEFT JOIN a ON a.id = b.a_id;
        ALTER TABLE a ALTER COLUMN name SET NOT NULL;
        CREATE VIEW va2 AS SELECT name FROM a;
        COMMENT ON COLUMN va.name IS 'the name';
        CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM b;
        """,
    ),
    "a foreign key to a table created after a view": (
        "postgres",
        """
        CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES Parent);
        CREATE VIEW vc AS SELECT id FROM child;
        CREATE TABLE parent (pid integer PRIMARY KEY);
        CREATE VIEW vp AS SELECT c.id, p.pid FROM child c JOIN parent p ON p.pid = c.parent_id;
        """,
    ),
    "create or replace view": (
        "postgres",
        """
        CREATE TABLE t (id integer PRIMARY KEY, note text);
        CREATE TABLE r (id integer PRIMARY KEY, t_id integer REFERENCES v (id));
        CREATE VIEW v AS SELECT id FROM t;
        CREATE OR REPLACE VIEW v AS SELECT id, note FROM t;
        CREATE VIEW w AS SELECT * FROM v;
        """,
    ),
    "sqlite views and enums by check": (
        "sqlite",
        """
        CREATE TABLE s (id INTEGER PRIMARY KEY, kind TEXT CHECK (kind IN ('a', 'b')));
        CREATE VIEW vs AS SELECT id, kind FROM s;
        CREATE UNIQUE INDEX s_kind ON s (kind);
        CREATE VIEW vs2 AS SELECT kind FROM s;
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_frozen_tables_kept_between_views_change_nothing(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialect, ddl = SCHEMAS[name]
    kept = catalog_from_text(dialect, ddl)

    def always_fresh(self: CatalogDraft, draft: TableDraft) -> Table:
        return catalog_draft.freeze_table(draft, self)

    monkeypatch.setattr(CatalogDraft, "_frozen_table", always_fresh)
    fresh = catalog_from_text(dialect, ddl)
    assert kept == fresh
    assert [e.sql() for e in kept.ddl] == [e.sql() for e in fresh.ddl]


def test_frozen_tables_are_reused_while_only_tables_are_added(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen: list[str] = []
    real = catalog_draft.freeze_table

    def counting(draft: TableDraft, catalog: CatalogDraft) -> Table:
        frozen.append(draft.name)
        return real(draft, catalog)

    monkeypatch.setattr(catalog_draft, "freeze_table", counting)
    tables = "".join(f"CREATE TABLE t{i} (id integer PRIMARY KEY);\n" for i in range(5))
    views = "".join(f"CREATE VIEW v{i} AS SELECT id FROM t{i};\n" for i in range(5))
    catalog_from_text("postgres", tables + views)
    # Each table and view frozen once (it was once per view: 5 + 6 + 7 + 8 + 9, then 10).
    assert sorted(frozen) == sorted([f"t{i}" for i in range(5)] + [f"v{i}" for i in range(5)])


LOOKUPS = [
    ("orders", "orders"),
    ("ORDERS", "orders"),
    ("public.orders", "orders"),
    ("Main.Items", "Main.Items"),
    ("items", "items"),
    ("ITEMS", "Main.Items"),
    ("other.items", "Main.Items"),
    ("missing", None),
]


@pytest.mark.parametrize(("name", "found"), LOOKUPS)
def test_table_lookup_by_index_matches_a_scan(name: str, found: str | None) -> None:
    tables = (Table("orders", ()), Table("Main.Items", ()), Table("items", ()))
    catalog = Catalog("sqlite", tables)
    exact = [t for t in tables if t.name == name]
    loose = [t for t in tables if t.name.lower().split(".")[-1] == name.lower().split(".")[-1]]
    scanned = next(iter(exact or loose), None)
    assert catalog.table(name) is scanned
    assert getattr(catalog.table(name), "name", None) == found


def test_pickled_catalog_reads_its_ddl_only_when_asked() -> None:
    catalog = catalog_from_text("postgres", SCHEMAS["views between tables and ALTERs"][1])
    catalog.table("a")  # builds the index, which is not pickled
    loaded = pickle.loads(pickle.dumps(catalog))
    assert "ddl" not in vars(loaded) and "_by_name" not in vars(loaded)
    assert loaded == catalog
    assert [e.sql() for e in loaded.ddl] == [e.sql() for e in catalog.ddl]
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(loaded))))
    assert [e.sql() for e in again.ddl] == [e.sql() for e in catalog.ddl]
    assert Catalog("sqlite").ddl == ()
    with pytest.raises(AttributeError):
        _ = loaded.no_such_field


def test_py_str_escapes_as_character_by_character() -> None:
    def by_character(text: str) -> str:
        quote = "'" if text.count('"') > text.count("'") else '"'
        return quote + "".join(_escape(ch, quote) for ch in text) + quote

    alphabet = "ab \"'\\\n\t\r\x00\x7féx\u2028\U0001f600"
    rng = random.Random(7)
    texts = ["", "plain SQL", "SELECT 'x'\nFROM \"t\"", *["".join(rng.choices(alphabet, k=9))]]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(2000)]
    for text in texts:
        assert py_str(text) == by_character(text), repr(text)


def test_templates_hash_equals_the_importlib_resources_one() -> None:
    digest = hashlib.sha256()
    for name, data in sorted(_template_files(files("scaffold.templates"), "")):
        digest.update(name.encode() + b"\0" + data + b"\0")
    assert templates_hash() == digest.hexdigest()


def _corpus_schemas() -> list[tuple[str, str, Path]]:
    out = []
    for case in corpus_cases():
        engine = re.search(
            r"Engine:\s*(sqlite|postgresql|mysql)", (case / "SOURCE.txt").read_text()
        )
        dialect = {"postgresql": "postgres"}.get(engine.group(1), engine.group(1)) if engine else ""
        schema = case / "schema.sql" if (case / "schema.sql").exists() else case / "schema"
        out.append((case.name, dialect or "sqlite", schema))
    return out


@pytest.mark.parametrize(("name", "dialect", "schema"), _corpus_schemas())
def test_statements_skipped_unparsed_would_have_changed_nothing(
    name: str, dialect: str, schema: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipped = build_catalog(dialect, [schema])
    monkeypatch.setattr("scaffold.analyze.catalog.has_no_table_facts", lambda _: False)
    parsed = build_catalog(dialect, [schema])
    assert skipped == parsed, name
    assert [e.sql() for e in skipped.ddl] == [e.sql() for e in parsed.ddl]


STATEMENTS = [
    ("ALTER TABLE public.x OWNER TO postgres", True),
    ('ALTER TABLE ONLY public."X" ATTACH PARTITION p FOR VALUES IN (1)', True),
    ("CREATE INDEX i ON t (c)", True),
    ("create or replace function f() returns int as $$ select 1 $$ language sql", True),
    ("CREATE CONSTRAINT TRIGGER t AFTER INSERT ON x", True),
    ("SET search_path = public", True),
    ("CREATE UNIQUE INDEX i ON t (c)", False),
    ("ALTER TABLE x ALTER COLUMN y ADD GENERATED ALWAYS AS IDENTITY", False),
    ("ALTER TABLE owner_to ADD COLUMN a int", False),
    ("CREATE TABLE settings (a int)", False),
    ("CREATE INDEXES", False),
]


@pytest.mark.parametrize(("text", "skipped"), STATEMENTS)
def test_which_statements_are_skipped_unparsed(text: str, skipped: bool) -> None:
    assert has_no_table_facts(Statement(text, Location("schema.sql", 1, 1))) is skipped


def _ddl_files() -> list[tuple[str, Path]]:
    """Every schema of the corpus that scaffold reads, with its dialect."""
    found = []
    for case in corpus_cases():
        dialect = "sqlite" if case.name.endswith("sqlite") else "postgres"
        found += [(dialect, p) for p in sorted(case.glob("schema*.sql"))]
    return found


@pytest.mark.parametrize(("dialect", "path"), _ddl_files(), ids=lambda v: getattr(v, "name", v))
def test_cached_ddl_is_kept_as_text_and_reads_back_the_same(dialect: str, path: Path) -> None:
    catalog = build_catalog(dialect, [path])
    assert catalog.ddl_texts is not None and len(catalog.ddl_texts) == len(catalog.ddl)
    data = pickle.dumps(catalog)
    loaded = pickle.loads(data)
    assert "_ddl_pickle" not in vars(loaded)
    assert [repr(e) for e in loaded.ddl] == [repr(e) for e in catalog.ddl]
    assert [e.sql(dialect=dialect) for e in loaded.ddl] == [
        e.sql(dialect=dialect) for e in catalog.ddl
    ]


def test_reflected_ddl_without_text_stays_pickled() -> None:
    built = catalog_from_text("postgres", SCHEMAS["create or replace view"][1])
    reflected = Catalog(built.dialect, built.tables, built.enums, built.ddl)  # no texts
    loaded = pickle.loads(pickle.dumps(reflected))
    assert "_ddl_pickle" in vars(loaded)
    assert [e.sql() for e in loaded.ddl] == [e.sql() for e in built.ddl]
