"""Contracts of the optional web adapter (`output.web: starlette`): web.py, its runtime, store.js.

The context is plain JSON: per form its page, table, action and the states it refreshes; per
server-owned state its columns, key, parameters (with the parser of each from the query string)
and how a pending write shows in it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.fields import input_fields
from scaffold.plan.lineage import invalidation, maintenance
from scaffold.plan.model import Contract, Symbol
from scaffold.plan.names import unique_idents
from scaffold.plan.state import tuple_literal
from scaffold.plan.state_local import local_apply
from scaffold.plan.web_js import js_predicate
from scaffold.spec.model import FormSpec, Spec, StateSpec
from scaffold.write.filters import LINE_LENGTH, pyrepr

# How a parameter of a state's query is read from the query string of a sync request.
PARAM_PARSERS: dict[str, str] = {
    "int": "int",
    "float": "float",
    "Decimal": "Decimal",
    "date": "date.fromisoformat",
    "datetime": "datetime.fromisoformat",
}


def web_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> tuple[list[Contract], list[str]]:
    """The "web" unit when the spec asks for it (`output.web: starlette`); else nothing."""
    from scaffold.plan.paths import package_dir

    if spec.output is None or spec.output.web != "starlette":
        return [], []
    package = package_dir(spec)
    context = web_context(spec, catalog, queries)
    contract = Contract(
        unit="web",
        files=(
            (f"{package}/web.py", "code/web.py.j2"),
            (f"{package}/web_runtime.py", "code/web_runtime.py.j2"),
            (f"{package}/static/store.js", "code/store.js.j2"),
        ),
        symbols=(
            Symbol(
                "create_app",
                "function",
                "def create_app(engine: Engine, *, secret: str | None = None) -> Starlette",
            ),
        ),
        imports=(
            "starlette",
            "sqlalchemy",
            f"{context['module']}.forms",
            f"{context['module']}.state",
        ),
        spec_text="output: {web: starlette}\n",
        context=context,
    )
    return [contract], []


def web_context(spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]) -> dict[str, Any]:
    from scaffold.plan.paths import package_dir

    by_name = {q.name: q for q in queries} | {q.ident: q for q in queries}
    servers = [
        _state(
            s, by_name[s.query or ""], catalog, _row_forms(spec, catalog, by_name[s.query or ""])
        )
        for s in spec.state
        if s.owner == "server" and (s.query or "") in by_name
    ]
    lineage = {f.form: f for f in invalidation(spec, catalog, queries)}
    known = {s["name"] for s in servers}
    forms = [_form(f, lineage.get(f.name), known) for f in spec.forms if catalog.table(f.table)]
    return {
        "app": spec.app,
        "title": _title(spec.app),
        "form_entries": [_form_entry(f) for f in forms],
        "forms_import": _forms_import(sorted(f["name"] for f in forms)),
        "state_entries": [_state_entry(s) for s in servers],
        "module": package_dir(spec).rsplit("/", 1)[-1],
        "forms": forms,
        "states": servers,
        "has_state": bool(spec.state),
        "parsers": sorted({p["parser"] for s in servers for p in s["params"]}),
    }


def _state(
    state: StateSpec, query: QueryInfo, catalog: Catalog, row_forms: list[dict[str, Any]]
) -> dict[str, Any]:
    columns = unique_idents(c.name for c in query.columns)
    params = [
        {"name": p.name, "type": p.py_type, "parser": PARAM_PARSERS.get(p.py_type, "str")}
        for p in query.params
        if not p.is_list
    ]
    return {
        "name": state.name,
        "title": _title(state.name),
        "columns": columns,
        "key": list(state.key),
        "params": params,
        "maintenance": maintenance(query),
        "row_forms": row_forms,
        "local": _local(state, query, catalog),
        # A list parameter cannot come from a query string: such a state has no page.
        "listable": not any(p.is_list for p in query.params),
    }


def _local(state: StateSpec, query: QueryInfo, catalog: Catalog) -> dict[str, Any] | None:
    """How the browser shows a pending write in a `local` state: the table, columns, types,
    ORDER BY and the WHERE in JavaScript; None where it cannot (the server's answer shows it)."""
    local = local_apply(query, catalog, state.key) if maintenance(query) == "local" else None
    if local is None:
        return None
    where = js_predicate(local["where"]) if local["where"] else "true"
    if where is None:
        return None
    shape = {
        "table": local["table"],
        "columns": local["columns"],
        "types": local["types"],
        "order": [list(o) for o in local["order"]],
        "whereColumns": list(local["where_columns"]),
    }
    return {"json": json.dumps(shape, sort_keys=False), "where": where}


def _row_forms(spec: Spec, catalog: Catalog, query: QueryInfo) -> list[dict[str, Any]]:
    """The update and delete forms a row of the query can open: those whose key columns the
    query outputs straight from the form's table; `fields` maps form field -> output name."""
    outputs = dict(zip(unique_idents(c.name for c in query.columns), query.columns, strict=True))
    out = []
    for form in spec.forms:
        table = catalog.table(form.table)
        if form.action == "insert" or table is None:
            continue
        sources = {
            col.source.rpartition(".")[2]: name
            for name, col in outputs.items()
            if col.source and col.source.rpartition(".")[0].lower() == table.name.lower()
        }
        inputs = input_fields(form, table)
        if all(f.name in sources for f in inputs if f.is_key):
            fields = {f.name: sources[f.name] for f in inputs if f.name in sources}
            out.append({"form": form.name, "title": _title(form.name), "fields": fields})
    return out


def _form(form: FormSpec, lineage: Any, states: set[str]) -> dict[str, Any]:
    refreshes = [] if lineage is None else [r.state for r in lineage.refreshes]
    return {
        "name": form.name,
        "title": _title(form.name),
        "table": form.table,
        "action": form.action,
        "refreshes": [r for r in refreshes if r in states],
    }


def _title(name: str) -> str:
    """`add_book` -> "Add book"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _forms_import(names: Sequence[str]) -> str:
    """`from .forms import ...` as ruff formats it: one line, or one name a line."""
    line = f"from .forms import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return "from .forms import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def _form_entry(form: dict[str, Any]) -> str:
    """The FORMS entry of a form, as ruff format lays it out."""
    args = [
        form["name"],
        pyrepr(form["title"]),
        pyrepr(form["table"]),
        pyrepr(form["action"]),
        tuple_literal(form["refreshes"]),
    ]
    return call_source(f"{pyrepr(form['name'])}: FormPage", args, 4)


def _state_entry(state: dict[str, Any]) -> str:
    """The STATES entry of a state: one keyword argument a line."""
    params = ", ".join(f"{pyrepr(p['name'])}: {p['parser']}" for p in state["params"])
    lines = [f"    {pyrepr(state['name'])}: StatePage("]
    lines.append(f"        title={pyrepr(state['title'])},")
    lines.append(_tuple_line("columns", state["columns"], 8))
    lines.append(_tuple_line("key", state["key"], 8))
    lines.append(f"        params={{{params}}},")
    if state["row_forms"]:
        lines.append("        row_forms=(")
        for row_form in state["row_forms"]:
            fields = ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in row_form["fields"].items())
            args = [pyrepr(row_form["form"]), pyrepr(row_form["title"]), f"{{{fields}}}"]
            lines.append(call_source("RowForm", args, 12))
        lines.append("        ),")
    if not state["listable"]:
        lines.append("        listable=False,")
    return "\n".join([*lines, "    ),"])


def _tuple_line(name: str, items: Sequence[str], indent: int) -> str:
    pad = " " * indent
    line = f"{pad}{name}={tuple_literal(items)},"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"{pad}    {pyrepr(i)},\n" for i in items)
    return f"{pad}{name}=(\n{inner}{pad}),"


def call_source(head: str, args: Sequence[str], indent: int) -> str:
    """`head(args),` at `indent`: on one line, or the arguments on one line, or one a line."""
    pad = " " * indent
    one = f"{pad}{head}({', '.join(args)}),"
    if len(one) <= LINE_LENGTH:
        return one
    middle = f"{pad}    {', '.join(args)}"
    if len(middle) <= LINE_LENGTH:
        return f"{pad}{head}(\n{middle}\n{pad}),"
    inner = "".join(f"{pad}    {a},\n" for a in args)
    return f"{pad}{head}(\n{inner}{pad}),"
