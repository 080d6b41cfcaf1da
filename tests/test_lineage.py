"""Invalidation from column lineage: which states a form's write refreshes, and pruning."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.analyze.lineage_facts import join_filters, order_keys, parse_select
from scaffold.analyze.model import Filter
from scaffold.pipeline import Analysis, analyze, load
from scaffold.plan.lineage import Prune, Refresh, invalidation, lineage_warnings, maintenance
from scaffold.spec.model import Spec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

SCHEMA = """\
CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name VARCHAR(50) NOT NULL UNIQUE
);
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(80) NOT NULL,
    price       NUMERIC(8, 2) NOT NULL CHECK (price >= 0),
    note        TEXT,
    category_id INTEGER NOT NULL REFERENCES categories (id)
);
"""
QUERIES = """\
-- name: ItemsInCategory :many
SELECT id, name, price FROM items WHERE category_id = :category_id AND price > 0
ORDER BY price DESC, name;

-- name: ItemNames :many
SELECT id, name FROM items ORDER BY name;

-- name: CategoryCounts :many
SELECT c.id, c.name, COUNT(i.id) AS items
FROM categories c LEFT JOIN items i ON i.category_id = c.id
GROUP BY c.id, c.name ORDER BY c.name;

-- name: Category :one
SELECT id, name FROM categories WHERE id = :id;

-- name: ItemsOfNamedCategory :many
SELECT i.id, i.name FROM items i JOIN categories c ON c.id = i.category_id
WHERE c.id = :cat ORDER BY i.name;
"""
SPEC = """\
version: 1
app: shop
database: {dialect: sqlite, schema: [schema.sql]}
queries: {file: queries.sql}
state:
  in_category: {owner: server, query: ItemsInCategory, key: id}
  names:       {owner: server, query: ItemNames, key: id}
  counts:      {owner: server, query: CategoryCounts, key: id}
  category:    {owner: server, query: Category, key: id}
  joined:      {owner: server, query: ItemsOfNamedCategory, key: id}
forms:
  add_item: {table: items, fields: [name, price, note, category_id]}
  reprice: {table: items, action: update, fields: [price]}
  annotate: {table: items, action: update, fields: [note]}
  move: {table: items, action: update, fields: [category_id]}
  drop_item: {table: items, action: delete}
  add_category: {table: categories, fields: [name]}
"""


def shop(tmp_path: Path) -> tuple[Spec, Analysis]:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "queries.sql").write_text(QUERIES)
    (tmp_path / "scaffold.yaml").write_text(SPEC)
    spec = load(tmp_path / "scaffold.yaml")
    return spec, analyze(spec)


def refreshes(spec: Spec, analysis: Analysis) -> dict[str, tuple[Refresh, ...]]:
    lineage = invalidation(spec, analysis.catalog, analysis.queries)
    return {f.form: f.refreshes for f in lineage}


def test_bookshop_invalidation_map() -> None:
    spec = load(EXAMPLES / "bookshop" / "scaffold.yaml")
    got = refreshes(spec, analyze(spec))
    assert got == {
        "add_author": (
            # the new author's key comes back from submit(), so only its own instance refreshes
            Refresh("author_books", (Prune("author_id", "id"),)),
            Refresh("authors"),
        ),
        "add_book": (
            Refresh("books"),
            # `a.id = :author_id` and `a.id = b.author_id`: the new book's author_id prunes
            Refresh("author_books", (Prune("author_id", "author_id"),)),
        ),
        "edit_book": (Refresh("books"), Refresh("author_books")),
        "place_order": (),
    }


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        # an insert refreshes every reader of the table; filters on its own fields prune
        (
            "add_item",
            (
                Refresh("in_category", (Prune("category_id", "category_id"),)),
                Refresh("names"),
                Refresh("counts"),
                Refresh("joined", (Prune("cat", "category_id"),)),
            ),
        ),
        # an update refreshes only readers of a column it sets; the filter value is unknown
        ("reprice", (Refresh("in_category"),)),
        ("annotate", ()),
        # setting the filtered column moves the row between instances: no pruning
        ("move", (Refresh("in_category"), Refresh("counts"), Refresh("joined"))),
        # a delete refreshes every reader; only the key is known
        (
            "drop_item",
            (Refresh("in_category"), Refresh("names"), Refresh("counts"), Refresh("joined")),
        ),
        (
            "add_category",
            (
                Refresh("counts"),
                Refresh("category", (Prune("id", "id"),)),
                Refresh("joined", (Prune("cat", "id"),)),
            ),
        ),
    ],
)
def test_hand_made_invalidation(tmp_path: Path, form: str, expected: tuple[Refresh, ...]) -> None:
    spec, analysis = shop(tmp_path)
    assert refreshes(spec, analysis)[form] == expected


def test_maintenance_local_only_for_a_filter_over_one_table(tmp_path: Path) -> None:
    _spec, analysis = shop(tmp_path)
    got = {q.name: maintenance(q) for q in analysis.queries}
    assert got == {
        "ItemsInCategory": "local",
        "ItemNames": "local",
        "CategoryCounts": "refetch",  # aggregate over an outer join
        "Category": "local",
        "ItemsOfNamedCategory": "refetch",  # two tables
    }


def test_join_equalities_give_filters_and_outer_joins_do_not(tmp_path: Path) -> None:
    _spec, analysis = shop(tmp_path)
    by_name = {q.name: q for q in analysis.queries}
    joined = by_name["ItemsOfNamedCategory"]
    assert joined.filters == (Filter("categories.id", "cat"),)
    assert join_filters(joined, "sqlite") == (Filter("items.category_id", "cat"),)
    assert join_filters(by_name["CategoryCounts"], "sqlite") == ()
    assert join_filters(by_name["ItemNames"], "sqlite") == ()


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        # NULLs sort first ascending on SQLite, last on PostgreSQL; DESC flips them
        ("sqlite", [("price", True, False), ("name", False, True)]),
        ("postgres", [("price", True, True), ("name", False, False)]),
    ],
)
def test_order_keys_make_null_placement_explicit(
    tmp_path: Path, dialect: str, expected: list[tuple[str, bool, bool]]
) -> None:
    _spec, analysis = shop(tmp_path)
    query = next(q for q in analysis.queries if q.name == "ItemsInCategory")
    select = parse_select(query, dialect)
    assert select is not None
    keys = order_keys(select, dialect)
    assert keys is not None
    assert [(k.column, k.descending, k.nulls_first) for k in keys] == expected


def test_warnings_name_unrefreshed_states_and_forms_that_refresh_nothing(tmp_path: Path) -> None:
    spec, analysis = shop(tmp_path)
    warnings = lineage_warnings(spec, invalidation(spec, analysis.catalog, analysis.queries))
    assert warnings == ["form 'annotate' writes 'items' but refreshes no state"]
