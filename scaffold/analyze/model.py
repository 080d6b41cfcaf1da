"""What the analysis derives: the catalog of tables and the facts about each query.

Plain frozen data; later stages read it and never call back into the analyzer.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import sqlglot.expressions as exp

from scaffold.errors import Location

# The Python types a column or parameter can map to (the `py_type` of inspect --json).
PyType = Literal[
    "int",
    "float",
    "Decimal",
    "str",
    "bool",
    "bytes",
    "date",
    "datetime",
    "time",
    "timedelta",
    "UUID",
    "dict",
    "list",
]
StatementKind = Literal["select", "insert", "update", "delete"]
Cardinality = Literal["one", "many", "exec"]
# How the server fills a column the form must not set.
ServerGenerated = Literal["autoincrement", "identity", "serial", "generated", "default"]


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    name: str | None = None  # constraint name when declared


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # normalized upper-case SQL, e.g. "INTEGER", "VARCHAR(255)", "NUMERIC(10, 2)"
    py_type: PyType
    nullable: bool
    primary_key: bool = False
    unique: bool = False  # alone unique (UNIQUE, single-column unique index, or sole PK)
    foreign_key: ForeignKey | None = None
    checks: tuple[exp.Expression, ...] = ()  # CHECKs that mention only this column
    default: str | None = None  # SQL text of the DEFAULT expression
    server_generated: ServerGenerated | None = None
    # Facts forms need, read from the type:
    max_length: int | None = None  # VARCHAR(n) / CHAR(n)
    precision: int | None = None  # NUMERIC(p, s)
    scale: int | None = None
    enum_values: tuple[str, ...] = ()  # postgres enum / mysql ENUM / CHECK (col IN (...))
    element_py_type: PyType | None = None  # for arrays (py_type "list"): the element type
    comment: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.server_generated is not None


@dataclass(frozen=True)
class Constraint:
    """A named or anonymous table constraint, used to map IntegrityErrors to fields."""

    kind: Literal["primary_key", "unique", "foreign_key", "check", "not_null"]
    columns: tuple[str, ...]
    name: str | None = None
    expression: exp.Expression | None = None  # CHECK expression
    references: tuple[str, tuple[str, ...]] | None = None  # FK: (table, columns)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # every unique column set, PK included
    constraints: tuple[Constraint, ...] = ()  # all, including multi-column CHECKs and FKs
    is_view: bool = False
    pos: Location | None = None
    comment: str | None = None

    def column(self, name: str) -> Column | None:
        """Look a column up by name, case-insensitively (as all three dialects do unquoted)."""
        for col in self.columns:
            if col.name == name:
                return col
        lowered = name.lower()
        for col in self.columns:
            if col.name.lower() == lowered:
                return col
        return None


@dataclass(frozen=True)
class Catalog:
    dialect: str
    tables: tuple[Table, ...] = ()
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (type name, values)
    # The DDL statements as parsed, in order, so tests can rebuild the schema in any dialect.
    # (a factory, not a default: no class attribute may answer for an instance without it)
    ddl: tuple[exp.Expression, ...] = field(default_factory=tuple, repr=False, compare=False)
    # The schema text of each DDL statement, when it came from text (not from reflection).
    ddl_texts: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    def table(self, name: str) -> Table | None:
        """Look a table up by name (schema-qualified or not), case-insensitively."""
        exact, loose = self._by_name
        found = exact.get(name)
        return found if found is not None else loose.get(name.lower().split(".")[-1])

    @cached_property
    def _by_name(self) -> tuple[dict[str, Table], dict[str, Table]]:
        # Planning a 200-table schema looks tables up ~130,000 times: an index, not a scan.
        # The first table of a name wins, as a scan in order would find it.
        exact: dict[str, Table] = {}
        loose: dict[str, Table] = {}
        for t in self.tables:
            exact.setdefault(t.name, t)
            loose.setdefault(t.name.lower().split(".")[-1], t)
        return exact, loose

    # Pickling (the analysis cache): the name index is rebuilt on demand, and the DDL is read
    # only when a run uses it (`gen` plans tests from it, `inspect` never does). DDL that came
    # from schema text is kept as that text and parsed again on use: sqlglot pickles each
    # statement through its own serializer, which costs more than parsing it (pagila: 24 ms to
    # save, 33 ms to load, 460 KB, against 50 ms to parse on use and 90 KB). Reflected DDL has
    # no text and is kept pickled.
    def __getstate__(self) -> dict[str, object]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("_by_name", "ddl")}
        if self.ddl_texts is None and "_ddl_pickle" not in state:
            state["_ddl_pickle"] = pickle.dumps(self.ddl, protocol=pickle.HIGHEST_PROTOCOL)
        return state

    if not TYPE_CHECKING:  # keeps mypy checking every other attribute name

        def __getattr__(self, name: str) -> Any:
            if name != "ddl":
                raise AttributeError(name)
            pickled = self.__dict__.get("_ddl_pickle")
            if pickled is not None:
                ddl = pickle.loads(pickled)
            elif self.__dict__.get("ddl_texts") is not None:
                from scaffold.analyze.ddl_source import parse_texts

                ddl = parse_texts(self.ddl_texts, self.dialect)
            else:
                raise AttributeError(name)
            object.__setattr__(self, "ddl", ddl)
            return ddl

    def enum(self, name: str) -> tuple[str, ...] | None:
        for enum_name, values in self.enums:
            if enum_name.lower() == name.lower():
                return values
        return None


@dataclass(frozen=True)
class OutputColumn:
    name: str
    sql_type: str
    py_type: PyType
    nullable: bool
    source: str | None = None  # "table.column" when the value comes straight from a column
    element_py_type: PyType | None = None


@dataclass(frozen=True)
class Param:
    name: str  # a Python identifier, unique within the query
    sql_type: str
    py_type: PyType
    nullable: bool
    is_list: bool = False  # sqlc.slice(x) or an IN (:x) list: the Python type is list[py_type]
    # The column the parameter is compared with or assigned to, when there is one.
    column: str | None = None  # "table.column"
    element_py_type: PyType | None = None  # for arrays (py_type "list"): the element type


@dataclass(frozen=True)
class Filter:
    """An equality filter `table.column = :param` in a query's WHERE (used for pruning)."""

    column: str  # "table.column"
    param: str


@dataclass(frozen=True)
class QueryInfo:
    name: str  # as written
    ident: str  # snake_case Python name
    kind: StatementKind
    cardinality: Cardinality
    command: str  # the sqlc command it maps to (one/many/exec/execrows/execresult/execlastid...)
    sql: str  # rewritten for SQLAlchemy text(): placeholders as :name, in the catalog's dialect
    columns: tuple[OutputColumn, ...] = ()
    params: tuple[Param, ...] = ()
    reads: tuple[str, ...] = ()  # tables read (sorted)
    writes: tuple[str, ...] = ()  # tables written (sorted)
    columns_read: tuple[str, ...] = ()  # "table.column" read anywhere: select, where, join, order
    columns_written: tuple[str, ...] = ()  # "table.column" set by INSERT/UPDATE
    filters: tuple[Filter, ...] = ()
    # Facts the state planner needs: can the result be maintained locally?
    has_aggregate: bool = False
    has_outer_join: bool = False
    has_window: bool = False
    has_limit: bool = False
    pos: Location | None = None
