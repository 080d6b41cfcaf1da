"""A form's template context: every value the form's module and HTML templates render from.

Plain JSON data; lines of Python that depend on lengths are laid out here as ruff would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, Table
from scaffold.plan.fields import input_class_name, input_fields
from scaffold.plan.form_code import (
    assign,
    call,
    comment,
    if_all,
    if_any,
    if_not,
    string_lines,
)
from scaffold.plan.form_fields import (
    field_context,
    field_lines,
    html_attributes,
    html_text,
    string_tuple,
)
from scaffold.plan.form_rules import apply_bounds, form_rules
from scaffold.plan.form_sql import (
    choice_queries,
    db_constraints,
    defaulted_fields,
    delete_sql,
    foreign_key_checks,
    insert_variants,
    unique_checks,
    update_sql,
)
from scaffold.plan.pyliterals import py_str
from scaffold.spec.model import FormSpec


def form_context(
    form: FormSpec, table: Table, catalog: Catalog
) -> tuple[dict[str, Any], list[str]]:
    """The plain data the form templates render from, and the warnings about the form."""
    dialect = catalog.dialect
    inputs = input_fields(form, table)
    choice_sql = choice_queries(
        form, table, [{"name": f.name, "is_key": f.is_key} for f in inputs], catalog, dialect
    )
    fields = [field_context(f, form, table, dialect, f.name in choice_sql) for f in inputs]
    rules = form_rules(form, table, fields, dialect)
    apply_bounds(fields, [v for v, _ in rules.validators])
    statements = _statements(form, table, fields, dialect)
    checks = unique_checks(form, table, fields, dialect) + foreign_key_checks(
        table, fields, catalog, dialect
    )
    context: dict[str, Any] = {
        "form": form.name,
        "title": form.name.replace("_", " ").capitalize(),
        "table": table.name,
        "action": form.action,
        "dialect": dialect,
        "input_class": input_class_name(form),
        "fields": [_with_code(f) for f in fields],
        "server_owned": _server_owned(form, table, fields),
        "validators": [_validator_context(v, comment) for v, comment in rules.validators],
        "unenforced_line": string_tuple(
            0, "UNENFORCED_RULES: tuple[str, ...] = ", rules.unenforced, ""
        ),
        "unenforced_texts": list(rules.unenforced),
        "statements": statements,
        "defaulted": defaulted_fields(form, table, fields),
        "db_checks": [_db_check_context(c) for c in checks],
        "choices": [
            {"field": n, "const": "CHOICES_" + _const(n, fields), "sql": s}
            for n, s in choice_sql.items()
        ],
        "constraints": db_constraints(form, table, fields, rules.check_messages, dialect),
        "returns_key": form.action == "insert"
        and bool(table.primary_key)
        and dialect in ("sqlite", "postgres"),
        "key_fields": [f["name"] for f in fields if f["is_key"]],
        "autoincrement": _autoincrement(table),
    }
    context["imports"] = _imports(context, rules.validators)
    context["constraint_args"] = [_constraint_args(c) for c in context["constraints"]]
    context["omitted_line"] = _omitted_line(context)
    narrowed = [f"{f['var']} is None" for f in fields if f["narrow"]]
    context["narrow_line"] = if_any(4, ["errors", *narrowed])
    context["choice_lines"] = _choice_lines(context)
    context["key_line"] = assign(
        4,
        "key",
        "{"
        + ", ".join(f"{py_str(f['name'])}: value.{f['attr']}" for f in fields if f["is_key"])
        + "}",
    )
    for s in context["choices"]:
        statements.append({"const": s["const"], "sql": s["sql"]})
    for c in context["db_checks"]:
        statements.append(
            {"const": c["const"], "sql": c["sql"], "params": [p for p, _ in c["params"]]}
        )
    for s in statements:
        s["line"] = string_lines(0, f"{s['const']} = ", s["sql"])
    return context, rules.warnings


def _autoincrement(table: Table) -> str:
    """The single server-generated key column, read back where there is no RETURNING."""
    if len(table.primary_key) != 1:
        return ""
    col = table.column(table.primary_key[0])
    return col.name if col is not None and col.server_generated is not None else ""


def _const(name: str, fields: Sequence[dict[str, Any]]) -> str:
    var = next((f["var"] for f in fields if f["name"] == name), name)
    return str(var).upper().strip("_")


def _with_code(f: dict[str, Any]) -> dict[str, Any]:
    return {
        **f,
        "label_py": py_str(f["label"]),
        "name_py": py_str(f["name"]),
        "var_py": py_str(f["var"]),
        "field_lines": field_lines(f),
        "parse_line": f"    {f['var']} = {f['parser']}(data, {f['const']}, errors)",
        "label_html": html_text(f["label"]),
        "help_html": html_text(f["help"]),
        "name_html": html_text(f["name"]),
        "attrs_html": html_attributes(f),
        "options_html": [html_text(o) for o in f["options"]],
    }


def _validator_context(validator: Any, note: str) -> dict[str, Any]:
    target = validator.fields[0] if validator.fields else ""
    message = call(8, "add_error", ["errors", py_str(target), py_str(validator.message)])
    return {
        "comment": comment(4, note),
        "condition": if_not(4, validator.op, validator.parts or (validator.source,)),
        "add_error": message,
    }


def _db_check_context(check: dict[str, Any]) -> dict[str, Any]:
    guards = [f"params[{py_str(g)}] is not None" for g in check["guards"]]
    test = (
        "not " if check["const"].startswith("EXISTS") else ""
    ) + f"exists(conn, {check['const']}, params)"
    return {
        **check,
        "comment": comment(
            4,
            ("unique " if check["const"].startswith("UNIQUE") else "foreign key ") + check["field"],
        ),
        "if_line": if_all(4, [*guards, test]),
        "add_error": call(
            8, "add_error", ["errors", py_str(check["field"]), py_str(check["message"])]
        ),
    }


def _tuple(items: Sequence[str]) -> str:
    return "(" + ", ".join(py_str(i) for i in items) + ("," if len(items) == 1 else "") + ")"


def _constraint_args(c: dict[str, Any]) -> list[str]:
    args = [
        string_lines(8, "kind=", c["kind"], ","),
        string_tuple(8, "columns=", c["columns"], ","),
        string_tuple(8, "names=", c["names"], ","),
        string_lines(8, "field=", c["field"], ","),
        string_lines(8, "message=", c["message"], ","),
    ]
    return args + ([string_lines(8, "sql=", c["sql"], ",")] if c["sql"] else [])


def _omitted_line(context: dict[str, Any]) -> str:
    names = [_var(n, context["fields"]) for n in context["defaulted"]]
    if not names:
        return "    omitted: frozenset[str] = frozenset()"
    return assign(
        4, "omitted", f"frozenset(name for name in {_tuple(names)} if params[name] is None)"
    )


def _choice_lines(context: dict[str, Any]) -> list[str]:
    lines = [f"{py_str(c['field'])}: choice_rows(conn, {c['const']})," for c in context["choices"]]
    queried = {c["field"] for c in context["choices"]}
    for f in context["fields"]:
        if f["options"] and f["name"] not in queried:
            pairs = [f"({py_str(o)}, {py_str(o)})" for o in f["options"]]
            flat = f"{py_str(f['name'])}: [{', '.join(pairs)}],"
            if len(flat) + 8 <= 100:
                lines.append(flat)
            else:  # as ruff format breaks it: one pair per line under the key
                body = "".join(f"\n            {p}," for p in pairs)
                lines.append(f"{py_str(f['name'])}: [{body}\n        ],")
    return lines


def _server_owned(form: FormSpec, table: Table, fields: Sequence[dict[str, Any]]) -> list[str]:
    """Columns of the table this form does not accept, with the error naming why."""
    accepted = {f["name"] for f in fields}
    out = []
    for col in table.columns:
        if col.name in accepted:
            continue
        label = col.name
        if col.server_generated is not None:
            reason = f"{label} is set by the server and cannot be set."
        else:
            reason = f"{label} cannot be set by this form."
        out.append(string_lines(4, f"{py_str(col.name)}: ", reason, ","))
    return out


def _statements(
    form: FormSpec, table: Table, fields: Sequence[dict[str, Any]], dialect: str
) -> list[dict[str, Any]]:
    if form.action == "insert":
        found = insert_variants(form, table, fields, dialect)
        defaulted = set(defaulted_fields(form, table, fields))
        found = [v for v in found if set(v["omitted"]) <= defaulted]
    elif form.action == "update":
        found = [{"const": "UPDATE", "omitted": [], "sql": update_sql(table, fields, dialect)}]
    else:
        found = [{"const": "DELETE", "omitted": [], "sql": delete_sql(table, fields, dialect)}]
    for s in found:
        s["omitted_py"] = (
            "frozenset({" + ", ".join(py_str(_var(n, fields)) for n in s["omitted"]) + "})"
            if s["omitted"]
            else "frozenset()"
        )
    return found


def _var(name: str, fields: Sequence[dict[str, Any]]) -> str:
    return str(next(f["var"] for f in fields if f["name"] == name))


def _imports(context: dict[str, Any], validators: Sequence[tuple[Any, str]]) -> dict[str, Any]:
    """Which names the generated module imports, from where, sorted as ruff's isort wants."""
    needed: set[str] = set()
    for v, _ in validators:
        needed.update(v.imports)
    stdlib = [("collections.abc", "Mapping"), ("collections.abc", "Sequence"), ("typing", "Any")]
    for module, name in (
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("decimal", "Decimal"),
        ("uuid", "UUID"),
    ):
        if name in needed:
            stdlib.append((module, name))
    runtime = {
        "DbConstraint",
        "Errors",
        "Field",
        "SubmitResult",
        "extension_errors",
        "reject_unknown",
        "render_form",
        "write",
    }
    if context["validators"] or context["db_checks"]:
        runtime.add("add_error")
    runtime.update(f["parser"] for f in context["fields"])
    if "like" in needed:
        runtime.add("like")
    if context["db_checks"]:
        runtime.update({"exists"})
    if any(c for c in context["choices"]):
        runtime.add("choice_rows")
    grouped: dict[str, list[str]] = {}
    for module, name in stdlib:
        grouped.setdefault(module, []).append(name)
    return {
        "stdlib": [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(grouped.items())],
        "runtime": sorted(runtime, key=lambda n: (not n[0].isupper(), n)),
    }
