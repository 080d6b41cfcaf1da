"""The constant SQL of a form: its write statements, unique and FK pre-checks, choice queries.

Generated code never builds SQL; every statement a form may run is decided here, as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from scaffold.analyze.model import Catalog, Column, Table
from scaffold.plan.checks import unwrap_check
from scaffold.plan.form_fields import humanize, variable
from scaffold.spec.model import FormSpec

# Words that must be quoted as identifiers in at least one of the three dialects.
_RESERVED = frozenset(
    re.findall(
        r"\w+",
        """all and any as asc between by case check column constraint create cross current_date
        current_time current_timestamp default delete desc distinct drop else end except exists
        false for foreign from full group having in index inner insert intersect into is join key
        left like limit natural not null offset on or order outer primary references right select
        set table then to true union unique update user using values when where window with""",
    )
)
# More omitted defaulted columns than this: one statement per subset would be too many.
MAX_VARIANT_COLUMNS = 4


def table_ref(name: str, dialect: str) -> str:
    """A table as statements name it: the default schema left to the search path."""
    schema, _, table = name.rpartition(".")
    return quote(table if schema.lower() in ("public", "main") else name, dialect)


def quote(name: str, dialect: str) -> str:
    """An identifier as SQL: quoted only when it has to be."""
    parts = name.split(".")
    return ".".join(_quote_part(p, dialect) for p in parts)


def _quote_part(part: str, dialect: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) and part.lower() not in _RESERVED:
        return part
    if dialect == "mysql":
        return "`" + part.replace("`", "``") + "`"
    return '"' + part.replace('"', '""') + '"'


def insert_variants(
    form: FormSpec, table: Table, fields: Sequence[dict[str, Any]], dialect: str
) -> list[dict[str, Any]]:
    """One INSERT per subset of omitted defaulted fields, so an empty field gets the DB default.

    Sending NULL would store NULL (or fail NOT NULL) instead of the default, and repeating the
    default as COALESCE(:x, <default>) would copy schema text that migrations may change.
    """
    written = [f for f in fields if not f["is_key"] or form.action == "insert"]
    defaulted = [f["name"] for f in written if omittable(f, table)]
    variants = []
    for size in range(len(defaulted) + 1):
        for omitted in combinations(defaulted, size):
            kept = [f for f in written if f["name"] not in omitted]
            variants.append(
                {
                    "const": "INSERT" + "".join("_WITHOUT_" + variable(n).upper() for n in omitted),
                    "omitted": list(omitted),
                    "sql": _insert_sql(table, kept, dialect),
                }
            )
    return variants


def omittable(f: dict[str, Any], table: Table) -> bool:
    col = table.column(f["name"])
    return col is not None and col.has_default and f["nullable"] and f["py_type"] != "bool"


def defaulted_fields(form: FormSpec, table: Table, fields: Sequence[dict[str, Any]]) -> list[str]:
    names = [f["name"] for f in fields if omittable(f, table)]
    return names[:MAX_VARIANT_COLUMNS]


def _insert_sql(table: Table, kept: Sequence[dict[str, Any]], dialect: str) -> str:
    name = table_ref(table.name, dialect)
    returning = ""
    if table.primary_key and dialect in ("sqlite", "postgres"):
        returning = " RETURNING " + ", ".join(quote(c, dialect) for c in table.primary_key)
    if not kept:
        return f"INSERT INTO {name} DEFAULT VALUES{returning}"
    columns = ", ".join(quote(f["name"], dialect) for f in kept)
    values = ", ".join(":" + f["var"] for f in kept)
    return f"INSERT INTO {name} ({columns}) VALUES ({values}){returning}"


def update_sql(table: Table, fields: Sequence[dict[str, Any]], dialect: str) -> str:
    sets = ", ".join(
        f"{quote(f['name'], dialect)} = :{f['var']}" for f in fields if not f["is_key"]
    )
    return f"UPDATE {table_ref(table.name, dialect)} SET {sets} WHERE {_key_match(fields, dialect)}"


def delete_sql(table: Table, fields: Sequence[dict[str, Any]], dialect: str) -> str:
    return f"DELETE FROM {table_ref(table.name, dialect)} WHERE {_key_match(fields, dialect)}"


def _key_match(fields: Sequence[dict[str, Any]], dialect: str) -> str:
    keys = [f for f in fields if f["is_key"]]
    return " AND ".join(f"{quote(f['name'], dialect)} = :{f['var']}" for f in keys)


def unique_checks(
    form: FormSpec, table: Table, fields: Sequence[dict[str, Any]], dialect: str
) -> list[dict[str, Any]]:
    """Pre-checks for every unique column set the form writes in full (update: not the row)."""
    by_name = {f["name"].lower(): f for f in fields}
    checks = []
    for columns in table.unique:
        involved = [by_name.get(c.lower()) for c in columns]
        if None in involved or all(f["is_key"] for f in involved if f is not None):
            continue
        chosen = [f for f in involved if f is not None]
        where = " AND ".join(f"{quote(f['name'], dialect)} = :{f['var']}" for f in chosen)
        if form.action == "update":
            where += f" AND NOT ({_key_match(fields, dialect)})"
        params = chosen + [f for f in fields if f["is_key"] and form.action == "update"]
        checks.append(
            {
                "const": "UNIQUE_" + "_".join(variable(f["name"]).upper() for f in chosen),
                "sql": f"SELECT 1 FROM {table_ref(table.name, dialect)} WHERE {where} LIMIT 1",
                "field": chosen[0]["name"],
                "params": _params(params),
                "guards": [f["var"] for f in chosen if f["nullable"]],
                "message": _taken_message(chosen),
            }
        )
    return checks


def _taken_message(chosen: Sequence[dict[str, Any]]) -> str:
    if len(chosen) == 1:
        return f"{chosen[0]['label']} is already taken."
    labels = " and ".join(f["label"] for f in chosen)
    return f"This combination of {labels} is already taken."


def _params(fields: Sequence[dict[str, Any]]) -> list[list[str]]:
    seen: dict[str, str] = {f["var"]: f["var"] for f in fields}
    return [[k, v] for k, v in seen.items()]


def foreign_key_checks(
    table: Table, fields: Sequence[dict[str, Any]], catalog: Catalog, dialect: str
) -> list[dict[str, Any]]:
    """A pre-check per single-column foreign key the form writes: does the row exist?"""
    checks = []
    for f in fields:
        col = table.column(f["name"])
        if col is None or col.foreign_key is None or f["is_key"]:
            continue
        fk = col.foreign_key
        target = table_ref(fk.table, dialect)
        where = f"{quote(fk.column, dialect)} = :{f['var']}"
        what = humanize(fk.table).lower()
        checks.append(
            {
                "const": "EXISTS_" + variable(f["name"]).upper().strip("_"),
                "sql": f"SELECT 1 FROM {target} WHERE {where} LIMIT 1",
                "field": f["name"],
                "params": [[f["var"], f["var"]]],
                "guards": [f["var"]] if f["nullable"] else [],
                "message": f"{f['label']} must refer to an existing {what} row.",
            }
        )
    return checks


def choice_queries(
    form: FormSpec, table: Table, fields: Sequence[dict[str, Any]], catalog: Catalog, dialect: str
) -> dict[str, str]:
    """field -> SELECT value, label: the spec's `choices`, else the FK target's first text."""
    given = dict(form.choices)
    out: dict[str, str] = {}
    for f in fields:
        col = table.column(f["name"])
        if f["name"] in given:
            out[f["name"]] = given[f["name"]].strip().rstrip(";")
        elif col is not None and col.foreign_key is not None and not f["is_key"]:
            query = _default_choices(col, catalog, dialect)
            if query:
                out[f["name"]] = query
    return out


def _default_choices(col: Column, catalog: Catalog, dialect: str) -> str | None:
    assert col.foreign_key is not None
    target = catalog.table(col.foreign_key.table)
    if target is None:
        return None
    value = quote(col.foreign_key.column, dialect)
    texts = [c for c in target.columns if c.py_type == "str" and c.name != col.foreign_key.column]
    label = quote(texts[0].name, dialect) if texts else value
    order = "2" if texts else "1"
    return f"SELECT {value}, {label} FROM {table_ref(target.name, dialect)} ORDER BY {order}"


def db_constraints(
    form: FormSpec,
    table: Table,
    fields: Sequence[dict[str, Any]],
    check_messages: dict[str, str],
    dialect: str,
) -> list[dict[str, Any]]:
    """The table's constraints as IntegrityError targets: which field, which message."""
    if form.action == "delete":
        what = humanize(table.name).lower()
        return [_constraint("foreign_key", (), (), "", f"This {what} row is still in use.")]
    by_name = {f["name"].lower(): f for f in fields}
    out: dict[tuple[str, tuple[str, ...], str], dict[str, Any]] = {}
    for kind, columns, name, sql in _declared(table, dialect):
        owner = next((by_name[c.lower()] for c in columns if c.lower() in by_name), None)
        message = _constraint_message(kind, columns, owner, sql, check_messages, by_name)
        names = _known_names(table.name, kind, columns, name)
        out.setdefault(
            (kind, columns, sql),
            _constraint(kind, columns, names, owner["name"] if owner else "", message, sql),
        )
    return list(out.values())


def _constraint(
    kind: str,
    columns: Sequence[str],
    names: Sequence[str],
    field: str,
    message: str,
    sql: str = "",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "columns": list(columns),
        "names": list(names),
        "field": field,
        "message": message,
        "sql": sql,
    }


def _declared(table: Table, dialect: str) -> list[tuple[str, tuple[str, ...], str | None, str]]:
    found: list[tuple[str, tuple[str, ...], str | None, str]] = []
    for c in table.constraints:
        sql = unwrap_check(c.expression).sql(dialect=dialect) if c.expression is not None else ""
        found.append((c.kind, tuple(c.columns), c.name, sql))
    for col in table.columns:
        if not col.nullable and not col.primary_key:
            found.append(("not_null", (col.name,), None, ""))
        if col.unique and not col.primary_key:
            found.append(("unique", (col.name,), None, ""))
        if col.foreign_key is not None:
            found.append(("foreign_key", (col.name,), col.foreign_key.name, ""))
        for check in col.checks:
            found.append(("check", (col.name,), None, unwrap_check(check).sql(dialect=dialect)))
    if table.primary_key:
        found.append(("primary_key", tuple(table.primary_key), None, ""))
    return _dedupe(found)


def _dedupe(
    found: list[tuple[str, tuple[str, ...], str | None, str]],
) -> list[tuple[str, tuple[str, ...], str | None, str]]:
    """A constraint seen twice (column-level and in the table list) keeps its declared name."""
    best: dict[tuple[str, tuple[str, ...], str], str | None] = {}
    for kind, columns, name, sql in found:
        key = (kind, tuple(c.lower() for c in columns), sql)
        best[key] = best.get(key) or name
    return [(k, cols, name, sql) for (k, cols, sql), name in best.items()]


def _known_names(table: str, kind: str, columns: Sequence[str], name: str | None) -> list[str]:
    """The declared name plus PostgreSQL's and MySQL's default names for the constraint."""
    base = table.split(".")[-1]
    joined = "_".join(columns)
    defaults = {
        "unique": [
            f"{base}_{joined}_key",
            columns[0] if columns else "",
            f"{base}.{columns[0]}" if columns else "",
        ],
        "primary_key": [f"{base}_pkey", "PRIMARY", f"{base}.PRIMARY"],
        "foreign_key": [f"{base}_{joined}_fkey"],
        "check": [f"{base}_{joined}_check"],
        "not_null": [],
    }[kind]
    # A reflected catalog's names are the server's defaults already: list each name once.
    return list(dict.fromkeys(n for n in [name or "", *defaults] if n))


def _constraint_message(
    kind: str,
    columns: Sequence[str],
    owner: dict[str, Any] | None,
    sql: str,
    check_messages: dict[str, str],
    by_name: dict[str, dict[str, Any]],
) -> str:
    label = owner["label"] if owner else humanize(columns[0]) if columns else "A value"
    if kind in ("unique", "primary_key"):
        chosen = [by_name[c.lower()] for c in columns if c.lower() in by_name]
        return _taken_message(chosen) if chosen else "This record already exists."
    if kind == "foreign_key":
        return f"{label} must refer to an existing row."
    if kind == "not_null":
        return f"{label} is required."
    return (
        next((m for s, m in check_messages.items() if _same_sql(s, sql)), "")
        or f"{label} is not allowed by the rule {sql}."
    )


def _same_sql(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a).lower() == re.sub(r"\s+", "", b).lower()
