"""A hand-built analysis of examples/bookshop (catalog, queries, spec) for the codegen and lint
tests, so they do not depend on the loader and the analyzer; plus a table of every type."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from scaffold.analyze.model import (
    Catalog,
    Column,
    ForeignKey,
    OutputColumn,
    Param,
    PyType,
    QueryInfo,
    Table,
)
from scaffold.errors import Location
from scaffold.spec.model import DatabaseSpec, FormSpec, OutputSpec, Spec, StateSpec, snake_case

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bookshop"
SPEC_FILE = "scaffold.yaml"


def col(name: str, sql: str, py: PyType, nullable: bool = False, **kw: Any) -> Column:
    return Column(name, sql, py, nullable, **kw)


def serial_pk() -> Column:
    return col(
        "id", "INTEGER", "int", primary_key=True, unique=True, server_generated="autoincrement"
    )


AUTHORS = Table(
    "authors",
    (
        serial_pk(),
        col("name", "VARCHAR(120)", "str", unique=True, max_length=120),
        col("born", "DATE", "date", True),
        col("country", "VARCHAR(2)", "str", True, max_length=2),
    ),
    primary_key=("id",),
    unique=(("id",), ("name",)),
)
BOOKS = Table(
    "books",
    (
        serial_pk(),
        col("title", "VARCHAR(200)", "str", max_length=200),
        col("isbn", "VARCHAR(13)", "str", unique=True),
        col("price", "NUMERIC(8, 2)", "Decimal", precision=8, scale=2),
        col("stock", "INTEGER", "int", default="0"),
        col("format", "TEXT", "str", default="'paperback'"),
        col("published", "DATE", "date", True),
        col("author_id", "INTEGER", "int", foreign_key=ForeignKey("authors", "id")),
        col(
            "created_at",
            "DATETIME",
            "datetime",
            default="CURRENT_TIMESTAMP",
            server_generated="default",
        ),
    ),
    primary_key=("id",),
    unique=(("id",), ("isbn",)),
)
CUSTOMERS = Table(
    "customers",
    (
        serial_pk(),
        col("email", "VARCHAR(254)", "str", unique=True),
        col("name", "VARCHAR(120)", "str"),
        col("vip", "BOOLEAN", "bool", default="FALSE"),
    ),
    primary_key=("id",),
    unique=(("id",), ("email",)),
)
ORDERS = Table(
    "orders",
    (
        serial_pk(),
        col("customer_id", "INTEGER", "int", foreign_key=ForeignKey("customers", "id")),
        col("book_id", "INTEGER", "int", foreign_key=ForeignKey("books", "id")),
        col("qty", "INTEGER", "int"),
        col(
            "placed_at",
            "DATETIME",
            "datetime",
            default="CURRENT_TIMESTAMP",
            server_generated="default",
        ),
        col("note", "TEXT", "str", True),
    ),
    primary_key=("id",),
    unique=(("id",),),
)
CATALOG = Catalog("sqlite", (AUTHORS, BOOKS, CUSTOMERS, ORDERS))


def out(
    name: str, sql: str, py: PyType, nullable: bool = False, source: str | None = None
) -> OutputColumn:
    return OutputColumn(name, sql, py, nullable, source)


def param(name: str, sql: str, py: PyType, nullable: bool = False, **kw: Any) -> Param:
    return Param(name, sql, py, nullable, **kw)


def query(
    name: str,
    kind: Any,
    command: str,
    sql: str,
    columns: Any = (),
    params: Any = (),
    reads: Any = (),
    **kw: Any,
) -> QueryInfo:
    cardinality = command if command in ("one", "many") else "exec"
    return QueryInfo(
        name,
        snake_case(name),
        kind,
        cardinality,
        command,
        sql,
        tuple(columns),
        tuple(params),
        tuple(reads),
        **kw,
    )


def from_books(*names: str) -> list[OutputColumn]:
    cols = [BOOKS.column(n) for n in names]
    return [out(c.name, c.sql_type, c.py_type, c.nullable, f"books.{c.name}") for c in cols if c]


QUERIES = (
    query(
        "BooksByAuthor",
        "select",
        "many",
        "SELECT b.id, b.title, b.price, b.stock, a.name AS author\nFROM books b\n"
        "JOIN authors a ON a.id = b.author_id\nWHERE a.id = :author_id\nORDER BY b.title",
        [
            *from_books("id", "title", "price", "stock"),
            out("author", "VARCHAR(120)", "str", source="authors.name"),
        ],
        [param("author_id", "INTEGER", "int", column="authors.id")],
        ("authors", "books"),
    ),
    query(
        "GetBook",
        "select",
        "one",
        "SELECT * FROM books WHERE id = :id",
        from_books(*(c.name for c in BOOKS.columns)),
        [param("id", "INTEGER", "int", column="books.id")],
        ("books",),
    ),
    query(
        "ListAuthors",
        "select",
        "many",
        "SELECT id, name, country FROM authors ORDER BY name",
        [
            out("id", "INTEGER", "int", source="authors.id"),
            out("name", "VARCHAR(120)", "str", source="authors.name"),
            out("country", "VARCHAR(2)", "str", True, "authors.country"),
        ],
        (),
        ("authors",),
    ),
    query(
        "AuthorStats",
        "select",
        "many",
        "SELECT a.id, a.name, COUNT(b.id) AS books, MIN(b.price) AS cheapest, "
        "SUM(b.stock) AS in_stock\nFROM authors a\nLEFT JOIN books b ON b.author_id = a.id\n"
        "GROUP BY a.id, a.name\nORDER BY a.name",
        [
            out("id", "INTEGER", "int", source="authors.id"),
            out("name", "VARCHAR(120)", "str", source="authors.name"),
            out("books", "INTEGER", "int"),
            out("cheapest", "NUMERIC(8, 2)", "Decimal", True),
            out("in_stock", "INTEGER", "int", True),
        ],
        (),
        ("authors", "books"),
        has_aggregate=True,
        has_outer_join=True,
    ),
    query(
        "SearchBooks",
        "select",
        "many",
        "SELECT id, title, price, published\nFROM books\n"
        "WHERE (:max_price IS NULL OR price <= :max_price)\n  AND title LIKE :pattern\n"
        "ORDER BY title\nLIMIT :limit OFFSET :offset",
        from_books("id", "title", "price", "published"),
        [
            param("max_price", "NUMERIC(8, 2)", "Decimal", True, column="books.price"),
            param("pattern", "VARCHAR(200)", "str"),
            param("limit", "INTEGER", "int"),
            param("offset", "INTEGER", "int"),
        ],
        ("books",),
        has_limit=True,
    ),
    query(
        "BooksByIds",
        "select",
        "many",
        "SELECT id, title FROM books WHERE id IN (:ids) ORDER BY id",
        from_books("id", "title"),
        [param("ids", "INTEGER", "int", is_list=True, column="books.id")],
        ("books",),
    ),
    query(
        "CustomerOrders",
        "select",
        "many",
        "SELECT o.id, o.qty, o.placed_at, o.note, b.title, b.price * o.qty AS total\n"
        "FROM orders o\nJOIN books b ON b.id = o.book_id\nWHERE o.customer_id = :customer_id\n"
        "ORDER BY o.placed_at DESC",
        [
            out("id", "INTEGER", "int", source="orders.id"),
            out("qty", "INTEGER", "int", source="orders.qty"),
            out("placed_at", "DATETIME", "datetime", source="orders.placed_at"),
            out("note", "TEXT", "str", True, "orders.note"),
            *from_books("title"),
            out("total", "NUMERIC", "Decimal"),
        ],
        [param("customer_id", "INTEGER", "int", column="orders.customer_id")],
        ("books", "orders"),
    ),
    query(
        "RestockBook",
        "update",
        "execrows",
        "UPDATE books SET stock = stock + :added WHERE id = :id",
        (),
        [param("added", "INTEGER", "int"), param("id", "INTEGER", "int", column="books.id")],
        ("books",),
        writes=("books",),
    ),
    query(
        "DeleteOrder",
        "delete",
        "exec",
        "DELETE FROM orders WHERE id = :id",
        (),
        [param("id", "INTEGER", "int", column="orders.id")],
        ("orders",),
        writes=("orders",),
    ),
    query(
        "AddCustomer",
        "insert",
        "execlastid",
        "INSERT INTO customers (email, name, vip) VALUES (:email, :name, :vip)",
        (),
        [
            param("email", "VARCHAR(254)", "str"),
            param("name", "VARCHAR(120)", "str"),
            param("vip", "BOOLEAN", "bool"),
        ],
        (),
        writes=("customers",),
    ),
    query(
        "NoteOldOrders",
        "update",
        "execresult",
        "UPDATE orders SET note = :note WHERE placed_at < :before",
        (),
        [param("note", "TEXT", "str", True), param("before", "DATETIME", "datetime")],
        ("orders",),
        writes=("orders",),
    ),
    query(
        "VipCustomers",
        "select",
        "many",
        "SELECT id, email, vip FROM customers WHERE vip",
        [
            out("id", "INTEGER", "int", source="customers.id"),
            out("email", "VARCHAR(254)", "str", source="customers.email"),
            out("vip", "BOOLEAN", "bool", source="customers.vip"),
        ],
        (),
        ("customers",),
    ),
)


def at(line: int, column: int = 3) -> Location:
    return Location(SPEC_FILE, line, column)


FORMS = (
    FormSpec(
        "add_book",
        "books",
        "insert",
        at(30),
        fields=("title", "isbn", "price", "stock", "format", "published", "author_id"),
        field_pos=(("title", at(31, 14)), ("isbn", at(31, 21))),
    ),
    FormSpec("edit_book", "books", "update", at(40), fields=("title", "price", "stock")),
    FormSpec(
        "place_order", "orders", "insert", at(50), fields=("customer_id", "book_id", "qty", "note")
    ),
)
STATES = (
    StateSpec("author_books", "server", at(10), query="BooksByAuthor", key=("id",)),
    StateSpec("authors", "server", at(11), query="ListAuthors", key=("id",)),
    StateSpec(
        "cart", "client", at(12), key=("book_id",), fields=(("book_id", "int"), ("qty", "int"))
    ),
    StateSpec(
        "cart_total",
        "derived",
        at(13),
        sources=("cart", "author_books"),
        compute="sum of qty times price",
    ),
)


def bookshop_spec(root: Path, **changes: Any) -> Spec:
    spec = Spec(
        path=root / SPEC_FILE,
        version=1,
        app="bookshop",
        database=DatabaseSpec("sqlite"),
        forms=FORMS,
        state=STATES,
        output=OutputSpec(root / "generated" / "bookshop", root / "generated" / "tests"),
    )
    return dataclasses.replace(spec, **changes)


# A table with a column of every Python type the analysis knows, for the conversion tests.
THINGS_DDL = """
CREATE TABLE things (
    id INTEGER PRIMARY KEY, uid TEXT, doc TEXT, data BLOB, at_time TEXT, flag BOOLEAN,
    ratio REAL, span REAL, tags TEXT, amount NUMERIC, day DATE, moment DATETIME, label TEXT
);
"""
THING_TYPES: tuple[tuple[str, PyType], ...] = (
    ("id", "int"),
    ("uid", "UUID"),
    ("doc", "dict"),
    ("data", "bytes"),
    ("at_time", "time"),
    ("flag", "bool"),
    ("ratio", "float"),
    ("span", "timedelta"),
    ("tags", "list"),
    ("amount", "Decimal"),
    ("day", "date"),
    ("moment", "datetime"),
    ("label", "str"),
)
THINGS = Table(
    "things",
    tuple(
        col(name, "TEXT", py, name != "id", primary_key=name == "id", unique=name == "id")
        for name, py in THING_TYPES
    ),
    primary_key=("id",),
    unique=(("id",),),
)
ALL_THINGS = query(
    "AllThings",
    "select",
    "many",
    "SELECT " + ", ".join(n for n, _ in THING_TYPES) + " FROM things ORDER BY id",
    [out(n, "TEXT", py, n != "id", f"things.{n}") for n, py in THING_TYPES],
    (),
    ("things",),
)
THING_BY_UID = query(
    "ThingByUid",
    "select",
    "one",
    "SELECT id FROM things WHERE uid = :uid AND day = :day AND amount = :amount",
    [out("id", "INTEGER", "int", source="things.id")],
    [
        param("uid", "TEXT", "UUID"),
        param("day", "DATE", "date"),
        param("amount", "NUMERIC", "Decimal"),
    ],
    ("things",),
)
# Long names and many parameters (layout), UUIDs in a list, parameters that need renaming.
# PostgreSQL cannot type a NULL parameter in `:x IS NULL`: the SQL casts it (as sqlc asks).
LONG_NAMED = query(
    "FindThingsByEverythingPossibleInTheTableWithAVeryLongName",
    "select",
    "many",
    "SELECT id, label, label AS label FROM things\n"
    "WHERE uid IN :uids AND (CAST(:day AS DATE) IS NULL OR day >= :day)\n"
    "  AND amount >= :minimum_amount_of_money_to_look_for AND moment < :moment_before_which\n"
    "  AND (label = :class OR label = :result OR label LIKE :label_pattern_with_a_long_name)",
    [
        out("id", "INTEGER", "int", source="things.id"),
        out("label", "TEXT", "str", True, "things.label"),
        out("label", "TEXT", "str", True, "things.label"),
    ],
    [
        param("uids", "TEXT", "UUID", is_list=True),
        param("day", "DATE", "date", True),
        param("minimum_amount_of_money_to_look_for", "NUMERIC", "Decimal"),
        param("moment_before_which", "DATETIME", "datetime"),
        param("class", "TEXT", "str"),
        param("result", "TEXT", "str"),
        param("label_pattern_with_a_long_name", "TEXT", "str"),
    ],
    ("things",),
)
# Fields named like the types they are annotated with.
SHADOWS = query(
    "Shadows",
    "select",
    "many",
    "SELECT day AS date, moment AS datetime, amount AS Decimal, label AS str, day FROM things "
    "WHERE id = 1",
    [
        out("date", "DATE", "date", True),
        out("datetime", "DATETIME", "datetime"),
        out("Decimal", "NUMERIC", "Decimal"),
        out("str", "TEXT", "str"),
        out("day", "DATE", "date"),
    ],
    (),
    ("things",),
)
