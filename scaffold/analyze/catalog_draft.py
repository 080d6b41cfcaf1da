"""The catalog while DDL is applied (mutable drafts) and its freezing into model objects.

Column facts that depend on constraints (primary key, unique, foreign key, checks, enums) are
derived when freezing, so an ALTER TABLE ... ADD CONSTRAINT counts like an inline one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

import sqlglot.expressions as exp

from scaffold.analyze import types
from scaffold.analyze.catalog_facts import TypeFacts, type_facts
from scaffold.analyze.model import (
    Catalog,
    Column,
    Constraint,
    ForeignKey,
    PyType,
    ServerGenerated,
    Table,
)
from scaffold.errors import Location


@dataclass
class ColumnDraft:
    name: str
    dtype: exp.DataType | None
    declared: str = ""  # SQLite: the type as written (affinity and rowid rules read it)
    not_null: bool = False
    default: exp.Expr | None = None
    generated: ServerGenerated | None = None  # identity, serial, generated, autoincrement
    comment: str | None = None
    facts: TypeFacts | None = field(default=None, repr=False, compare=False)  # see type_facts


@dataclass
class TableDraft:
    name: str
    columns: list[ColumnDraft] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    is_view: bool = False
    pos: Location | None = None
    comment: str | None = None
    without_rowid: bool = False
    frozen_columns: tuple[Column, ...] | None = None  # views: columns worked out at CREATE

    def column(self, name: str, quoted: bool = False) -> ColumnDraft | None:
        for col in self.columns:
            if col.name == name:
                return col
        if quoted and any(c.name.lower() == name.lower() for c in self.columns):
            return None
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)


@dataclass
class CatalogDraft:
    dialect: str
    tables: list[TableDraft] = field(default_factory=list)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ddl: list[exp.Expr] = field(default_factory=list)
    # The text each DDL statement was parsed from (none from reflection): the analysis cache
    # keeps these instead of the parsed trees, which cost more to pickle than to parse again.
    ddl_texts: list[str] = field(default_factory=list)
    # Tables frozen so far, by draft identity. Typing a view freezes the catalog before it, so
    # a schema of many views froze every table once per view; the builder keeps these while
    # statements only add tables or views and forgets them after any other (see forget_frozen).
    frozen: dict[int, tuple[TableDraft, Table]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def table(self, name: str) -> TableDraft | None:
        for table in self.tables:
            if table.name == name:
                return table
        return next((t for t in self.tables if t.name.lower() == name.lower()), None)

    def freeze(self) -> Catalog:
        tables = tuple(self._frozen_table(t) for t in self.tables)
        ddl = tuple(cast(exp.Expression, e) for e in self.ddl)
        texts = tuple(self.ddl_texts) if len(self.ddl_texts) == len(ddl) else None
        return Catalog(self.dialect, tables, tuple(self.enums.items()), ddl, texts)

    def forget_frozen(self) -> None:
        """Drop the frozen tables: a statement may have changed a draft (or what one refers to)."""
        self.frozen.clear()

    def add_table(self, table: TableDraft) -> None:
        """Add a table or view; frozen tables still hold unless a foreign key names it."""
        name = table.name.lower()
        if self.frozen and any(_references(c, name) for t in self.tables for c in t.constraints):
            self.forget_frozen()
        self.tables.append(table)

    def _frozen_table(self, draft: TableDraft) -> Table:
        kept = self.frozen.get(id(draft))
        if kept is not None and kept[0] is draft:
            return kept[1]
        table = freeze_table(draft, self)
        self.frozen[id(draft)] = (draft, table)
        return table


def _references(constraint: Constraint, name: str) -> bool:
    return constraint.references is not None and constraint.references[0].lower() == name


def freeze_table(draft: TableDraft, catalog: CatalogDraft) -> Table:
    if draft.frozen_columns is not None:
        notes = {c.name: c.comment for c in draft.columns}
        columns = tuple(
            replace(c, comment=notes.get(c.name) or c.comment) for c in draft.frozen_columns
        )
    else:
        columns = tuple(_freeze_column(c, draft, catalog) for c in draft.columns)
    constraints = tuple(_resolve_reference(c, catalog) for c in draft.constraints)
    pk = next((c.columns for c in constraints if c.kind == "primary_key"), ())
    unique = tuple(
        dict.fromkeys(c.columns for c in constraints if c.kind in ("primary_key", "unique"))
    )
    return Table(
        draft.name, columns, pk, unique, constraints, draft.is_view, draft.pos, draft.comment
    )


def _freeze_column(col: ColumnDraft, table: TableDraft, catalog: CatalogDraft) -> Column:
    dialect = catalog.dialect
    own = [c for c in table.constraints if col.name in c.columns]
    pk = any(c.kind == "primary_key" for c in own)
    checks = tuple(
        c.expression
        for c in own
        if c.kind == "check" and c.expression is not None and c.columns == (col.name,)
    )
    py_type = column_py_type(col, catalog)
    facts = type_facts(col, dialect)
    server = server_generated(col, table, catalog)
    return Column(
        name=col.name,
        sql_type=facts.sql_type,
        py_type=py_type,
        nullable=not (col.not_null or pk or server in ("serial", "identity", "autoincrement")),
        primary_key=pk,
        unique=any(c.kind in ("primary_key", "unique") and c.columns == (col.name,) for c in own),
        foreign_key=_foreign_key(col.name, own, catalog),
        checks=checks,
        default=facts.default_sql,
        server_generated=server,
        max_length=facts.length if py_type in ("str", "bytes") else None,
        precision=facts.precision,
        scale=facts.scale,
        enum_values=_enum_values(col, py_type, checks, catalog),
        element_py_type=types.element_py_type(col.dtype, dialect, catalog.enums),
        comment=col.comment,
    )


def column_py_type(col: ColumnDraft, catalog: CatalogDraft) -> PyType:
    if catalog.dialect == "sqlite":
        return types.sqlite_py_type(col.declared)
    return types.py_type_of(col.dtype, catalog.dialect, catalog.enums)


def server_generated(
    col: ColumnDraft, table: TableDraft, catalog: CatalogDraft
) -> ServerGenerated | None:
    """How the server fills the column when an INSERT leaves it out (None: it does not)."""
    if col.generated is not None:
        return col.generated
    if catalog.dialect == "sqlite" and _is_rowid_alias(col, table):
        return "autoincrement"
    return type_facts(col, catalog.dialect).filled_by_default


def _is_rowid_alias(col: ColumnDraft, table: TableDraft) -> bool:
    # Only the exact type name INTEGER makes a single-column PK an alias of the rowid.
    if table.without_rowid or col.declared.upper() != "INTEGER":
        return False
    pks = [c for c in table.constraints if c.kind == "primary_key"]
    return len(pks) == 1 and pks[0].columns == (col.name,)


def _foreign_key(name: str, own: list[Constraint], catalog: CatalogDraft) -> ForeignKey | None:
    for c in own:
        if c.kind == "foreign_key" and c.columns == (name,) and c.references:
            resolved = _resolve_reference(c, catalog)
            target_table, target_columns = resolved.references or ("", ())
            return ForeignKey(target_table, target_columns[0], c.name)
    return None


def _resolve_reference(constraint: Constraint, catalog: CatalogDraft) -> Constraint:
    """A FOREIGN KEY with the target's catalog spelling, and its PK when no columns are named."""
    if constraint.kind != "foreign_key" or constraint.references is None:
        return constraint
    name, columns = constraint.references
    target = catalog.table(name)
    if target is None:
        return constraint if columns else replace(constraint, references=(name, ("id",)))
    if not columns:
        pk = next((c.columns for c in target.constraints if c.kind == "primary_key"), ())
        columns = pk or constraint.columns
    spelled = tuple(getattr(target.column(c), "name", c) for c in columns)
    return replace(constraint, references=(target.name, spelled))


def _enum_values(
    col: ColumnDraft, py_type: PyType, checks: tuple[exp.Expr, ...], catalog: CatalogDraft
) -> tuple[str, ...]:
    if py_type != "str":
        return ()
    inline = types.enum_type_values(col.dtype)
    if inline:
        return inline
    type_name = types.user_type_name(col.dtype)
    if type_name is not None:
        for name, values in catalog.enums.items():
            if name.lower() == type_name.lower():
                return values
    for check in checks:
        values = check_enum_values(check, col.name)
        if values:
            return values
    return ()


def check_enum_values(check: exp.Expr, column: str) -> tuple[str, ...]:
    """'a', 'b' of CHECK (col IN ('a', 'b')), of col = 'a' OR col = 'b', or of = ANY (ARRAY[..])."""
    check = check.unnest()
    if isinstance(check, exp.In) and _is_column(check.this, column):
        return _strings(check.expressions)
    if isinstance(check, exp.Or):
        left = check_enum_values(check.this, column)
        right = check_enum_values(check.expression, column)
        return (*left, *right) if left and right else ()
    if isinstance(check, exp.EQ) and _is_column(check.this, column):
        target = check.expression.unnest()
        if isinstance(target, exp.Any):
            array = target.this.unnest()
            return _strings(array.expressions) if isinstance(array, exp.Array) else ()
        return _strings([target])
    return ()


def _is_column(node: exp.Expr, column: str) -> bool:
    node = node.unnest()
    while isinstance(node, exp.Cast):
        node = node.this.unnest()
    return isinstance(node, exp.Column) and node.name.lower() == column.lower()


def _strings(nodes: list[exp.Expr]) -> tuple[str, ...]:
    values = []
    for node in nodes:
        while isinstance(node, (exp.Cast, exp.Paren)):
            node = node.this
        if not (isinstance(node, exp.Literal) and node.is_string):
            return ()
        values.append(node.name)
    return tuple(values)
