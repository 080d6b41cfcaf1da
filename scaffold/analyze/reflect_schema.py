"""A live database's tables and views as catalog drafts, frozen by the same code as DDL.

SQLAlchemy's inspector gives the tables, columns, keys and CHECKs; the few facts it loses
(SQLite's declared types and unique indexes, PostgreSQL types it does not know, domains) are
read from the server's own catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
import sqlglot.expressions as exp
from sqlalchemy.dialects.postgresql import DOMAIN
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.engine.reflection import Inspector

from scaffold.analyze import reflect_sqlite
from scaffold.analyze.catalog_draft import CatalogDraft, ColumnDraft, TableDraft
from scaffold.analyze.catalog_views import select_columns
from scaffold.analyze.model import Catalog, Constraint
from scaffold.analyze.reflect_sql import parse_sql, server_check, server_default
from scaffold.analyze.types import parse_type
from scaffold.errors import Location


@dataclass
class Reflection:
    """What is read once per database and needed for every table."""

    conn: sa.Connection
    dialect: str
    origin: Location  # the URL without its password, as the location of every table
    inspector: Inspector = field(init=False)
    domains: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)
    draft: CatalogDraft = field(init=False)

    def __post_init__(self) -> None:
        self.inspector = sa.inspect(self.conn)
        self.draft = CatalogDraft(self.dialect)


def read_catalog(conn: sa.Connection, dialect: str, origin: Location) -> Catalog:
    """The catalog of the connection's default schema: enums, tables in FK order, views."""
    reflection = Reflection(conn, dialect, origin)
    if dialect == "postgres":
        _read_enums_and_domains(reflection)
    partitions = _pg_partitions(conn) if dialect == "postgres" else set()
    names = reflection.inspector.get_sorted_table_and_fkc_names()
    for name, _ in names:
        if name is not None and name not in partitions:
            reflection.draft.tables.append(_table(reflection, name))
    _read_views(reflection)
    return reflection.draft.freeze()


def _pg_partitions(conn: sa.Connection) -> set[str]:
    """Partitions of a partitioned table: their rows are the parent's (as in the DDL path)."""
    rows = conn.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relispartition AND relnamespace = "
        "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    )
    return {str(row[0]) for row in rows}


def _read_enums_and_domains(r: Reflection) -> None:
    default_schema = r.inspector.default_schema_name
    inspector: Any = r.inspector  # the PostgreSQL inspector has get_enums / get_domains
    for enum in inspector.get_enums():
        if enum["visible"] or enum["schema"] == default_schema:
            r.draft.enums[enum["name"]] = tuple(enum["labels"])
    for domain in inspector.get_domains():
        checks = [(c.get("name"), c["check"]) for c in domain["constraints"]]
        r.domains[domain["name"].lower()] = checks


def _table(r: Reflection, name: str) -> TableDraft:
    inspector = r.inspector
    table = TableDraft(name, pos=r.origin, comment=_table_comment(r, name))
    sqlite = reflect_sqlite.table_facts(r.conn, name) if r.dialect == "sqlite" else None
    table.without_rowid = sqlite.without_rowid if sqlite else False
    raws = inspector.get_columns(name)
    for raw in raws:
        declared = sqlite.declared_types.get(raw["name"], "") if sqlite else ""
        table.columns.append(_column(r, name, raw, declared))
    pk = inspector.get_pk_constraint(name)
    if pk["constrained_columns"]:
        table.constraints.append(
            Constraint("primary_key", tuple(pk["constrained_columns"]), pk.get("name"))
        )
    uniques = sqlite.unique if sqlite else _unique_sets(inspector, name)
    table.constraints += [Constraint("unique", cols, index) for index, cols in uniques]
    table.constraints += _foreign_keys(inspector, name)
    table.constraints += _checks(r, table, inspector.get_check_constraints(name))
    table.constraints += _domain_checks(r, raws)
    return table


def _column(r: Reflection, table: str, raw: ReflectedColumn, declared: str) -> ColumnDraft:
    type_text = declared if r.dialect == "sqlite" else _type_text(r, table, raw)
    dtype = parse_type(type_text, r.dialect) if type_text else None
    column = ColumnDraft(raw["name"], dtype, declared, not_null=not raw["nullable"])
    column.comment = raw.get("comment")
    default = raw.get("default")
    if raw.get("computed") is not None:
        column.generated = "generated"
    elif raw.get("identity") is not None:
        column.generated = "identity"
    elif default is not None and "nextval(" in default.lower():
        column.generated = "serial"  # as the DDL path reads `serial`: no DEFAULT of its own
    elif r.dialect == "mysql" and raw.get("autoincrement") is True:
        column.generated = "autoincrement"
    else:
        column.default = server_default(default, r.dialect)
    computed = raw.get("computed")
    if computed is not None:
        _remember_generation(r, table, raw["name"], type_text, str(computed["sqltext"]))
    return column


def _type_text(r: Reflection, table: str, raw: ReflectedColumn) -> str:
    """The column type as SQL text of the catalog's dialect."""
    sa_type = raw["type"]
    if r.dialect == "postgres" and isinstance(sa_type, DOMAIN):
        return _pg_format_type(
            r,
            "SELECT format_type(typbasetype, typtypmod) FROM pg_type "
            "WHERE oid = CAST(:name AS regtype)",
            name=str(sa_type.name),
        )
    if isinstance(sa_type, sa.types.NullType):
        if r.dialect != "postgres":
            return ""
        quoted = r.conn.dialect.identifier_preparer.quote(table)
        return _pg_format_type(
            r,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = CAST(:table AS regclass) AND attname = :column",
            table=quoted,
            column=raw["name"],
        )
    try:
        return str(sa_type.compile(dialect=r.conn.dialect))
    except sa.exc.CompileError:
        return str(sa_type)


def _pg_format_type(r: Reflection, sql: str, **params: str) -> str:
    # format_type gives the type as PostgreSQL itself prints it: numeric(8,2), ltree, text[].
    found = r.conn.execute(sa.text(sql), params).scalar()
    return str(found) if found else ""


def _remember_generation(r: Reflection, table: str, column: str, type_text: str, sql: str) -> None:
    """Keep a generated column's expression where schema_ddl looks for it: in the DDL."""
    quote = r.conn.dialect.identifier_preparer.quote
    statement = parse_sql(
        f"CREATE TABLE {quote(table)} ({quote(column)} {type_text or 'TEXT'} "
        f"GENERATED ALWAYS AS ({sql}) STORED)",
        r.dialect,
    )
    if statement is not None:
        r.draft.ddl.append(statement)


def _unique_sets(inspector: Inspector, name: str) -> list[tuple[str | None, tuple[str, ...]]]:
    """UNIQUE constraints, then unique indexes on plain columns (not partial, no expressions)."""
    constraints = inspector.get_unique_constraints(name)
    found = [(u.get("name"), tuple(u["column_names"])) for u in constraints]
    for index in inspector.get_indexes(name):
        columns = index["column_names"]
        options = index.get("dialect_options", {})
        partial = any(key.endswith("_where") and value for key, value in options.items())
        if not index["unique"] or index.get("duplicates_constraint") or partial:
            continue
        if columns and None not in columns and not index.get("expressions"):
            found.append((index["name"], tuple(str(c) for c in columns)))
    first = {cols: name for name, cols in reversed(found)}
    return [(n, cols) for n, cols in found if first[cols] == n]


def _foreign_keys(inspector: Inspector, name: str) -> list[Constraint]:
    out = []
    for fk in inspector.get_foreign_keys(name):
        references = (fk["referred_table"], tuple(fk["referred_columns"]))
        columns = tuple(fk["constrained_columns"])
        out.append(Constraint("foreign_key", columns, fk.get("name"), references=references))
    return out


def _checks(r: Reflection, table: TableDraft, checks: Sequence[Any]) -> list[Constraint]:
    text_columns = [c.name for c in table.columns if _is_text(c)]
    out = []
    for check in checks:
        expression = server_check(check["sqltext"], r.dialect, text_columns)
        if expression is not None:
            out.append(_check(table, check.get("name"), expression))
    return out


def _check(table: TableDraft, name: str | None, expression: exp.Expr) -> Constraint:
    """A CHECK on the columns it mentions, spelled as the table spells them (as DDL does)."""
    mentioned = [table.column(c.name) for c in expression.find_all(exp.Column)]
    columns = tuple(dict.fromkeys(c.name for c in mentioned if c is not None))
    return Constraint("check", columns, name or None, cast(exp.Expression, expression))


def _domain_checks(r: Reflection, raws: Sequence[ReflectedColumn]) -> list[Constraint]:
    """A domain's CHECK (VALUE > 0) as a CHECK on each column of that domain."""
    out = []
    for raw in raws:
        sa_type = raw["type"]
        if not isinstance(sa_type, DOMAIN):
            continue
        for name, sql in r.domains.get(str(sa_type.name).lower(), []):
            check = server_check(sql, r.dialect, ())
            if check is not None:
                on_column = _on_column(check, raw["name"])
                out.append(Constraint("check", (raw["name"],), name, on_column))
    return out


def _on_column(check: exp.Expr, name: str) -> exp.Expression:
    column = exp.column(name, quoted=name != name.lower())
    return cast(exp.Expression, check.transform(lambda n: column.copy() if _is_value(n) else n))


def _read_views(r: Reflection) -> None:
    """Views (and materialized views) with their columns worked out as for CREATE VIEW."""
    names = sorted(r.inspector.get_view_names())
    if r.dialect == "postgres":
        names += sorted(r.inspector.get_materialized_view_names())
    pending = {name: _view_query(r, name) for name in names}
    while pending:
        # A view built on another view waits for it.
        ready = [n for n, q in pending.items() if not _waits(q, pending, n)] or list(pending)[:1]
        for name in ready:
            _add_view(r, name, pending.pop(name))


def _view_query(r: Reflection, name: str) -> exp.Expr | None:
    statement = parse_sql(r.inspector.get_view_definition(name), r.dialect)
    if isinstance(statement, exp.Create):
        statement = statement.expression  # SQLite gives the whole CREATE VIEW
    return statement if isinstance(statement, exp.Query) else None


def _waits(query: exp.Expr | None, pending: dict[str, exp.Expr | None], name: str) -> bool:
    if query is None:
        return False
    used = {t.name.lower() for t in query.find_all(exp.Table)}
    return any(other.lower() in used for other in pending if other != name)


def _add_view(r: Reflection, name: str, query: exp.Expr | None) -> None:
    view = TableDraft(name, is_view=True, pos=r.origin, comment=_table_comment(r, name))
    if isinstance(query, exp.Query):
        view.frozen_columns = select_columns(query, r.draft)
        target = exp.to_table(r.conn.dialect.identifier_preparer.quote(name), dialect=r.dialect)
        r.draft.ddl.append(exp.Create(this=target, kind="VIEW", expression=query))
    else:
        # A body sqlglot cannot read: the server's column types, every column nullable.
        columns = [_column(r, name, raw, "") for raw in r.inspector.get_columns(name)]
        frozen = CatalogDraft(r.dialect, [TableDraft(name, columns)]).freeze()
        view.frozen_columns = frozen.tables[0].columns
    view.columns = [ColumnDraft(c.name, None) for c in view.frozen_columns]
    r.draft.tables.append(view)


def _table_comment(r: Reflection, name: str) -> str | None:
    try:
        return r.inspector.get_table_comment(name).get("text")
    except NotImplementedError:
        return None  # SQLite has no comments


def _is_text(column: ColumnDraft) -> bool:
    return column.dtype is not None and column.dtype.is_type(
        exp.DType.TEXT, exp.DType.VARCHAR, exp.DType.CHAR, exp.DType.BPCHAR, exp.DType.NVARCHAR
    )


def _is_value(node: exp.Expr) -> bool:
    """The VALUE placeholder of a domain's CHECK."""
    return isinstance(node, exp.Column) and not node.table and node.name.upper() == "VALUE"
