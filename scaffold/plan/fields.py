"""The typed input of a form: which fields it has, their Python annotations, which are required.

Shared by the rows.py contract (which declares the input dataclass) and the form contract
(which parses into it), so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from scaffold.analyze.model import Column, PyType, Table
from scaffold.spec.model import FormSpec

# Where each Python type comes from, for the import lines of generated modules.
TYPE_IMPORTS: dict[str, tuple[str, str]] = {
    "Decimal": ("decimal", "Decimal"),
    "date": ("datetime", "date"),
    "datetime": ("datetime", "datetime"),
    "time": ("datetime", "time"),
    "timedelta": ("datetime", "timedelta"),
    "UUID": ("uuid", "UUID"),
}


def annotation(py_type: PyType, nullable: bool, element: PyType | None = None) -> str:
    """The annotation text for a value: `int`, `Decimal | None`, `list[str]`, `dict[str, Any]`."""
    if py_type == "list":
        base = f"list[{element or 'Any'}]"
    elif py_type == "dict":
        base = "dict[str, Any]"
    else:
        base = py_type
    return f"{base} | None" if nullable else base


def class_name(name: str) -> str:
    """books_by_author -> BooksByAuthor; BooksByAuthor stays."""
    if "_" not in name and name[:1].isupper():
        return name
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


@dataclass(frozen=True)
class InputField:
    name: str
    column: Column
    required: bool  # must be submitted non-empty
    is_key: bool  # identifies the row (update/delete), never written
    annotation: str  # Python annotation in the input dataclass


def input_class_name(form: FormSpec) -> str:
    return class_name(form.name) + "Input"


def key_columns(form: FormSpec, table: Table) -> tuple[str, ...]:
    """The columns that identify the edited row of an update/delete form."""
    if form.action == "insert":
        return ()
    return form.key or table.primary_key


def input_fields(form: FormSpec, table: Table) -> tuple[InputField, ...]:
    """The fields of the form's input dataclass, in order: key columns first, then `fields`.

    insert: a field is required when its column is NOT NULL and has no default.
    update: a field is required when its column is NOT NULL (a default does not apply).
    delete: only the key columns.
    Columns that are unknown are skipped here; the lint reports them.
    """
    out: list[InputField] = []
    keys = key_columns(form, table)
    for name in keys:
        col = table.column(name)
        if col is not None:
            out.append(
                InputField(
                    col.name, col, True, True, annotation(col.py_type, False, col.element_py_type)
                )
            )
    if form.action == "delete":
        return tuple(out)
    for name in form.fields:
        col = table.column(name)
        if col is None or col.name in keys:
            continue
        if form.action == "insert":
            required = not col.nullable and not col.has_default
        else:
            required = not col.nullable
        out.append(
            InputField(
                col.name,
                col,
                required,
                False,
                annotation(col.py_type, not required, col.element_py_type),
            )
        )
    return tuple(out)
