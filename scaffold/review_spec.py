"""What changed among a project's inputs between two revisions, and which units it concerns.

The manifests' input hashes say which file changed; the spec is then compared by section
(`forms.add_book`, `queries.books_by_author`, `database`), the schema by table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scaffold.hashing import TEMPLATES_KEY
from scaffold.manifest import Manifest
from scaffold.review_git import Side

_QUERY_NAME = re.compile(r"\s*--\s*name:\s*(\w+)")
# Spec sections with named entries, compared entry by entry.
_NAMED_SECTIONS = ("queries", "state", "forms")
# Units each kind of spec entry can change (by unit-name prefix); others concern every unit.
_SECTION_UNITS = {
    "queries": ("rows", "sql", "queries", "tests.queries", "tests.conftest", "state"),
    "state": ("state", "tests.state", "web"),
}


@dataclass(frozen=True)
class Cause:
    """One input change: a spec section, a schema table, a query file, the templates."""

    kind: str  # spec | schema | query | templates | input
    name: str  # "forms.add_book", "books", "queries.sql", ...
    text: str

    def __str__(self) -> str:
        return self.text


def input_changes(old_side: Side, new_side: Side, old: Manifest, new: Manifest) -> list[Cause]:
    causes: list[Cause] = []
    for key in sorted(set(old.inputs) | set(new.inputs)):
        if old.inputs.get(key) == new.inputs.get(key):
            continue
        role = new.input_roles.get(key) or old.input_roles.get(key) or "input"
        causes += _changes_of(role, key, old_side, new_side, old, new)
    return causes


def _changes_of(
    role: str, key: str, old_side: Side, new_side: Side, old: Manifest, new: Manifest
) -> list[Cause]:
    if key not in old.inputs:
        return [Cause(role, key, f"{role} file `{key}` added")]
    if key not in new.inputs:
        return [Cause(role, key, f"{role} file `{key}` no longer used")]
    if role == "spec":
        return _spec_changes(key, old_side.text(key), new_side.text(key))
    if role == "schema":
        return _schema_changes(key, old_side, new_side)
    if role == "query":
        return _query_file_changes(key, old_side.text(key), new_side.text(key))
    if key == TEMPLATES_KEY:
        return [Cause("templates", key, "scaffold's templates changed (a scaffold upgrade)")]
    return [Cause(role, key, f"{role} file `{key}` changed")]


def _spec_changes(key: str, before: str | None, after: str | None) -> list[Cause]:
    old, new = _yaml(before), _yaml(after)
    causes = []
    for section in sorted(set(old) | set(new), key=str):
        if old.get(section) == new.get(section):
            continue
        if section in _NAMED_SECTIONS:
            causes += _entry_changes(key, str(section), old.get(section), new.get(section))
        else:
            causes.append(
                Cause("spec", str(section), f"spec `{section}` {_verb(old, new, section)}")
            )
    return causes or [Cause("spec", key, f"spec `{key}` changed (comments or layout only)")]


def _entry_changes(key: str, section: str, before: Any, after: Any) -> list[Cause]:
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return [
        Cause("spec", f"{section}.{name}", f"spec `{section}.{name}` {_verb(old, new, name)}")
        for name in sorted(set(old) | set(new), key=str)
        if old.get(name) != new.get(name)
    ]


def _verb(old: dict[Any, Any], new: dict[Any, Any], name: Any) -> str:
    return "added" if name not in old else "removed" if name not in new else "changed"


def _yaml(text: str | None) -> dict[Any, Any]:
    import yaml

    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _schema_changes(key: str, old_side: Side, new_side: Side) -> list[Cause]:
    """Per table whose CREATE TABLE statement changed; the whole file when it does not parse."""
    dialect = spec_dialect(new_side, None)
    old, new = _tables(old_side.text(key), dialect), _tables(new_side.text(key), dialect)
    if old is None or new is None:
        return [Cause("schema", key, f"schema file `{key}` changed")]
    changed = [
        Cause("schema", t, f"schema `{key}`: table `{t}` {_verb(old, new, t)}")
        for t in sorted(set(old) | set(new))
        if old.get(t) != new.get(t)
    ]
    return changed or [Cause("schema", key, f"schema file `{key}` changed (no table changed)")]


def _tables(text: str | None, dialect: str | None) -> dict[str, str] | None:
    import sqlglot
    from sqlglot import exp

    try:
        statements = sqlglot.parse(text or "", dialect)
    except sqlglot.errors.SqlglotError:
        return None
    tables: dict[str, str] = {}
    for stmt in statements:
        if isinstance(stmt, exp.Create) and stmt.kind == "TABLE":
            table = stmt.this.find(exp.Table)
            if table is not None:
                tables[table.name] = stmt.sql(dialect=dialect)
        elif isinstance(stmt, exp.Alter):
            table = stmt.this if isinstance(stmt.this, exp.Table) else None
            if table is not None:
                tables[table.name] = tables.get(table.name, "") + stmt.sql(dialect=dialect)
    return tables


def _query_file_changes(key: str, before: str | None, after: str | None) -> list[Cause]:
    """Per sqlc-style block ("-- name: ListAuthors :many") whose SQL changed."""
    old, new = _named_queries(before or ""), _named_queries(after or "")
    changed = [
        Cause("query", f"queries.{name}", f"query `{name}` in `{key}` {_verb(old, new, name)}")
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
    return changed or [Cause("query", key, f"query file `{key}` changed (comments or layout)")]


def _named_queries(text: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        found = _QUERY_NAME.match(line)
        if found:
            name = found.group(1)
            queries[name] = ""
        elif name and not line.lstrip().startswith("--"):
            queries[name] += " " + " ".join(line.split())
    return {n: sql.strip() for n, sql in queries.items()}


def relevant(cause: Cause, unit: str) -> bool:
    """Whether an input change can have changed the unit."""
    if cause.kind not in ("spec", "query") or "." not in cause.name:
        return True
    section, _, entry = cause.name.partition(".")
    if section == "forms":
        return unit in ("rows", "forms", "extend") or unit.endswith(f"forms.{entry}")
    return unit.startswith(_SECTION_UNITS.get(section, ("",)))


def spec_dialect(side: Side, manifest: Manifest | None) -> str | None:
    """The SQL dialect the spec names at this side (None when unknown)."""
    manifest = manifest or side.manifest()
    if manifest is None:
        return None
    spec = next((k for k, role in manifest.input_roles.items() if role == "spec"), None)
    database = _yaml(side.text(spec) if spec else None).get("database")
    dialect = database.get("dialect") if isinstance(database, dict) else None
    return dialect if isinstance(dialect, str) else None
