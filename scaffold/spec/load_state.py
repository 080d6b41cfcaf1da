"""The spec's `state:` section: who owns each piece of state and what feeds it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from scaffold.errors import did_you_mean
from scaffold.spec.load_derived import check_examples, read_examples
from scaffold.spec.model import Owner, QuerySpec, StateSpec, WriterName
from scaffold.spec.nodes import Node, Reader, choice, entries, identifier, section, text, texts

# The Python types a client field may have: analyze.model.PyType (a test keeps them equal).
FIELD_TYPES = (
    "int",
    "float",
    "Decimal",
    "str",
    "bool",
    "bytes",
    "date",
    "datetime",
    "time",
    "timedelta",
    "UUID",
    "dict",
    "list",
)
_BASE = "|".join(FIELD_TYPES)
FIELD_TYPE = re.compile(rf"(?:{_BASE}|list\[(?:{_BASE})\])(?: \| None)?")
OWNERS = ("server", "client", "derived")
SYNCS = ("diff", "snapshot")
WRITERS = ("template", "llm")
STATE_KEYS = (
    "owner",
    "query",
    "key",
    "sync",
    "fields",
    "from",
    "compute",
    "type",
    "examples",
    "writer",
)
# Keys that only make sense for one owner, and the keys each owner cannot do without.
OWNER_ONLY = {
    "query": "server",
    "fields": "client",
    "from": "derived",
    "compute": "derived",
    "type": "derived",
    "examples": "derived",
}
OWNER_NEEDS = {"server": ("query",), "client": ("fields",), "derived": ("from", "compute")}


def read_state(r: Reader, node: Node, queries: Sequence[QuerySpec]) -> tuple[StateSpec, ...]:
    items = entries(r, node, "state") or []
    names = [name for name, _, _ in items]
    states: list[StateSpec] = []
    for name, key_node, value in items:
        if not identifier(r, key_node, name, "state"):
            continue
        state = _state(r, name, key_node, value, queries, names)
        if state is not None:
            states.append(state)
    check_examples(r, states)
    return tuple(states)


def _state(
    r: Reader,
    name: str,
    key_node: Node,
    node: Node,
    queries: Sequence[QuerySpec],
    names: Sequence[str],
) -> StateSpec | None:
    where = f"state.{name}"
    keys = section(r, node, where, STATE_KEYS, required=("owner",))
    if keys is None or "owner" not in keys:
        return None
    owner = choice(r, keys["owner"], f"{where}.owner", OWNERS)
    if owner is None:
        return None
    _check_owner_keys(r, node, where, owner, keys)
    return StateSpec(
        name,
        cast(Owner, owner),
        r.at(key_node),
        query=_query(r, keys, where, queries) if owner == "server" else None,
        key=key_list(r, keys, f"{where}.key"),
        sync=optional_choice(r, keys, "sync", where, SYNCS) or "diff",
        fields=_fields(r, keys, where),
        sources=_sources(r, keys, where, name, names),
        compute=text(r, keys["compute"], f"{where}.compute") if "compute" in keys else None,
        writer=cast(WriterName | None, optional_choice(r, keys, "writer", where, WRITERS)),
        result_type=_field_type(r, keys["type"], f"{where}.type") if "type" in keys else None,
        examples=read_examples(r, keys["examples"], f"{where}.examples")
        if "examples" in keys and owner == "derived"
        else (),
    )


def _check_owner_keys(r: Reader, node: Node, where: str, owner: str, keys: dict[str, Node]) -> None:
    for key, value in keys.items():
        belongs = OWNER_ONLY.get(key, owner)
        if belongs != owner:
            r.error(value, f'{where}: "{key}" is for {belongs} state, not {owner} state')
    for key in OWNER_NEEDS[owner]:
        if key not in keys:
            r.error(node, f'{where}: {owner} state needs "{key}"', f'add "{key}: ..."')


def _query(
    r: Reader, keys: dict[str, Node], where: str, queries: Sequence[QuerySpec]
) -> str | None:
    if "query" not in keys:
        return None
    name = text(r, keys["query"], f"{where}.query", "the name of a query")
    if name is None:
        return None
    if "queries" not in r.partial and not any(name in (q.name, q.ident) for q in queries):
        known = [q.name for q in queries]
        spellings = dict.fromkeys([*known, *(q.ident for q in queries)])
        hint = did_you_mean(name, spellings) or "known queries: " + (", ".join(known) or "none")
        r.error(keys["query"], f'{where}.query: no query named "{name}"', hint)
    return name


def _fields(r: Reader, keys: dict[str, Node], where: str) -> tuple[tuple[str, str], ...]:
    if "fields" not in keys:
        return ()
    fields: list[tuple[str, str]] = []
    for field, key_node, value in entries(r, keys["fields"], f"{where}.fields") or []:
        type_name = _field_type(r, value, f"{where}.fields.{field}")
        if identifier(r, key_node, field, f"{where}.fields") and type_name is not None:
            fields.append((field, type_name))
    return tuple(fields)


def _field_type(r: Reader, node: Node, where: str) -> str | None:
    type_name = text(r, node, where, "a Python type name such as int")
    if type_name is None or FIELD_TYPE.fullmatch(type_name):
        return type_name
    hint = did_you_mean(type_name, FIELD_TYPES) or "types: " + ", ".join(FIELD_TYPES)
    r.error(node, f'{where}: "{type_name}" is not a field type', f"{hint}; or list[T], T | None")
    return None


def _sources(
    r: Reader, keys: dict[str, Node], where: str, name: str, names: Sequence[str]
) -> tuple[str, ...]:
    if "from" not in keys:
        return ()
    sources = texts(r, keys["from"], f"{where}.from", "a list of state names", nonempty=True)
    for item in sources:
        if item.value not in names or item.value == name:
            others = [n for n in names if n != name]
            hint = did_you_mean(item.value, others) or "known states: " + ", ".join(others)
            r.error(item, f'{where}.from: no other state named "{item.value}"', hint)
    return tuple(str(item.value) for item in sources)


def key_list(r: Reader, keys: dict[str, Node], where: str) -> tuple[str, ...]:
    """`key: id` or `key: [a, b]` as a tuple of names."""
    if "key" not in keys:
        return ()
    names = texts(r, keys["key"], where, "a name or a list of names", nonempty=True)
    return tuple(str(n.value) for n in names)


def optional_choice(
    r: Reader, keys: dict[str, Node], key: str, where: str, options: Sequence[str]
) -> Any:
    if key not in keys:
        return None
    return choice(r, keys[key], f"{where}.{key}", options)
