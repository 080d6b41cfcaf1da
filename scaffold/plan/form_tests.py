"""Contracts of the forms' generated tests: one tests/test_form_<name>.py per form.

The cases are derived from the form's contract and the sample rows (the sample SQLite is the
oracle for what the database accepts), so they test the generated code rather than mirror it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

import sqlglot

from scaffold.analyze.model import Catalog, QueryInfo, Table
from scaffold.plan.form_cases import (
    Case,
    Oracle,
    boundary_cases,
    form_string,
    missing_reference,
    unique_cases,
    valid_insert,
)
from scaffold.plan.form_code import LINE, string_lines
from scaffold.plan.form_context import form_context
from scaffold.plan.model import Contract, Symbol
from scaffold.plan.pyliterals import literal_imports, py_dict_lines, py_literal, py_str
from scaffold.plan.sample_db import SampleDatabase, quote
from scaffold.plan.samples import fill_samples
from scaffold.spec.model import FormSpec, Spec

TEST_IMPORTS = (
    "__future__",
    "importlib",
    "datetime",
    "decimal",
    "typing",
    "uuid",
    "pytest",
    "sqlalchemy",
)


def form_test_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> list[Contract]:
    """A "tests.forms.<name>" unit per form whose table exists."""
    from scaffold.plan.paths import package_dir, tests_dir

    if not spec.forms:
        return []
    package, tests = package_dir(spec), tests_dir(spec)
    db = SampleDatabase(catalog, sqlite_ddl(catalog))
    try:
        rows = fill_samples(catalog, db)
        out = []
        for form in spec.forms:
            table = catalog.table(form.table)
            if table is None:
                continue
            context, _ = form_context(form, table, catalog)
            test_context = _test_context(form, table, context, rows, db, catalog)
            test_context["package"] = PurePosixPath(package).name
            out.append(
                Contract(
                    unit=f"tests.forms.{form.name}",
                    files=((f"{tests}/test_form_{form.name}.py", "test_form.py.j2"),),
                    symbols=tuple(
                        Symbol(n, "function", f"def {n}(conn) -> None")
                        for n in test_context["tests"]
                    ),
                    imports=(*TEST_IMPORTS, PurePosixPath(package).name),
                    context=test_context,
                    kind="test",
                )
            )
        return out
    finally:
        db.close()


def sqlite_ddl(catalog: Catalog) -> list[str]:
    """The schema as SQLite statements (the catalog helper's transpiler when present)."""
    try:
        ddl = importlib.import_module("scaffold.plan.ddl")
    except ImportError:
        return [e.sql(dialect="sqlite") for e in catalog.ddl]
    return list(ddl.schema_ddl(catalog, "sqlite"))


def _test_context(
    form: FormSpec,
    table: Table,
    context: dict[str, Any],
    rows: Mapping[str, list[dict[str, Any]]],
    db: SampleDatabase,
    catalog: Catalog,
) -> dict[str, Any]:
    fields = context["fields"]
    by_name = {f["name"]: f for f in fields}
    table_rows = rows.get(table.name, [])
    rules = [
        _sqlite_rule(r.text, catalog.dialect)
        for r in form.rules
        if r.text not in context["unenforced_texts"]
    ]
    key = context["key_fields"] if form.action == "update" else []
    oracle = Oracle(db, table, [r for r in rules if r], key)
    valid = _valid(form, table, fields, rows, table_rows, oracle)
    cases = (
        boundary_cases(fields, valid, oracle)
        if valid is not None and form.action != "delete"
        else []
    )
    submitted = {n: form_string(v, by_name[n]) for n, v in (valid or {}).items()}
    agreement = [c for c in cases if c.database_rejects and form.action == "insert"]
    out: dict[str, Any] = {
        "form": form.name,
        "action": form.action,
        "has_valid": valid is not None,
        "valid_line": _dict_assign("VALID: dict[str, str] = ", submitted),
        "cases": [_case_line(c) for c in cases],
        "agreement": [_agreement_line(c, valid or {}, table) for c in agreement],
        "unique": [
            {"field_py": py_str(f), "submitted": py_literal(v)}
            for f, v in unique_cases(
                context["db_checks"], fields, table_rows, form.action == "update"
            )
        ],
        "missing_refs": _missing_refs(table, fields, rows),
        "server_owned": [py_str(c.name) for c in table.columns if c.name not in by_name][:3],
        "examples_valid": [_example(e) for e in form.examples.valid],
        "examples_invalid": [_example(e) for e in form.examples.invalid],
        "deletable": form.action != "delete" or (valid is not None and oracle.deletable(valid)),
    }
    values = [c.typed for c in agreement] + (list((valid or {}).values()) if agreement else [])
    out["imports"] = sorted({f"from {m} import {n}" for m, n in literal_imports(values)})
    out["tests"] = _test_names(out)
    out["uses_pytest"] = any(
        out[k]
        for k in (
            "cases",
            "agreement",
            "unique",
            "missing_refs",
            "examples_valid",
            "examples_invalid",
        )
    )
    return out


def _valid(
    form: FormSpec,
    table: Table,
    fields: Sequence[dict[str, Any]],
    rows: Mapping[str, list[dict[str, Any]]],
    table_rows: Sequence[dict[str, Any]],
    oracle: Oracle,
) -> dict[str, Any] | None:
    if form.action == "insert":
        parents = {
            f["name"]: (col.foreign_key.table, col.foreign_key.column)
            for f in fields
            if (col := table.column(f["name"])) is not None and col.foreign_key is not None
        }
        return valid_insert(table, fields, rows, oracle, parents)
    if not table_rows:
        return None
    # update / delete: the last sample row as it is (few rows reference it), by its key
    row = table_rows[-1]
    return {f["name"]: row.get(f["name"]) for f in fields}


def _dict_assign(prefix: str, values: Mapping[str, str]) -> str:
    """``prefix{...}`` on one line when it fits, else one key per line (magic trailing comma)."""
    flat = prefix + py_literal(dict(values))
    if len(flat) <= LINE or not values:
        return flat
    body = "".join(string_lines(4, f"{py_str(k)}: ", v, ",") + "\n" for k, v in values.items())
    return prefix + "{\n" + body + "}"


def _sqlite_rule(text: str, dialect: str) -> str | None:
    try:
        return sqlglot.transpile(text, read=dialect, write="sqlite")[0]
    except sqlglot.errors.SqlglotError:
        return None


def _text_source(text: str) -> str:
    """A submitted text as Python: long runs of one character as ``"x" * 201``."""
    if len(text) > 12 and len(set(text)) == 1:
        return f"{py_str(text[0])} * {len(text)}"
    return py_str(text)


def _case_line(case: Case) -> str:
    args = f"{py_str(case.field)}, {_text_source(case.submitted)}, {case.accepted}"
    return string_lines(4, f"pytest.param({args}, id=", case.name, "),")


def _agreement_line(case: Case, valid: Mapping[str, Any], table: Table) -> dict[str, Any]:
    row = {**valid, case.field: case.typed}
    columns = ", ".join(quote(c) for c in row)
    values = ", ".join(f":p{i}" for i in range(len(row)))
    sql = f"INSERT INTO {quote(table.name.split('.')[-1])} ({columns}) VALUES ({values})"
    params = {f"p{i}": v for i, v in enumerate(row.values())}
    return {
        "name": case.name,
        "sql": string_lines(8, "", sql, ","),
        "params": py_dict_lines(params, 8),
    }


def _missing_refs(
    table: Table, fields: Sequence[dict[str, Any]], rows: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, str]]:
    out = []
    for f in fields:
        col = table.column(f["name"])
        if col is None or col.foreign_key is None or f["is_key"]:
            continue
        missing = missing_reference(rows.get(col.foreign_key.table, []), col.foreign_key.column)
        if missing is not None:
            out.append({"field_py": py_str(f["name"]), "value_py": py_str(form_string(missing, f))})
    return out


def _example(example: Mapping[str, Any]) -> str:
    submitted = {str(k): _example_string(v) for k, v in example.items()}
    return py_literal(submitted)


def _example_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _test_names(context: Mapping[str, Any]) -> list[str]:
    names = ["test_unknown_and_server_owned_keys_are_refused"]
    if context["has_valid"]:
        names.append("test_valid_input_is_accepted")
    for key, name in (
        ("cases", "test_boundary"),
        ("agreement", "test_database_agrees"),
        ("unique", "test_unique_value_is_reported_on_its_field"),
        ("missing_refs", "test_missing_reference_is_reported"),
        ("examples_valid", "test_spec_example_valid"),
        ("examples_invalid", "test_spec_example_invalid"),
    ):
        if context[key]:
            names.append(name)
    return names
