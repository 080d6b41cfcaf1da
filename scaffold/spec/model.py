"""The spec language as frozen dataclasses: what the architect decided, nothing derived.

Every object keeps the position it was written at (``pos``) so later stages can point
errors at the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scaffold.errors import Location

Dialect = Literal["sqlite", "postgres", "mysql"]
Owner = Literal["server", "client", "derived"]
FormAction = Literal["insert", "update", "delete"]
WriterName = Literal["template", "llm"]
# sqlc's query commands; inline queries without one get it inferred by the analysis.
SqlcCommand = Literal[
    "one",
    "many",
    "exec",
    "execrows",
    "execresult",
    "execlastid",
    "copyfrom",
    "batchexec",
    "batchmany",
    "batchone",
]

NOWHERE = Location("<unknown>")


@dataclass(frozen=True)
class DatabaseSpec:
    dialect: Dialect
    # DDL files or folders of migrations (applied in file-name order), resolved absolute.
    schema: tuple[Path, ...] = ()
    # An existing database to reflect instead of DDL files (SQLAlchemy URL).
    url: str | None = None
    pos: Location = NOWHERE


@dataclass(frozen=True)
class QuerySpec:
    """One named query: inline in the spec or read from a sqlc-style query file."""

    name: str  # as written: "books_by_author" or sqlc's "BooksByAuthor"
    sql: str  # the statement text, without the "-- name:" annotation
    pos: Location  # file and line where the statement text starts
    command: SqlcCommand | None = None  # from "-- name: X :cmd" or the spec's `cardinality`

    @property
    def ident(self) -> str:
        """The Python identifier: snake_case of the name."""
        return snake_case(self.name)


@dataclass(frozen=True)
class DerivedGiven:
    """One source's content in an example of a derived state."""

    source: str
    # A list of rows (field -> value, as YAML read them) or, for a derived source, its value.
    value: Any
    pos: Location = NOWHERE
    field_pos: tuple[tuple[str, Location], ...] = ()  # each row field's first mention


@dataclass(frozen=True)
class DerivedExample:
    """Sources' contents and the value the derived state must compute from them."""

    given: tuple[DerivedGiven, ...]
    expect: Any
    pos: Location = NOWHERE


@dataclass(frozen=True)
class StateSpec:
    name: str
    owner: Owner
    pos: Location
    query: str | None = None  # server: the query that feeds it
    key: tuple[str, ...] = ()  # column(s) or field(s) identifying an item
    sync: Literal["diff", "snapshot"] = "diff"
    fields: tuple[tuple[str, str], ...] = ()  # client: (field, python type) in order
    sources: tuple[str, ...] = ()  # derived: the `from:` list
    compute: str | None = None  # derived: the computation in plain words or a Python expression
    writer: WriterName | None = None
    result_type: str | None = None  # derived: the value's type (a client field type), `type:`
    examples: tuple[DerivedExample, ...] = ()  # derived: inputs and the value they give


@dataclass(frozen=True)
class RuleSpec:
    """A business rule of a form: a SQL boolean expression or plain words."""

    text: str
    pos: Location
    message: str | None = None  # error text shown when the rule fails


@dataclass(frozen=True)
class FormExamples:
    valid: tuple[dict[str, Any], ...] = ()
    invalid: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class FormSpec:
    name: str
    table: str
    action: FormAction
    pos: Location
    fields: tuple[str, ...] = ()
    # Columns identifying the row for update/delete; default: the table's primary key.
    key: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (field, SELECT value, label ...) in order
    rules: tuple[RuleSpec, ...] = ()
    examples: FormExamples = field(default_factory=FormExamples)
    labels: tuple[tuple[str, str], ...] = ()  # (field, label)
    help: tuple[tuple[str, str], ...] = ()  # (field, help text)
    writer: WriterName | None = None
    # Position of each field name in the spec, for errors about one field.
    field_pos: tuple[tuple[str, Location], ...] = ()

    def pos_of(self, field_name: str) -> Location:
        return dict(self.field_pos).get(field_name, self.pos)


@dataclass(frozen=True)
class LLMSpec:
    model: str = "qwen2.5-coder:7b"
    base_url: str | None = None
    temperature: float = 0.0
    max_attempts: int = 3
    concurrency: int = 4
    timeout: float = 120.0
    test_timeout: float = 60.0  # seconds for one attempt's generated tests


@dataclass(frozen=True)
class WriterSpec:
    default: WriterName = "template"
    llm: LLMSpec = field(default_factory=LLMSpec)


@dataclass(frozen=True)
class OutputSpec:
    package: Path  # resolved absolute
    tests: Path  # resolved absolute
    web: Literal["starlette"] | None = None


@dataclass(frozen=True)
class Spec:
    path: Path  # the spec file, absolute
    version: int
    app: str
    database: DatabaseSpec
    queries: tuple[QuerySpec, ...] = ()
    state: tuple[StateSpec, ...] = ()
    forms: tuple[FormSpec, ...] = ()
    writer: WriterSpec = field(default_factory=WriterSpec)
    output: OutputSpec | None = None

    @property
    def root(self) -> Path:
        """The folder relative paths in the spec are resolved against."""
        return self.path.parent

    def query(self, name: str) -> QuerySpec | None:
        """Find a query by its written name or its snake_case identifier."""
        for q in self.queries:
            if name in (q.name, q.ident):
                return q
        return None


def snake_case(name: str) -> str:
    """BooksByAuthor -> books_by_author; books_by_author stays; HTTPCode -> http_code."""
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper():
            prev = name[i - 1] if i else ""
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if i and (prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower())):
                out.append("_")
            out.append(ch.lower())
        elif ch in "- ":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out).strip("_")
