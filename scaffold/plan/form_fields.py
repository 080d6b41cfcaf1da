"""Field metadata of a form from the schema: label, HTML input type, parser, length, step, range."""

from __future__ import annotations

import html
import re
from typing import Any

from scaffold.analyze.model import Column, Table
from scaffold.plan.fields import InputField
from scaffold.plan.form_code import LINE, string_lines
from scaffold.plan.names import pyident
from scaffold.plan.pyliterals import py_str
from scaffold.spec.model import FormSpec

# Integer ranges each database enforces, from the column's declared type.
_INT_RANGES = {
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INT2": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "INT": (-(2**31), 2**31 - 1),
    "INT4": (-(2**31), 2**31 - 1),
    "MEDIUMINT": (-(2**23), 2**23 - 1),
    "TINYINT": (-(2**7), 2**7 - 1),
}
_INT64 = (-(2**63), 2**63 - 1)
_PARSERS = {
    "int": "int",
    "Decimal": "decimal",
    "float": "float",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
    "bool": "bool",
    "UUID": "uuid",
    "dict": "object",
    "list": "list",
    "bytes": "bytes",
    "timedelta": "interval",
}
_INPUT_TYPES = {
    "int": "number",
    "Decimal": "number",
    "float": "number",
    "date": "date",
    "datetime": "datetime-local",
    "time": "time",
    "bool": "checkbox",
}
# Local names the generated parse() uses itself; a field with such a name gets a suffix.
_TAKEN = frozenset({"data", "errors", "value", "conn", "text", "field", "result", "params"})


def html_text(value: str) -> str:
    """Escaped for HTML and inert for the runtime Jinja template that embeds it."""
    return html.escape(value).replace("{", "&#123;").replace("}", "&#125;")


def humanize(name: str) -> str:
    """author_id -> Author, published_at -> Published at."""
    words = re.sub(r"_id$", "", name).replace("_", " ").strip() or name
    return words[:1].upper() + words[1:]


def variable(name: str) -> str:
    """The Python local holding a field's parsed value."""
    ident = pyident(name)
    return ident + "_" if ident in _TAKEN else ident


def parser_kind(column: Column) -> str:
    if column.py_type == "str" and column.max_length is None and _is_long_text(column):
        return "text"
    return _PARSERS.get(column.py_type, "str")


def _is_long_text(column: Column) -> bool:
    base = column.sql_type.split("(")[0].strip().upper()
    return base in ("TEXT", "CLOB", "MEDIUMTEXT", "LONGTEXT", "NTEXT")


def input_type(column: Column, field: InputField, form: FormSpec, has_choices: bool) -> str:
    if field.is_key:
        return "hidden"
    if has_choices or column.enum_values:
        return "select"
    if column.py_type == "bool":
        return "checkbox" if field.required or not column.nullable else "select"
    if column.py_type in _INPUT_TYPES:
        return _INPUT_TYPES[column.py_type]
    if parser_kind(column) in ("text", "object", "list"):
        return "textarea"
    lowered = column.name.lower()
    return "email" if lowered == "email" or lowered.endswith("_email") else "text"


def step(column: Column) -> str | None:
    if column.py_type == "int":
        return "1"
    if column.py_type == "Decimal" and column.scale is not None:
        return "1" if column.scale == 0 else "0." + "0" * (column.scale - 1) + "1"
    if column.py_type in ("Decimal", "float"):
        return "any"
    return None


def int_range(column: Column, dialect: str) -> tuple[int, int] | None:
    if column.py_type != "int":
        return None
    base = column.sql_type.split("(")[0].strip().upper()
    if dialect == "sqlite":
        return _INT64  # SQLite's INTEGER is always 64-bit
    return _INT_RANGES.get(base, _INT64)


def field_context(
    field: InputField, form: FormSpec, table: Table, dialect: str, has_choices: bool
) -> dict[str, Any]:
    """Everything the templates need about one field, as plain data."""
    col = field.column
    labels, helps = dict(form.labels), dict(form.help)
    label = labels.get(field.name) or humanize(field.name)
    help_text = helps.get(field.name) or col.comment or ""
    kind = "str" if col.enum_values else parser_kind(col)
    itype = input_type(col, field, form, has_choices)
    bool_required = col.py_type == "bool" and itype == "checkbox"
    return {
        "name": field.name,
        "var": variable(field.name),
        "attr": pyident(field.name),
        "const": variable(field.name).upper().strip("_") + "_FIELD",
        "label": label,
        "help": help_text,
        "kind": kind,
        "py_type": col.py_type,
        "parser": "parse_" + ("str" if kind == "text" else kind),
        "input_type": itype,
        "required": field.required and not bool_required,
        "narrow": field.required,
        "nullable": not field.required,
        "is_key": field.is_key,
        "maxlength": col.max_length if col.py_type == "str" else None,
        "minlength": None,
        "min": None,
        "max": None,
        "step": step(col),
        "precision": col.precision if col.py_type == "Decimal" else None,
        "scale": col.scale if col.py_type == "Decimal" else None,
        "int_range": int_range(col, dialect),
        "options": list(col.enum_values),
        "annotation": field.annotation,
        "has_choices": has_choices or bool(col.enum_values),
    }


def field_lines(f: dict[str, Any]) -> list[str]:
    """The keyword arguments of the generated Field(...) constructor, one line each."""
    args = [string_lines(4, f"{k}=", f[k], ",") for k in ("name", "label", "kind", "input_type")]
    args.append(f"    required={f['required']},")
    if f["is_key"]:
        args.append("    is_key=True,")
    for attr in ("maxlength", "minlength", "precision", "scale"):
        if f[attr] is not None:
            args.append(f"    {attr}={f[attr]},")
    for attr in ("min", "max", "step"):
        if f[attr] is not None:
            args.append(f"    {attr}={py_str(f[attr])},")
    if f["int_range"] is not None:
        args += [f"    int_min={f['int_range'][0]},", f"    int_max={f['int_range'][1]},"]
    if f["options"]:
        args.append(string_tuple(4, "options=", f["options"], ","))
    if f["help"]:
        args.append(string_lines(4, "help=", f["help"], ","))
    return args


def string_tuple(indent: int, prefix: str, items: list[str], suffix: str) -> str:
    """A tuple of strings, on one line when it fits (no magic trailing comma), else exploded."""
    pad = " " * indent
    if not items:
        return f"{pad}{prefix}(){suffix}"
    joined = ", ".join(py_str(i) for i in items) + ("," if len(items) == 1 else "")
    flat = f"{pad}{prefix}({joined}){suffix}"
    if len(flat) <= LINE:
        return flat
    body = "\n".join(string_lines(indent + 4, "", i, ",") for i in items)
    return f"{pad}{prefix}(\n{body}\n{pad}){suffix}"


def html_attributes(f: dict[str, Any]) -> str:
    """Static constraint attributes of the input element."""
    parts: list[str] = []
    if f["required"] and f["input_type"] not in ("checkbox", "hidden"):
        parts.append("required")
    for attr in ("maxlength", "minlength"):
        if f[attr] is not None and f["input_type"] not in ("select", "hidden"):
            parts.append(f'{attr}="{f[attr]}"')
    if f["input_type"] in ("number", "date", "datetime-local", "time"):
        for attr in ("min", "max", "step"):
            if f[attr] is not None:
                parts.append(f'{attr}="{html_text(str(f[attr]))}"')
    return " ".join(parts)
