"""The generated tests of derived.py: the spec's examples with their values read as the
sources' field types (Decimal from text, dates from ISO text ...), as Python source lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from scaffold.analyze.model import OutputColumn, QueryInfo
from scaffold.errors import LintError, ScaffoldError, did_you_mean, raise_all
from scaffold.plan.imports import ImportSet
from scaffold.plan.model import Contract
from scaffold.plan.paths import tests_dir
from scaffold.plan.pyliterals import literal_imports, py_dict_lines, py_literal
from scaffold.spec.model import DerivedExample, DerivedGiven, Spec, StateSpec

# The value a field the example leaves out takes (optional fields: None).
NEUTRAL: dict[str, Any] = {
    "int": 0,
    "float": 0.0,
    "Decimal": Decimal("0"),
    "str": "",
    "bool": False,
    "bytes": b"",
    "date": date(2000, 1, 1),
    "datetime": datetime(2000, 1, 1, 0, 0, 0),
    "time": time(0, 0, 0),
    "timedelta": timedelta(0),
    "UUID": UUID(int=0),
    "dict": {},
    "list": [],
}
# The indent of a source in the test module's EXAMPLES: function -> examples -> source.
PAD = " " * 12


def derived_test_contract(
    spec: Spec,
    states: Sequence[StateSpec],
    functions: Sequence[dict[str, Any]],
    queries: Sequence[QueryInfo],
    code: Contract,
) -> Contract | None:
    """The "tests.derived" unit: none when no llm-written derived state has examples."""
    errors: list[ScaffoldError] = []
    tested = []
    for state, function in zip(states, functions, strict=True):
        if state.examples:
            fields = {s["name"]: source_fields(spec, s, queries) for s in function["sources"]}
            tested.append(_tested(state, function, fields, errors))
    raise_all(errors)
    if not tested:
        return None
    context = {
        "module": code.context["module"],
        "functions": tested,
        "imports": _imports(tested),
        "classes": sorted({tuple(s) for f in tested for s in f["classes"]}),
        "modules": sorted({s[2] for f in tested for s in f["classes"]}),
        "approx": any(f["approx"] for f in tested),
    }
    return Contract(
        unit="tests.derived",
        files=((f"{tests_dir(spec)}/test_derived.py", "code/test_derived.py.j2"),),
        imports=("pytest", f"{context['module']}.derived"),
        spec_text=code.spec_text,
        context=context,
        kind="test",
    )


def source_fields(
    spec: Spec, source: dict[str, Any], queries: Sequence[QueryInfo]
) -> dict[str, str] | None:
    """A collection source's field -> type name ("Decimal | None"); None for a derived one."""
    state = next(s for s in spec.state if s.name == source["name"])
    if source["kind"] == "client":
        return dict(state.fields)
    if source["kind"] == "server":
        query = next(q for q in queries if state.query in (q.name, q.ident))
        return {c.name: _column_type(c) for c in query.columns}
    return None


def _column_type(column: OutputColumn) -> str:
    base = f"list[{column.element_py_type}]" if column.element_py_type else column.py_type
    return f"{base} | None" if column.nullable else base


def _tested(
    state: StateSpec,
    function: dict[str, Any],
    fields: dict[str, dict[str, str] | None],
    errors: list[ScaffoldError],
) -> dict[str, Any]:
    examples = []
    for number, example in enumerate(state.examples, start=1):
        where = f"state.{state.name}.examples[{number}]"
        try:
            examples.append(_example(number, example, state, function, fields, where))
        except LintError as exc:
            errors.append(exc)
    type_name = state.result_type
    return {
        "name": state.name,
        "examples": examples,
        "check": _isinstance_target(type_name) if type_name else None,
        "approx": bool(type_name) and (type_name or "").startswith("float"),
        "classes": [
            [s["name"], s["class"], s["module"]] for s in function["sources"] if s["class"]
        ],
    }


def _example(
    number: int,
    example: DerivedExample,
    state: StateSpec,
    function: dict[str, Any],
    fields: dict[str, dict[str, str] | None],
    where: str,
) -> dict[str, Any]:
    given = {g.source: g for g in example.given}
    lines: list[str] = []
    values: list[Any] = []
    for source in function["sources"]:
        name, types = source["name"], fields[source["name"]]
        if types is None:  # a derived source: its value, read as its type
            value = _read(given[name].value, source["type"], f"{where}.given.{name}", example)
            lines.append(f"{PAD}{py_literal(name)}: {py_literal(value)},")
            values.append(value)
            continue
        rows = [_row(row, types, name, given[name], where) for row in _rows(given.get(name))]
        values += rows
        lines += _rows_lines(name, rows)
    expect = _read(example.expect, state.result_type, f"{where}.expect", example)
    values.append(expect)
    return {"number": number, "lines": lines, "expect": py_literal(expect), "values": values}


def _rows(given: DerivedGiven | None) -> list[dict[str, Any]]:
    return [] if given is None else list(given.value)


def _rows_lines(name: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    """A source's entry in the EXAMPLES literal of the test module."""
    if not rows:
        return [f"{PAD}{py_literal(name)}: [],"]
    body = [line for row in rows for line in py_dict_lines(row, len(PAD) + 4)]
    return [f"{PAD}{py_literal(name)}: [", *body, f"{PAD}],"]


def _row(
    row: dict[str, Any], types: dict[str, str], source: str, given: DerivedGiven, where: str
) -> dict[str, Any]:
    """Every field of the source, in its order: the example's value read as the field's type,
    or a neutral value."""
    positions = dict(given.field_pos)
    for name in row:
        if name not in types:
            hint = did_you_mean(name, types) or "its fields: " + ", ".join(types)
            message = f'{where}.given.{source}: {source} has no field "{name}"'
            raise LintError(message, location=positions.get(name, given.pos), hint=hint)
    out = {}
    for name, type_name in types.items():
        if name in row:
            try:
                out[name] = read_value(row[name], type_name, f"{where}.given.{source}.{name}")
            except LintError as exc:
                at = positions.get(name, given.pos)
                raise LintError(exc.message, location=at, hint=exc.hint) from None
        else:
            out[name] = _neutral(type_name)
    return out


def _neutral(type_name: str) -> Any:
    if type_name.endswith(" | None"):
        return None
    return NEUTRAL.get(type_name.split("[", 1)[0])


def _read(value: Any, type_name: str | None, where: str, example: DerivedExample) -> Any:
    try:
        return value if type_name is None else read_value(value, type_name, where)
    except LintError as exc:
        raise LintError(exc.message, location=example.pos, hint=exc.hint) from None


def read_value(value: Any, type_name: str, where: str) -> Any:
    """A YAML value as the spec type `type_name`; a LintError naming `where` when it is not."""
    base = _base(type_name)
    if value is None:
        if type_name.endswith(" | None"):
            return None
        raise LintError(f"{where}: no value, but {type_name} is not optional", hint="give a value")
    if base.startswith("list[") and isinstance(value, list):
        return [read_value(v, base[5:-1], where) for v in value]
    try:
        return _scalar(value, base.split("[", 1)[0])
    except (ValueError, TypeError, AttributeError, InvalidOperation):
        message = f"{where}: cannot read {value!r} as {base}"
        raise LintError(message, hint=_how(base)) from None


def _scalar(value: Any, base: str) -> Any:
    reader = _READERS.get(base)
    return value if reader is None else reader(value)


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(value)


def _no() -> Any:
    raise ValueError("wrong kind of value")


# How a YAML value becomes each field type; a ValueError or TypeError when it cannot.
_READERS: dict[str, Callable[[Any], Any]] = {
    "int": lambda v: int(v) if not isinstance(v, bool | float) else _no(),
    "float": lambda v: float(v) if not isinstance(v, bool) else _no(),
    "Decimal": lambda v: Decimal(str(v)) if not isinstance(v, bool) else _no(),
    "str": lambda v: v if isinstance(v, str) else _no(),
    "bool": lambda v: v if isinstance(v, bool) else _no(),
    "bytes": lambda v: v.encode() if isinstance(v, str) else _no(),
    "date": _date,
    "datetime": lambda v: v if isinstance(v, datetime) else datetime.fromisoformat(v),
    "time": lambda v: v if isinstance(v, time) else time.fromisoformat(v),
    "timedelta": lambda v: timedelta(seconds=v) if not isinstance(v, bool) else _no(),
    "UUID": UUID,
    "dict": lambda v: v if isinstance(v, dict) else _no(),
    "list": lambda v: v if isinstance(v, list) else _no(),
}


def _how(base: str) -> str:
    return {
        "Decimal": 'write a number, quoted to keep its digits: "9.99"',
        "date": 'write an ISO date: "2024-05-01"',
        "datetime": 'write an ISO date and time: "2024-05-01T10:30:00"',
        "time": 'write an ISO time, quoted: "10:30:00"',
        "timedelta": "write a number of seconds",
    }.get(base, f"write a value of type {base}")


def _base(type_name: str) -> str:
    return type_name.removesuffix(" | None")


def _isinstance_target(type_name: str) -> str:
    """The second argument of isinstance for a spec type: list[int] checks as list."""
    base = _base(type_name)
    base = base.split("[", 1)[0]
    return f"{base} | None" if type_name.endswith(" | None") else base


def _imports(tested: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The test module's imports (ImportSet sections)."""
    imports = ImportSet().add("copy").add("importlib").add("typing", "Any")
    values = (v for f in tested for e in f["examples"] for v in e["values"])
    for module, name in literal_imports(values):
        imports.add(module, name)
    for f in tested:
        for name in (f["check"] or "").replace("|", " ").split():
            imports.add_type(name)
    if any(f["approx"] for f in tested):
        imports.add("pytest")
    return imports.sections()
