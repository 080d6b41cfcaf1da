"""The functions of queries.py, as data: signature, statement, parameters, result shape and
the per-column conversion that gives each row field exactly its declared Python type.

Drivers disagree on types (SQLite returns str for dates, float for NUMERIC, int for booleans;
psycopg returns memoryview for bytea), so every column goes through a small `_as_<type>`
helper, emitted only when used. Going in, SQLite has no Decimal, UUID, date or JSON types:
such parameters pass through `_bindable`, which gives SQLite the same text (or number) forms
the generated forms and tests store, and any driver JSON as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import OutputColumn, Param, QueryInfo
from scaffold.plan.fields import annotation, class_name
from scaffold.plan.imports import ImportSet
from scaffold.plan.names import unique_idents

# Local names of a query function's body: parameters must not shadow them.
RESERVED = frozenset({"conn", "statement", "params", "result", "row"})
# Parameter types that `_bindable` converts, and what its body then imports.
BIND_IMPORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "Decimal": (("decimal", "Decimal"),),
    "UUID": (("uuid", "UUID"),),
    "date": (("datetime", "date"),),
    "time": (("datetime", "time"),),
    "datetime": (("datetime", "UTC"), ("datetime", "datetime")),
    "timedelta": (("datetime", "timedelta"),),
    "dict": (("json", ""),),
    "list": (("json", ""),),
}
# Imports each column converter's body needs (beyond typing.Any).
CONVERTER_IMPORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "Decimal": (("decimal", "Decimal"),),
    "date": (("datetime", "date"), ("datetime", "datetime")),
    "datetime": (("datetime", "datetime"),),
    "time": (("datetime", "time"),),
    "timedelta": (("datetime", "timedelta"),),
    "UUID": (("uuid", "UUID"),),
    "dict": (("json", ""),),
    "list": (("json", ""),),
}
RETURNS = {
    "many": "list[{row}]",
    "one": "{row} | None",
    "rowcount": "int",
    "lastrowid": "int | None",
    "result": "CursorResult[Any]",
}
DOCS = {
    "many": "its rows",
    "one": "its first row, or None when there is none",
    "rowcount": "the number of rows it affected",
    "lastrowid": "the id of the inserted row (None if the driver has none)",
    "result": "its cursor result",
}


def row_class(query: QueryInfo) -> str:
    return class_name(query.ident) + "Row"


def argument_names(query: QueryInfo) -> dict[str, str]:
    """Param name -> the keyword argument of the query's function: the same, except for Python
    keywords (`class_`) and the function's own names (`conn_`, `result_`, ...)."""
    names = [p.name for p in query.params]
    return dict(zip(names, unique_idents(names, RESERVED), strict=True))


def shape(query: QueryInfo) -> str:
    """What the function returns: many, one, rowcount, lastrowid or result."""
    if query.columns and query.cardinality in ("one", "many"):
        return query.cardinality
    if query.command == "execresult":
        return "result"
    return "lastrowid" if query.command == "execlastid" else "rowcount"


def query_functions(
    queries: Sequence[QueryInfo],
) -> tuple[list[dict[str, Any]], ImportSet, dict[str, Any]]:
    """Each query's function context, the module's imports, and its helpers: the converters
    used (`converters`) and what `_bindable` converts (`bind`, None when it is not needed)."""
    imports = ImportSet().add("__future__", "annotations")
    converters: set[str] = set()
    bound: set[str] = set()
    functions = [_function(q, imports, converters, bound) for q in queries]
    if functions:
        imports.add("typing", "Any").add("sqlalchemy", "Connection", "text").add(".", "sql")
    for name in converters:
        _add_all(imports, CONVERTER_IMPORTS.get(name, ()))
    for name in bound:
        _add_all(imports, BIND_IMPORTS[name])
    if "optional" in converters:
        imports.add("collections.abc", "Callable").add("typing", "TypeVar")
    helpers = {"converters": sorted(converters), "bind": _bind_context(bound) if bound else None}
    return functions, imports, helpers


def _function(
    query: QueryInfo, imports: ImportSet, converters: set[str], bound: set[str]
) -> dict[str, Any]:
    kind = shape(query)
    row = row_class(query) if kind in ("many", "one") else None
    returns = RETURNS[kind].format(row=row)
    args = argument_names(query)
    params = [_param(p, args[p.name], imports) for p in query.params]
    signature_items = [
        "conn: Connection",
        *(["*"] if params else []),
        *(f"{p['arg']}: {p['annotation']}" for p in params),
    ]
    _imports_of_shape(kind, row, imports)
    return {
        "name": query.ident,
        "signature_items": signature_items,
        "returns": returns,
        "signature": f"def {query.ident}({', '.join(signature_items)}) -> {returns}",
        "doc": f"Run {query.name} (:{query.command}) and return {DOCS[kind]}.",
        "constant": query.ident.upper(),
        "bindparams": [
            f"bindparam({_pystr(p.name)}, expanding=True)" for p in query.params if p.is_list
        ],
        "params": [f"{_pystr(p['name'])}: {p['arg']}" for p in params],
        "bindable": _bindable_call(query.params, bound),
        "shape": kind,
        "row_class": row,
        "row_builder": f"_{query.ident}_row",
        "fields": _fields(query.columns, converters) if row else [],
    }


def _param(param: Param, arg: str, imports: ImportSet) -> dict[str, Any]:
    imports.add_type(param.py_type)
    base = annotation(param.py_type, False)
    if param.is_list:
        imports.add("collections.abc", "Sequence").add("sqlalchemy", "bindparam")
        base = f"Sequence[{base}]"
    return {
        "name": param.name,
        "arg": arg,
        "annotation": f"{base} | None" if param.nullable else base,
    }


def _bindable_call(params: Sequence[Param], bound: set[str]) -> str | None:
    """`_bindable(conn, params[, expanding=(...)])` when a parameter needs converting."""
    converted = [p for p in params if p.py_type in BIND_IMPORTS]
    if not converted:
        return None
    bound.update(p.py_type for p in converted)
    expanding = [_pystr(p.name) for p in converted if p.is_list]
    if not expanding:
        return "_bindable(conn, params)"
    names = expanding[0] + "," if len(expanding) == 1 else ", ".join(expanding)
    return f"_bindable(conn, params, expanding=({names}))"


def _bind_context(bound: set[str]) -> dict[str, Any]:
    """What `_bindable`'s body converts: type unions for its isinstance tests, and flags."""
    return {
        "json_list": "list" in bound,
        "json": bool(bound & {"dict", "list"}),
        "as_str": " | ".join(t for t in ("Decimal", "UUID") if t in bound),
        "iso": " | ".join(t for t in ("date", "time") if t in bound),
        "datetime": "datetime" in bound,
        "timedelta": "timedelta" in bound,
    }


def _imports_of_shape(kind: str, row: str | None, imports: ImportSet) -> None:
    if row:
        # Sequence, not sqlalchemy's Row: Row's type parameters differ between 2.0 and 2.1.
        imports.add(".rows", row).add("collections.abc", "Sequence")
    if kind == "result":
        imports.add("sqlalchemy", "CursorResult")


def _fields(columns: Sequence[OutputColumn], converters: set[str]) -> list[str]:
    """`field=<conversion of row[i]>` for each column; by position, as names may repeat."""
    names = unique_idents(c.name for c in columns)
    out = []
    for i, (name, col) in enumerate(zip(names, columns, strict=True)):
        converters.add(col.py_type)
        convert = f"_as_{col.py_type.lower()}"
        if col.nullable:
            converters.add("optional")
            out.append(f"{name}=_optional({convert}, row[{i}])")
        else:
            out.append(f"{name}={convert}(row[{i}])")
    return out


def _add_all(imports: ImportSet, pairs: Sequence[tuple[str, str]]) -> None:
    for module, name in pairs:
        imports.add(module, *([name] if name else []))


def _pystr(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
