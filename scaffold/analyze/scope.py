"""Name resolution: the relations a query's FROM brings into scope and how column names bind.

Unquoted names compare case-insensitively in all three dialects; quoted names compare exactly.
A scope's parent is the enclosing query, so correlated subqueries resolve outer columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sqlglot.expressions as exp

from scaffold.analyze.model import PyType
from scaffold.errors import AnalysisError, did_you_mean


@dataclass(frozen=True)
class Value:
    """What an expression evaluates to: its type, whether it can be NULL, where it comes from."""

    sql_type: str
    py_type: PyType | None  # None: not known (an untyped parameter, a NULL literal)
    nullable: bool
    source: str | None = None  # "table.column" for a direct column reference
    element_py_type: PyType | None = None

    def with_nullable(self, nullable: bool) -> Value:
        return replace(self, nullable=nullable)


UNKNOWN = Value("", None, True)


@dataclass(frozen=True)
class RelColumn:
    name: str
    value: Value


@dataclass(frozen=True)
class Relation:
    """A table-like thing in FROM: a catalog table, a CTE or a derived table."""

    columns: tuple[RelColumn, ...]
    table: str | None = None  # the catalog table's name when it is one
    unique: tuple[tuple[str, ...], ...] = ()  # column sets with unique values

    def column(self, name: str, quoted: bool = False) -> RelColumn | None:
        for col in self.columns:
            if col.name == name:
                return col
        if quoted:
            return None
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)


@dataclass
class Source:
    """One FROM item under its alias."""

    alias: str
    relation: Relation
    optional: bool = False  # the optional side of an outer join: its columns may be NULL
    using: frozenset[str] = frozenset()  # columns merged by JOIN ... USING / NATURAL
    qualified_only: bool = False  # EXCLUDED in ON CONFLICT: never matches a bare column name


@dataclass
class Scope:
    sources: list[Source] = field(default_factory=list)
    parent: Scope | None = None
    ctes: dict[str, Relation] = field(default_factory=dict)
    # (alias lower-cased, column lower-cased) proven non-NULL by WHERE or an inner join's ON.
    not_null: set[tuple[str, str]] = field(default_factory=set)
    # Non-NULL only within the expression being evaluated (a CASE branch after `x IS NULL`).
    assumed: set[tuple[str, str]] = field(default_factory=set)
    grouped: bool = False  # GROUP BY present: an aggregate sees at least one row per group
    aliases: dict[str, Value] = field(default_factory=dict)  # select-list aliases
    aliases_visible: bool = False  # in ORDER BY / GROUP BY / HAVING

    def child(self) -> Scope:
        return Scope(parent=self, ctes=dict(self.ctes))

    def cte(self, name: str) -> Relation | None:
        return self.ctes.get(name.lower())

    def source(self, alias: str, quoted: bool = False) -> Source | None:
        for src in self.sources:
            if src.alias == alias or (not quoted and src.alias.lower() == alias.lower()):
                return src
        return None


@dataclass(frozen=True)
class Binding:
    """A column reference resolved: its source (None for a select alias) and column."""

    source: Source | None
    column: RelColumn
    scope: Scope


def resolve(scope: Scope, column: exp.Column, exact_quotes: bool = True) -> Binding:
    """Bind a column reference in `scope` or an enclosing one; AnalysisError when it cannot.

    Quoted names match exactly only where the dialect says so (postgres); SQLite and MySQL
    compare column names case-insensitively, quoted or not.
    """
    name, quoted = column.name, _quoted(column.this) and exact_quotes
    if column.table:
        return _resolve_qualified(scope, column, name, quoted)
    current: Scope | None = scope
    while current is not None:
        found = _resolve_here(current, name, quoted)
        if found is not None:
            return found
        current = current.parent
    raise AnalysisError(
        f'column "{name}" does not exist', hint=did_you_mean(name, _visible_columns(scope))
    )


def _resolve_qualified(scope: Scope, column: exp.Column, name: str, quoted: bool) -> Binding:
    table_quoted = _quoted(column.args.get("table")) and quoted
    current: Scope | None = scope
    while current is not None:
        src = current.source(column.table, table_quoted)
        if src is not None:
            col = src.relation.column(name, quoted)
            if col is None:
                names = [c.name for c in src.relation.columns]
                hint = did_you_mean(name, names) or f'"{column.table}" has: {", ".join(names)}'
                raise AnalysisError(f'column "{column.table}.{name}" does not exist', hint=hint)
            return Binding(src, col, current)
        current = current.parent
    aliases = [s.alias for s in _all_sources(scope)]
    raise AnalysisError(
        f'table "{column.table}" is not in the query (FROM names: {", ".join(aliases) or "none"})',
        hint=did_you_mean(column.table, aliases),
    )


def _resolve_here(scope: Scope, name: str, quoted: bool) -> Binding | None:
    matches = [
        (s, c)
        for s in scope.sources
        if not s.qualified_only and (c := s.relation.column(name, quoted))
    ]
    merged = [m for m in matches if name.lower() in m[0].using]
    if len(matches) > 1 and merged:
        matches = [merged[0]]  # USING / NATURAL join columns are one column
    if len(matches) > 1:
        tables = ", ".join(s.alias for s, _ in matches)
        raise AnalysisError(
            f'column reference "{name}" is ambiguous: it is in {tables}',
            hint=f"qualify it, e.g. {matches[0][0].alias}.{name}",
        )
    if matches:
        return Binding(matches[0][0], matches[0][1], scope)
    alias = scope.aliases.get(name.lower()) if scope.aliases_visible else None
    if alias is not None:
        return Binding(None, RelColumn(name, alias), scope)
    return None


def _all_sources(scope: Scope) -> list[Source]:
    out: list[Source] = []
    current: Scope | None = scope
    while current is not None:
        out.extend(current.sources)
        current = current.parent
    return out


def _visible_columns(scope: Scope) -> list[str]:
    names: list[str] = []
    for src in _all_sources(scope):
        for col in src.relation.columns:
            names.extend((col.name, f"{src.alias}.{col.name}"))
    return names


def _quoted(node: object) -> bool:
    return isinstance(node, exp.Identifier) and bool(node.args.get("quoted"))
