"""The state rules of the lint: server state is fed by a SELECT and keyed by a unique, non-null
column set; client state is keyed by its own fields; derived state names existing sources and
never depends on itself."""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.analyze.model import Catalog, OutputColumn, QueryInfo
from scaffold.errors import LintError, ScaffoldError, did_you_mean
from scaffold.plan.keys import key_verdict
from scaffold.spec.model import Spec, StateSpec


def state_errors(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], warnings: list[str]
) -> list[ScaffoldError]:
    """The errors of every state; warnings (a key that cannot be proven unique) are appended."""
    by_name = {q.name: q for q in queries} | {q.ident: q for q in queries}
    errors: list[ScaffoldError] = []
    for state in spec.state:
        if state.owner == "server":
            errors += _server_state(state, by_name, catalog, warnings)
        elif state.owner == "client":
            errors += _client_state(state)
        else:
            errors += _derived_sources(state, spec)
    errors += _derived_cycles(spec)
    return errors


def _server_state(
    state: StateSpec, by_name: dict[str, QueryInfo], catalog: Catalog, warnings: list[str]
) -> list[LintError]:
    if state.query is None:
        return [
            _error(
                state,
                "is server-owned but names no query",
                "add `query: <name>` naming the SELECT that feeds it",
            )
        ]
    query = by_name.get(state.query)
    if query is None:
        names = sorted({q.name for q in by_name.values()})
        return [
            _error(
                state,
                f"names the unknown query {state.query!r}",
                did_you_mean(state.query, names) or "queries: " + ", ".join(names),
            )
        ]
    if query.kind != "select":
        return [
            _error(
                state,
                f"is fed by {query.name!r}, a{'n' if query.kind[0] in 'aeiou' else ''} "
                f"{query.kind.upper()} statement",
                "server state is the result of a SELECT; point `query` at one",
            )
        ]
    return _server_key(state, query, catalog, warnings)


def _server_key(
    state: StateSpec, query: QueryInfo, catalog: Catalog, warnings: list[str]
) -> list[LintError]:
    names = [c.name for c in query.columns]
    if not state.key:
        return [
            _error(
                state,
                "has no key",
                f"add `key:` naming columns of {query.name!r} that identify one row"
                + _suggestion(query, catalog),
            )
        ]
    columns: list[OutputColumn] = []
    errors: list[LintError] = []
    for key in state.key:
        col = _output_column(query, key)
        if col is None:
            errors.append(
                _error(
                    state,
                    f"key {key!r} is not a column of {query.name!r}",
                    did_you_mean(key, names) or "columns: " + ", ".join(names),
                )
            )
        elif col.nullable:
            errors.append(
                _error(
                    state,
                    f"key {key!r} can be null in {query.name!r}",
                    "key on columns that are never null (NOT NULL, not on the "
                    "optional side of an outer join)",
                )
            )
        else:
            columns.append(col)
    if errors:
        return errors
    return _uniqueness(state, query, columns, catalog, warnings)


def _uniqueness(
    state: StateSpec,
    query: QueryInfo,
    key: list[OutputColumn],
    catalog: Catalog,
    warnings: list[str],
) -> list[LintError]:
    verdict = key_verdict(key, query, catalog)
    shown = ", ".join(state.key)
    if verdict == "not_unique":
        return [
            _error(
                state,
                f"key ({shown}) is not unique in {query.name!r}",
                "key on a primary key or UNIQUE columns of a table whose rows the query's "
                "joins do not repeat (or of its GROUP BY)" + _suggestion(query, catalog),
            )
        ]
    if verdict == "unknown":
        warnings.append(
            f"{state.pos}: state {state.name!r}: cannot prove that key ({shown}) is "
            f"unique in {query.name!r} (computed columns or subqueries)"
        )
    return []


def _suggestion(query: QueryInfo, catalog: Catalog) -> str:
    """`, e.g. `key: id`` naming the columns that alone are a proven key, if any."""
    found = [
        c.name
        for c in query.columns
        if not c.nullable and key_verdict([c], query, catalog) == "unique"
    ]
    return f", e.g. `key: {found[0]}`" if found else ""


def _output_column(query: QueryInfo, name: str) -> OutputColumn | None:
    for col in query.columns:
        if col.name == name:
            return col
    return next((c for c in query.columns if c.name.lower() == name.lower()), None)


def _client_state(state: StateSpec) -> list[LintError]:
    fields = [f for f, _ in state.fields]
    return [
        _error(
            state,
            f"key {key!r} is not one of its fields",
            did_you_mean(key, fields) or "fields: " + ", ".join(fields),
        )
        for key in state.key
        if key not in fields
    ]


def _derived_sources(state: StateSpec, spec: Spec) -> list[LintError]:
    names = [s.name for s in spec.state if s.name != state.name]
    if not state.sources:
        return [
            _error(
                state,
                "is derived but names no sources",
                "add `from: [state, ...]` naming the states it is computed from",
            )
        ]
    return [
        _error(
            state,
            f"derives from the unknown state {source!r}",
            did_you_mean(source, names) or "states: " + ", ".join(names),
        )
        for source in state.sources
        if source not in names
    ]


def _derived_cycles(spec: Spec) -> list[LintError]:
    """One error per cycle among derived states, naming it (a -> b -> a)."""
    derived = {s.name: s for s in spec.state if s.owner == "derived"}
    reported: set[frozenset[str]] = set()
    errors: list[LintError] = []
    for state in derived.values():
        cycle = _cycle_from(state.name, derived)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            errors.append(
                _error(
                    derived[cycle[0]],
                    "is part of a cycle: " + " -> ".join([*cycle, cycle[0]]),
                    "derived state must not depend on itself; break the cycle",
                )
            )
    return errors


def _cycle_from(start: str, derived: dict[str, StateSpec]) -> list[str] | None:
    """The cycle reachable from `start` through derived sources, if any (depth first)."""
    path: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in path:
            return path[path.index(name) :]
        if name in done or name not in derived:
            return None
        path.append(name)
        for source in derived[name].sources:
            if (found := visit(source)) is not None:
                return found
        path.pop()
        done.add(name)
        return None

    return visit(start)


def _error(state: StateSpec, message: str, hint: str) -> LintError:
    return LintError(f"state {state.name!r} {message}", location=state.pos, hint=hint)
