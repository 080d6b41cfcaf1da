"""DDL to the Catalog: files or migration folders applied in order, statement by statement.

Statements that do not shape tables (functions, triggers, grants, sequences...) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import sqlglot.expressions as exp

from scaffold.analyze import catalog_alter, catalog_commands
from scaffold.analyze.catalog_columns import column_parts, ident, table_constraint
from scaffold.analyze.catalog_draft import CatalogDraft, ColumnDraft, TableDraft
from scaffold.analyze.catalog_views import select_columns
from scaffold.analyze.ddl_source import (
    Parsed,
    Statement,
    has_no_table_facts,
    parse_statement,
    schema_files,
    split_statements,
    up_section,
)
from scaffold.analyze.model import Catalog, Constraint
from scaffold.errors import AnalysisError, ScaffoldError, did_you_mean, raise_all

DIALECTS = ("sqlite", "postgres", "mysql")


def build_catalog(dialect: str, paths: Sequence[Path]) -> Catalog:
    """The catalog of the schema files (or migration folders), applied in order."""
    _check_dialect(dialect)
    builder = CatalogBuilder(dialect)
    for path in schema_files(paths):
        builder.apply_text(path.read_text(encoding="utf-8"), str(path))
    return builder.finish()


def catalog_from_text(dialect: str, text: str, file: str = "schema.sql") -> Catalog:
    """The catalog of DDL given as text (tests, specs with inline schema)."""
    _check_dialect(dialect)
    builder = CatalogBuilder(dialect)
    builder.apply_text(text, file)
    return builder.finish()


class CatalogBuilder:
    """Applies statements to a draft catalog, collecting every error of the run."""

    def __init__(self, dialect: str) -> None:
        self.draft = CatalogDraft(dialect)
        self.domains = catalog_commands.DomainMap()
        self.errors: list[ScaffoldError] = []

    @property
    def dialect(self) -> str:
        return self.draft.dialect

    def apply_text(self, text: str, file: str) -> None:
        try:
            statements = split_statements(up_section(text), self.dialect, file)
        except AnalysisError as err:
            self.errors.append(err)
            return
        for statement in statements:
            try:
                self.apply(statement)
            except AnalysisError as err:
                self.errors.append(err)

    def apply(self, statement: Statement) -> None:
        if has_no_table_facts(statement):
            return
        expression = parse_statement(statement, self.dialect)
        if expression is None:
            return
        parsed = Parsed(statement, expression)
        try:
            kept = self._dispatch(parsed)
        except BaseException:
            self.draft.forget_frozen()  # it may have changed a draft before it failed
            raise
        # A skipped statement changed nothing (pg_dump's ALTER ... OWNER TO between views).
        if kept and not _only_adds_a_table(parsed):
            self.draft.forget_frozen()
        if kept:
            self.draft.ddl.append(expression)
            self.draft.ddl_texts.append(statement.text)

    def finish(self) -> Catalog:
        raise_all(self.errors)
        return self.draft.freeze()

    def _dispatch(self, parsed: Parsed) -> bool:
        node = parsed.expression
        kind = str(node.args.get("kind") or "").upper()
        if isinstance(node, exp.Create) and kind == "TABLE":
            self.create_table(parsed)
        elif isinstance(node, exp.Create) and kind == "VIEW":
            self.create_view(parsed, node.this, node.expression)
        elif isinstance(node, exp.Command):
            return catalog_commands.apply_command(self, parsed)
        else:
            return catalog_alter.apply_change(self, parsed)
        return True

    def create_table(self, parsed: Parsed) -> None:
        node = parsed.expression
        schema = node.this
        if isinstance(node.expression, exp.Query):
            self.create_view(parsed, schema, node.expression, is_view=False)
            return
        like = node.find(exp.LikeProperty)
        if not isinstance(schema, exp.Schema) and like is None:
            return  # PARTITION OF: the partition's rows are its parent's
        name, _ = ident(schema.this if isinstance(schema, exp.Schema) else schema, self.dialect)
        if self._exists(name, node, parsed):
            return
        table = TableDraft(name, pos=parsed.statement.location)
        table.without_rowid = parsed.statement.without_rowid
        items = schema.expressions if isinstance(schema, exp.Schema) else [like] if like else []
        for item in items:
            self._table_item(table, item, parsed)
        if table.columns:
            self.draft.add_table(table)

    def create_view(
        self, parsed: Parsed, target: exp.Expr, query: exp.Expr, is_view: bool = True
    ) -> None:
        name, _ = ident(target.this if isinstance(target, exp.Schema) else target, self.dialect)
        if self._exists(name, parsed.expression, parsed):
            return
        table = TableDraft(name, is_view=is_view, pos=parsed.statement.location)
        if isinstance(query, exp.Query):
            table.frozen_columns = select_columns(query, self.draft)
            # Drafts of the same names, so COMMENT ON COLUMN and indexes can name them.
            table.columns = [ColumnDraft(c.name, None) for c in table.frozen_columns]
        self.draft.add_table(table)

    def add_constraint(self, table: TableDraft, constraint: Constraint, parsed: Parsed) -> None:
        """Add a constraint with its columns spelled as the table spells them."""
        if constraint.kind == "check" and constraint.expression is not None:
            mentioned = [c.name for c in constraint.expression.find_all(exp.Column)]
            columns = tuple(dict.fromkeys(self.column(table, n, parsed).name for n in mentioned))
        else:
            columns = tuple(self.column(table, n, parsed).name for n in constraint.columns)
        table.constraints.append(
            Constraint(
                constraint.kind,
                columns,
                constraint.name,
                constraint.expression,
                constraint.references,
            )
        )

    def table(self, node: exp.Expr, parsed: Parsed, missing_ok: bool = False) -> TableDraft:
        name, _ = ident(node, self.dialect)
        table = self.draft.table(name)
        if table is None and not missing_ok:
            raise AnalysisError(
                f"table {name!r} does not exist",
                location=parsed.statement.location,
                hint=did_you_mean(name, [t.name for t in self.draft.tables]),
            )
        return table  # type: ignore[return-value]  # None only when missing_ok

    def column(self, table: TableDraft, name: str, parsed: Parsed) -> ColumnDraft:
        found = table.column(name)
        if found is None:
            raise AnalysisError(
                f"column {name!r} does not exist in table {table.name!r}",
                location=parsed.statement.location,
                hint=did_you_mean(name, [c.name for c in table.columns]),
            )
        return found

    def _table_item(self, table: TableDraft, item: exp.Expr, parsed: Parsed) -> None:
        if isinstance(item, exp.LikeProperty):
            self._copy_like(table, item, parsed)
            return
        if isinstance(item, (exp.ColumnDef, exp.Identifier)):
            parts = column_parts(item, parsed.statement.text, self.dialect, self.domains.domains)
            table.columns.append(parts.draft)
            for constraint in parts.constraints:
                self.add_constraint(table, constraint, parsed)
            return
        declared = table_constraint(item, self.dialect)
        if declared is not None:
            self.add_constraint(table, declared, parsed)

    def _copy_like(self, table: TableDraft, like: exp.LikeProperty, parsed: Parsed) -> None:
        """LIKE other: its columns; with INCLUDING (or in MySQL) its keys and checks too."""
        source = self.table(like.this, parsed)
        keys = {n for c in source.constraints if c.kind == "primary_key" for n in c.columns}
        # A key's NOT NULL is copied even when the key itself is not.
        table.columns += [replace(c, not_null=c.not_null or c.name in keys) for c in source.columns]
        if like.expressions or self.dialect == "mysql":
            table.constraints += [c for c in source.constraints if c.kind != "foreign_key"]

    def _exists(self, name: str, node: exp.Expr, parsed: Parsed) -> bool:
        existing = self.draft.table(name)
        if existing is None:
            return False
        if node.args.get("exists"):
            return True
        if node.args.get("replace"):
            self.draft.tables.remove(existing)
            self.draft.forget_frozen()
            return False
        raise AnalysisError(
            f"table {name!r} already exists (created at {existing.pos})",
            location=parsed.statement.location,
            hint="drop it first or use CREATE TABLE IF NOT EXISTS",
        )


def _only_adds_a_table(parsed: Parsed) -> bool:
    """CREATE TABLE, CREATE VIEW or CREATE MATERIALIZED VIEW: a new table and no change to the
    others, so the tables frozen to type the previous views still hold."""
    node = parsed.expression
    if isinstance(node, exp.Command):
        return catalog_commands.is_materialized_view(parsed.statement.text)
    kind = str(node.args.get("kind") or "").upper()
    return isinstance(node, exp.Create) and kind in ("TABLE", "VIEW")


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise AnalysisError(
            f"unknown SQL dialect {dialect!r}",
            hint=did_you_mean(dialect, DIALECTS) or f"use one of {', '.join(DIALECTS)}",
        )
