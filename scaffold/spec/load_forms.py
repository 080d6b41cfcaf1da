"""The spec's `forms:` section: which form writes which table, with its rules and examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import yaml

from scaffold.errors import Location, did_you_mean
from scaffold.spec.load_state import WRITERS, key_list, optional_choice
from scaffold.spec.model import FormAction, FormExamples, FormSpec, RuleSpec, WriterName
from scaffold.spec.nodes import (
    Node,
    Reader,
    construct,
    entries,
    identifier,
    section,
    text,
    texts,
)

ACTIONS = ("insert", "update", "delete")
FORM_KEYS = (
    "table",
    "action",
    "fields",
    "key",
    "choices",
    "rules",
    "examples",
    "labels",
    "help",
    "writer",
)
RULE_KEYS = ("rule", "message")
EXAMPLE_KEYS = ("valid", "invalid")


def read_forms(r: Reader, node: Node) -> tuple[FormSpec, ...]:
    forms: list[FormSpec] = []
    for name, key_node, value in entries(r, node, "forms") or []:
        if identifier(r, key_node, name, "forms"):
            form = _form(r, name, key_node, value)
            if form is not None:
                forms.append(form)
    return tuple(forms)


def _form(r: Reader, name: str, key_node: Node, node: Node) -> FormSpec | None:
    where = f"forms.{name}"
    keys = section(r, node, where, FORM_KEYS, required=("table",))
    if keys is None or "table" not in keys:
        return None
    table = text(r, keys["table"], f"{where}.table", "a table name")
    field_pos = _fields(r, keys, where)
    fields = tuple(f for f, _ in field_pos)
    key = key_list(r, keys, f"{where}.key")
    known = fields + tuple(k for k in key if k not in fields)
    action = optional_choice(r, keys, "action", where, ACTIONS) or "insert"
    return FormSpec(
        name=name,
        table=table or "",
        action=cast(FormAction, action),
        pos=r.at(key_node),
        fields=fields,
        key=key,
        choices=_texts_by_field(r, keys, "choices", where, known, "a SELECT statement"),
        rules=_rules(r, keys, where),
        examples=_examples(r, keys, where),
        labels=_texts_by_field(r, keys, "labels", where, known, "a label"),
        help=_texts_by_field(r, keys, "help", where, known, "a help text"),
        writer=cast(WriterName | None, optional_choice(r, keys, "writer", where, WRITERS)),
        field_pos=field_pos,
    )


def _fields(r: Reader, keys: dict[str, Node], where: str) -> tuple[tuple[str, Location], ...]:
    if "fields" not in keys:
        return ()
    seen: dict[str, Location] = {}
    for item in texts(r, keys["fields"], f"{where}.fields", "a list of column names", single=False):
        if item.value in seen:
            first = seen[item.value]
            hint = f"it is already listed at line {first.line}, column {first.column}; keep one"
            r.error(item, f'{where}.fields: "{item.value}" is listed twice', hint)
        seen.setdefault(str(item.value), r.at(item))
    return tuple(seen.items())


def _texts_by_field(
    r: Reader, keys: dict[str, Node], key: str, where: str, known: Sequence[str], what: str
) -> tuple[tuple[str, str], ...]:
    """`{field: text}` mappings (choices, labels, help) whose keys must be form fields."""
    if key not in keys:
        return ()
    out: list[tuple[str, str]] = []
    for field, key_node, value in entries(r, keys[key], f"{where}.{key}") or []:
        if field not in known:
            _not_a_field(r, keys[key], key_node, value, f"{where}.{key}", known)
            continue
        written = text(r, value, f"{where}.{key}.{field}", what)
        if written is not None:
            out.append((field, written))
    return tuple(out)


def _not_a_field(
    r: Reader, mapping: Node, key_node: Node, value: Node, where: str, known: Sequence[str]
) -> None:
    field = key_node.value
    listed = ", ".join(known) or "none"
    hint = did_you_mean(field, known) or f"the form's fields: {listed}"
    if getattr(mapping, "flow_style", False) and value.tag.endswith(":null") and " " in field:
        # {author_id: SELECT id, name FROM authors}: YAML ends the value at the comma.
        hint = 'inside {...} a comma ends the value; quote it: {field: "SELECT a, b FROM t"}'
    r.error(key_node, f'{where}: "{field}" is not a field of this form', hint)


def _rules(r: Reader, keys: dict[str, Node], where: str) -> tuple[RuleSpec, ...]:
    if "rules" not in keys:
        return ()
    node = keys["rules"]
    if not isinstance(node, yaml.SequenceNode):
        r.expected(node, f"{where}.rules", "a list of rules")
        return ()
    rules = (_rule(r, item, f"{where}.rules") for item in node.value)
    return tuple(rule for rule in rules if rule is not None)


def _rule(r: Reader, node: Node, where: str) -> RuleSpec | None:
    what = "a rule (words, a SQL condition, or {rule, message})"
    if not isinstance(node, yaml.MappingNode):
        rule = _rule_text(r, node, where, what)
        return RuleSpec(rule, r.at(node)) if rule else None
    keys = section(r, node, where, RULE_KEYS, required=("rule",))
    if keys is None or "rule" not in keys:
        return None
    rule = _rule_text(r, keys["rule"], f"{where}.rule", what)
    message = text(r, keys["message"], f"{where}.message") if "message" in keys else None
    return RuleSpec(rule, r.at(keys["rule"]), message) if rule else None


def _rule_text(r: Reader, node: Node, where: str, what: str) -> str | None:
    rule = text(r, node, where, what)
    if rule is not None and not rule.strip():
        r.error(node, f"{where}: expected {what}, got an empty string")
        return None
    return rule


def _examples(r: Reader, keys: dict[str, Node], where: str) -> FormExamples:
    if "examples" not in keys:
        return FormExamples()
    found = section(r, keys["examples"], f"{where}.examples", EXAMPLE_KEYS) or {}
    return FormExamples(
        valid=_example_rows(r, found.get("valid"), f"{where}.examples.valid"),
        invalid=_example_rows(r, found.get("invalid"), f"{where}.examples.invalid"),
    )


def _example_rows(r: Reader, node: Node | None, where: str) -> tuple[dict[str, Any], ...]:
    if node is None:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        r.expected(node, where, "a list of {field: value} examples")
        return ()
    rows: list[dict[str, Any]] = []
    for item in node.value:
        if entries(r, item, where) is None:
            continue
        value = construct(r, item, where)
        if isinstance(value, dict):
            rows.append(value)
    return tuple(rows)
