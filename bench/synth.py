"""Synthetic projects for the benchmark: one schema, one sqlc-annotated query.sql, read by both
a scaffold spec (scaffold.yaml) and sqlc (sqlc.yaml), so both tools analyze the same inputs.

Tables form foreign-key chains; queries cycle through lookups, filters, joins, aggregates,
inserts, updates and deletes, so the mix resembles a real CRUD application.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

# The sizes of the issue: queries over tables.
SIZES: dict[int, int] = {10: 5, 100: 50, 1000: 200}


def table_name(i: int) -> str:
    return f"t{i:03d}"


def table_ddl(i: int) -> str:
    parent = f"    parent_id INTEGER REFERENCES {table_name(i - 1)} (id),\n" if i else ""
    return (
        f"CREATE TABLE {table_name(i)} (\n"
        "    id INTEGER PRIMARY KEY,\n"
        "    name VARCHAR(80) NOT NULL,\n"
        "    code VARCHAR(12) NOT NULL UNIQUE,\n"
        "    qty INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),\n"
        "    price NUMERIC(10, 2),\n"
        "    note TEXT,\n"
        f"{parent}"
        "    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
        ");\n"
    )


def schema_sql(tables: int) -> str:
    return "\n".join(table_ddl(i) for i in range(tables))


Query = Callable[[int, str], tuple[str, str]]  # (table index, name suffix) -> (kind, sql)


def _get(i: int, t: str) -> tuple[str, str]:
    return ":one", f"SELECT * FROM {t} WHERE id = sqlc.arg(id);"


def _list(i: int, t: str) -> tuple[str, str]:
    return ":many", (
        f"SELECT id, name, qty, price FROM {t}\n"
        "WHERE qty >= sqlc.arg(min_qty) AND name LIKE sqlc.arg(pattern)\n"
        "ORDER BY name LIMIT sqlc.arg(lim);"
    )


def _join(i: int, t: str) -> tuple[str, str]:
    if i == 0:
        return _list(i, t)
    p = table_name(i - 1)
    return ":many", (
        f"SELECT c.id, c.name, c.price, p.name AS parent_name, p.code AS parent_code\n"
        f"FROM {t} c\nJOIN {p} p ON p.id = c.parent_id\n"
        "WHERE p.id = sqlc.arg(parent_id) AND c.qty > 0\nORDER BY c.name;"
    )


def _aggregate(i: int, t: str) -> tuple[str, str]:
    if i == 0:
        return ":one", f"SELECT COUNT(*) AS n, SUM(qty) AS total_qty FROM {t};"
    p = table_name(i - 1)
    return ":many", (
        f"SELECT p.id, p.name, COUNT(c.id) AS children, SUM(c.qty) AS total_qty,\n"
        f"       MAX(c.price) AS top_price\nFROM {p} p\nLEFT JOIN {t} c ON c.parent_id = p.id\n"
        "GROUP BY p.id, p.name\nORDER BY p.name;"
    )


def _insert(i: int, t: str) -> tuple[str, str]:
    cols = "name, code, qty, price" + (", parent_id" if i else "")
    vals = "sqlc.arg(name), sqlc.arg(code), sqlc.arg(qty), sqlc.narg(price)"
    vals += ", sqlc.narg(parent_id)" if i else ""
    return ":one", f"INSERT INTO {t} ({cols})\nVALUES ({vals})\nRETURNING id, created_at;"


def _update(i: int, t: str) -> tuple[str, str]:
    return ":execrows", (
        f"UPDATE {t} SET qty = qty + sqlc.arg(added), note = sqlc.narg(note)\n"
        "WHERE id = sqlc.arg(id);"
    )


def _delete(i: int, t: str) -> tuple[str, str]:
    return ":exec", f"DELETE FROM {t} WHERE id = sqlc.arg(id);"


def _search(i: int, t: str) -> tuple[str, str]:
    return ":many", (
        f"SELECT id, code, note FROM {t}\n"
        "WHERE (sqlc.narg(max_price) IS NULL OR price <= sqlc.narg(max_price))\n"
        "  AND id IN (sqlc.slice(ids))\nORDER BY id;"
    )


KINDS: tuple[tuple[str, Query], ...] = (
    ("Get", _get),
    ("List", _list),
    ("Join", _join),
    ("Stats", _aggregate),
    ("Insert", _insert),
    ("Update", _update),
    ("Delete", _delete),
    ("Search", _search),
)


def query_block(n: int, tables: int) -> str:
    """Query number n: table n % tables, kind cycling so every kind meets every table."""
    i = n % tables
    label, make = KINDS[(n // tables + n) % len(KINDS)]
    kind, sql = make(i, table_name(i))
    return f"-- name: {label}T{i:03d}N{n:04d} {kind}\n{sql}\n"


def query_sql(queries: int, tables: int) -> str:
    return "\n".join(query_block(n, tables) for n in range(queries))


def spec_yaml(app: str, *, engine: str = "sqlite", schema: str = "schema.sql") -> str:
    return (
        "version: 1\n"
        f"app: {app}\n"
        f"database:\n  dialect: {engine}\n  schema: [{schema}]\n"
        "queries:\n  file: query.sql\n"
        "writer:\n  default: template\n"
        f"output:\n  package: generated/{app}\n  tests: generated/tests\n"
    )


def sqlc_yaml(*, engine: str = "sqlite", schema: str = "schema.sql") -> str:
    return (
        'version: "2"\nsql:\n'
        f'  - engine: "{engine}"\n    schema: "{schema}"\n    queries: "query.sql"\n'
        '    gen:\n      json:\n        out: "sqlc_out"\n        filename: "codegen.json"\n'
    )


def write_project(folder: Path, queries: int, tables: int) -> Path:
    """Write a synthetic project; return the path of its scaffold spec."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema.sql").write_text(schema_sql(tables))
    (folder / "query.sql").write_text(query_sql(queries, tables))
    (folder / "sqlc.yaml").write_text(sqlc_yaml())
    spec = folder / "scaffold.yaml"
    spec.write_text(spec_yaml(f"synth{queries}"))
    return spec


def change_one_query(folder: Path) -> None:
    """Edit one query's text (the warm-run change): same shape, different filter."""
    path = folder / "query.sql"
    text = path.read_text()
    edited = text.replace("WHERE id = sqlc.arg(id);", "WHERE id = sqlc.arg(id) AND qty >= 0;", 1)
    if edited == text:
        raise ValueError(f"{path}: no query to change")
    path.write_text(edited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--tables", type=int, default=0, help="default: by the issue's sizes")
    args = parser.parse_args()
    tables = args.tables or SIZES.get(args.queries, max(1, args.queries // 5))
    print(write_project(args.folder, args.queries, tables))


if __name__ == "__main__":
    main()
