"""Context of the generated state tests: forms to write through, instances, pruning cases."""

from __future__ import annotations

from typing import Any

from scaffold.analyze.model import Catalog
from scaffold.spec.model import Spec

# Writes per oracle run: enough to mix accepted and rejected writes, few enough to stay fast.
WRITES = 12


def state_test_context(spec: Spec, catalog: Catalog, context: dict[str, Any]) -> dict[str, Any]:
    forms = [_form(spec, name["name"], catalog) for name in context["forms"]]
    servers = context["servers"]
    return {
        "forms": forms,
        "instances": {
            s["name"]: sources for s in servers if (sources := _sources(s, catalog)) is not None
        },
        "order": {s["name"]: s["order_keys_literal"] for s in servers},
        "prunes": _prune_cases(spec, context),
        "writes": WRITES,
    }


def _form(spec: Spec, name: str, catalog: Catalog) -> dict[str, Any]:
    form = next(f for f in spec.forms if f.name == name)
    table = catalog.table(form.table)
    return {
        "name": form.name,
        "table": table.name if table is not None else form.table,
        "examples": [{k: _text(v) for k, v in example.items()} for example in form.examples.valid],
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sources(server: dict[str, Any], catalog: Catalog) -> dict[str, list[str]] | None:
    """Param -> [table, column] its sample values come from; None when a param compares with
    no column of a table (sample rows exist for tables only)."""
    out: dict[str, list[str]] = {}
    for p in server["params"]:
        name, _, column = p["column"].rpartition(".")
        table = catalog.table(name) if name else None
        if table is None or table.is_view or table.column(column) is None:
            return None
        out[p["name"]] = [table.name, column]
    return out


def _prune_cases(spec: Spec, context: dict[str, Any]) -> list[dict[str, str]]:
    """(state, form, param, field) where the form's input sets the pruning column itself."""
    fields = {f.name: set(f.fields) for f in spec.forms}
    params = {s["name"]: len(s["params"]) for s in context["servers"]}
    out: list[dict[str, str]] = []
    for entry in context["invalidation"]:
        for refresh in entry["refreshes"]:
            for param, field in refresh["prune"]:
                # one parameter: two instances differ exactly in the pruning value
                if field in fields[entry["form"]] and params.get(refresh["state"]) == 1:
                    out.append(
                        {
                            "state": refresh["state"],
                            "form": entry["form"],
                            "param": param,
                            "field": field,
                        }
                    )
    return out
