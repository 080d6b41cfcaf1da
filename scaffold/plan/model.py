"""Contracts: one per generated unit, everything a writer or a validator needs to work alone."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")


class Memo(Protocol):
    """Keeps what is computed from the catalog alone (the generated tests' schema DDL, their
    sample-row sources) across runs: `memo(name, compute)` is compute() or what it gave before
    for the same schema. `name` must say everything else the value depends on."""

    def __call__(self, name: str, compute: Callable[[], T]) -> T: ...


def compute_now(name: str, compute: Callable[[], T]) -> T:
    """The Memo that keeps nothing."""
    return compute()


WriterName = Literal["template", "llm"]


@dataclass(frozen=True)
class Symbol:
    """A public name a unit must define, with its exact signature."""

    name: str
    kind: Literal["function", "class", "constant"]
    signature: str  # e.g. "def books_by_author(conn: Connection, *, author_id: int) -> list[...]"
    doc: str = ""


@dataclass(frozen=True)
class SqlConstant:
    name: str  # the constant's name in sql.py, e.g. "BOOKS_BY_AUTHOR"
    sql: str  # the analyzed statement with :name placeholders
    params: tuple[str, ...] = ()
    list_params: tuple[str, ...] = ()  # expanding bind parameters (IN lists)


@dataclass(frozen=True)
class Contract:
    """One generated unit.

    ``unit`` names it ("rows", "sql", "queries", "forms.add_book", "state", "tests.queries").
    ``files`` maps each output path (relative to the project root, POSIX) to the template that
    renders it. ``context`` is plain JSON data: the template writer renders from it alone.
    """

    unit: str
    files: tuple[tuple[str, str], ...]  # (relative output path, template name)
    symbols: tuple[Symbol, ...] = ()
    sql: tuple[SqlConstant, ...] = ()
    imports: tuple[str, ...] = ()  # modules the unit may import
    spec_text: str = ""  # the spec fragment it implements (YAML text)
    writer: WriterName = "template"
    context: Any = None  # JSON-serialisable data for the templates
    # "extension": a module created once for the user to edit, never rewritten (extend.py).
    kind: Literal["code", "test", "html", "data", "extension"] = "code"

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "files": [list(f) for f in self.files],
            "symbols": [vars(s) for s in self.symbols],
            "sql": [
                {
                    "name": s.name,
                    "sql": s.sql,
                    "params": list(s.params),
                    "list_params": list(s.list_params),
                }
                for s in self.sql
            ],
            "imports": list(self.imports),
            "spec_text": self.spec_text,
            "writer": self.writer,
            "context": self.context,
            "kind": self.kind,
        }

    @property
    def hash(self) -> str:
        """sha256 of the canonical JSON of the contract: same decisions, same hash."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Plan:
    """All contracts of one run, plus the lint's warnings and the invalidation map."""

    app: str
    contracts: tuple[Contract, ...]
    warnings: tuple[str, ...] = ()
    # form name -> names of server-owned states it must refresh
    invalidation: tuple[tuple[str, tuple[str, ...]], ...] = ()
