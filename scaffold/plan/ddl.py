"""The catalog as CREATE statements for a target dialect, so generated tests can build the
schema in SQLite (from a PostgreSQL or MySQL schema) or in PostgreSQL."""

from __future__ import annotations

import re

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import SqlglotError

from scaffold.analyze.model import Catalog, Column, Constraint, Table
from scaffold.plan.ddl_exprs import column_type, default_sql, expression_sql, quote

KEY_KINDS = ("serial", "identity", "autoincrement")
# PostgreSQL types sqlglot does not know but every server has (others need an extension).
_PG_BUILTIN_TYPES = {"TSVECTOR", "TSQUERY", "CIDR", "MACADDR", "MACADDR8", "POINT", "BIT"}
_PG_EXTENSION_TYPES = {"VECTOR", "CITEXT", "HSTORE", "GEOMETRY", "GEOGRAPHY", "LTREE"}
_MATVIEW = re.compile(
    r"^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+AS\s+(.*?)"
    r"(\s+WITH\s+(?:NO\s+)?DATA)?\s*$",
    re.I | re.S,
)


def schema_ddl(catalog: Catalog, dialect: str) -> tuple[str, ...]:
    """CREATE statements rebuilding the catalog's tables (FK order), then its views."""
    statements = [*_enum_types(catalog, dialect)]
    created: set[str] = set()
    later: list[str] = []
    for table in tables_in_fk_order(catalog):
        statement, deferred = create_table(table, catalog, dialect, created)
        statements.append(statement)
        later += deferred
        created.add(table.name)
    return (*statements, *later, *_views(catalog, dialect))


def tables_in_fk_order(catalog: Catalog) -> list[Table]:
    """Tables (not views), every referenced table first where the references allow it."""
    pending = [t for t in catalog.tables if not t.is_view]
    parents = {t.name: _parents(t, catalog) - {t.name} for t in pending}  # once per table
    done: list[Table] = []
    names: set[str] = set()
    while pending:
        ready = next((t for t in pending if parents[t.name] <= names), pending[0])
        done.append(ready)
        names.add(ready.name)
        pending.remove(ready)
    return done


def create_table(
    table: Table, catalog: Catalog, dialect: str, created: set[str]
) -> tuple[str, list[str]]:
    """CREATE TABLE for the target, and the ALTERs adding foreign keys to tables not yet made."""
    inline_key = _inline_key(table, dialect)
    items = [_column_sql(c, table, catalog, dialect, c.name == inline_key) for c in table.columns]
    notes: list[str] = []  # after the last item: a comment cannot take a comma
    deferred: list[str] = []
    for constraint in all_constraints(table):
        if constraint.kind == "primary_key" and inline_key:
            continue
        sql = _constraint_sql(constraint, table, catalog, dialect)
        waits = constraint.kind == "foreign_key" and _waits_for(constraint, table, created)
        if sql.lstrip().startswith("--"):
            notes.append(sql)
        elif waits and dialect != "sqlite":
            name = quote(table.name, dialect, catalog)
            deferred.append(f"ALTER TABLE {name} ADD {sql.lstrip()}")
        else:
            items.append(sql)
    body = ",\n".join(items) + "".join("\n" + n for n in notes)
    return f"CREATE TABLE {quote(table.name, dialect, catalog)} (\n{body}\n)", deferred


def all_constraints(table: Table) -> list[Constraint]:
    """The table's constraints plus those a hand-built catalog states only on its columns."""
    out = list(table.constraints)
    kinds = {(c.kind, c.columns) for c in out}
    checks = {c.expression.sql() for c in out if c.expression is not None}
    if table.primary_key and not any(c.kind == "primary_key" for c in out):
        out.append(Constraint("primary_key", table.primary_key))
    for columns in table.unique:
        if columns != table.primary_key and not kinds & {
            ("unique", columns),
            ("primary_key", columns),
        }:
            out.append(Constraint("unique", columns))
    for column in table.columns:
        single = (column.name,)
        stated = kinds & {("unique", single), ("primary_key", single)}
        if column.unique and not stated and single not in (*table.unique, table.primary_key):
            out.append(Constraint("unique", single))
        fk = column.foreign_key
        if fk is not None and ("foreign_key", single) not in kinds:
            out.append(
                Constraint("foreign_key", single, fk.name, references=(fk.table, (fk.column,)))
            )
        for check in column.checks:
            if check.sql() not in checks:
                out.append(Constraint("check", single, expression=check))
    return out


def _column_sql(
    column: Column, table: Table, catalog: Catalog, dialect: str, inline_key: bool
) -> str:
    notes: list[str] = []
    parts = [quote(column.name, dialect, catalog), _type_sql(column, catalog, dialect)]
    if inline_key:
        # NOT NULL too: SQLite reports a rowid alias as nullable unless it is declared.
        parts.append("NOT NULL PRIMARY KEY AUTOINCREMENT")
    elif column.server_generated in KEY_KINDS and dialect == "sqlite":
        notes.append(f"{column.server_generated} key: SQLite numbers only an INTEGER PRIMARY KEY")
    if column.server_generated == "generated":
        parts.append(_generated_sql(column, table, catalog, dialect, notes))
    if not column.nullable and not inline_key:
        parts.append("NOT NULL")
    default, why = default_sql(column, catalog, dialect)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    elif why:
        notes.append(f"DEFAULT {column.default} dropped: {why}")
    parts += _enum_check(column, catalog, dialect)
    comments = "".join(f"  -- {n}\n" for n in notes)
    return comments + "  " + " ".join(p for p in parts if p)


def _type_sql(column: Column, catalog: Catalog, dialect: str) -> str:
    if column.server_generated in ("serial", "identity", "autoincrement") and dialect == "postgres":
        base = "BIGINT" if "BIG" in column.sql_type.upper() else "INTEGER"
        if column.server_generated == "serial" and catalog.dialect == "postgres":
            return base.replace("INTEGER", "SERIAL").replace("BIGINT", "BIGSERIAL")
        return f"{base} GENERATED BY DEFAULT AS IDENTITY"
    sql = column_type(column, catalog, dialect)
    if dialect == "postgres" and sql == column.sql_type and _needs_extension(sql):
        # A type from an extension (pgvector, citext...): the test server may not have it.
        return "TEXT" if column.py_type in ("str", "list") else sql
    return sql


def _needs_extension(sql: str) -> bool:
    base = sql.split("(")[0].split("[")[0].strip()
    if base in _PG_EXTENSION_TYPES:
        return True
    try:
        dtype = exp.DataType.build(base, dialect="postgres", udt=True)
    except (SqlglotError, ValueError):
        return True
    return dtype.this == exp.DType.USERDEFINED and base not in _PG_BUILTIN_TYPES


def _inline_key(table: Table, dialect: str) -> str | None:
    """The column to declare INTEGER PRIMARY KEY AUTOINCREMENT (SQLite's only numbering)."""
    if dialect != "sqlite" or len(table.primary_key) != 1:
        return None
    column = table.column(table.primary_key[0])
    if column is None or column.py_type != "int" or column.server_generated not in KEY_KINDS:
        return None
    return column.name


def _generated_sql(
    column: Column, table: Table, catalog: Catalog, dialect: str, notes: list[str]
) -> str:
    expression = _generation_expression(table, column, catalog)
    if expression is None:
        notes.append("generated column: its expression is not in the catalog's DDL")
        return ""
    sql, why = expression_sql(expression, catalog.dialect, dialect)
    if sql is None:
        notes.append(f"generated column kept as a plain column: {why}")
        return ""
    return f"GENERATED ALWAYS AS ({sql}) STORED"


def _generation_expression(table: Table, column: Column, catalog: Catalog) -> exp.Expr | None:
    """The AS (...) of a generated column, from the last definition of it in the DDL."""
    found = None
    for statement in catalog.ddl:
        for coldef in statement.find_all(exp.ColumnDef):
            if coldef.name.lower() != column.name.lower():
                continue
            for constraint in coldef.constraints:
                kind = constraint.args.get("kind")
                if isinstance(kind, exp.ComputedColumnConstraint):
                    found = kind.this
                elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                    found = kind.args.get("expression") or found
    return found


def _enum_check(column: Column, catalog: Catalog, dialect: str) -> list[str]:
    """Enum types SQLite lacks become CHECK (col IN (...)) unless a CHECK already says so."""
    if not column.enum_values or (dialect == "postgres" and catalog.enum(column.sql_type)):
        return []
    if column.checks:
        return []
    values = ", ".join("'" + v.replace("'", "''") + "'" for v in column.enum_values)
    return [f"CHECK ({quote(column.name, dialect, catalog)} IN ({values}))"]


def _constraint_sql(constraint: Constraint, table: Table, catalog: Catalog, dialect: str) -> str:
    name = f"CONSTRAINT {quote(constraint.name, dialect, catalog)} " if constraint.name else ""
    cols = ", ".join(quote(c, dialect, catalog) for c in constraint.columns)
    if constraint.kind == "primary_key":
        return f"  {name}PRIMARY KEY ({cols})"
    if constraint.kind == "unique":
        return f"  {name}UNIQUE ({cols})"
    if constraint.kind == "foreign_key" and constraint.references:
        target, target_cols = constraint.references
        refs = ", ".join(quote(c, dialect, catalog) for c in target_cols)
        parent = catalog.table(target)
        if parent is None:
            return f"  -- FOREIGN KEY ({cols}) dropped: table {target!r} is not in the schema"
        parent_name = quote(parent.name, dialect, catalog)
        return f"  {name}FOREIGN KEY ({cols}) REFERENCES {parent_name} ({refs})"
    if constraint.expression is None:
        return f"  -- {constraint.kind} constraint without an expression"
    sql, why = expression_sql(constraint.expression, catalog.dialect, dialect)
    if sql is None:
        return f"  -- CHECK dropped: {why}: {constraint.expression.sql()}".replace("\n", " ")
    return f"  {name}CHECK ({sql})"


def _enum_types(catalog: Catalog, dialect: str) -> list[str]:
    if dialect != "postgres" or catalog.dialect != "postgres":
        return []
    out = []
    for name, values in catalog.enums:
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        out.append(f"CREATE TYPE {quote(name, dialect, catalog)} AS ENUM ({listed})")
    return out


def _views(catalog: Catalog, dialect: str) -> list[str]:
    out = []
    for table in catalog.tables:
        query = _view_query(table, catalog)
        if query is None or (dialect == "postgres" and _calls_schema_function(query)):
            continue  # pg_dump qualifies user functions; the rebuilt schema has none
        sql, _ = expression_sql(query, catalog.dialect, dialect, lazy=True)
        if sql is not None:
            out.append(f"CREATE VIEW {quote(table.name, dialect, catalog)} AS {sql}")
    return out


def _view_query(table: Table, catalog: Catalog) -> exp.Expr | None:
    if not table.is_view:
        return None
    found = None
    for statement in catalog.ddl:
        target = statement.this if isinstance(statement, exp.Create) else None
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")) == "VIEW":
            if target is not None and target.name.lower() == table.name.lower():
                found = statement.expression
        elif isinstance(statement, exp.Command):
            found = _matview_query(statement, table, catalog) or found
    return found


def _matview_query(statement: exp.Command, table: Table, catalog: Catalog) -> exp.Expr | None:
    text = f"{statement.this} {statement.expression}"
    match = _MATVIEW.match(text)
    if not match or table.name.lower() not in text.split(" AS ")[0].lower():
        return None
    try:
        return sqlglot.parse_one(match.group(1), read=catalog.dialect)
    except SqlglotError:
        return None


def _calls_schema_function(query: exp.Expr) -> bool:
    return any(isinstance(dot.expression, exp.Func) for dot in query.find_all(exp.Dot))


def _parents(table: Table, catalog: Catalog) -> set[str]:
    out = set()
    for constraint in table.constraints:
        if constraint.kind == "foreign_key" and constraint.references:
            parent = catalog.table(constraint.references[0])
            if parent is not None:
                out.add(parent.name)
    return out


def _waits_for(constraint: Constraint, table: Table, created: set[str]) -> bool:
    target = constraint.references[0] if constraint.references else table.name
    lowered = {c.lower() for c in created} | {table.name.lower()}
    return target.lower() not in lowered
