"""Contracts of the form units: per spec form a module and its HTML, plus the shared runtime."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo, Table
from scaffold.plan.form_context import form_context
from scaffold.plan.form_sql import MAX_VARIANT_COLUMNS, omittable
from scaffold.plan.model import Contract, SqlConstant, Symbol, WriterName
from scaffold.plan.paths import package_dir
from scaffold.spec.model import FormSpec, Spec

_BIND = re.compile(r"(?<![:\w]):(\w+)")
# Modules a form module imports (relative ones: the package's rows and the forms runtime).
FORM_IMPORTS = (
    "__future__",
    "collections.abc",
    "typing",
    "sqlalchemy",
    "decimal",
    "datetime",
    "uuid",
    "..rows",
    "._runtime",
)
RUNTIME_IMPORTS = (
    "__future__",
    "collections.abc",
    "dataclasses",
    "datetime",
    "decimal",
    "functools",
    "importlib",
    "json",
    "pathlib",
    "re",
    "types",
    "typing",
    "uuid",
    "jinja2",
    "sqlalchemy",
)


def form_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> tuple[list[Contract], list[str]]:
    """(contracts, warnings): the shared "forms" unit, a "forms.<name>" unit per form, and
    the forms' generated tests ("tests.forms.<name>", see form_tests)."""
    if not spec.forms:
        return [], []
    package = package_dir(spec)
    contracts: list[Contract] = []
    warnings: list[str] = []
    for form in spec.forms:
        table = catalog.table(form.table)
        if table is None:
            continue  # the lint reports it
        context, form_warnings = form_context(form, table, catalog)
        warnings += form_warnings + _default_warnings(form, table, context)
        contracts.append(_form_contract(spec, form, package, context))
    shared = {"forms": [f.name for f in spec.forms]}
    contracts.insert(
        0,
        Contract(
            unit="forms",
            files=(
                (f"{package}/forms/__init__.py", "forms_init.py.j2"),
                (f"{package}/forms/_runtime.py", "_forms.py.j2"),
            ),
            imports=RUNTIME_IMPORTS,
            context=shared,
        ),
    )
    contracts += form_test_contracts(spec, catalog, queries)
    return contracts, warnings


def _default_warnings(form: FormSpec, table: Table, context: dict[str, Any]) -> list[str]:
    """Optional defaulted fields past the INSERT variant limit are sent as NULL when empty."""
    defaulted = [f["name"] for f in context["fields"] if omittable(f, table)]
    extra = [n for n in defaulted if n not in context["defaulted"]]
    if not extra:
        return []
    return [
        f"form {form.name}: more than {MAX_VARIANT_COLUMNS} optional fields have database "
        f"defaults; {', '.join(extra)} will be sent as NULL when left empty (list fewer of them)"
    ]


def form_test_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> list[Contract]:
    """The "tests.forms.<name>" units (see form_tests; also part of form_contracts' list)."""
    from scaffold.plan.form_tests import form_test_contracts as plan_tests

    return plan_tests(spec, catalog, queries)


def _form_contract(spec: Spec, form: FormSpec, package: str, context: dict[str, Any]) -> Contract:
    name = form.name
    context, writer = _with_llm_rules(spec, form, context)
    return Contract(
        unit=f"forms.{name}",
        files=(
            (f"{package}/forms/{name}.py", "form.py.j2"),
            (f"{package}/templates/{name}.html", "form.html.j2"),
        ),
        symbols=_symbols(context["input_class"]) + _rule_symbols(context),
        sql=tuple(
            SqlConstant(s["const"], s["sql"], tuple(dict.fromkeys(_BIND.findall(s["sql"]))))
            for s in context["statements"]
        ),
        imports=FORM_IMPORTS,
        spec_text=_spec_text(form),
        writer=writer,
        context=context,
    )


def _with_llm_rules(
    spec: Spec, form: FormSpec, context: dict[str, Any]
) -> tuple[dict[str, Any], WriterName]:
    """Plain-words rules of a form written by the LLM: a `rule_<n>(value)` function each, whose
    body the model writes (see write.splice), called by parse. No such rule: the template."""
    plain = set(context["unenforced_texts"])
    rules = [
        _llm_rule(n, r.text, context["input_class"])
        for n, r in enumerate(form.rules, start=1)
        if r.text in plain
    ]
    if (form.writer or spec.writer.default) != "llm" or not rules:
        return {**context, "llm_rules": []}, "template"
    imports = dict(context["imports"])
    runtime = set(imports["runtime"]) | {"add_error"}
    imports["runtime"] = sorted(runtime, key=lambda n: (not n[0].isupper(), n))
    unenforced = "UNENFORCED_RULES: tuple[str, ...] = ()"
    return {**context, "llm_rules": rules, "imports": imports, "unenforced_line": unenforced}, "llm"


def _llm_rule(number: int, text: str, input_class: str) -> dict[str, Any]:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    doc = textwrap.wrap(f"Rule {number}: {escaped}", width=92) or [f"Rule {number}."]
    return {
        "name": f"rule_{number}",
        "text": text,
        "signature": f"def rule_{number}(value: {input_class}) -> str | None",
        "doc_lines": doc,
    }


def _rule_symbols(context: dict[str, Any]) -> tuple[Symbol, ...]:
    return tuple(
        Symbol(r["name"], "function", r["signature"], r["text"]) for r in context["llm_rules"]
    )


def _symbols(input_class: str) -> tuple[Symbol, ...]:
    return (
        Symbol("FIELDS", "constant", "FIELDS: tuple[Field, ...]"),
        Symbol("UNENFORCED_RULES", "constant", "UNENFORCED_RULES: tuple[str, ...]"),
        Symbol("Errors", "constant", "Errors = dict[str, list[str]]"),
        Symbol(
            "parse",
            "function",
            f"def parse(data: Mapping[str, str]) -> tuple[{input_class} | None, Errors]",
        ),
        Symbol("check", "function", f"def check(conn: Connection, value: {input_class}) -> Errors"),
        Symbol(
            "choices",
            "function",
            "def choices(conn: Connection) -> dict[str, list[tuple[str, str]]]",
        ),
        Symbol(
            "submit",
            "function",
            f"def submit(conn: Connection, value: {input_class}) -> SubmitResult",
        ),
        Symbol(
            "render",
            "function",
            "def render(data: Mapping[str, str] | None = None, errors: Errors | None = None, *, "
            'csrf_token: str = "", choices: Mapping[str, Sequence[tuple[str, str]]] | None '
            '= None, action: str = "") -> str',
        ),
    )


def _spec_text(form: FormSpec) -> str:
    lines = [
        f"{form.name}:",
        f"  table: {form.table}",
        f"  action: {form.action}",
        f"  fields: [{', '.join(form.fields)}]",
    ]
    lines += [f"  rule: {r.text}" for r in form.rules]
    return "\n".join(lines) + "\n"
