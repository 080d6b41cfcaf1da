"""The contract delta of one generated Python file: what changed for the code that uses it.

Both versions are parsed with `ast` (dataclass fields, public functions, imports, SQL constants);
SQL is compared after sqlglot normalizes it, so a reformatting is not a change.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["breaking", "risky", "safe"]
SEVERITIES: tuple[Severity, ...] = ("breaking", "risky", "safe")


@dataclass(frozen=True)
class Finding:
    """One change a reviewer should know about, classed by how much care it needs."""

    severity: Severity
    message: str
    detail: str = ""  # a diff or longer text, shown collapsed


@dataclass
class PyApi:
    """What a module offers and needs: classes with their fields, functions, imports, SQL."""

    classes: dict[str, dict[str, str]] = field(default_factory=dict)  # class -> field -> type
    functions: dict[str, str] = field(default_factory=dict)  # name -> signature
    imports: set[str] = field(default_factory=set)
    sql: dict[str, str] = field(default_factory=dict)  # UPPER_CASE str constants
    form_fields: dict[str, dict[str, object]] = field(default_factory=dict)  # Field(...) args
    invalidation: dict[str, set[str]] = field(default_factory=dict)  # form -> states refreshed


def py_api(text: str | None) -> PyApi | None:
    """The module's API, or None when it is absent or does not parse."""
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    api = PyApi()
    for node in tree.body:
        _collect(node, api)
    return api


def _collect(node: ast.stmt, api: PyApi) -> None:
    if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
        api.classes[node.name] = {
            s.target.id: ast.unparse(s.annotation)
            for s in node.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        }
    elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        api.functions[node.name] = f"{node.name}({ast.unparse(node.args)}){returns}"
    elif isinstance(node, ast.Import):
        api.imports.update(a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        api.imports.add("." * node.level + (node.module or ""))
    elif isinstance(node, ast.Assign | ast.AnnAssign):
        _collect_sql(node, api)


def _collect_sql(node: ast.Assign | ast.AnnAssign, api: PyApi) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    value = node.value
    if isinstance(value, ast.Dict) and any(_is_name(t, "INVALIDATION") for t in targets):
        api.invalidation = _invalidation(value)
        return
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        if value.func.id == "Field":  # a generated form's field metadata
            _collect_form_field(value, api)
        return
    if not isinstance(value, ast.Constant) or not isinstance(value.value, str):
        return
    for target in targets:
        if isinstance(target, ast.Name) and target.id.isupper():
            api.sql[target.id] = value.value


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _invalidation(mapping: ast.Dict) -> dict[str, set[str]]:
    """state.py's INVALIDATION: form -> the states named by its Refresh(...) entries."""
    return {
        key.value: _refreshed(value)
        for key, value in zip(mapping.keys, mapping.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def _refreshed(node: ast.expr) -> set[str]:
    states = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and _is_name(call.func, "Refresh") and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                states.add(first.value)
    return states


def _collect_form_field(call: ast.Call, api: PyApi) -> None:
    args: dict[str, object] = {}
    for kw in call.keywords:
        if kw.arg is not None:
            try:
                args[kw.arg] = ast.literal_eval(kw.value)
            except ValueError:
                args[kw.arg] = ast.unparse(kw.value)
    if isinstance(args.get("name"), str):
        api.form_fields[str(args["name"])] = args


def api_delta(
    old: PyApi | None, new: PyApi | None, dialect: str | None, *, tests: bool = False
) -> list[Finding]:
    """Findings between two versions of a module (None: the module is absent on that side).

    A generated test module offers no API: only its imports are compared."""
    before, after = old or PyApi(), new or PyApi()
    if tests:
        return _import_delta(before.imports, after.imports, old is None)
    return [
        *_class_delta(before.classes, after.classes),
        *_function_delta(before.functions, after.functions),
        *_import_delta(before.imports, after.imports, old is None),
        *_sql_delta(before.sql, after.sql, dialect),
        *form_field_delta(before.form_fields, after.form_fields),
        *invalidation_delta(before.invalidation, after.invalidation),
    ]


def _class_delta(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    for name in sorted(old.keys() - new.keys()):
        out.append(Finding("breaking", f"class `{name}` removed"))
    for name in sorted(new.keys() - old.keys()):
        out.append(Finding("safe", f"class `{name}` added"))
    for name in sorted(old.keys() & new.keys()):
        out += _field_delta(name, old[name], new[name])
    return out


def _field_delta(cls: str, old: dict[str, str], new: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    is_input = cls.endswith("Input")  # a form's input: its callers construct it
    for name in [n for n in old if n not in new]:
        out.append(Finding("breaking", f"`{cls}.{name}` removed (was `{old[name]}`)"))
    for name in [n for n in new if n not in old]:
        severity: Severity = "breaking" if is_input and not _nullable(new[name]) else "safe"
        out.append(Finding(severity, f"`{cls}.{name}: {new[name]}` added"))
    for name in [n for n in new if n in old and old[n] != new[n]]:
        out.append(_type_change(cls, name, old[name], new[name], is_input))
    return out


def _type_change(cls: str, name: str, old: str, new: str, is_input: bool) -> Finding:
    where = f"`{cls}.{name}`"
    if _strip_none(old) == _strip_none(new):
        if _nullable(new):  # readers must now handle None
            return Finding("breaking", f"{where} became nullable (`{old}` -> `{new}`)")
        if is_input:  # a form field became required: callers must now pass it
            return Finding("breaking", f"{where} became required (`{old}` -> `{new}`)")
        return Finding("safe", f"{where} is no longer nullable (`{old}` -> `{new}`)")
    return Finding("breaking", f"{where} changed type (`{old}` -> `{new}`)")


def _nullable(annotation: str) -> bool:
    return "None" in _parts(annotation) or annotation.startswith("Optional[")


def _strip_none(annotation: str) -> str:
    return " | ".join(p for p in _parts(annotation) if p != "None")


def _parts(annotation: str) -> list[str]:
    return [p.strip() for p in annotation.split("|")]


def _function_delta(old: dict[str, str], new: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    for name in sorted(old.keys() - new.keys()):
        out.append(Finding("breaking", f"function `{name}` removed", f"was: def {old[name]}"))
    for name in sorted(new.keys() - old.keys()):
        out.append(Finding("safe", f"function `{name}` added", f"def {new[name]}"))
    for name in sorted(n for n in old.keys() & new.keys() if old[n] != new[n]):
        detail = f"before: def {old[name]}\nafter:  def {new[name]}"
        out.append(Finding("breaking", f"signature of `{name}` changed", detail))
    return out


def _import_delta(old: set[str], new: set[str], new_module: bool) -> list[Finding]:
    added = sorted(new - old)
    if not added:
        return []
    names = ", ".join(f"`{m}`" for m in added)
    if new_module:  # all of a new module's imports are new: listed, not flagged
        return [Finding("safe", f"imports: {names}")]
    return [Finding("risky", f"new imports: {names}")]


def _sql_delta(old: dict[str, str], new: dict[str, str], dialect: str | None) -> list[Finding]:
    old = {name: sql for name, sql in old.items() if looks_like_sql(sql)}
    new = {name: sql for name, sql in new.items() if looks_like_sql(sql)}
    out: list[Finding] = []
    for name in sorted(old.keys() - new.keys()):
        out.append(Finding("safe", f"SQL `{name}` removed"))
    for name in sorted(new.keys() - old.keys()):
        out.append(_new_sql(name, new[name], dialect))
    for name in sorted(n for n in old.keys() & new.keys() if old[n] != new[n]):
        before, after = normalize_sql(old[name], dialect), normalize_sql(new[name], dialect)
        if before != after:
            out.append(_changed_sql(name, old[name], new[name], dialect))
    return out


def _new_sql(name: str, sql: str, dialect: str | None) -> Finding:
    written = tables_written(sql, dialect)
    if written:
        return Finding("risky", f"SQL `{name}` added; it writes {_names(written)}", sql)
    return Finding("safe", f"SQL `{name}` added", sql)


def _changed_sql(name: str, old: str, new: str, dialect: str | None) -> Finding:
    diff = sql_diff(normalize_sql(old, dialect), normalize_sql(new, dialect))
    newly = tables_written(new, dialect) - tables_written(old, dialect)
    extra = f"; it now writes {_names(newly)}" if newly else ""
    return Finding("risky", f"SQL `{name}` changed{extra}", diff)


def _names(tables: set[str]) -> str:
    return ", ".join(f"`{t}`" for t in sorted(tables))


def looks_like_sql(text: str) -> bool:
    first = text.lstrip().split(None, 1)[0].upper() if text.strip() else ""
    return first in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE"}


def normalize_sql(sql: str, dialect: str | None) -> str:
    """sqlglot's pretty form of the statement; the text as is when sqlglot cannot parse it."""
    import sqlglot

    try:
        trees = [e for e in sqlglot.parse(sql, dialect) if e is not None]
        return "\n".join(e.sql(dialect=dialect, pretty=True) for e in trees)
    except sqlglot.errors.SqlglotError:
        return sql.strip()


def tables_written(sql: str, dialect: str | None) -> set[str]:
    """Tables an INSERT, UPDATE or DELETE (at any depth) writes."""
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(sql, dialect) if t is not None]
    except sqlglot.errors.SqlglotError:
        return set()
    written: set[str] = set()
    for tree in trees:
        for node in tree.find_all(exp.Insert, exp.Update, exp.Delete):
            table = node.this.find(exp.Table) if node.this is not None else None
            if table is not None:
                written.add(table.name)
    return written


def sql_diff(old: str, new: str) -> str:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="")
    return "\n".join(lines)


def form_field_delta(
    old: dict[str, dict[str, object]], new: dict[str, dict[str, object]]
) -> list[Finding]:
    """A form's fields: removed or newly required ones break the clients that submit it."""
    out: list[Finding] = []
    for name in [n for n in old if n not in new]:
        out.append(Finding("breaking", f"form field `{name}` removed"))
    for name in [n for n in new if n not in old]:
        required = bool(new[name].get("required"))
        severity: Severity = "breaking" if required else "safe"
        out.append(
            Finding(severity, f"{'required' if required else 'optional'} form field `{name}` added")
        )
    for name in [n for n in new if n in old and old[n] != new[n]]:
        out += _field_attr_delta(name, old[name], new[name])
    return out


def _field_attr_delta(name: str, old: dict[str, object], new: dict[str, object]) -> list[Finding]:
    out: list[Finding] = []
    for attr in sorted(set(old) | set(new)):
        before, after = old.get(attr), new.get(attr)
        if before == after:
            continue
        severity: Severity = "breaking" if _narrower(attr, before, after) else "safe"
        out.append(Finding(severity, f"form field `{name}`: {attr} `{before}` -> `{after}`"))
    return out


def _narrower(attr: str, before: object, after: object) -> bool:
    """Whether the field now rejects input it accepted before."""
    if attr == "required":
        return bool(after) and not before
    if attr == "options" and isinstance(before, tuple) and isinstance(after, tuple):
        return (bool(before) and not set(before) <= set(after)) or (not before and bool(after))
    if attr in ("maxlength", "int_max"):
        return isinstance(after, int) and (not isinstance(before, int) or after < before)
    if attr in ("minlength", "int_min"):
        return isinstance(after, int) and (not isinstance(before, int) or after > before)
    return attr in ("kind", "min", "max", "precision", "scale") and after is not None


def invalidation_delta(old: dict[str, set[str]], new: dict[str, set[str]]) -> list[Finding]:
    """A form that stops refreshing a state leaves clients with stale data: risky."""
    out: list[Finding] = []
    for form in sorted(old.keys() & new.keys()):
        for state in sorted(old[form] - new[form]):
            out.append(Finding("risky", f"form `{form}` no longer refreshes state `{state}`"))
        for state in sorted(new[form] - old[form]):
            out.append(Finding("safe", f"form `{form}` now refreshes state `{state}`"))
    return out
