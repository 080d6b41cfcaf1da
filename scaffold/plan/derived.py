"""Contracts of derived state the LLM writer implements: <package>/derived.py, a function per
derived state whose body the model writes from the spec's words, and its generated tests.

Derived states left to the template writer are not planned here: state.py lists them as
pending (see plan.state).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import yaml

from scaffold.analyze.model import QueryInfo
from scaffold.plan.derived_tests import derived_test_contract
from scaffold.plan.fields import TYPE_IMPORTS, class_name
from scaffold.plan.imports import ImportSet
from scaffold.plan.model import Contract, Symbol
from scaffold.plan.paths import package_dir
from scaffold.plan.query_funcs import row_class
from scaffold.spec.model import Spec, StateSpec

# Modules a derived function may import: pure computation only.
DERIVED_IMPORTS = (
    "__future__",
    "collections",
    "collections.abc",
    "typing",
    "decimal",
    "datetime",
    "itertools",
    "math",
    "statistics",
    "functools",
    "operator",
    "fractions",
)
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


def llm_derived(spec: Spec) -> list[StateSpec]:
    """The derived states whose computation the LLM writer implements."""
    return [
        s for s in spec.state if s.owner == "derived" and (s.writer or spec.writer.default) == "llm"
    ]


def annotation(type_name: str | None) -> str:
    """A spec type as a mypy --strict annotation: bare dict and list get their parameters."""
    if type_name is None:
        return "Any"
    text = re.sub(r"\bdict\b(?!\[)", "dict[str, Any]", type_name)
    return re.sub(r"\blist\b(?!\[)", "list[Any]", text)


def sources_of(spec: Spec, state: StateSpec, queries: Sequence[QueryInfo]) -> list[dict[str, Any]]:
    """Each source of a derived state: its kind, the class of its items and its annotation."""
    by_name = {s.name: s for s in spec.state}
    by_query = {q.name: q for q in queries} | {q.ident: q for q in queries}
    out = []
    for name in state.sources:
        source = by_name[name]
        if source.owner == "client":
            item, module = class_name(name) + "Item", "state"
        elif source.owner == "server" and (source.query or "") in by_query:
            item, module = row_class(by_query[source.query or ""]), "rows"
        else:
            item, module = "", ""
        kind = source.owner if item else "derived"
        hint = annotation(source.result_type) if kind == "derived" else f"Sequence[{item}]"
        out.append(
            {
                "name": name,
                "kind": kind,
                "class": item,
                "module": module,
                "hint": hint,
                "type": source.result_type if kind == "derived" else None,
            }
        )
    return out


def derived_contracts(
    spec: Spec, queries: Sequence[QueryInfo], module: str
) -> tuple[list[Contract], list[str]]:
    """The "derived" unit and its tests ("tests.derived"), and the planner's warnings."""
    states = llm_derived(spec)
    if not states:
        return [], []
    functions = [_function(spec, s, queries) for s in states]
    context = {
        "app": spec.app,
        "module": module,
        "functions": functions,
        "imports": _imports(functions),
        "row_classes": _classes(functions, "rows"),
        "item_classes": _classes(functions, "state"),
    }
    code = Contract(
        unit="derived",
        files=((f"{package_dir(spec)}/derived.py", "code/derived.py.j2"),),
        symbols=tuple(Symbol(f["name"], "function", f["signature"]) for f in functions),
        imports=(*DERIVED_IMPORTS, f"{module}.rows", f"{module}.state"),
        spec_text=spec_text(states),
        writer="llm",
        context=context,
    )
    tests = derived_test_contract(spec, states, functions, queries, code)
    warnings = [
        f"derived state {s.name!r} has no examples: no generated test checks the model's code "
        "for it; add `examples: [{given: {...}, expect: ...}]`"
        for s in states
        if not s.examples
    ]
    return [code, *([tests] if tests is not None else [])], warnings + _pending_sources(spec)


def _pending_sources(spec: Spec) -> list[str]:
    """LLM-written derived states reading a derived state the template writer leaves pending:
    computing them raises at run time until that source is LLM-written too."""
    written = {s.name for s in llm_derived(spec)}
    pending = {s.name for s in spec.state if s.owner == "derived"} - written
    return [
        f"derived state {s.name!r} reads {source!r}, which the template writer leaves pending: "
        f"computing {s.name!r} fails until {source!r} has writer: llm too"
        for s in llm_derived(spec)
        for source in s.sources
        if source in pending
    ]


def _function(spec: Spec, state: StateSpec, queries: Sequence[QueryInfo]) -> dict[str, Any]:
    sources = sources_of(spec, state, queries)
    params = [f"{s['name']}: {s['hint']}" for s in sources]
    returns = annotation(state.result_type)
    return {
        "name": state.name,
        "sources": sources,
        "returns": returns,
        "signature": f"def {state.name}({', '.join(params)}) -> {returns}",
        "def_lines": def_lines(state.name, params, returns),
        "doc_lines": _doc(state, sources),
    }


def def_lines(name: str, params: Sequence[str], returns: str) -> list[str]:
    """A `def` line as ruff format writes it: one line, or the parameters on one indented line,
    or one parameter a line."""
    one = f"def {name}({', '.join(params)}) -> {returns}:"
    if len(one) <= 100:
        return [one]
    inner = "    " + ", ".join(params)
    if len(inner) <= 100:
        return [f"def {name}(", inner, f") -> {returns}:"]
    return [f"def {name}(", *(f"    {p}," for p in params), f") -> {returns}:"]


def _doc(state: StateSpec, sources: Sequence[dict[str, Any]]) -> list[str]:
    compute = (state.compute or "").replace("\\", "\\\\").replace('"', '\\"')
    what = {
        "client": "the items of the client state {name}",
        "server": "the rows of the server state {name}, in its query's order",
        "derived": "the value of the derived state {name}",
    }
    said = "; ".join(f"{s['name']}: " + what[s["kind"]].format(name=s["name"]) for s in sources)
    lines = textwrap.wrap(f"{state.name}: {compute}", width=92)
    lines += ["", *textwrap.wrap(f"Sources: {said}. Read them, never change them.", width=92)]
    return lines


def _imports(functions: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The standard-library imports of the annotations (ImportSet sections)."""
    imports = ImportSet()
    for f in functions:
        hints = [f["returns"], *(s["hint"] for s in f["sources"])]
        for name in {n for h in hints for n in _NAME.findall(h)}:
            if name in TYPE_IMPORTS:
                imports.add_type(name)
            elif name in ("Any", "Sequence"):
                imports.add("typing" if name == "Any" else "collections.abc", name)
        if any(s["module"] == "state" for s in f["sources"]):
            imports.add("typing", "TYPE_CHECKING")
    return imports.sections()


def _classes(functions: Sequence[dict[str, Any]], module: str) -> list[str]:
    return sorted({s["class"] for f in functions for s in f["sources"] if s["module"] == module})


def spec_text(states: Sequence[StateSpec]) -> str:
    """The derived states' spec entries as YAML (what the model implements)."""
    entries: dict[str, Any] = {}
    for s in states:
        entry: dict[str, Any] = {"owner": "derived", "from": list(s.sources)}
        entry["compute"] = s.compute or ""
        if s.result_type:
            entry["type"] = s.result_type
        if s.examples:
            entry["examples"] = [
                {"given": {g.source: g.value for g in e.given}, "expect": e.expect}
                for e in s.examples
            ]
        entries[s.name] = entry
    body = yaml.safe_dump(
        {"state": entries}, sort_keys=False, allow_unicode=True, width=96, default_flow_style=None
    )
    return str(body)
