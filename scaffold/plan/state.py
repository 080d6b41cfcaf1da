"""Contracts of client state: <package>/state.py and its generated tests.

The context is plain JSON: per state its owner, query function, row class, key, parameters,
maintenance and local-apply data; client fields; derived sources; the invalidation map.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.derived import derived_contracts, llm_derived
from scaffold.plan.fields import class_name
from scaffold.plan.imports import ImportSet
from scaffold.plan.lineage import FormLineage, invalidation, maintenance
from scaffold.plan.model import Contract, Symbol
from scaffold.plan.query_funcs import argument_names, row_class
from scaffold.plan.state_local import local_apply, output_order
from scaffold.plan.state_tests import state_test_context
from scaffold.spec.model import Spec, StateSpec
from scaffold.write.filters import pyrepr

DERIVED_REASON = "needs the LLM writer (writer: llm)"
# Types a client-owned field may declare, and the import each needs.
CLIENT_TYPES: dict[str, tuple[str, str] | None] = {
    "int": None,
    "str": None,
    "float": None,
    "bool": None,
    "bytes": None,
    "Decimal": ("decimal", "Decimal"),
    "date": ("datetime", "date"),
    "datetime": ("datetime", "datetime"),
    "time": ("datetime", "time"),
    "UUID": ("uuid", "UUID"),
}


def state_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> tuple[list[Contract], list[str]]:
    """The "state" and "tests.state" units (none without state), and the planner's warnings."""
    from scaffold.plan.paths import package_dir, tests_dir

    if not spec.state:
        return [], []
    context, warnings = state_context(spec, catalog, queries)
    package, tests = package_dir(spec), tests_dir(spec)
    text = _spec_text(spec)
    # llm-written derived states: state.py calls their functions in derived.py
    computes = (f"{context['module']}.derived",) if "computed" in context else ()
    code = Contract(
        unit="state",
        files=(
            (f"{package}/state.py", "code/state.py.j2"),
            (f"{package}/state_runtime.py", "code/state_runtime.py.j2"),
        ),
        symbols=_symbols(),
        imports=(
            "sqlalchemy",
            f"{context['module']}.queries",
            f"{context['module']}.rows",
            f"{context['module']}.state_runtime",
            *computes,
        ),
        spec_text=text,
        context=context,
    )
    test = Contract(
        unit="tests.state",
        files=((f"{tests}/test_state.py", "code/test_state.py.j2"),),
        imports=("pytest", "sqlalchemy", f"{context['module']}.state"),
        spec_text=text,
        context=context,
        kind="test",
    )
    units, derived_warnings = derived_contracts(spec, queries, context["module"])
    return [code, test, *units], warnings + derived_warnings


def state_context(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> tuple[dict[str, Any], list[str]]:
    from scaffold.plan.paths import package_dir

    by_name = {q.name: q for q in queries} | {q.ident: q for q in queries}
    lineage = invalidation(spec, catalog, queries)
    servers = [
        _server(s, by_name[s.query or ""], catalog, bool(spec.forms))
        for s in spec.state
        if s.owner == "server" and (s.query or "") in by_name
    ]
    computed = {s.name for s in llm_derived(spec)}
    derived = [_derived(s, s.name in computed) for s in spec.state if s.owner == "derived"]
    imports = _imports(
        servers, [_client(s) for s in spec.state if s.owner == "client"], bool(computed)
    )
    context: dict[str, Any] = {
        "app": spec.app,
        "module": package_dir(spec).rsplit("/", 1)[-1],
        "dialect": catalog.dialect,
        "servers": servers,
        "clients": [_client(s) for s in spec.state if s.owner == "client"],
        "derived": derived,
        "invalidation": _invalidation(lineage),
        "forms": [_form(f) for f in lineage],
        "row_classes": sorted({s["row_class"] for s in servers}),
        "imports": imports,
        "uses_like": any(s["local"] and s["local"]["where_like"] for s in servers),
    }
    if computed:  # only then: the template writer's context (and contract hash) stays as it was
        context["computed"] = {"servers": [[s["name"], s["row_class"]] for s in servers]}
    context["tests"] = state_test_context(spec, catalog, context)
    warnings = [
        f"derived state {d['name']!r} computes in plain words; the template writer cannot "
        "implement it; set writer: llm"
        for d in derived
        if d["name"] not in computed
    ]
    return context, warnings


def _server(
    state: StateSpec, query: QueryInfo, catalog: Catalog, has_forms: bool
) -> dict[str, Any]:
    how = maintenance(query)
    # without forms nothing writes optimistically, so no state needs local-apply data
    local = local_apply(query, catalog, state.key) if how == "local" and has_forms else None
    if local is not None:
        local["where_columns_literal"] = tuple_literal(local["where_columns"])
        local["order_literal"] = tuple_literal([tuple(o) for o in local["order"]])
    args = argument_names(query)
    order = output_order(query, catalog.dialect)
    return {
        "name": state.name,
        "query": query.name,
        "query_fn": query.ident,
        "row_class": row_class(query),
        "one": query.cardinality == "one",
        "key": list(state.key),
        "key_literal": tuple_literal(state.key),
        "sync": state.sync,
        # a WHERE or ORDER BY with no faithful Python form: only a refetch is right
        "maintenance": "refetch" if has_forms and local is None else how,
        "params": [
            {"name": p.name, "arg": args[p.name], "column": p.column or ""} for p in query.params
        ],
        "local": local,
        "order_keys_literal": "None" if order is None else tuple_literal(order),
    }


def _client(state: StateSpec) -> dict[str, Any]:
    fields = [[name, type_ if type_ in CLIENT_TYPES else "Any"] for name, type_ in state.fields]
    return {
        "name": state.name,
        "class_name": class_name(state.name) + "Item",
        "fields": fields,
        "key": list(state.key),
        "key_literal": tuple_literal(state.key),
        "key_lambda": tuple_literal([f"item.{k}" for k in state.key], raw=True),
    }


def _derived(state: StateSpec, computed: bool) -> dict[str, Any]:
    """A derived state; `computed` ones have their function in derived.py (writer: llm)."""
    out = {
        "name": state.name,
        "sources": list(state.sources),
        "sources_literal": tuple_literal(state.sources),
        "compute": state.compute or "",
        "reason": DERIVED_REASON,
    }
    return {**out, "writer": "llm"} if computed else out


def _invalidation(lineage: Sequence[FormLineage]) -> list[dict[str, Any]]:
    return [
        {
            "form": f.form,
            "refreshes": [
                {
                    "state": r.state,
                    "prune": [[p.param, p.field] for p in r.prune],
                    "literal": _refresh_literal(r.state, [(p.param, p.field) for p in r.prune]),
                }
                for r in f.refreshes
            ],
        }
        for f in lineage
    ]


def _refresh_literal(state: str, prunes: Sequence[tuple[str, str]]) -> str:
    if not prunes:
        return f"Refresh({pyrepr(state)})"
    inner = tuple_literal([f"Prune({pyrepr(a)}, {pyrepr(b)})" for a, b in prunes], raw=True)
    return f"Refresh({pyrepr(state)}, {inner})"


def _form(lineage: FormLineage) -> dict[str, Any]:
    return {"name": lineage.form, "table": lineage.table, "action": lineage.action}


def _imports(
    servers: list[dict[str, Any]], clients: list[dict[str, Any]], computed: bool = False
) -> list[list[dict[str, Any]]]:
    """The standard-library imports of state.py (ImportSet sections): its own, the
    predicates', the client fields' types."""
    pairs = {("collections.abc", "Callable")} if computed else set()
    pairs |= {
        ("collections.abc", "Sequence"),
        ("dataclasses", "dataclass"),
        ("dataclasses", "field"),
        ("typing", "Any"),
        ("typing", "Protocol"),
    }
    for s in servers:
        if s["local"]:
            pairs |= {(m, n) for m, n in s["local"]["where_imports"]}
    for c in clients:
        pairs |= {src for _, t in c["fields"] if (src := CLIENT_TYPES.get(t))}
        pairs |= {("typing", "Any") for _, t in c["fields"] if t == "Any"}
    imports = ImportSet()
    for module, name in pairs:
        imports.add(module, name)
    return imports.sections()


def _symbols() -> tuple[Symbol, ...]:
    return (
        Symbol("INVALIDATION", "constant", "INVALIDATION: dict[str, tuple[Refresh, ...]]"),
        Symbol("MAINTENANCE", "constant", "MAINTENANCE: dict[str, str]"),
        Symbol("DERIVED_PENDING", "constant", "DERIVED_PENDING: dict[str, str]"),
        Symbol("ServerStore", "class", "class ServerStore(Generic[RowT])"),
        Symbol("ClientState", "class", "class ClientState"),
        Symbol("ClientStore", "class", "class ClientStore(Generic[ItemT])"),
        Symbol("Session", "class", "class Session"),
    )


def tuple_literal(items: Sequence[Any], raw: bool = False) -> str:
    """A tuple's source text as ruff format writes it: ("a",) and ("a", "b"); `raw` items are
    source text already."""
    inner = ", ".join(
        i if raw else tuple_literal(i) if isinstance(i, tuple) else pyrepr(i) for i in items
    )
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def _spec_text(spec: Spec) -> str:
    lines = ["state:"]
    for s in spec.state:
        parts = [f"owner: {s.owner}"]
        if s.query:
            parts.append(f"query: {s.query}")
        if s.key:
            parts.append(f"key: [{', '.join(s.key)}]")
        if s.sources:
            parts.append(f"from: [{', '.join(s.sources)}]")
        if s.compute:
            parts.append(f"compute: {s.compute}")
        lines.append(f"  {s.name}: {{{', '.join(parts)}}}")
    return "\n".join(lines) + "\n"
