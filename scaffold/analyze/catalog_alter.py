"""Statements that change existing tables: ALTER TABLE, CREATE UNIQUE INDEX, CREATE TYPE,
COMMENT ON, DROP TABLE/VIEW."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from scaffold.analyze.catalog_columns import column_parts, ident, table_constraint
from scaffold.analyze.catalog_draft import TableDraft
from scaffold.analyze.ddl_source import Parsed
from scaffold.analyze.model import Constraint

if TYPE_CHECKING:
    from scaffold.analyze.catalog import CatalogBuilder


def apply_change(builder: CatalogBuilder, parsed: Parsed) -> bool:
    """Apply one statement; False when it does not concern the catalog (it is skipped)."""
    node = parsed.expression
    kind = str(node.args.get("kind") or "").upper()
    if isinstance(node, exp.Alter) and kind == "TABLE":
        table = builder.table(node.this, parsed, missing_ok=bool(node.args.get("exists")))
        for action in node.actions if table is not None else ():
            _alter(builder, table, action, parsed)
    elif isinstance(node, exp.Create) and kind == "INDEX" and node.args.get("unique"):
        _unique_index(builder, node, parsed)
    elif isinstance(node, exp.Create) and kind == "TYPE":
        return _create_type(builder, node)
    elif isinstance(node, exp.Comment) and kind in ("TABLE", "VIEW", "COLUMN"):
        _comment(builder, node, kind, parsed)
    elif isinstance(node, exp.Drop) and kind in ("TABLE", "VIEW"):
        _drop(builder, node, parsed)
    else:
        return False
    return True


def _alter(builder: CatalogBuilder, table: TableDraft, action: exp.Expr, parsed: Parsed) -> None:
    dialect = builder.dialect
    if isinstance(action, exp.ColumnDef):
        parts = column_parts(action, parsed.statement.text, dialect, builder.domains.domains)
        if table.column(parts.draft.name) is not None and action.args.get("exists"):
            return
        table.columns.append(parts.draft)
        for constraint in parts.constraints:
            builder.add_constraint(table, constraint, parsed)
    elif isinstance(action, exp.AddConstraint):
        for item in action.expressions:
            added = table_constraint(item, dialect)
            if added is not None:
                builder.add_constraint(table, added, parsed)
    elif isinstance(action, exp.Drop):
        _drop_in_table(builder, table, action, parsed)
    elif isinstance(action, exp.RenameColumn):
        _rename_column(builder, table, action.this, action.args["to"], parsed)
    elif isinstance(action, exp.AlterRename):
        _rename(builder, table, action, parsed)
    elif isinstance(action, exp.AlterColumn):
        _alter_column(builder, table, action, parsed)
    elif isinstance(action, exp.ModifyColumn):
        _modify_column(builder, table, action, parsed)


def _alter_column(
    builder: CatalogBuilder, table: TableDraft, action: exp.AlterColumn, parsed: Parsed
) -> None:
    column = builder.column(table, ident(action.this, builder.dialect)[0], parsed)
    args = action.args
    if args.get("allow_null") is not None:
        column.not_null = not args["allow_null"]
    elif args.get("dtype") is not None:
        column.dtype = args["dtype"]
    elif args.get("default") is not None:
        column.default = args["default"]
    elif args.get("drop"):
        column.default = None


def _modify_column(
    builder: CatalogBuilder, table: TableDraft, action: exp.ModifyColumn, parsed: Parsed
) -> None:
    """MySQL MODIFY/CHANGE COLUMN: the column is redefined in place."""
    old = action.args.get("rename_from") or action.this.this
    column = builder.column(table, ident(old, builder.dialect)[0], parsed)
    parts = column_parts(action.this, parsed.statement.text, builder.dialect, {})
    _rename_column(builder, table, exp.column(column.name), exp.column(parts.draft.name), parsed)
    index = table.columns.index(column)
    table.columns[index] = parts.draft
    for constraint in parts.constraints:
        builder.add_constraint(table, constraint, parsed)


def _drop_in_table(
    builder: CatalogBuilder, table: TableDraft, action: exp.Drop, parsed: Parsed
) -> None:
    kind = str(action.args.get("kind") or "").upper()
    for target in action.expressions or action.args.get("tables") or []:
        name = ident(target, builder.dialect)[0]
        if kind == "CONSTRAINT":
            table.constraints = [c for c in table.constraints if c.name != name]
            continue
        if action.args.get("exists") and table.column(name) is None:
            continue
        column = builder.column(table, name, parsed)
        table.columns.remove(column)
        table.constraints = [c for c in table.constraints if column.name not in c.columns]


def _rename_column(
    builder: CatalogBuilder,
    table: TableDraft,
    old: exp.Expr,
    new: exp.Expr,
    parsed: Parsed,
) -> None:
    column = builder.column(table, ident(old, builder.dialect)[0], parsed)
    before, after = column.name, ident(new, builder.dialect)[0]
    column.name = after
    table.constraints = [_renamed(c, before, after) for c in table.constraints]
    for other in builder.draft.tables:
        other.constraints = [
            _renamed_reference(c, table.name, before, after) for c in other.constraints
        ]


def _rename(
    builder: CatalogBuilder, table: TableDraft, action: exp.AlterRename, parsed: Parsed
) -> None:
    options = parsed.expression.args.get("options") or []
    to = next((o for o in options if isinstance(o, exp.ToTableProperty)), None)
    if to is not None:  # PostgreSQL's ALTER TABLE t RENAME a TO b renames a column
        _rename_column(builder, table, action.this, to.this, parsed)
        return
    before, after = table.name, ident(action.this, builder.dialect)[0]
    table.name = after
    for other in builder.draft.tables:
        other.constraints = [
            replace(c, references=(after, c.references[1]))
            if c.references and c.references[0].lower() == before.lower()
            else c
            for c in other.constraints
        ]


def _renamed(constraint: Constraint, before: str, after: str) -> Constraint:
    columns = tuple(after if c == before else c for c in constraint.columns)
    expression = constraint.expression
    if expression is not None:
        expression = expression.transform(
            lambda n: exp.column(after) if isinstance(n, exp.Column) and n.name == before else n
        )
    return replace(constraint, columns=columns, expression=expression)


def _renamed_reference(constraint: Constraint, table: str, before: str, after: str) -> Constraint:
    if constraint.references is None or constraint.references[0].lower() != table.lower():
        return constraint
    target, columns = constraint.references
    return replace(
        constraint, references=(target, tuple(after if c == before else c for c in columns))
    )


def _unique_index(builder: CatalogBuilder, node: exp.Create, parsed: Parsed) -> None:
    index = node.this
    table = builder.table(index.args.get("table"), parsed)
    params = index.args.get("params")
    columns = []
    for item in params.args.get("columns") or [] if params else []:
        inner = item.this if isinstance(item, exp.Ordered) else item
        if not isinstance(inner, (exp.Column, exp.Identifier)) or params.args.get("where"):
            return  # an expression or partial index: not a plain unique column set
        columns.append(ident(inner, builder.dialect)[0])
    name = ident(index.this, builder.dialect)[0] if index.this else None
    builder.add_constraint(table, Constraint("unique", tuple(columns), name), parsed)


def _create_type(builder: CatalogBuilder, node: exp.Create) -> bool:
    dtype = node.expression
    if not isinstance(dtype, exp.DataType) or dtype.this != exp.DataType.Type.ENUM:
        return False
    name = ident(node.this, builder.dialect)[0]
    builder.draft.enums[name] = tuple(e.name for e in dtype.expressions)
    return True


def _comment(builder: CatalogBuilder, node: exp.Comment, kind: str, parsed: Parsed) -> None:
    text = node.expression.name if isinstance(node.expression, exp.Literal) else None
    target = node.this
    if kind == "COLUMN" and isinstance(target, exp.Column):
        table_node = target.args.get("table")
        table = builder.table(exp.Table(this=table_node), parsed)
        builder.column(table, ident(target, builder.dialect)[0], parsed).comment = text
    else:
        builder.table(target, parsed).comment = text


def _drop(builder: CatalogBuilder, node: exp.Drop, parsed: Parsed) -> None:
    for target in node.expressions or node.args.get("tables") or []:
        table = builder.table(target, parsed, missing_ok=bool(node.args.get("exists")))
        if table is not None:
            builder.draft.tables.remove(table)
