"""Contracts of the data-access units: the package, rows.py, sql.py and queries.py.

Each contract's context holds the code fragments its template lays out (names, annotations,
expressions), computed here from the analysis, so the template needs nothing else.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.fields import annotation, input_class_name, input_fields
from scaffold.plan.imports import ImportSet
from scaffold.plan.model import Contract, SqlConstant, Symbol
from scaffold.plan.names import pyident, unique_idents
from scaffold.plan.query_funcs import query_functions, row_class
from scaffold.spec.model import FormSpec, Spec

Units = tuple[Contract, ...]
_TOKEN = re.compile(r"[A-Za-z_]\w*")


def code_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], package: str
) -> Units:
    """The package, rows, sql and queries contracts, output under `package` (relative)."""
    return (
        package_contract(spec, package),
        rows_contract(spec, catalog, queries, package),
        sql_contract(spec, catalog, queries, package),
        queries_contract(spec, catalog, queries, package),
    )


def package_contract(spec: Spec, package: str) -> Contract:
    doc = f"Data access for {spec.app}, generated from its spec: rows, sql and queries."
    return Contract(
        unit="package",
        files=((f"{package}/__init__.py", "code/package_init.py.j2"),),
        spec_text=f"app: {spec.app}\n",
        context={"doc": doc},
    )


def rows_contract(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], package: str
) -> Contract:
    imports = ImportSet().add("__future__", "annotations")
    classes = [_row_class(q, imports) for q in queries if q.columns]
    classes += [c for form in spec.forms if (c := _input_class(form, catalog, imports))]
    if classes:
        imports.add("dataclasses", "dataclass")
    aliases: set[str] = set()
    for cls in classes:
        _unshadow(cls, aliases)
    return Contract(
        unit="rows",
        files=((f"{package}/rows.py", "code/rows.py.j2"),),
        symbols=tuple(_class_symbol(c) for c in classes),
        imports=tuple(imports.modules()),
        spec_text=queries_yaml(queries) + forms_yaml(spec),
        context={
            "doc": f"Typed rows of the {spec.app} queries and typed inputs of its forms.",
            "imports": imports.sections(),
            "classes": classes,
            "aliases": sorted(aliases),
        },
    )


def _row_class(query: QueryInfo, imports: ImportSet) -> dict[str, Any]:
    names = unique_idents(c.name for c in query.columns)
    fields = []
    for name, col in zip(names, query.columns, strict=True):
        imports.add_type(col.py_type, col.element_py_type)
        fields.append(
            {"name": name, "annotation": annotation(col.py_type, col.nullable, col.element_py_type)}
        )
    return {"name": row_class(query), "doc": f"A row of {query.name}.", "fields": fields}


def _input_class(form: FormSpec, catalog: Catalog, imports: ImportSet) -> dict[str, Any] | None:
    table = catalog.table(form.table)
    if table is None:
        return None
    fields = []
    for field in input_fields(form, table):
        imports.add_type(field.column.py_type, field.column.element_py_type)
        fields.append({"name": pyident(field.name), "annotation": field.annotation})
    doc = f"What form {form.name} submits ({form.action} on {table.name})."
    return {"name": input_class_name(form), "doc": doc, "fields": fields}


def _unshadow(cls: dict[str, Any], aliases: set[str]) -> None:
    """A field named like a type (`date: date`) hides that type in the rest of its class body,
    so the class's annotations name it through a module-level alias (`_date = date`)."""
    names = {f["name"] for f in cls["fields"]}

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token not in names:
            return token
        aliases.add(token)
        return "_" + token

    for field in cls["fields"]:
        field["annotation"] = _TOKEN.sub(swap, field["annotation"])


def _class_symbol(cls: dict[str, Any]) -> Symbol:
    lines = ["@dataclass(frozen=True, slots=True)", f"class {cls['name']}:"]
    lines += [f"    {f['name']}: {f['annotation']}" for f in cls["fields"]] or ["    pass"]
    return Symbol(cls["name"], "class", "\n".join(lines), cls["doc"])


def sql_contract(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], package: str
) -> Contract:
    constants = [sql_constant(q) for q in queries]
    entries = [
        {"name": c.name, "comment": _sql_comment(q), "sql": c.sql}
        for c, q in zip(constants, queries, strict=True)
    ]
    return Contract(
        unit="sql",
        files=((f"{package}/sql.py", "code/sql.py.j2"),),
        symbols=tuple(Symbol(c.name, "constant", f"{c.name}: str") for c in constants),
        sql=tuple(constants),
        imports=("__future__",),
        spec_text=queries_yaml(queries),
        context={
            "doc": f"The SQL of the {spec.app} queries ({catalog.dialect}), with their bind "
            "parameters.",
            "constants": entries,
        },
    )


def sql_constant(query: QueryInfo) -> SqlConstant:
    """The query's SQL as sql.py holds it: trailing blanks and outer blank lines removed."""
    return SqlConstant(
        name=query.ident.upper(),
        sql=sql_text(query),
        params=tuple(p.name for p in query.params),
        list_params=tuple(p.name for p in query.params if p.is_list),
    )


def sql_text(query: QueryInfo) -> str:
    """The SQL as sql.py holds it and queries.py runs it: trailing blanks, leading tabs, a final
    `;` removed, and `IN (:ids)` of a list parameter written `IN :ids`, because SQLAlchemy's
    expanding parameter brings its own parentheses."""
    lines = [_untab(line.rstrip()) for line in query.sql.strip().splitlines()]
    sql = "\n".join(lines).rstrip(";").rstrip()
    for param in query.params:
        if param.is_list:
            sql = re.sub(rf"\(\s*:{re.escape(param.name)}\s*\)", f":{param.name}", sql)
    return sql


def _untab(line: str) -> str:
    stripped = line.lstrip("\t")
    return "    " * (len(line) - len(stripped)) + stripped


def _sql_comment(query: QueryInfo) -> str:
    params = [f"{p.name} (a list)" if p.is_list else p.name for p in query.params]
    listed = "parameters: " + ", ".join(params) if params else "no parameters"
    return f"{query.name} (:{query.command}); {listed}."


def queries_contract(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], package: str
) -> Contract:
    functions, imports, helpers = query_functions(queries)
    return Contract(
        unit="queries",
        files=((f"{package}/queries.py", "code/queries.py.j2"),),
        symbols=tuple(Symbol(f["name"], "function", f["signature"], f["doc"]) for f in functions),
        sql=tuple(sql_constant(q) for q in queries),
        imports=tuple(imports.modules()),
        spec_text=queries_yaml(queries),
        context={
            "doc": f"The {spec.app} queries as typed functions over SQLAlchemy Core.",
            "imports": imports.sections(),
            "functions": functions,
            **helpers,
        },
    )


def queries_yaml(queries: Sequence[QueryInfo]) -> str:
    """The spec fragment of the queries: each one's analyzed SQL as a YAML block."""
    if not queries:
        return ""
    blocks = [f"  {q.name}: |\n" + textwrap.indent(sql_text(q), "    ") for q in queries]
    return "queries:\n" + "\n".join(blocks) + "\n"


def forms_yaml(spec: Spec) -> str:
    """The spec fragment of the forms' inputs: table, action, key and fields of each."""
    if not spec.forms:
        return ""
    lines = ["forms:"]
    for form in spec.forms:
        lines.append(
            f"  {form.name}: {{table: {form.table}, action: {form.action}, "
            f"key: [{', '.join(form.key)}], fields: [{', '.join(form.fields)}]}}"
        )
    return "\n".join(lines) + "\n"
